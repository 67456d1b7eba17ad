import Dispatch
import Foundation
import Merkle

/// The Merkle engine against the physical limit: hashing the same number of 33- and
/// 65-byte messages in a bare loop (a leaf is H(0x00 ‖ 32 bytes), a node H(0x01 ‖ 64 bytes)).
func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

let n = 1_000_000
let leaves: [[UInt8]] = (0..<n).map { i in withUnsafeBytes(of: UInt64(i).bigEndian) { Array($0) } + Array(repeating: 0, count: 24) }

var sink = Hash.zero
let bare = seconds {
    var leaf = [UInt8](repeating: 0, count: 33), node = [UInt8](repeating: 1, count: 65)
    for i in 0..<n {
        leaf[1] = UInt8(truncatingIfNeeded: i)
        sink = Digest.sha256(leaf)
        if i < n - 1 {
            node[2] = UInt8(truncatingIfNeeded: i)
            sink = Digest.sha256(node)
        }
    }
}
var log = MerkleLog()
let build = seconds { for leaf in leaves { _ = log.append(leaf) }; sink = log.root() }
print(String(format: "bare hashing (1M leaf + 1M node messages): %.3f s", bare))
print(String(format: "1M-leaf log tree (append all, then root):   %.3f s  (%.2fx the bare loop; target 1.5x)", build, build / bare))
print(String(format: "append to a 1M-entry log:                   %.2f us per append", build / Double(n) * 1e6))

let proofs = 100_000
var generated: [(Int, [Hash])] = []
generated.reserveCapacity(proofs)
let prove = try seconds {
    for k in 0..<proofs {
        let index = (k &* 7919) % n
        generated.append((index, try log.inclusionProof(index: index)))
    }
}
print(String(format: "inclusion proof:                            %.2f us per proof (target 2 us)", prove / Double(proofs) * 1e6))
let root = log.root()
let verify = try seconds {
    for (index, proof) in generated {
        try RFC6962.verifyInclusion(index: UInt64(index), size: UInt64(n), leafHash: log.leafHash(at: index), proof: proof, root: root)
    }
}
print(String(format: "verification:                               %.2f us per proof (target 5 us)", verify / Double(proofs) * 1e6))
if sink == Hash.zero { print("") }
