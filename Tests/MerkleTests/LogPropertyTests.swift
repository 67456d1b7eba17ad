import XCTest
@testable import Merkle

final class LogPropertyTests: XCTestCase {
    static let maxSize = 130

    /// Straight from the RFC definition, recursive, for cross-checking.
    func referenceMTH(_ leaves: ArraySlice<Hash>) -> Hash {
        if leaves.isEmpty { return RFC6962.emptyRoot }
        if leaves.count == 1 { return leaves.first! }
        let k = RFC6962.split(leaves.count)
        let s = leaves.startIndex
        return RFC6962.nodeHash(referenceMTH(leaves[s..<s + k]), referenceMTH(leaves[(s + k)...]))
    }

    func flip(_ h: Hash, bit: Int) -> Hash {
        var b = h.bytes
        b[bit / 8] ^= UInt8(1) << UInt8(bit % 8)
        return try! Hash(bytes: b)
    }

    func makeLog() -> (MerkleLog, [Hash]) {
        var log = MerkleLog()
        var hashes: [Hash] = []
        for i in 0..<Self.maxSize {
            let data = Array("leaf \(i)".utf8)
            log.append(data)
            hashes.append(RFC6962.leafHash(data))
            XCTAssertEqual(log.root(), referenceMTH(hashes[...]), "incremental root at \(i + 1)")
        }
        return (log, hashes)
    }

    func testRootsMatchReference() throws {
        let (log, hashes) = makeLog()
        for n in 0...Self.maxSize {
            XCTAssertEqual(try log.root(at: n), referenceMTH(hashes[..<n]))
            XCTAssertEqual(RFC6962.rootHash(leafHashes: Array(hashes[..<n])), referenceMTH(hashes[..<n]))
        }
    }

    func testEveryInclusionProofVerifiesAndMutationsFail() throws {
        let (log, hashes) = makeLog()
        var verified = 0, rejected = 0
        for n in 1...Self.maxSize {
            let root = try log.root(at: n)
            let exhaustive = n <= 12
            for i in 0..<n {
                let proof = try log.inclusionProof(index: i, size: n)
                XCTAssertEqual(proof, try RFC6962.inclusionProof(index: i, size: n, leafHashes: hashes))
                let leaf = hashes[i]
                XCTAssertNoThrow(try RFC6962.verifyInclusion(index: UInt64(i), size: UInt64(n), leafHash: leaf,
                                                             proof: proof, root: root), "n=\(n) i=\(i)")
                verified += 1
                func mustFail(_ idx: UInt64, _ p: [Hash], _ r: Hash, _ l: Hash, _ what: String) {
                    if (try? RFC6962.verifyInclusion(index: idx, size: UInt64(n), leafHash: l, proof: p, root: r)) != nil {
                        XCTFail("n=\(n) i=\(i): \(what) accepted")
                    } else { rejected += 1 }
                }
                for (pos, e) in proof.enumerated() {
                    let bits = exhaustive ? Array(0..<256) : [(i * 31 + pos * 7 + n) % 256]
                    for bit in bits {
                        var p = proof; p[pos] = flip(e, bit: bit)
                        mustFail(UInt64(i), p, root, leaf, "proof[\(pos)] bit \(bit)")
                    }
                }
                for bit in exhaustive ? Array(0..<256) : [(i * 5 + n) % 256, 255 - (i * 5 + n) % 256] {
                    mustFail(UInt64(i), proof, flip(root, bit: bit), leaf, "root bit \(bit)")
                    mustFail(UInt64(i), proof, root, flip(leaf, bit: bit), "leaf bit \(bit)")
                }
                for j in 0..<n where j != i && (exhaustive || j == i ^ 1 || j == n - 1 - i || j == (i + 1) % n) {
                    mustFail(UInt64(j), proof, root, leaf, "index \(j)")
                }
                mustFail(UInt64(n), proof, root, leaf, "index == size")
                mustFail(UInt64(i), proof + [root], root, leaf, "extra element")
                if !proof.isEmpty { mustFail(UInt64(i), Array(proof.dropLast()), root, leaf, "missing element") }
            }
        }
        XCTAssertEqual(verified, Self.maxSize * (Self.maxSize + 1) / 2)
        print("inclusion: \(verified) proofs verified, \(rejected) mutations rejected")
    }

