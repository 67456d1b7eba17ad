/// Errors raised by the Merkle engine. Nothing in this module traps on hostile input; every
/// malformed argument, proof or size is reported as one of these.
public enum MerkleError: Error, Equatable, Sendable, CustomStringConvertible {
    case malformedHex(String)
    case wrongHashLength(got: Int, want: Int)
    case indexOutOfRange(index: UInt64, size: UInt64)
    case sizeOutOfRange(size: UInt64, treeSize: UInt64)
    case size1GreaterThanSize2(size1: UInt64, size2: UInt64)
    case emptyTreeConsistency
    case emptyTree
    case wrongProofLength(got: Int, want: Int)
    case nonEmptyProofForEqualSizes(count: Int)
    case rootMismatch(computed: String, expected: String)
    case wrongProofElementLength(position: Int, got: Int, want: Int)
    case abi(String)
    case invalidArgument(String)
    case malformedProof(String)

    public var description: String {
        switch self {
        case .malformedHex(let s):
            let shown = s.count > 80 ? String(s.prefix(80)) + "…" : s
            return "malformed hex string \"\(shown)\""
        case .wrongHashLength(let got, let want):
            return "hash has \(got) bytes, want \(want)"
        case .indexOutOfRange(let index, let size):
            return "leaf index \(index) is out of range for tree size \(size)"
        case .sizeOutOfRange(let size, let treeSize):
            return "size \(size) exceeds the tree's size \(treeSize)"
        case .size1GreaterThanSize2(let s1, let s2):
            return "consistency: size1 (\(s1)) is greater than size2 (\(s2))"
        case .emptyTreeConsistency:
            return "consistency proof from an empty tree (size1 == 0) is meaningless"
        case .emptyTree:
            return "the tree is empty"
        case .wrongProofLength(let got, let want):
            return "proof has \(got) hashes, want exactly \(want)"
        case .nonEmptyProofForEqualSizes(let n):
            return "size1 == size2 requires an empty proof, got \(n) hashes"
        case .rootMismatch(let computed, let expected):
            return "root mismatch: computed \(computed), expected \(expected)"
        case .wrongProofElementLength(let pos, let got, let want):
            return "proof element \(pos) has \(got) bytes, want \(want)"
        case .abi(let m):
            return "abi encoding: \(m)"
        case .invalidArgument(let m):
            return m
        case .malformedProof(let why):
            return "malformed proof: \(why)"
        }
    }
}
