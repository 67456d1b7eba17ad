import XCTest
@testable import Merkle
import SeededRandom

/// Hostile input must produce errors, never traps.
final class FuzzTests: XCTestCase {
    func testRandomVerifierInputsNeverTrap() {
        var rng = SplitMix64(seed: 42)
        func size() -> UInt64 {
            switch Int.random(in: 0..<4, using: &rng) {
            case 0: return UInt64.random(in: 0...20, using: &rng)
            case 1: return UInt64.max - UInt64.random(in: 0...3, using: &rng)
            case 2: return UInt64(1) << UInt64.random(in: 0...63, using: &rng)
            default: return UInt64.random(in: 0...UInt64.max, using: &rng)
            }
        }
        func bytes() -> [UInt8] {
            let n = [0, 1, 31, 32, 32, 32, 33][Int.random(in: 0..<7, using: &rng)]
            return (0..<n).map { _ in UInt8.random(in: 0...255, using: &rng) }
        }
        var accepted = 0
        for _ in 0..<5_000 {
            let proof = (0..<Int.random(in: 0...70, using: &rng)).map { _ in bytes() }
            if (try? RFC6962.verifyInclusion(index: size(), size: size(), leafHash: bytes(), proof: proof, root: bytes())) != nil {
                accepted += 1
            }
            if (try? RFC6962.verifyConsistency(size1: size(), size2: size(), proof: proof, root1: bytes(), root2: bytes())) != nil {
                accepted += 1
            }
            let idx = Int.random(in: -2...200, using: &rng)
            let hashes = proof.compactMap { try? Hash(bytes: $0) }
            _ = try? BitcoinMerkle.rootFromInclusionProof(index: idx, txid: .zero, proof: hashes)
            _ = try? SortedPairMerkle.proof(tree: hashes, treeIndex: idx)
            _ = try? SortedPairMerkle.processMultiProof(.init(leaves: Array(hashes.prefix(3)), proof: Array(hashes.dropFirst(3)),
                                                              proofFlags: (0..<Int.random(in: 0...10, using: &rng)).map { _ in Bool.random(using: &rng) }))
            _ = try? ABI.encode(types: ["uint\(Int.random(in: 0...300, using: &rng))"], values: [String(UInt64.random(in: 0...UInt64.max, using: &rng))])
            _ = try? Hash(hex: String(decoding: bytes().map { $0 & 0x7f }, as: UTF8.self))
        }
        // Only trivially equal-size consistency checks can pass on random data.
        XCTAssertLessThan(accepted, 500)
    }
}