    /// RFC 6962 §2.1.1 PATH(m, D[n]), recursive, straight from the definition.
    func referencePath(_ m: Int, _ leaves: ArraySlice<Hash>) -> [Hash] {
        if leaves.count <= 1 { return [] }
        let k = RFC6962.split(leaves.count)
        let s = leaves.startIndex
        if m < k { return referencePath(m, leaves[s..<s + k]) + [referenceMTH(leaves[(s + k)...])] }
        return referencePath(m - k, leaves[(s + k)...]) + [referenceMTH(leaves[s..<s + k])]
    }

    /// The log builds proofs from stored nodes (not the recursive definition); every proof, for
    /// every historical size, must equal PATH.
    func testInclusionProofsMatchReferencePath() throws {
        let (log, hashes) = makeLog()
        for n in 1...Self.maxSize {
            for i in 0..<n {
                XCTAssertEqual(try log.inclusionProof(index: i, size: n), referencePath(i, hashes[..<n]), "n=\(n) i=\(i)")
            }
        }
    }

    /// RFC 6962 §2.1.2 SUBPROOF(m, D[n], b), recursive, straight from the definition.
    func referenceSubproof(_ m: Int, _ leaves: ArraySlice<Hash>, _ b: Bool) -> [Hash] {
        let n = leaves.count, s = leaves.startIndex
        if m == n { return b ? [] : [referenceMTH(leaves)] }
        let k = RFC6962.split(n)
        if m <= k { return referenceSubproof(m, leaves[s..<s + k], b) + [referenceMTH(leaves[(s + k)...])] }
        return referenceSubproof(m - k, leaves[(s + k)...], false) + [referenceMTH(leaves[s..<s + k])]
    }

    func testConsistencyProofsMatchReferenceSubproof() throws {
        let (log, hashes) = makeLog()
        for n in stride(from: 1, through: Self.maxSize, by: 3) {
            for m in 1...n {
                XCTAssertEqual(try log.consistencyProof(from: m, to: n), referenceSubproof(m, hashes[..<n], true), "m=\(m) n=\(n)")
            }
        }
    }

    /// Proofs reuse cached right-edge hashes per size; copies of a log that then diverge must not
    /// see each other's cached hashes.
    func testCachedEdgesFollowEachCopy() throws {
        var a = MerkleLog()
        for i in 0..<21 { a.append(Array("leaf \(i)".utf8)) }
        _ = try a.inclusionProof(index: 0)  // fills the cache for size 21, shared by the copy below
        var b = a
        a.append(Array("a".utf8)); a.append(Array("a2".utf8))
        b.append(Array("b".utf8)); b.append(Array("b2".utf8))
        _ = try a.inclusionProof(index: 0)
        for log in [a, b] {
            let hashes = log.leafHashes
            for size in [23, 21, 22, 23] {
                for i in 0..<size {
                    XCTAssertEqual(try log.inclusionProof(index: i, size: size), referencePath(i, hashes[..<size]))
                }
            }
        }
    }

