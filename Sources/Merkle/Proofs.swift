import Foundation

/// The rules a tree is built under. A proof carries its mode, so it never verifies under
/// another tree's rules.
public enum TreeMode: String, Sendable, CaseIterable, Codable {
    /// RFC 6962/9162: leaf `H(0x00‖d)`, node `H(0x01‖l‖r)`; the leaf is the data itself.
    case log
    /// OpenZeppelin's sorted-pair keccak tree; the leaf is its 32-byte leaf hash.
    case sortedPair = "sorted_pair"
    /// Bitcoin's double SHA-256 tree; the leaf is a 32-byte txid (internal byte order).
    case bitcoin

    var code: UInt8 {
        switch self {
        case .log: return 0
        case .sortedPair: return 1
        case .bitcoin: return 2
        }
    }

    init?(code: UInt8) {
        guard let mode = Self.allCases.first(where: { $0.code == code }) else { return nil }
        self = mode
    }
}

/// A proof that one leaf is in a tree of `size` leaves at `index`.
public struct InclusionProof: Hashable, Sendable {
    public var mode: TreeMode
    public var index: Int
    public var size: Int
    public var path: [Hash]

    public init(mode: TreeMode, index: Int, size: Int, path: [Hash]) {
        self.mode = mode
        self.index = index
        self.size = size
        self.path = path
    }

    /// Whether `leaf` is at `index` in the tree with `root`, under this proof's mode.
    /// Every malformed case (index past the end, wrong path length, a leaf hash that is not
    /// 32 bytes) is `false`.
    public func verifies(leaf: [UInt8], root: Hash) -> Bool {
        guard index >= 0, size > index else { return false }
        switch mode {
        case .log:
            return (try? RFC6962.verifyInclusion(index: UInt64(index), size: UInt64(size), leafHash: RFC6962.leafHash(leaf),
                                                 proof: path, root: root)) != nil
        case .sortedPair:
            guard let leafHash = try? Hash(bytes: leaf) else { return false }
            return SortedPairMerkle.verify(proof: path, root: root, leaf: leafHash)
        case .bitcoin:
            guard let txid = try? Hash(bytes: leaf), path.count == Self.bitcoinPathLength(size: size),
                  let computed = try? BitcoinMerkle.rootFromInclusionProof(index: index, txid: txid, proof: path) else { return false }
            return computed == root
        }
    }

    /// A Bitcoin path has one hash per level above the leaves.
    static func bitcoinPathLength(size: Int) -> Int {
        var levels = 0, width = size
        while width > 1 { width = (width + 1) / 2; levels += 1 }
        return levels
    }
}

/// A proof that the tree of `size1` leaves is a prefix of the tree of `size2` leaves
/// (RFC 6962 logs only: nothing but append happened in between).
public struct ConsistencyProof: Hashable, Sendable {
    public var size1: Int
    public var size2: Int
    public var path: [Hash]

    public init(size1: Int, size2: Int, path: [Hash]) {
        self.size1 = size1
        self.size2 = size2
        self.path = path
    }

    public func verifies(root1: Hash, root2: Hash) -> Bool {
        guard size1 >= 0, size2 >= 0 else { return false }
        return (try? RFC6962.verifyConsistency(size1: UInt64(size1), size2: UInt64(size2), proof: path, root1: root1, root2: root2)) != nil
    }
}

// MARK: wire formats

/// Proofs as JSON (`{"mode":"log","index":2,"size":6,"path":["ab…",…]}`, hashes in lowercase
/// hex) and as compact bytes: a tag byte (`0x50` inclusion, `0x43` consistency), the mode
/// byte (inclusion only: 0 log, 1 sorted_pair, 2 bitcoin), two big-endian UInt64 numbers
/// (index and size, or size1 and size2), a UInt8 hash count, then the 32-byte hashes.
public enum ProofCodec {
    static let inclusionTag: UInt8 = 0x50
    static let consistencyTag: UInt8 = 0x43
    /// A tree of 2^64 leaves needs 64 hashes; anything longer is not a proof.
    static let maxPath = 64

    private struct InclusionJSON: Codable {
        var mode: TreeMode
        var index: Int
        var size: Int
        var path: [String]
    }

    private struct ConsistencyJSON: Codable {
        var size1: Int
        var size2: Int
        var path: [String]
    }

    public static func json(_ p: InclusionProof) -> String {
        encodeJSON(InclusionJSON(mode: p.mode, index: p.index, size: p.size, path: p.path.map(\.description)))
    }

