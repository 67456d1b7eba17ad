/// The subset of Solidity's `abi.encode` needed for OpenZeppelin "standard" Merkle leaves:
/// static types `address`, `bool`, `uint<N>`, `int<N>`, `bytes<N>` (1…32) and dynamic `string`
/// and `bytes`, encoded as one top-level tuple (heads, then tails). Arrays and nested tuples are
/// not supported and are reported as errors.
public enum ABI {
    /// A Solidity type supported by `encode`.
    public enum ValueType: Hashable, Sendable, CustomStringConvertible {
        case address, bool, string, bytes
        case uint(bits: Int)
        case int(bits: Int)
        case fixedBytes(Int)

        /// Parses a type name such as `address`, `uint256`, `uint` (= uint256), `int8`, `bytes32`, `string`.
        public init(name: String) throws {
            switch name {
            case "address": self = .address
            case "bool": self = .bool
            case "string": self = .string
            case "bytes": self = .bytes
            case "uint": self = .uint(bits: 256)
            case "int": self = .int(bits: 256)
            default:
                func size(_ prefix: String) -> Int? {
                    guard name.hasPrefix(prefix) else { return nil }
                    let rest = name.dropFirst(prefix.count)
                    guard !rest.isEmpty, rest.first != "0", rest.allSatisfy(\.isASCII), let n = Int(rest) else { return nil }
                    return n
                }
                if let n = size("uint"), n % 8 == 0, (8...256).contains(n) { self = .uint(bits: n) }
                else if let n = size("int"), n % 8 == 0, (8...256).contains(n) { self = .int(bits: n) }
                else if let n = size("bytes"), (1...32).contains(n) { self = .fixedBytes(n) }
                else { throw MerkleError.abi("unsupported or malformed type \"\(name)\"") }
            }
        }

        public var isDynamic: Bool { self == .string || self == .bytes }

        public var description: String {
            switch self {
            case .address: return "address"
            case .bool: return "bool"
            case .string: return "string"
            case .bytes: return "bytes"
            case .uint(let b): return "uint\(b)"
            case .int(let b): return "int\(b)"
            case .fixedBytes(let n): return "bytes\(n)"
            }
        }
    }

    /// `abi.encode(types, values)` where each value is given as text, as in OpenZeppelin dumps:
    /// addresses and byte strings as `0x`-hex, integers as decimal (optionally negative for
    /// `int<N>`) or `0x`-hex, booleans as `true`/`false`, strings as themselves.
    public static func encode(types: [String], values: [String]) throws -> [UInt8] {
        guard types.count == values.count else {
            throw MerkleError.abi("\(types.count) types but \(values.count) values")
        }
        let parsed = try types.map { try ValueType(name: $0) }
        var head: [UInt8] = []
        var tail: [UInt8] = []
        let headSize = 32 * parsed.count
        for (t, v) in zip(parsed, values) {
            if t.isDynamic {
                head += word(UInt64(headSize + tail.count))
                let data: [UInt8] = t == .string ? Array(v.utf8) : try hexBytes(v, for: t)
                tail += word(UInt64(data.count))
                tail += data
                tail += [UInt8](repeating: 0, count: (32 - data.count % 32) % 32)
            } else {
                head += try encodeStatic(t, v)
            }
        }
        return head + tail
    }

    static func word(_ v: UInt64) -> [UInt8] {
        var w = [UInt8](repeating: 0, count: 32)
        for i in 0..<8 { w[31 - i] = UInt8(truncatingIfNeeded: v >> (8 * UInt64(i))) }
        return w
    }

    static func hexBytes(_ v: String, for t: ValueType) throws -> [UInt8] {
        guard v.hasPrefix("0x") || v.hasPrefix("0X") else { throw MerkleError.abi("\(t) value must be 0x-hex, got \"\(v)\"") }
        do { return try Hex.decode(v) } catch { throw MerkleError.abi("\(t) value is not valid hex: \"\(v)\"") }
    }

