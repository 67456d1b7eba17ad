/// Fixed-size chunking: data is cut into `chunkSize`-byte chunks (the last may be shorter) and
/// each chunk becomes one RFC 6962 leaf (`H(0x00 ‖ chunk)`); the root is the RFC 6962 tree hash
/// over the chunks, so chunk inclusion is proved and verified with `RFC6962`. Empty data has no
/// chunks and the empty-tree root.
public struct ChunkedMerkle: Sendable {
    public let chunkSize: Int
    public private(set) var byteCount: Int = 0
    private var log = MerkleLog()
    private var pending: [UInt8] = []

    /// `chunkSize` must be positive.
    public init(chunkSize: Int) throws {
        guard chunkSize > 0 else { throw MerkleError.invalidArgument("chunk size must be positive, got \(chunkSize)") }
        self.chunkSize = chunkSize
    }

    /// Chunks `data` at once.
    public init(data: some Sequence<UInt8>, chunkSize: Int) throws {
        try self.init(chunkSize: chunkSize)
        append(data)
    }

    /// Streams more bytes in; complete chunks are hashed as soon as they fill.
    public mutating func append(_ data: some Sequence<UInt8>) {
        for b in data {
            pending.append(b)
            byteCount += 1
            if pending.count == chunkSize {
                log.append(pending)
                pending.removeAll(keepingCapacity: true)
            }
        }
    }

    /// Number of chunks so far, counting a trailing partial chunk.
    public var chunkCount: Int { log.count + (pending.isEmpty ? 0 : 1) }

    /// The log of chunk leaves, with a trailing partial chunk included.
    private var finished: MerkleLog {
        var l = log
        if !pending.isEmpty { l.append(pending) }
        return l
    }

    /// Root over all chunks (a trailing partial chunk counts as the last chunk).
    public func root() -> Hash { finished.root() }

    /// Leaf hashes of the chunks, in order.
    public func chunkHashes() -> [Hash] {
        finished.leafHashes
    }

    /// Inclusion proof of chunk `index` against `root()`; verify with
    /// `RFC6962.verifyInclusion(index:size:leafHash:proof:root:)` and `RFC6962.leafHash(chunk)`.
    public func inclusionProof(chunk index: Int) throws -> [Hash] {
        try finished.inclusionProof(index: index)
    }

    /// The chunks of `data` (the last one may be shorter).
    public static func chunks(of data: [UInt8], chunkSize: Int) throws -> [ArraySlice<UInt8>] {
        guard chunkSize > 0 else { throw MerkleError.invalidArgument("chunk size must be positive, got \(chunkSize)") }
        return stride(from: 0, to: data.count, by: chunkSize).map { data[$0..<min($0 + chunkSize, data.count)] }
    }
}
