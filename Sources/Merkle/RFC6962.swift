import Synchronization

/// RFC 6962 / RFC 9162 §2.1 Merkle tree ("log mode"): SHA-256, leaf `H(0x00 ‖ d)`,
/// node `H(0x01 ‖ l ‖ r)`, split at the largest power of two smaller than n, and the empty
/// tree's root is SHA-256 of the empty string.
///
/// Verifiers follow transparency-dev/merkle's policy exactly: `index >= size` is an error, a leaf
/// hash must be 32 bytes, the proof length must equal the expected length, a consistency check
/// with `size1 == 0` is an error (even 0→0), and `size1 == size2` needs an empty proof and equal roots.
public enum RFC6962 {
    /// SHA-256 of the empty string: the root of the empty tree.
    public static let emptyRoot: Hash = Digest.sha256([UInt8]())

    /// Leaf hash `SHA-256(0x00 ‖ data)`.
    @inlinable public static func leafHash(_ data: some Sequence<UInt8>) -> Hash {
        Digest.withContiguousBytes(data) { Digest.sha256(prefix: 0x00, raw: $0) }
    }

    /// Interior node hash `SHA-256(0x01 ‖ left ‖ right)`.
    public static func nodeHash(_ left: Hash, _ right: Hash) -> Hash {
        Digest.sha256(prefix: 0x01, left, right)
    }

    /// Interior node hash over raw children of any length (`SHA-256(0x01 ‖ left ‖ right)`).
    public static func nodeHash(rawLeft left: some Sequence<UInt8>, rawRight right: some Sequence<UInt8>) -> Hash {
        var buf: [UInt8] = [0x01]
        buf.append(contentsOf: left)
        buf.append(contentsOf: right)
        return Digest.sha256(buf)
    }

    // MARK: Tree hash and proofs over a list of leaf hashes

    /// MTH over the given leaf hashes (`emptyRoot` for none).
    public static func rootHash(leafHashes: [Hash]) -> Hash {
        // Only the right edge is kept: the roots of the complete subtrees so far, largest first.
        var peaks: [Hash] = []
        for (i, leaf) in leafHashes.enumerated() {
            var h = leaf
            for _ in 0..<(i + 1).trailingZeroBitCount { h = nodeHash(peaks.removeLast(), h) }
            peaks.append(h)
        }
        guard var root = peaks.popLast() else { return emptyRoot }
        while let left = peaks.popLast() { root = nodeHash(left, root) }
        return root
    }

    /// MTH over raw leaf data.
    public static func rootHash<C: Sequence>(leaves: C) -> Hash where C.Element: Sequence, C.Element.Element == UInt8 {
        rootHash(leafHashes: leaves.map { leafHash($0) })
    }

    /// RFC 6962 PATH(index, D[size]) for the first `size` leaves (default: all of them).
    public static func inclusionProof(index: Int, size: Int? = nil, leafHashes: [Hash]) throws -> [Hash] {
        var store = SubtreeStore()
        for h in leafHashes { store.append(h) }
        let size = size ?? leafHashes.count
        return try store.inclusionProof(index: index, size: size) { store.edge(size: size, below: $0) }
    }

    /// RFC 6962 PROOF(size1, D[size2]) for the first `size2` leaves (default: all of them).
    public static func consistencyProof(size1: Int, size2: Int? = nil, leafHashes: [Hash]) throws -> [Hash] {
        var store = SubtreeStore()
        for h in leafHashes { store.append(h) }
        let size2 = size2 ?? leafHashes.count
        return try store.consistencyProof(size1: size1, size2: size2) { store.edge(size: size2, below: $0) }
    }

    // MARK: Verification (typed)

    /// Recomputes the root from an inclusion proof (RFC 9162 §2.1.3.2); throws on a malformed proof.
    public static func rootFromInclusionProof(index: UInt64, size: UInt64, leafHash: Hash, proof: [Hash]) throws -> Hash {
        guard index < size else { throw MerkleError.indexOutOfRange(index: index, size: size) }
        let (inner, border) = decomposeInclusionProof(index: index, size: size)
        guard proof.count == inner + border else {
            throw MerkleError.wrongProofLength(got: proof.count, want: inner + border)
        }
        var h = chainInner(leafHash, proof[0..<inner], index: index)
        h = chainBorderRight(h, proof[inner...])
        return h
    }

