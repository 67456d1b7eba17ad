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
        var mutated = false
        while level.count > 1 {
            var pos = 0
            while pos + 1 < level.count {
                if level[pos] == level[pos + 1] { mutated = true }
                pos += 2
            }
            if level.count % 2 == 1 { level.append(level[level.count - 1]) }
            var next: [Hash] = []
            next.reserveCapacity(level.count / 2)
            pos = 0
            while pos < level.count {
                next.append(nodeHash(level[pos], level[pos + 1]))
                pos += 2
            }
            level = next
        }
        return Root(root: level[0], mutated: mutated)
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
        var i = index
        var proof: [Hash] = []
        while level.count > 1 {
            if level.count % 2 == 1 { level.append(level[level.count - 1]) }
            proof.append(level[i ^ 1])
            var next: [Hash] = []
            var pos = 0
            while pos < level.count { next.append(nodeHash(level[pos], level[pos + 1])); pos += 2 }
            level = next
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