    static func encodeStatic(_ t: ValueType, _ v: String) throws -> [UInt8] {
        switch t {
        case .address:
            let b = try hexBytes(v, for: t)
            guard b.count == 20 else { throw MerkleError.abi("address must be 20 bytes, got \(b.count)") }
            return [UInt8](repeating: 0, count: 12) + b
        case .bool:
            switch v {
            case "true": return word(1)
            case "false": return word(0)
            default: throw MerkleError.abi("bool value must be true or false, got \"\(v)\"")
            }
        case .fixedBytes(let n):
            let b = try hexBytes(v, for: t)
            guard b.count == n else { throw MerkleError.abi("\(t) value must be \(n) bytes, got \(b.count)") }
            return b + [UInt8](repeating: 0, count: 32 - n)
        case .uint(let bits):
            let (neg, mag) = try parseInteger(v, for: t)
            guard !neg || mag.allSatisfy({ $0 == 0 }) else { throw MerkleError.abi("\(t) value is negative: \(v)") }
            guard bitLength(mag) <= bits else { throw MerkleError.abi("\(t) value out of range: \(v)") }
            return mag
        case .int(let bits):
            let (neg, mag) = try parseInteger(v, for: t)
            let len = bitLength(mag)
            if neg {
                // |v| <= 2^(bits-1): fewer than `bits` bits, or exactly 2^(bits-1).
                guard len < bits || (len == bits && isExactPowerOfTwo(mag)) else {
                    throw MerkleError.abi("\(t) value out of range: \(v)")
                }
                return twosComplementNegate(mag)
            } else {
                guard len < bits else { throw MerkleError.abi("\(t) value out of range: \(v)") }
                return mag
            }
        case .string, .bytes:
            throw MerkleError.abi("\(t) is dynamic")
        }
    }

    /// Parses decimal (optionally with a leading '-') or 0x-hex into a 32-byte big-endian magnitude.
    static func parseInteger(_ v: String, for t: ValueType) throws -> (negative: Bool, magnitude: [UInt8]) {
        var digits = Substring(v)
        var negative = false
        if digits.hasPrefix("-") { negative = true; digits = digits.dropFirst() }
        var mag = [UInt8](repeating: 0, count: 32)
        if digits.hasPrefix("0x") || digits.hasPrefix("0X") {
            guard digits.count > 2 else { throw MerkleError.abi("\(t) value is empty hex") }
            var h = String(digits.dropFirst(2))
            if h.count % 2 == 1 { h = "0" + h }
            guard let b = try? Hex.decode(h) else { throw MerkleError.abi("\(t) value is not valid hex: \"\(v)\"") }
            let significant = b.drop { $0 == 0 }
            guard significant.count <= 32 else { throw MerkleError.abi("\(t) value out of range: \(v)") }
            mag.replaceSubrange((32 - significant.count)..., with: significant)
            return (negative, mag)
        }
        guard !digits.isEmpty else { throw MerkleError.abi("\(t) value is empty") }
        for c in digits.utf8 {
            guard c >= UInt8(ascii: "0"), c <= UInt8(ascii: "9") else {
                throw MerkleError.abi("\(t) value is not a decimal integer: \"\(v)\"")
            }
            var carry = UInt32(c - UInt8(ascii: "0"))
            for i in stride(from: 31, through: 0, by: -1) {
                let x = UInt32(mag[i]) * 10 + carry
                mag[i] = UInt8(truncatingIfNeeded: x)
                carry = x >> 8
            }
            guard carry == 0 else { throw MerkleError.abi("\(t) value out of range: \(v)") }
        }
        return (negative, mag)
    }

    static func bitLength(_ mag: [UInt8]) -> Int {
        for (i, b) in mag.enumerated() where b != 0 {
            return (31 - i) * 8 + (8 - b.leadingZeroBitCount)
        }
        return 0
    }

    static func isExactPowerOfTwo(_ mag: [UInt8]) -> Bool {
        mag.reduce(0) { $0 + $1.nonzeroBitCount } == 1
    }

    static func twosComplementNegate(_ mag: [UInt8]) -> [UInt8] {
        var out = mag.map { ~$0 }
        var i = 31
        while i >= 0 {
            let (s, o) = out[i].addingReportingOverflow(1)
            out[i] = s
            if !o { break }
            i -= 1
        }
        return out
    }
}
