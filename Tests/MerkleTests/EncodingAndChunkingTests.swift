import XCTest
@testable import Merkle

final class EncodingAndChunkingTests: XCTestCase {
    /// Bitcoin Core's src/test/data/base58_encode_decode.json.
    func testBase58BitcoinCoreVectors() throws {
        let vectors = [("", ""), ("61", "2g"), ("626262", "a3gV"), ("636363", "aPEr"),
                       ("73696d706c792061206c6f6e6720737472696e67", "2cFupjhnEsSn59qHXstmK2ffpLv2"),
                       ("00eb15231dfceb60925886b67d065299925915aeb172c06647", "1NS17iag9jJgTHD1VXjvLCEnZuQ3rJDE9L"),
                       ("516b6fcd0f", "ABnLTmg"), ("bf4f89001e670274dd", "3SEo3LWLoPntC"), ("572e4794", "3EFU7m"),
                       ("ecac89cad93923c02321", "EJDM8drfXA6uyA"), ("10c8511e", "Rt5zm"), ("00000000000000000000", "1111111111")]
        for (hex, text) in vectors {
            let data = try Hex.decode(hex)
            XCTAssertEqual(BaseN.base58.encode(data), text, hex)
            XCTAssertEqual(try BaseN.base58.decode(text), data, text)
        }
        XCTAssertThrowsError(try BaseN.base58.decode("3mJr0"))   // 0 is not in the alphabet
        XCTAssertThrowsError(try BaseN.base58.decode("é"))
    }

    /// Expected values from Python's arbitrary-precision int conversion over the same alphabet.
    func testBase62AgainstBigIntegerConversion() throws {
        let vectors = [("", ""), ("00", "0"), ("0000ff", "0047"), ("48656c6c6f20576f726c6421", "T8dgcjRGkZ3aysdN"),
                       ("ffffffffffffffff", "LygHa16AHYF")]
        for (hex, text) in vectors {
            let data = try Hex.decode(hex)
            XCTAssertEqual(BaseN.base62.encode(data), text, hex)
            XCTAssertEqual(try BaseN.base62.decode(text), data, text)
        }
    }

    func testBaseNRoundTripsSeededBytes() throws {
        for seed in 0..<300 as Range<UInt64> {
            // Leading zero bytes are the delicate case, so about a third of the inputs start with some.
            let data = [UInt8](repeating: 0, count: Int(seed % 3)) + pseudoRandomBytes(Int(seed % 41), seed: seed)
            for base in [BaseN.base58, BaseN.base62] {
                XCTAssertEqual(try base.decode(base.encode(data)), data)
            }
        }
    }

    func testContentChunksCoverTheDataWithinBounds() throws {
        let chunker = try ContentChunker(averageSize: 1024)
        let data = pseudoRandomBytes(200_000, seed: 7)
        let chunks = chunker.chunks(data)
        XCTAssertEqual(chunks.flatMap { $0 }, data)
        for c in chunks.dropLast() { XCTAssertTrue((256...4096).contains(c.count), "chunk of \(c.count) bytes") }
        let mean = Double(data.count) / Double(chunks.count)
        XCTAssertTrue((600...2000).contains(mean), "mean chunk size \(mean)")
    }

    /// The point of content-defined chunking: an insertion in the middle changes only the
    /// chunks around it, where fixed-size chunking would change every chunk after it.
    func testAnInsertionChangesOnlyNearbyChunks() throws {
        let chunker = try ContentChunker(averageSize: 1024)
        let data = pseudoRandomBytes(200_000, seed: 11)
        var edited = data
        edited.insert(contentsOf: Array("an insertion".utf8), at: 100_000)
        let before = Set(chunker.chunks(data).map { Digest.sha256(Array($0)) })
        let after = chunker.chunks(edited).map { Digest.sha256(Array($0)) }
        let new = after.filter { !before.contains($0) }
        XCTAssertLessThanOrEqual(new.count, 3)
        XCTAssertGreaterThan(after.count, 100)
        let fixedBefore = Set(try ChunkedMerkle.chunks(of: data, chunkSize: 1024).map { Digest.sha256(Array($0)) })
        let fixedNew = try ChunkedMerkle.chunks(of: edited, chunkSize: 1024).filter { !fixedBefore.contains(Digest.sha256(Array($0))) }
        XCTAssertGreaterThan(fixedNew.count, 90)
    }

    func testChunkerRejectsBadSizesAndHandlesTinyInput() throws {
        XCTAssertThrowsError(try ContentChunker(averageSize: 1000))
        XCTAssertThrowsError(try ContentChunker(averageSize: 32))
        let chunker = try ContentChunker(averageSize: 64)
        XCTAssertEqual(chunker.chunks([]).count, 0)
        XCTAssertEqual(chunker.chunks([1, 2, 3]).map(Array.init), [[1, 2, 3]])
    }

    func testProofsRoundTripThroughJSONAndBytes() throws {
        let leaves = (0..<13).map { [UInt8]("leaf \($0)".utf8) }
        let hashes = leaves.map(RFC6962.leafHash)
        let root = RFC6962.rootHash(leafHashes: hashes)
        for i in leaves.indices {
            let p = InclusionProof(mode: .log, index: i, size: leaves.count,
                                   path: try RFC6962.inclusionProof(index: i, size: leaves.count, leafHashes: hashes))
            XCTAssertTrue(p.verifies(leaf: leaves[i], root: root))
            XCTAssertEqual(try ProofCodec.inclusion(json: ProofCodec.json(p)), p)
            XCTAssertEqual(try ProofCodec.inclusion(bytes: ProofCodec.bytes(p)), p)
            var other = p
            other.mode = .sortedPair
            XCTAssertFalse(other.verifies(leaf: leaves[i], root: root), "a log proof must not verify under sorted-pair rules")
        }
        for size1 in 1...leaves.count {
            let c = ConsistencyProof(size1: size1, size2: leaves.count,
                                     path: try RFC6962.consistencyProof(size1: size1, size2: leaves.count, leafHashes: hashes))
            XCTAssertTrue(c.verifies(root1: RFC6962.rootHash(leafHashes: Array(hashes[0..<size1])), root2: root))
            XCTAssertEqual(try ProofCodec.consistency(json: ProofCodec.json(c)), c)
            XCTAssertEqual(try ProofCodec.consistency(bytes: ProofCodec.bytes(c)), c)
        }
    }

    func testMalformedProofTextIsRejected() throws {
        let p = InclusionProof(mode: .log, index: 1, size: 2, path: [RFC6962.leafHash([0])])
        let good = ProofCodec.bytes(p)
        for bad in [[], Array(good.dropLast()), good + [0], [0x43] + good.dropFirst(), [0x50, 9] + good.dropFirst(2)] {
            XCTAssertThrowsError(try ProofCodec.inclusion(bytes: bad))
        }
        for text in ["", "{", "[]", "{\"mode\":\"log\"}", "{\"mode\":\"nope\",\"index\":0,\"size\":1,\"path\":[]}",
                     "{\"mode\":\"log\",\"index\":0,\"size\":1,\"path\":[\"abcd\"]}",
                     "{\"mode\":\"log\",\"index\":\"0\",\"size\":1,\"path\":[]}",
                     String(repeating: "[", count: 100_000)] {
            XCTAssertThrowsError(try ProofCodec.inclusion(json: text), text.prefix(40).description)
        }
    }

    private func pseudoRandomBytes(_ n: Int, seed: UInt64) -> [UInt8] {
        var state = seed
        return (0..<n).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return UInt8(truncatingIfNeeded: state >> 56)
        }
    }
}
