import XCTest
@testable import Merkle

final class BitcoinTests: XCTestCase {
    func testVectorsAndMutation() throws {
        let json = try Fixtures.load("bitcoin.json")
        let vectors = try XCTUnwrap(json["vectors"] as? [[String: Any]])
        XCTAssertEqual(vectors.count, 5)
        var passed = 0
        for v in vectors {
            let name = v["name"] as? String ?? "?"
            let txids = try XCTUnwrap(v["txids"] as? [String]).map { try Hash(hex: $0) }
            XCTAssertEqual(txids.count, v["tx_count"] as? Int, name)
            let want = try Fixtures.hash(v["merkle_root"])
            let r = BitcoinMerkle.merkleRoot(displayTxids: txids)
            XCTAssertEqual(r.root, want, name)
            XCTAssertFalse(r.mutated, name)
            let internalRoot = BitcoinMerkle.merkleRoot(txids: txids.map(\.byteReversed)).root
            XCTAssertEqual(internalRoot.byteReversed, want, name)
            // Every branch leads back to the root.
            let internalIDs = txids.map(\.byteReversed)
            for i in internalIDs.indices {
                let branch = try BitcoinMerkle.inclusionProof(index: i, txids: internalIDs)
                XCTAssertEqual(try BitcoinMerkle.rootFromInclusionProof(index: i, txid: internalIDs[i], proof: branch),
                               internalRoot, "\(name) branch \(i)")
            }
            if r.root == want { passed += 1 }
        }
        XCTAssertEqual(passed, 5)

        // CVE-2012-2459 on block 286819: 99 txids and the same list with its last txid duplicated.
        let block = try XCTUnwrap(vectors.first { ($0["tx_count"] as? Int) == 99 })
        let txids = try XCTUnwrap(block["txids"] as? [String]).map { try Hash(hex: $0) }
        let original = BitcoinMerkle.merkleRoot(displayTxids: txids)
        let doubled = BitcoinMerkle.merkleRoot(displayTxids: txids + [txids.last!])
        XCTAssertEqual(original.root, doubled.root)
        XCTAssertFalse(original.mutated)
        XCTAssertTrue(doubled.mutated)
        // A non-bitcoin mode does not have this property.
        let leaves = txids.map(\.bytes)
        XCTAssertNotEqual(RFC6962.rootHash(leaves: leaves), RFC6962.rootHash(leaves: leaves + [leaves.last!]))
    }

    func testEdgeCases() throws {
        XCTAssertEqual(BitcoinMerkle.merkleRoot(txids: []).root, .zero)
        let a = Digest.sha256d([1]), b = Digest.sha256d([2])
        XCTAssertEqual(BitcoinMerkle.merkleRoot(txids: [a]).root, a)
        XCTAssertTrue(BitcoinMerkle.merkleRoot(txids: [a, a]).mutated)
        XCTAssertFalse(BitcoinMerkle.merkleRoot(txids: [a, b, a]).mutated)
        XCTAssertEqual(BitcoinMerkle.merkleRoot(txids: [a, b, a]).root, BitcoinMerkle.merkleRoot(txids: [a, b, a, a]).root)
        XCTAssertThrowsError(try BitcoinMerkle.inclusionProof(index: 3, txids: [a, b]))
        XCTAssertThrowsError(try BitcoinMerkle.rootFromInclusionProof(index: -1, txid: a, proof: []))
        XCTAssertThrowsError(try BitcoinMerkle.rootFromInclusionProof(index: 4, txid: a, proof: [a, b]))
    }
}
