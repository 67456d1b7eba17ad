import XCTest
@testable import Merkle

final class OpenZeppelinTests: XCTestCase {
    func testABIEncode() throws {
        // abi.encode(['string'], ['a']) — example restated in openzeppelin.json.
        let enc = try ABI.encode(types: ["string"], values: ["a"])
        XCTAssertEqual(Hex.encode(enc),
                       String(repeating: "0", count: 62) + "20" + String(repeating: "0", count: 62) + "01"
                       + "61" + String(repeating: "0", count: 62))
        let two = try ABI.encode(types: ["address", "uint256"],
                                 values: ["0x1111111111111111111111111111111111111111", "5000000000000000000"])
        XCTAssertEqual(Hex.encode(two),
                       String(repeating: "0", count: 24) + String(repeating: "1", count: 40)
                       + String(repeating: "0", count: 48) + "4563918244f40000")
        XCTAssertEqual(try ABI.encode(types: ["int8"], values: ["-1"]), [UInt8](repeating: 0xff, count: 32))
        XCTAssertEqual(try ABI.encode(types: ["int8"], values: ["-128"]).last, 0x80)
        XCTAssertThrowsError(try ABI.encode(types: ["int8"], values: ["-129"]))
        XCTAssertThrowsError(try ABI.encode(types: ["int8"], values: ["128"]))
        XCTAssertThrowsError(try ABI.encode(types: ["uint8"], values: ["256"]))
        XCTAssertThrowsError(try ABI.encode(types: ["uint256"], values: ["-1"]))
        XCTAssertThrowsError(try ABI.encode(types: ["uint256"], values: ["1" + String(repeating: "0", count: 78)]))
        XCTAssertThrowsError(try ABI.encode(types: ["address"], values: ["0x11"]))
        XCTAssertThrowsError(try ABI.encode(types: ["uint7"], values: ["1"]))
        XCTAssertThrowsError(try ABI.encode(types: ["string[]"], values: ["a"]))
        XCTAssertThrowsError(try ABI.encode(types: ["string"], values: []))
        // Dynamic offsets account for every head word; bytes are right-padded.
        let mixed = try ABI.encode(types: ["bytes", "bool", "bytes2"], values: ["0x0102", "true", "0xabcd"])
        XCTAssertEqual(mixed.count, 32 * 5)
        XCTAssertEqual(mixed[31], 0x60)
        XCTAssertEqual(mixed[63], 1)
        XCTAssertEqual(Array(mixed[64..<66]), [0xab, 0xcd])
        XCTAssertEqual(mixed[127], 2)
        XCTAssertEqual(Array(mixed[128..<130]), [1, 2])
    }