    /// Verifies that `leafHash` is leaf `index` of the tree of `size` leaves with root `root`.
    public static func verifyInclusion(index: UInt64, size: UInt64, leafHash: Hash, proof: [Hash], root: Hash) throws {
        let computed = try rootFromInclusionProof(index: index, size: size, leafHash: leafHash, proof: proof)
        guard computed == root else {
            throw MerkleError.rootMismatch(computed: computed.description, expected: root.description)
        }
    }

    /// Verifies that the tree of `size2` leaves with root `root2` extends the tree of `size1`
    /// leaves with root `root1` (RFC 9162 §2.1.4.2).
    public static func verifyConsistency(size1: UInt64, size2: UInt64, proof: [Hash], root1: Hash, root2: Hash) throws {
        try checkConsistencySizes(size1: size1, size2: size2, proofCount: proof.count)
        if size1 == size2 {
            guard root1 == root2 else {
                throw MerkleError.rootMismatch(computed: root1.description, expected: root2.description)
            }
            return
        }
        var (inner, border) = decomposeInclusionProof(index: size1 - 1, size: size2)
        let shift = size1.trailingZeroBitCount
        inner -= shift  // shift < inner because size1 < size2
        // The proof starts with the root of the 2^shift subtree unless size1 is exactly 2^shift.
        let seed: Hash
        let start: Int
        if size1 == UInt64(1) << UInt64(shift) {
            seed = root1; start = 0
        } else {
            guard let first = proof.first else { throw MerkleError.wrongProofLength(got: 0, want: 1 + inner + border) }
            seed = first; start = 1
        }
        guard proof.count == start + inner + border else {
            throw MerkleError.wrongProofLength(got: proof.count, want: start + inner + border)
        }
        let rest = proof[start...]
        let innerPart = rest.prefix(inner)
        let borderPart = rest.dropFirst(inner)
        let mask = (size1 - 1) >> UInt64(shift)
        var h1 = chainInnerRight(seed, innerPart, index: mask)
        h1 = chainBorderRight(h1, borderPart)
        guard h1 == root1 else {
            throw MerkleError.rootMismatch(computed: h1.description, expected: root1.description)
        }
        var h2 = chainInner(seed, innerPart, index: mask)
        h2 = chainBorderRight(h2, borderPart)
        guard h2 == root2 else {
            throw MerkleError.rootMismatch(computed: h2.description, expected: root2.description)
        }
    }

    // MARK: Verification (raw bytes, for untrusted wire data)

    /// As `verifyInclusion`, over raw byte strings: a leaf hash or proof element that is not
    /// 32 bytes is an error, and a root of any other length can never match.
    public static func verifyInclusion(index: UInt64, size: UInt64, leafHash: [UInt8], proof: [[UInt8]], root: [UInt8]) throws {
        guard index < size else { throw MerkleError.indexOutOfRange(index: index, size: size) }
        let leaf = try Hash(bytes: leafHash)
        let p = try hashes(proof)
        let computed = try rootFromInclusionProof(index: index, size: size, leafHash: leaf, proof: p)
        guard root.count == Hash.byteCount, let r = try? Hash(bytes: root), r == computed else {
            throw MerkleError.rootMismatch(computed: computed.description, expected: Hex.encode(root))
        }
    }

    /// As `verifyConsistency`, over raw byte strings. When `size1 == size2` the roots are compared
    /// byte for byte whatever their length; otherwise a root that is not 32 bytes can never match.
    public static func verifyConsistency(size1: UInt64, size2: UInt64, proof: [[UInt8]], root1: [UInt8], root2: [UInt8]) throws {
        try checkConsistencySizes(size1: size1, size2: size2, proofCount: proof.count)
        if size1 == size2 {
            guard root1 == root2 else {
                throw MerkleError.rootMismatch(computed: Hex.encode(root1), expected: Hex.encode(root2))
            }
            return
        }
        let p = try hashes(proof)
        guard let r1 = try? Hash(bytes: root1) else {
            throw MerkleError.rootMismatch(computed: "(32-byte hash)", expected: Hex.encode(root1))
        }
        guard let r2 = try? Hash(bytes: root2) else {
            throw MerkleError.rootMismatch(computed: "(32-byte hash)", expected: Hex.encode(root2))
        }
        try verifyConsistency(size1: size1, size2: size2, proof: p, root1: r1, root2: r2)
    }

