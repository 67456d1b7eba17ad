/// Big-endian positional encodings of byte strings, as used for addresses and short codes.
/// Each leading zero byte becomes one leading zero digit, so the encoding round-trips
/// exactly (Bitcoin's Base58 rule, applied to Base62 too).
public struct BaseN: Sendable {
    public let alphabet: [UInt8]
    private let values: [Int8]

    /// Bitcoin's alphabet: no 0, O, I or l.
    public static let base58 = BaseN("123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz")
    /// Digits, then upper case, then lower case (GMP's order).
    public static let base62 = BaseN("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")

    init(_ alphabet: String) {
        self.alphabet = Array(alphabet.utf8)
        var values = [Int8](repeating: -1, count: 256)
        for (i, c) in self.alphabet.enumerated() { values[Int(c)] = Int8(i) }
        self.values = values
    }

    var radix: Int { alphabet.count }

    public func encode(_ bytes: some Collection<UInt8>) -> String {
        let zeros = bytes.prefix { $0 == 0 }.count
        // Digits of the number, least significant first; schoolbook base conversion.
        var digits: [UInt8] = []
        for b in bytes.dropFirst(zeros) {
            var carry = Int(b)
            for i in digits.indices {
                carry += Int(digits[i]) << 8
                digits[i] = UInt8(carry % radix)
                carry /= radix
            }
            while carry > 0 {
                digits.append(UInt8(carry % radix))
                carry /= radix
            }
        }
        let text = [UInt8](repeating: alphabet[0], count: zeros) + digits.reversed().map { alphabet[Int($0)] }
        return String(decoding: text, as: UTF8.self)
    }

    public func decode(_ text: String) throws -> [UInt8] {
        let chars = Array(text.utf8)
        let zeros = chars.prefix { $0 == alphabet[0] }.count
        var bytes: [UInt8] = []   // least significant first
        for (position, c) in chars.enumerated().dropFirst(zeros) {
            let v = values[Int(c)]
            guard v >= 0 else {
                throw MerkleError.invalidArgument("'\(Character(Unicode.Scalar(c)))' at position \(position + 1) is not a base-\(radix) digit")
            }
            var carry = Int(v)
            for i in bytes.indices {
                carry += Int(bytes[i]) * radix
                bytes[i] = UInt8(carry & 0xFF)
                carry >>= 8
            }
            while carry > 0 {
                bytes.append(UInt8(carry & 0xFF))
                carry >>= 8
            }
        }
        return [UInt8](repeating: 0, count: zeros) + bytes.reversed()
    }
}
