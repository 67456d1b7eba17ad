import XCTest
@testable import Merkle

final class RFC6962Tests: XCTestCase {
    var json: [String: Any] = [:]
    override func setUpWithError() throws { json = try Fixtures.load("rfc6962.json") }

    func testHasherVectors() throws {
        let rows = try XCTUnwrap(json["hasher"] as? [[String: Any]])
        XCTAssertEqual(rows.count, 4)
        for r in rows {
            let want = try Fixtures.hash(r["want"])
            switch r["kind"] as? String {
            case "empty_root": XCTAssertEqual(RFC6962.emptyRoot, want)
            case "leaf": XCTAssertEqual(RFC6962.leafHash(try Fixtures.bytes(r["input"])), want)
            case "node":
                XCTAssertEqual(RFC6962.nodeHash(rawLeft: try Fixtures.bytes(r["left"]),
                                                rawRight: try Fixtures.bytes(r["right"])), want)
            default: XCTFail("unknown kind \(String(describing: r["kind"]))")
            }
        }
    }

    func leaves() throws -> [[UInt8]] {
        try XCTUnwrap(json["leaves"] as? [String]).map { try Hex.decode($0) }
    }

    func testNodeHashesAndRoots() throws {
        let leaves = try leaves()
        let log = MerkleLog(leaves: leaves)
        let levels = try XCTUnwrap((json["node_hashes"] as? [String: Any])?["levels"] as? [[String]])
        var checked = 0
        for (level, row) in levels.enumerated() {
            for (i, hex) in row.enumerated() {
                let want = try Hash(hex: hex)
                let width = 1 << level
                let hashes = (i * width..<(i + 1) * width).map { RFC6962.leafHash(leaves[$0]) }
                XCTAssertEqual(RFC6962.rootHash(leafHashes: hashes), want, "level \(level) #\(i)")
                checked += 1
            }
        }
        XCTAssertEqual(checked, 15)
        let roots = try XCTUnwrap(json["roots"] as? [[String: Any]])
        XCTAssertEqual(roots.count, 9)
        for r in roots {
            let size = try XCTUnwrap(r["size"] as? Int)
            let want = try Fixtures.hash(r["root"])
            XCTAssertEqual(RFC6962.rootHash(leaves: leaves.prefix(size)), want, "size \(size)")
            XCTAssertEqual(try log.root(at: size), want, "log size \(size)")
            XCTAssertEqual(MerkleLog(leaves: leaves.prefix(size)).root(), want, "fresh log size \(size)")
        }
    }

    func testInclusionTable() throws {
        let leaves = try leaves()
        let log = MerkleLog(leaves: leaves)
        let rows = try XCTUnwrap(json["inclusion"] as? [[String: Any]])
        XCTAssertEqual(rows.count, 6)
        for r in rows {
            let size = try XCTUnwrap(r["size"] as? Int)
            let proof = try XCTUnwrap(r["proof"] as? [String]).map { try Hash(hex: $0) }
            guard let index = r["index"] as? Int else {
                // size-0 row: no proof exists; every verifier must reject.
                XCTAssertEqual(size, 0)
                XCTAssertThrowsError(try log.inclusionProof(index: 0, size: 0))
                XCTAssertThrowsError(try RFC6962.verifyInclusion(index: 0, size: 0, leafHash: RFC6962.leafHash(leaves[0]),
                                                                 proof: [], root: RFC6962.emptyRoot))
                continue
            }
            let leafHash = try Fixtures.hash(r["leaf_hash"])
            let root = try Fixtures.hash(r["root"])
            XCTAssertEqual(leafHash, RFC6962.leafHash(leaves[index]))
            XCTAssertEqual(try log.inclusionProof(index: index, size: size), proof, "PATH(\(index), \(size))")
            XCTAssertNoThrow(try RFC6962.verifyInclusion(index: UInt64(index), size: UInt64(size), leafHash: leafHash,
                                                         proof: proof, root: root))
        }
    }

