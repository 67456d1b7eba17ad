/// Bitcoin block merkle trees: SHA-256d nodes, no leaf or node prefix, and an odd level
/// duplicates its last node. All hashes here are in Bitcoin's *internal* byte order; txids and
/// roots as printed by RPC and explorers ("display" order) are byte-reversed — use
/// `Hash.byteReversed` or the `displayOrder` helpers.
public enum BitcoinMerkle {
    /// The root plus Bitcoin Core's CVE-2012-2459 mutation flag: `mutated` is true when some level
    /// had two equal sibling hashes, i.e. the same root is also produced by a different (shorter
    /// or longer) transaction list, such as `[.., x]` versus `[.., x, x]`.
    public struct Root: Hashable, Sendable {
        public var root: Hash
        public var mutated: Bool
    }

    /// Interior node `SHA-256d(left ‖ right)`.
    public static func nodeHash(_ left: Hash, _ right: Hash) -> Hash {
        Digest.sha256d(left, right)
    }

    /// Merkle root over txids in internal byte order, as Bitcoin Core's `ComputeMerkleRoot`.
    /// An empty list gives the all-zero hash (as Core does).
    public static func merkleRoot(txids: [Hash]) -> Root {
        guard !txids.isEmpty else { return Root(root: .zero, mutated: false) }
        var level = txids
        var count = level.count
        var mutated = false
        while count > 1 {
            for pos in stride(from: 0, to: count - 1, by: 2) where level[pos] == level[pos + 1] { mutated = true }
            count = reduce(&level, count)
        }
        return Root(root: level[0], mutated: mutated)
    }

    /// Replaces the first `count` hashes of `level` by their parents, in place (parent `i` only
    /// overwrites slot `i`, already read); an odd last node is paired with itself. Returns the
    /// parent count.
    private static func reduce(_ level: inout [Hash], _ count: Int) -> Int {
        for pos in stride(from: 0, to: count, by: 2) {
            level[pos / 2] = nodeHash(level[pos], pos + 1 < count ? level[pos + 1] : level[pos])
        }
        return (count + 1) / 2
    }

    /// As `merkleRoot(txids:)` but with txids and the returned root in display (reversed) order.
    public static func merkleRoot(displayTxids: [Hash]) -> Root {
        let r = merkleRoot(txids: displayTxids.map(\.byteReversed))
        return Root(root: r.root.byteReversed, mutated: r.mutated)
    }

    /// Merkle branch (sibling hashes, bottom-up) for the txid at `index` (internal order).
    public static func inclusionProof(index: Int, txids: [Hash]) throws -> [Hash] {
        guard index >= 0, index < txids.count else {
            throw MerkleError.indexOutOfRange(index: UInt64(max(index, 0)), size: UInt64(txids.count))
        }
        var level = txids
        var count = level.count
        var i = index
        var proof: [Hash] = []
        while count > 1 {
            proof.append(level[min(i ^ 1, count - 1)])  // an odd last node is its own sibling
            count = reduce(&level, count)
            i >>= 1
        }
        return proof
    }

    /// Root implied by a branch: at each level the index bit says whether the running hash is the
    /// right (1) or left (0) child. Internal byte order.
    public static func rootFromInclusionProof(index: Int, txid: Hash, proof: [Hash]) throws -> Hash {
        guard index >= 0, proof.count < Int.bitWidth - 1, index >> proof.count == 0 else {
            throw MerkleError.invalidArgument("bitcoin branch: index \(index) does not fit a branch of \(proof.count) hashes")
        }
        var h = txid
        for (level, p) in proof.enumerated() {
            h = (index >> level) & 1 == 0 ? nodeHash(h, p) : nodeHash(p, h)
        }
        return h
    }
}