    // MARK: Internals

    private static func checkConsistencySizes(size1: UInt64, size2: UInt64, proofCount: Int) throws {
        if size1 == 0 { throw MerkleError.emptyTreeConsistency }
        if size2 < size1 { throw MerkleError.size1GreaterThanSize2(size1: size1, size2: size2) }
        if size1 == size2 {
            if proofCount != 0 { throw MerkleError.nonEmptyProofForEqualSizes(count: proofCount) }
            return
        }
        if proofCount == 0 { throw MerkleError.wrongProofLength(got: 0, want: 1) }
    }

    private static func hashes(_ raw: [[UInt8]]) throws -> [Hash] {
        var out: [Hash] = []
        out.reserveCapacity(raw.count)
        for (i, e) in raw.enumerated() {
            guard e.count == Hash.byteCount else {
                throw MerkleError.wrongProofElementLength(position: i, got: e.count, want: Hash.byteCount)
            }
            out.append(try Hash(bytes: e))
        }
        return out
    }

    /// Number of proof hashes below the split point (inner) and on the right border.
    static func decomposeInclusionProof(index: UInt64, size: UInt64) -> (inner: Int, border: Int) {
        let inner = 64 - (index ^ (size - 1)).leadingZeroBitCount
        let border = (inner >= 64 ? 0 : index >> UInt64(inner)).nonzeroBitCount
        return (inner, border)
    }

    private static func chainInner(_ seed: Hash, _ proof: ArraySlice<Hash>, index: UInt64) -> Hash {
        var h = seed
        for (i, p) in proof.enumerated() {
            if (index >> UInt64(i)) & 1 == 0 { h = nodeHash(h, p) } else { h = nodeHash(p, h) }
        }
        return h
    }

    private static func chainInnerRight(_ seed: Hash, _ proof: ArraySlice<Hash>, index: UInt64) -> Hash {
        var h = seed
        for (i, p) in proof.enumerated() where (index >> UInt64(i)) & 1 == 1 {
            h = nodeHash(p, h)
        }
        return h
    }

    private static func chainBorderRight(_ seed: Hash, _ proof: ArraySlice<Hash>) -> Hash {
        var h = seed
        for p in proof { h = nodeHash(p, h) }
        return h
    }

    /// Largest power of two strictly smaller than n (n >= 2).
    @inline(__always) static func split(_ n: Int) -> Int {
        1 << (Int.bitWidth - 1 - (n - 1).leadingZeroBitCount)
    }
}

/// Every complete subtree hash of an append-only RFC 6962 tree, in post-order (each subtree's
/// nodes, then its root: the layout of a Merkle mountain range). Appending leaf number n
/// (1-based) pushes it and then the roots of the n.trailingZeroBitCount subtrees it completes,
/// so storage only ever grows at its end and node (level, index) is found in O(1).
///
/// The sequence is kept in fixed-size segments: growing never copies stored hashes, and a copy
/// of the store that is then appended to duplicates only its last segment.
struct SubtreeStore: Sendable {
    private static let segmentShift = 15
    private static let segmentSize = 1 << segmentShift
    private var segments: [[Hash]] = []
    private var nodeCount = 0
    private(set) var count = 0

    /// Position of the root of the complete subtree over leaves `[index·2^level, (index+1)·2^level)`:
    /// the 2s − popcount(s) nodes of the first s leaves, then that subtree's 2^(level+1) − 1 nodes.
    @inline(__always) static func position(level: Int, index: Int) -> Int {
        let start = index << level
        return 2 * start - start.nonzeroBitCount + (2 << level) - 2
    }

    @inline(__always) private subscript(position: Int) -> Hash {
        segments[position >> Self.segmentShift][position & (Self.segmentSize - 1)]
    }

    @inline(__always) func node(level: Int, index: Int) -> Hash {
        self[Self.position(level: level, index: index)]
    }

    private mutating func push(_ h: Hash) {
        if nodeCount & (Self.segmentSize - 1) == 0 {
            segments.append([])
            segments[segments.count - 1].reserveCapacity(Self.segmentSize)
        }
        segments[segments.count - 1].append(h)
        nodeCount += 1
    }