    /// Node storage is segmented (32K hashes per segment); a log of 40,000 leaves spans three
    /// segments. Roots, proofs and diverging copies must be right on both sides of the seams.
    func testLargeLogAcrossStorageSegments() throws {
        let n = 40_000
        let hashes = (0..<n).map { RFC6962.leafHash(Array("leaf \($0)".utf8)) }
        var log = MerkleLog()
        for h in hashes { log.append(leafHash: h) }
        for size in [16_383, 16_384, 16_385, 32_767, 32_768, n] {
            let root = try log.root(at: size)
            XCTAssertEqual(root, RFC6962.rootHash(leafHashes: Array(hashes[..<size])), "size \(size)")
            for i in [0, 8_191, 16_383, 16_384, size / 2, size - 1] where i < size {
                let proof = try log.inclusionProof(index: i, size: size)
                XCTAssertNoThrow(try RFC6962.verifyInclusion(index: UInt64(i), size: UInt64(size), leafHash: hashes[i],
                                                             proof: proof, root: root), "size \(size) index \(i)")
            }
        }
        XCTAssertEqual(try log.inclusionProof(index: 16_384, size: 16_390), referencePath(16_384, hashes[..<16_390]))
        var copy = log
        copy.append(Array("extra".utf8))
        XCTAssertEqual(copy.root(), RFC6962.rootHash(leafHashes: hashes + [RFC6962.leafHash(Array("extra".utf8))]))
        XCTAssertEqual(log.root(), RFC6962.rootHash(leafHashes: hashes))
        XCTAssertEqual(log.leafHashes, hashes)
    }

    func testEveryConsistencyProofVerifiesAndMutationsFail() throws {
        let (log, hashes) = makeLog()
        var verified = 0, rejected = 0
        for n in 1...Self.maxSize {
            let root2 = try log.root(at: n)
            for m in 1...n {
                let root1 = try log.root(at: m)
                let proof = try log.consistencyProof(from: m, to: n)
                XCTAssertEqual(proof, try RFC6962.consistencyProof(size1: m, size2: n, leafHashes: hashes))
                XCTAssertNoThrow(try RFC6962.verifyConsistency(size1: UInt64(m), size2: UInt64(n), proof: proof,
                                                               root1: root1, root2: root2), "m=\(m) n=\(n)")
                verified += 1
                func mustFail(_ s1: UInt64, _ s2: UInt64, _ p: [Hash], _ r1: Hash, _ r2: Hash, _ what: String) {
                    if (try? RFC6962.verifyConsistency(size1: s1, size2: s2, proof: p, root1: r1, root2: r2)) != nil {
                        XCTFail("m=\(m) n=\(n): \(what) accepted")
                    } else { rejected += 1 }
                }
                let exhaustive = n <= 10
                for (pos, e) in proof.enumerated() {
                    for bit in exhaustive ? Array(0..<256) : [(m * 31 + pos * 7 + n) % 256] {
                        var p = proof; p[pos] = flip(e, bit: bit)
                        mustFail(UInt64(m), UInt64(n), p, root1, root2, "proof[\(pos)] bit \(bit)")
                    }
                }
                for bit in exhaustive ? Array(0..<256) : [(m * 3 + n) % 256] {
                    mustFail(UInt64(m), UInt64(n), proof, flip(root1, bit: bit), root2, "root1 bit \(bit)")
                    mustFail(UInt64(m), UInt64(n), proof, root1, flip(root2, bit: bit), "root2 bit \(bit)")
                }
                if m > 1 { mustFail(UInt64(m - 1), UInt64(n), proof, root1, root2, "size1 - 1") }
                if m < n { mustFail(UInt64(m + 1), UInt64(n), proof, root1, root2, "size1 + 1") }
                // size2 is not bound by the proof alone (the same proof shape can describe a
                // neighbouring size2 with the same root2), so it is not mutated here.
                mustFail(0, UInt64(n), proof, root1, root2, "size1 = 0")
                mustFail(UInt64(m), UInt64(n), proof + [root1], root1, root2, "extra element")
                if !proof.isEmpty { mustFail(UInt64(m), UInt64(n), Array(proof.dropFirst()), root1, root2, "missing element") }
            }
        }
        XCTAssertEqual(verified, Self.maxSize * (Self.maxSize + 1) / 2)
        print("consistency: \(verified) proofs verified, \(rejected) mutations rejected")
    }
}