    func testConsistencyTable() throws {
        let leaves = try leaves()
        let log = MerkleLog(leaves: leaves)
        let rows = try XCTUnwrap(json["consistency"] as? [[String: Any]])
        XCTAssertEqual(rows.count, 5)
        for r in rows {
            let s1 = try XCTUnwrap(r["size1"] as? Int), s2 = try XCTUnwrap(r["size2"] as? Int)
            let proof = try XCTUnwrap(r["proof"] as? [String]).map { try Hash(hex: $0) }
            let root1 = try Fixtures.hash(r["root1"]), root2 = try Fixtures.hash(r["root2"])
            XCTAssertEqual(try log.root(at: s1), root1)
            XCTAssertEqual(try log.root(at: s2), root2)
            XCTAssertEqual(try log.consistencyProof(from: s1, to: s2), proof, "PROOF(\(s1), \(s2))")
            XCTAssertNoThrow(try RFC6962.verifyConsistency(size1: UInt64(s1), size2: UInt64(s2), proof: proof,
                                                           root1: root1, root2: root2))
        }
    }

    /// Runs transparency-dev's pass/fail probes: each must throw exactly when it says so.
    func runProbes(_ key: String, _ verify: ([String: Any]) throws -> Void) throws {
        let rows = try XCTUnwrap(json[key] as? [[String: Any]])
        XCTAssertEqual(rows.count, 98)
        var passed = 0
        for r in rows {
            let wantError = try XCTUnwrap(r["want_error"] as? Bool)
            var threw: Error? = nil
            do { try verify(r) } catch { threw = error }
            if (threw != nil) == wantError { passed += 1 } else {
                XCTFail("\(r["file"] as? String ?? "?"): want_error=\(wantError), got \(threw.map { "\($0)" } ?? "no error")")
            }
        }
        XCTAssertEqual(passed, 98)
    }

    func testInclusionProbes() throws {
        try runProbes("inclusion_probes") { r in
            try RFC6962.verifyInclusion(index: try Fixtures.u64(r["index"]), size: try Fixtures.u64(r["size"]),
                                        leafHash: try Fixtures.bytes(r["leaf_hash"]),
                                        proof: try XCTUnwrap(r["proof"] as? [String]).map { try Hex.decode($0) },
                                        root: try Fixtures.bytes(r["root"]))
        }
    }

    func testConsistencyProbes() throws {
        try runProbes("consistency_probes") { r in
            try RFC6962.verifyConsistency(size1: try Fixtures.u64(r["size1"]), size2: try Fixtures.u64(r["size2"]),
                                          proof: try XCTUnwrap(r["proof"] as? [String]).map { try Hex.decode($0) },
                                          root1: try Fixtures.bytes(r["root1"]), root2: try Fixtures.bytes(r["root2"]))
        }
    }

    func testHostileSizesDoNotTrap() throws {
        let h = RFC6962.emptyRoot
        for (i, s) in [(UInt64.max, UInt64.max), (UInt64.max - 1, UInt64.max), (0, UInt64.max), (1 << 63, UInt64.max)] {
            XCTAssertThrowsError(try RFC6962.verifyInclusion(index: i, size: s, leafHash: h, proof: [], root: h))
        }
        for (a, b) in [(UInt64.max, UInt64.max), (1, UInt64.max), (UInt64.max - 1, UInt64.max), (3, 1 << 63)] {
            XCTAssertThrowsError(try RFC6962.verifyConsistency(size1: a, size2: b, proof: [h], root1: h, root2: h))
        }
        XCTAssertNoThrow(try RFC6962.verifyConsistency(size1: UInt64.max, size2: UInt64.max, proof: [], root1: h, root2: h))
        var log = MerkleLog()
        XCTAssertEqual(log.root(), RFC6962.emptyRoot)
        XCTAssertThrowsError(try log.root(at: 1))
        XCTAssertThrowsError(try log.root(at: -1))
        XCTAssertThrowsError(try log.inclusionProof(index: 0))
        XCTAssertThrowsError(try log.consistencyProof(from: 0, to: 0))
        log.append([1, 2, 3])
        XCTAssertThrowsError(try log.inclusionProof(index: -1))
        XCTAssertThrowsError(try log.inclusionProof(index: 0, size: 2))
        XCTAssertThrowsError(try log.consistencyProof(from: 2, to: 1))
        XCTAssertThrowsError(try log.leafHash(at: 1))
    }
}