    mutating func append(_ leafHash: Hash) {
        push(leafHash)
        count += 1
        var h = leafHash
        for level in 0..<count.trailingZeroBitCount {
            // The left sibling is the subtree of 2^(level+1) − 1 nodes just before `h`.
            h = RFC6962.nodeHash(self[nodeCount - (2 << level)], h)
            push(h)
        }
    }

    /// Root of the first `size` leaves. O(log n).
    func root(size: Int) -> Hash {
        size == 0 ? RFC6962.emptyRoot : edge(size: size, below: Int.bitWidth - 1)
    }

    /// Hash of the leaves `[size & ~(2^level − 1), size)` (a non-empty range): the complete subtrees
    /// given by the low bits of `size`, folded smallest (rightmost) first.
    func edge(size: Int, below level: Int) -> Hash {
        var acc: Hash? = nil
        for l in 0..<level where size & (1 << l) != 0 {
            let h = node(level: l, index: (size >> l) - 1)
            acc = acc.map { RFC6962.nodeHash(h, $0) } ?? h
        }
        return acc ?? RFC6962.emptyRoot
    }

    /// `edge(size:below:)` for every level at once, in one pass (popcount(size) − 1 hashes);
    /// entry `level` is meaningful when `size` has a set bit below `level`.
    func edges(size: Int) -> [Hash] {
        var out: [Hash] = []
        out.reserveCapacity(Int.bitWidth)
        var acc: Hash? = nil
        for l in 0..<Int.bitWidth {
            out.append(acc ?? .zero)
            guard size & (1 << l) != 0 else { continue }
            let h = node(level: l, index: (size >> l) - 1)
            acc = acc.map { RFC6962.nodeHash(h, $0) } ?? h
        }
        return out
    }

    /// Hash of leaves `[start, start + n)`, n >= 1, a node of the RFC tree: a stored complete
    /// subtree, or else a node cut short by the tree size (every left child is complete, so an
    /// incomplete node lies on the right border), which `edge(level)` supplies.
    private func subtree(_ start: Int, _ n: Int, edge: (_ level: Int) -> Hash) -> Hash {
        if n & (n - 1) == 0 && start % n == 0 {
            return node(level: n.trailingZeroBitCount, index: start / n)
        }
        return edge(Int.bitWidth - (n - 1).leadingZeroBitCount)
    }

    /// RFC 6962 PATH(index, D[size]) bottom-up, in transparency-dev's terms: below level `inner`
    /// the siblings of the leaf's ancestors (only the topmost may be cut short by the right edge),
    /// then the left siblings on the right border. Every other proof node is a lookup; `edge(level)`
    /// supplies the cut-short one, `edge(size:below:)` or a cached copy of it.
    func inclusionProof(index: Int, size: Int, edge: (_ level: Int) -> Hash) throws -> [Hash] {
        guard size >= 0, size <= count else {
            throw MerkleError.sizeOutOfRange(size: UInt64(max(size, 0)), treeSize: UInt64(count))
        }
        guard index >= 0, index < size else {
            throw MerkleError.indexOutOfRange(index: UInt64(max(index, 0)), size: UInt64(size))
        }
        let (inner, border) = RFC6962.decomposeInclusionProof(index: UInt64(index), size: UInt64(size))
        var proof: [Hash] = []
        proof.reserveCapacity(inner + border)
        for level in 0..<inner {
            let sibling = (index >> level) ^ 1
            let complete = (sibling + 1) << level <= size
            proof.append(complete ? node(level: level, index: sibling) : edge(level))
        }
        var level = inner
        while index >> level != 0 {
            if (index >> level) & 1 == 1 { proof.append(node(level: level, index: (index >> level) ^ 1)) }
            level += 1
        }
        return proof
    }

    /// RFC 6962 PROOF(size1, D[size2]); `edge(level)` is `edge(size: size2, below: level)` or a cached copy.
    func consistencyProof(size1: Int, size2: Int, edge: (_ level: Int) -> Hash) throws -> [Hash] {
        guard size2 >= 0, size2 <= count else {
            throw MerkleError.sizeOutOfRange(size: UInt64(max(size2, 0)), treeSize: UInt64(count))
        }
        guard size1 > 0 else { throw MerkleError.emptyTreeConsistency }
        guard size1 <= size2 else {
            throw MerkleError.size1GreaterThanSize2(size1: UInt64(size1), size2: UInt64(size2))
        }
        var proof: [Hash] = []
        subproof(size1, 0, size2, true, &proof, edge)
        return proof
    }

