import XCTest
@testable import Merkle

final class ChunkingTests: XCTestCase {
    func testChunkedRootMatchesLogOverChunks() throws {
        let data = (0..<1000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        for size in [1, 3, 64, 100, 999, 1000, 1001] {
            let chunks = try ChunkedMerkle.chunks(of: data, chunkSize: size)
            XCTAssertEqual(chunks.count, (data.count + size - 1) / size)
            XCTAssertEqual(chunks.flatMap { $0 }, data)
            let whole = try ChunkedMerkle(data: data, chunkSize: size)
            XCTAssertEqual(whole.root(), RFC6962.rootHash(leaves: chunks))
            XCTAssertEqual(whole.chunkCount, chunks.count)
            XCTAssertEqual(whole.byteCount, data.count)
            XCTAssertEqual(whole.chunkHashes(), chunks.map { RFC6962.leafHash($0) })
            // Streaming in odd pieces gives the same root.
            var streamed = try ChunkedMerkle(chunkSize: size)
            var rest = data[...]
            while !rest.isEmpty { let n = min(37, rest.count); streamed.append(rest.prefix(n)); rest = rest.dropFirst(n) }
            XCTAssertEqual(streamed.root(), whole.root())
            for (i, c) in chunks.enumerated() {
                let p = try whole.inclusionProof(chunk: i)
                XCTAssertNoThrow(try RFC6962.verifyInclusion(index: UInt64(i), size: UInt64(chunks.count),
                                                             leafHash: RFC6962.leafHash(c), proof: p, root: whole.root()))
            }
        }
        XCTAssertEqual(try ChunkedMerkle(data: [UInt8](), chunkSize: 4).root(), RFC6962.emptyRoot)
        XCTAssertThrowsError(try ChunkedMerkle(chunkSize: 0))
        XCTAssertThrowsError(try ChunkedMerkle.chunks(of: [1], chunkSize: -1))
        XCTAssertThrowsError(try ChunkedMerkle(data: [1, 2], chunkSize: 1).inclusionProof(chunk: 2))
    }
}