    func testDumpsReproducedNodeForNode() throws {
        let json = try Fixtures.load("openzeppelin.json")
        let dumps = try XCTUnwrap(json["dumps"] as? [String: [String: Any]])
        XCTAssertEqual(dumps.count, 4)
        var treesMatched = 0, nodesChecked = 0, proofsChecked = 0
        for (name, dump) in dumps.sorted(by: { $0.key < $1.key }) {
            let sorted = !name.contains("unsorted")
            let want = try XCTUnwrap(dump["tree"] as? [String]).map { try Hash(hex: $0) }
            XCTAssertTrue(SortedPairMerkle.isValidTree(want), name)
            let entries = try XCTUnwrap(dump["values"] as? [[String: Any]])
            let wantIndices = try entries.map { try XCTUnwrap($0["treeIndex"] as? Int) }
            let tree: [Hash]
            let gotIndices: [Int]
            var proofs: [[Hash]] = []
            var leafHashes: [Hash] = []
            switch dump["format"] as? String {
            case "standard-v1":
                let enc = try XCTUnwrap(dump["leafEncoding"] as? [String])
                let values = try entries.map { try XCTUnwrap($0["value"] as? [String]) }
                let t = try StandardMerkleTree(values: values, leafEncoding: enc, sortLeaves: sorted)
                tree = t.tree; gotIndices = t.values.map(\.treeIndex)
                for i in values.indices {
                    proofs.append(try t.proof(forValueAt: i))
                    leafHashes.append(try StandardMerkleTree.leafHash(values[i], leafEncoding: enc))
                    XCTAssertTrue(try StandardMerkleTree.verify(root: t.root, leafEncoding: enc, value: values[i], proof: proofs[i]))
                    XCTAssertFalse(try StandardMerkleTree.verify(root: t.root, leafEncoding: enc, value: [values[i][0] + "x"], proof: proofs[i]))
                }
            case "simple-v1":
                let values = try entries.map { try Fixtures.hash($0["value"]) }
                let t = try SimpleMerkleTree(values: values, sortLeaves: sorted)
                tree = t.tree; gotIndices = t.values.map(\.treeIndex)
                for i in values.indices {
                    proofs.append(try t.proof(forValueAt: i))
                    leafHashes.append(values[i])
                    XCTAssertTrue(SimpleMerkleTree.verify(root: t.root, leaf: values[i], proof: proofs[i]))
                }
            default:
                XCTFail("\(name): unknown format"); continue
            }
            XCTAssertEqual(tree.count, want.count, name)
            for (i, (a, b)) in zip(tree, want).enumerated() {
                XCTAssertEqual(a, b, "\(name) node \(i)")
                nodesChecked += 1
            }
            XCTAssertEqual(gotIndices, wantIndices, name)
            if tree == want && gotIndices == wantIndices { treesMatched += 1 }
            // Proofs derived from the saved dump (getProof) equal ours and verify; tampering fails.
            for (i, idx) in wantIndices.enumerated() {
                XCTAssertEqual(want[idx], leafHashes[i], "\(name) leaf \(i)")
                let p = try SortedPairMerkle.proof(tree: want, treeIndex: idx)
                XCTAssertEqual(p, proofs[i])
                XCTAssertTrue(SortedPairMerkle.verify(proof: p, root: want[0], leaf: leafHashes[i]))
                for pos in p.indices {
                    var bad = p
                    var bytes = bad[pos].bytes; bytes[pos % 32] ^= 1; bad[pos] = try Hash(bytes: bytes)
                    XCTAssertFalse(SortedPairMerkle.verify(proof: bad, root: want[0], leaf: leafHashes[i]))
                }
                XCTAssertFalse(SortedPairMerkle.verify(proof: p, root: want[0], leaf: leafHashes[(i + 1) % leafHashes.count]))
                proofsChecked += 1
            }
            // Multiproofs over every subset of the leaves.
            let n = wantIndices.count
            for mask in 0..<(1 << n) {
                let subset = (0..<n).filter { mask & (1 << $0) != 0 }.map { wantIndices[$0] }
                let mp = try SortedPairMerkle.multiProof(tree: want, treeIndices: subset)
                XCTAssertTrue(SortedPairMerkle.verifyMultiProof(mp, root: want[0]), "\(name) multiproof \(subset)")
                if !mp.proof.isEmpty {
                    var bad = mp; bad.proof.removeLast()
                    XCTAssertFalse(SortedPairMerkle.verifyMultiProof(bad, root: want[0]))
                }
            }
        }
        XCTAssertEqual(treesMatched, 4)
        print("openzeppelin: \(treesMatched) trees, \(nodesChecked) nodes, \(proofsChecked) proofs")
    }

    /// The example of OpenZeppelin/merkle-tree's README; its root, leaf and proof are quoted by
    /// many downstream test suites.
    func testReadmeExample() throws {
        let values = [["0x1111111111111111111111111111111111111111", "5000000000000000000"],
                      ["0x2222222222222222222222222222222222222222", "2500000000000000000"]]
        let t = try StandardMerkleTree(values: values, leafEncoding: ["address", "uint256"])
        XCTAssertEqual(t.root, try Hash(hex: "0xd4dee0beab2d53f2cc83e567171bd2820e49898130a22622b10ead383e90bd77"))
        XCTAssertEqual(try t.leafHash(ofValueAt: 0),
                       try Hash(hex: "0xeb02c421cfa48976e66dfb29120745909ea3a0f843456c263cf8f1253483e283"))
        XCTAssertEqual(try t.proof(forValueAt: 0),
                       [try Hash(hex: "0xb92c48e9d7abe27fd8dfd6b5dfdbfb1c9a463f80c712b66f3a5180a090cccafc")])
    }

    func testEdgeCases() throws {
        XCTAssertThrowsError(try SortedPairMerkle.makeTree(leaves: []))
        XCTAssertThrowsError(try SimpleMerkleTree(values: []))
        let a = Digest.keccak256([1]), b = Digest.keccak256([2])
        XCTAssertEqual(SortedPairMerkle.nodeHash(a, b), SortedPairMerkle.nodeHash(b, a))
        let t = try SimpleMerkleTree(values: [a])
        XCTAssertEqual(t.root, a)
        XCTAssertEqual(try t.proof(forValueAt: 0), [])
        XCTAssertThrowsError(try t.proof(forValueAt: 1))
        XCTAssertThrowsError(try SortedPairMerkle.proof(tree: [a, b], treeIndex: 1))
        XCTAssertThrowsError(try SortedPairMerkle.proof(tree: t.tree, treeIndex: -1))
        XCTAssertThrowsError(try SortedPairMerkle.multiProof(tree: try SortedPairMerkle.makeTree(leaves: [a, b]), treeIndices: [1, 1]))
        XCTAssertThrowsError(try SortedPairMerkle.processMultiProof(.init(leaves: [a], proof: [a], proofFlags: [])))
    }
}