    public static func json(_ p: ConsistencyProof) -> String {
        encodeJSON(ConsistencyJSON(size1: p.size1, size2: p.size2, path: p.path.map(\.description)))
    }

    public static func inclusion(json text: String) throws -> InclusionProof {
        let j: InclusionJSON = try decodeJSON(text)
        return InclusionProof(mode: j.mode, index: j.index, size: j.size, path: try hashes(j.path))
    }

    public static func consistency(json text: String) throws -> ConsistencyProof {
        let j: ConsistencyJSON = try decodeJSON(text)
        return ConsistencyProof(size1: j.size1, size2: j.size2, path: try hashes(j.path))
    }

    public static func bytes(_ p: InclusionProof) -> [UInt8] {
        [inclusionTag, p.mode.code] + header(p.index, p.size, p.path)
    }

    public static func bytes(_ p: ConsistencyProof) -> [UInt8] {
        [consistencyTag] + header(p.size1, p.size2, p.path)
    }

    public static func inclusion(bytes: [UInt8]) throws -> InclusionProof {
        var r = Reader(bytes)
        guard try r.byte() == inclusionTag else { throw malformed("not an inclusion proof") }
        guard let mode = TreeMode(code: try r.byte()) else { throw malformed("unknown tree mode") }
        let (index, size, path) = try r.numbersAndPath()
        return InclusionProof(mode: mode, index: index, size: size, path: path)
    }

    public static func consistency(bytes: [UInt8]) throws -> ConsistencyProof {
        var r = Reader(bytes)
        guard try r.byte() == consistencyTag else { throw malformed("not a consistency proof") }
        let (size1, size2, path) = try r.numbersAndPath()
        return ConsistencyProof(size1: size1, size2: size2, path: path)
    }

    private static func header(_ a: Int, _ b: Int, _ path: [Hash]) -> [UInt8] {
        var out: [UInt8] = []
        for n in [a, b] { withUnsafeBytes(of: UInt64(truncatingIfNeeded: n).bigEndian) { out.append(contentsOf: $0) } }
        out.append(UInt8(truncatingIfNeeded: path.count))
        for h in path { out.append(contentsOf: h.bytes) }
        return out
    }

    private struct Reader {
        let data: [UInt8]
        var at = 0
        init(_ data: [UInt8]) { self.data = data }

        mutating func byte() throws -> UInt8 {
            guard at < data.count else { throw ProofCodec.malformed("truncated at byte \(at)") }
            defer { at += 1 }
            return data[at]
        }

        mutating func number() throws -> Int {
            var n: UInt64 = 0
            for _ in 0..<8 { n = n << 8 | UInt64(try byte()) }
            guard n <= UInt64(Int.max) else { throw ProofCodec.malformed("number \(n) is too large") }
            return Int(n)
        }

        mutating func numbersAndPath() throws -> (Int, Int, [Hash]) {
            let a = try number(), b = try number()
            let count = Int(try byte())
            guard count <= ProofCodec.maxPath else { throw ProofCodec.malformed("path of \(count) hashes") }
            guard data.count - at == count * Hash.byteCount else {
                throw ProofCodec.malformed("\(data.count - at) bytes for \(count) hashes of \(Hash.byteCount)")
            }
            var path: [Hash] = []
            for _ in 0..<count {
                path.append(try Hash(bytes: data[at..<at + Hash.byteCount]))
                at += Hash.byteCount
            }
            return (a, b, path)
        }
    }

    private static func hashes(_ hex: [String]) throws -> [Hash] {
        guard hex.count <= maxPath else { throw malformed("path of \(hex.count) hashes") }
        return try hex.map { try Hash(hex: $0) }
    }

    private static func encodeJSON<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        // Encoding plain strings and integers cannot fail.
        guard let data = try? encoder.encode(value) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    private static func decodeJSON<T: Decodable>(_ text: String) throws -> T {
        do {
            return try JSONDecoder().decode(T.self, from: Data(text.utf8))
        } catch let error as DecodingError {
            throw malformed(describe(error))
        }
    }

    private static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, _): return "missing field '\(key.stringValue)'"
        case .typeMismatch(_, let c), .valueNotFound(_, let c), .dataCorrupted(let c):
            let path = c.codingPath.map(\.stringValue).joined(separator: ".")
            return path.isEmpty ? "not valid JSON" : "bad field '\(path)'"
        @unknown default: return "not a proof"
        }
    }

    static func malformed(_ why: String) -> MerkleError { .malformedProof(why) }
}
