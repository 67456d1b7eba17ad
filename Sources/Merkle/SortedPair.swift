/// Sorted-pair ("commutative") Merkle trees as in OpenZeppelin's `merkle-tree` library and
/// `MerkleProof.sol`: keccak256 nodes over the pair ordered by unsigned byte comparison, and the
/// array-form complete tree — `tree[0]` is the root, the children of `i` are `2i+1` and `2i+2`,
/// and leaf `k` sits at `tree[len-1-k]`.
public enum SortedPairMerkle {
    /// `keccak256(min(a,b) ‖ max(a,b))`.
    public static func nodeHash(_ a: Hash, _ b: Hash) -> Hash {
        a < b ? Digest.keccak256(a, b) : Digest.keccak256(b, a)
    }

    /// The array-form tree over `leaves` (in the given order; leaf k at `tree[count-1-k]`).
    public static func makeTree(leaves: [Hash]) throws -> [Hash] {
        guard !leaves.isEmpty else { throw MerkleError.emptyTree }
        let len = 2 * leaves.count - 1
        var tree = [Hash](repeating: .zero, count: len)
        for (k, leaf) in leaves.enumerated() { tree[len - 1 - k] = leaf }
        var i = len - 1 - leaves.count
        while i >= 0 {
            tree[i] = nodeHash(tree[2 * i + 1], tree[2 * i + 2])
            i -= 1
        }
        return tree
    }

    /// Whether `tree` is a well-formed array-form tree (odd length, every inner node correct).
    public static func isValidTree(_ tree: [Hash]) -> Bool {
        guard tree.count % 2 == 1 else { return false }
        for i in 0..<tree.count where 2 * i + 2 < tree.count {
            if tree[i] != nodeHash(tree[2 * i + 1], tree[2 * i + 2]) { return false }
        }
        return true
    }

    /// Sibling hashes from the leaf at `treeIndex` up to (not including) the root (`getProof`).
    public static func proof(tree: [Hash], treeIndex: Int) throws -> [Hash] {
        let firstLeaf = tree.count / 2
        guard tree.count % 2 == 1, treeIndex >= firstLeaf, treeIndex < tree.count else {
            throw MerkleError.invalidArgument("tree index \(treeIndex) is not a leaf of a tree of \(tree.count) nodes")
        }
        var proof: [Hash] = []
        var i = treeIndex
        while i > 0 {
            proof.append(tree[i % 2 == 1 ? i + 1 : i - 1])
            i = (i - 1) / 2
        }
        return proof
    }

    /// `processProof`: fold `nodeHash(acc, sibling)` from the leaf.
    public static func processProof(leaf: Hash, proof: [Hash]) -> Hash {
        proof.reduce(leaf) { nodeHash($0, $1) }
    }

    /// `MerkleProof.verify`: `processProof(proof, leaf) == root`.
    public static func verify(proof: [Hash], root: Hash, leaf: Hash) -> Bool {
        processProof(leaf: leaf, proof: proof) == root
    }

    /// A multiproof in OpenZeppelin's format.
    public struct MultiProof: Hashable, Sendable {
        public var leaves: [Hash]
        public var proof: [Hash]
        public var proofFlags: [Bool]
        public init(leaves: [Hash], proof: [Hash], proofFlags: [Bool]) {
            self.leaves = leaves; self.proof = proof; self.proofFlags = proofFlags
        }
    }

    /// `getMultiProof` for the leaves at the given tree indices.
    public static func multiProof(tree: [Hash], treeIndices: [Int]) throws -> MultiProof {
        for i in treeIndices {
            guard tree.count % 2 == 1, i >= tree.count / 2, i < tree.count else {
                throw MerkleError.invalidArgument("tree index \(i) is not a leaf of a tree of \(tree.count) nodes")
            }
        }
        let sorted = treeIndices.sorted(by: >)
        for (a, b) in zip(sorted, sorted.dropFirst()) where a == b {
            throw MerkleError.invalidArgument("cannot prove duplicated index \(a)")
        }
        var stack = sorted
        var proof: [Hash] = []
        var flags: [Bool] = []
        var head = 0
        while head < stack.count && stack[head] > 0 {
            let j = stack[head]; head += 1
            let s = j % 2 == 1 ? j + 1 : j - 1
            let p = (j - 1) / 2
            if head < stack.count && stack[head] == s {
                flags.append(true)
                head += 1
            } else {
                flags.append(false)
                proof.append(tree[s])
            }
            stack.append(p)
        }
        if sorted.isEmpty { proof.append(tree[0]) }
        return MultiProof(leaves: sorted.map { tree[$0] }, proof: proof, proofFlags: flags)
    }

    /// `processMultiProof` with the Solidity library's checks.
    public static func processMultiProof(_ m: MultiProof) throws -> Hash {
        guard m.leaves.count + m.proof.count == m.proofFlags.count + 1 else {
            throw MerkleError.invalidArgument("invalid multiproof: leaves + proof != flags + 1")
        }
        let total = m.proofFlags.count
        if total == 0 {
            if let l = m.leaves.first { return l }
            if let p = m.proof.first { return p }
            throw MerkleError.invalidArgument("invalid multiproof: nothing to prove")
        }
        var hashes: [Hash] = []
        hashes.reserveCapacity(total)
        var leafPos = 0, hashPos = 0, proofPos = 0
        func next() throws -> Hash {
            if leafPos < m.leaves.count { leafPos += 1; return m.leaves[leafPos - 1] }
            guard hashPos < hashes.count else { throw MerkleError.invalidArgument("invalid multiproof: queue exhausted") }
            hashPos += 1
            return hashes[hashPos - 1]
        }
        for i in 0..<total {
            let a = try next()
            let b: Hash
            if m.proofFlags[i] {
                b = try next()
            } else {
                guard proofPos < m.proof.count else { throw MerkleError.invalidArgument("invalid multiproof: proof exhausted") }
                b = m.proof[proofPos]; proofPos += 1
            }
            hashes.append(nodeHash(a, b))
        }
        guard proofPos == m.proof.count else {
            throw MerkleError.invalidArgument("invalid multiproof: \(m.proof.count - proofPos) proof hashes unused")
        }
        return hashes[total - 1]
    }