    /// SUBPROOF(m, D[start:start+n], b).
    private func subproof(_ m: Int, _ start: Int, _ n: Int, _ b: Bool, _ out: inout [Hash],
                          _ edge: (_ level: Int) -> Hash) {
        if m == n {
            if !b { out.append(subtree(start, n, edge: edge)) }
            return
        }
        let k = RFC6962.split(n)
        if m <= k {
            subproof(m, start, k, b, &out, edge)
            out.append(subtree(start + k, n - k, edge: edge))
        } else {
            subproof(m - k, start + k, n - k, false, &out, edge)
            out.append(subtree(start, k, edge: edge))
        }
    }
}

/// An append-only RFC 6962 log. Appends cost amortized O(1) hashes (O(log n) worst case); the
/// current root and any historical root are computed in O(log n) from stored complete subtrees;
/// a proof is O(log n) lookups, plus O(log n) hashes for the right-edge nodes the first time a
/// tree size is proved (they are cached for that size).
public struct MerkleLog: Sendable {
    private var store = SubtreeStore()
    private var edgeCache = EdgeCache()

    public init() {}

    /// Creates a log holding the given leaf data, in order.
    public init<C: Sequence>(leaves: C) where C.Element: Sequence, C.Element.Element == UInt8 {
        for l in leaves { append(l) }
    }

    /// Number of leaves.
    public var count: Int { store.count }

    /// Appends leaf data (hashed as `H(0x00 ‖ data)`); returns its 0-based index.
    @discardableResult
    @inlinable public mutating func append(_ data: some Sequence<UInt8>) -> Int {
        append(leafHash: RFC6962.leafHash(data))
    }

    /// Appends an already computed leaf hash; returns its 0-based index.
    @discardableResult
    public mutating func append(leafHash: Hash) -> Int {
        // A shared cache may also serve a copy of this log that diverges from here on.
        if !isKnownUniquelyReferenced(&edgeCache) { edgeCache = EdgeCache() }
        store.append(leafHash)
        return store.count - 1
    }

    /// The leaf hash at `index`.
    public func leafHash(at index: Int) throws -> Hash {
        guard index >= 0, index < count else {
            throw MerkleError.indexOutOfRange(index: UInt64(max(index, 0)), size: UInt64(count))
        }
        return store.node(level: 0, index: index)
    }

    /// All leaf hashes, in order.
    public var leafHashes: [Hash] { (0..<count).map { store.node(level: 0, index: $0) } }

    /// The current root (`RFC6962.emptyRoot` when empty).
    public func root() -> Hash { store.root(size: count) }

    /// The root the log had when it held `size` leaves.
    public func root(at size: Int) throws -> Hash {
        guard size >= 0, size <= count else {
            throw MerkleError.sizeOutOfRange(size: UInt64(max(size, 0)), treeSize: UInt64(count))
        }
        return store.root(size: size)
    }

    /// Inclusion proof of leaf `index` in the tree of the first `size` leaves (default: current size).
    public func inclusionProof(index: Int, size: Int? = nil) throws -> [Hash] {
        let size = size ?? count
        return try store.inclusionProof(index: index, size: size) { level in
            edgeCache.edges(size: size) { store.edges(size: $0) }[level]
        }
    }

    /// Consistency proof between the trees of the first `size1` and `size2` leaves (default: current size).
    public func consistencyProof(from size1: Int, to size2: Int? = nil) throws -> [Hash] {
        let size2 = size2 ?? count
        return try store.consistencyProof(size1: size1, size2: size2) { level in
            edgeCache.edges(size: size2) { store.edges(size: $0) }[level]
        }
    }
}

/// The right-edge hashes (`SubtreeStore.edges(size:)`) of the last tree size a proof was asked
/// for, so repeated proofs at one size are pure lookups. Keyed by size alone, which is sound
/// because an append-only log never changes the tree of an earlier size; a log that is copied
/// and then appended to gets a cache of its own.
final class EdgeCache: Sendable {
    private let cached = Mutex<(size: Int, edges: [Hash])>((-1, []))

    func edges(size: Int, compute: (Int) -> [Hash]) -> [Hash] {
        if let hit = cached.withLock({ $0.size == size ? $0.edges : nil }) { return hit }
        let edges = compute(size)
        cached.withLock { $0 = (size, edges) }
        return edges
    }
}