    /// `multiProofVerify`.
    public static func verifyMultiProof(_ m: MultiProof, root: Hash) -> Bool {
        (try? processMultiProof(m)) == root
    }
}

/// One value placed in an OpenZeppelin tree and the array index of its leaf.
public struct TreeEntry<Value: Hashable & Sendable>: Hashable, Sendable {
    public var value: Value
    public var treeIndex: Int
}

/// OpenZeppelin `StandardMerkleTree`: leaves are `keccak256(keccak256(abi.encode(leafEncoding, value)))`,
/// sorted by leaf hash unless `sortLeaves` is false.
public struct StandardMerkleTree: Sendable {
    public let leafEncoding: [String]
    public let tree: [Hash]
    public let values: [TreeEntry<[String]>]

    public var root: Hash { tree[0] }

    /// The standard leaf hash of one value.
    public static func leafHash(_ value: [String], leafEncoding: [String]) throws -> Hash {
        let encoded = try ABI.encode(types: leafEncoding, values: value)
        return Digest.keccak256(encoded).withUnsafeBytes { Keccak256.hash(raw: $0) }
    }

    public init(values: [[String]], leafEncoding: [String], sortLeaves: Bool = true) throws {
        let leaves = try values.map { try Self.leafHash($0, leafEncoding: leafEncoding) }
        let (tree, indices) = try placeLeaves(leaves, sortLeaves: sortLeaves)
        self.leafEncoding = leafEncoding
        self.tree = tree
        self.values = zip(values, indices).map { TreeEntry(value: $0, treeIndex: $1) }
    }

    /// The leaf hash of value `index`.
    public func leafHash(ofValueAt index: Int) throws -> Hash {
        guard values.indices.contains(index) else {
            throw MerkleError.indexOutOfRange(index: UInt64(max(index, 0)), size: UInt64(values.count))
        }
        return tree[values[index].treeIndex]
    }

    /// Proof for value `index` (its position in the input list).
    public func proof(forValueAt index: Int) throws -> [Hash] {
        guard values.indices.contains(index) else {
            throw MerkleError.indexOutOfRange(index: UInt64(max(index, 0)), size: UInt64(values.count))
        }
        return try SortedPairMerkle.proof(tree: tree, treeIndex: values[index].treeIndex)
    }

    /// Multiproof for the values at the given input positions.
    public func multiProof(forValuesAt indices: [Int]) throws -> SortedPairMerkle.MultiProof {
        try SortedPairMerkle.multiProof(tree: tree, treeIndices: indices.map {
            guard values.indices.contains($0) else {
                throw MerkleError.indexOutOfRange(index: UInt64(max($0, 0)), size: UInt64(values.count))
            }
            return values[$0].treeIndex
        })
    }

    /// Verifies a value against a root.
    public static func verify(root: Hash, leafEncoding: [String], value: [String], proof: [Hash]) throws -> Bool {
        SortedPairMerkle.verify(proof: proof, root: root, leaf: try leafHash(value, leafEncoding: leafEncoding))
    }
}

/// OpenZeppelin `SimpleMerkleTree`: each leaf is a bytes32 value used as is.
public struct SimpleMerkleTree: Sendable {
    public let tree: [Hash]
    public let values: [TreeEntry<Hash>]

    public var root: Hash { tree[0] }

    public init(values: [Hash], sortLeaves: Bool = true) throws {
        let (tree, indices) = try placeLeaves(values, sortLeaves: sortLeaves)
        self.tree = tree
        self.values = zip(values, indices).map { TreeEntry(value: $0, treeIndex: $1) }
    }

    public func proof(forValueAt index: Int) throws -> [Hash] {
        guard values.indices.contains(index) else {
            throw MerkleError.indexOutOfRange(index: UInt64(max(index, 0)), size: UInt64(values.count))
        }
        return try SortedPairMerkle.proof(tree: tree, treeIndex: values[index].treeIndex)
    }

    public static func verify(root: Hash, leaf: Hash, proof: [Hash]) -> Bool {
        SortedPairMerkle.verify(proof: proof, root: root, leaf: leaf)
    }
}

/// Sorts (stably) if asked, builds the tree, and returns each input's tree index.
private func placeLeaves(_ leaves: [Hash], sortLeaves: Bool) throws -> ([Hash], [Int]) {
    var order = Array(leaves.indices)
    if sortLeaves {
        order.sort { leaves[$0] != leaves[$1] ? leaves[$0] < leaves[$1] : $0 < $1 }
    }
    let tree = try SortedPairMerkle.makeTree(leaves: order.map { leaves[$0] })
    var indices = [Int](repeating: 0, count: leaves.count)
    for (k, original) in order.enumerated() { indices[original] = tree.count - 1 - k }
    return (tree, indices)
}
