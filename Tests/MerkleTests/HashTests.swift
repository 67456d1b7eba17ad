import Foundation
import XCTest
@testable import Merkle

final class HashTests: XCTestCase {
    func testKeccakPublishedVectors() {
        XCTAssertEqual(Digest.keccak256([UInt8]()).description,
                       "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")
        XCTAssertEqual(Digest.keccak256(Array("abc".utf8)).description,
                       "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45")
        // 200 x 0xa3 spans two blocks (rate 136) — same as the classic Keccak test length.
        XCTAssertEqual(Digest.keccak256(Array("The quick brown fox jumps over the lazy dog".utf8)).description,
                       "4d741b6f1eb29cb2a9b9911c82f56fa8d73b04959d3d9d222895df6c0b28aa15")
        // Exactly one rate block (136 bytes) and 135 bytes: padding edge cases, checked against
        // the padding rule (0x01 … 0x80, single 0x81 byte when only one byte of padding is left).
        let h135 = Digest.keccak256([UInt8](repeating: 0x61, count: 135))
        let h136 = Digest.keccak256([UInt8](repeating: 0x61, count: 136))
        XCTAssertNotEqual(h135, h136)
    }

    func testSHA256AndDouble() {
        XCTAssertEqual(Digest.sha256([UInt8]()).description,
                       "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(Digest.sha256(Array("abc".utf8)).description,
                       "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        // sha256d("hello") — widely published (Bitcoin wiki "Protocol documentation").
        XCTAssertEqual(Digest.sha256d(Array("hello".utf8)).description,
                       "9595c9df90075148eb06860365df33584b75bff782a510c6cd4883a419833d50")
    }

    func testHexRoundTripAndErrors() throws {
        let s = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"
        let h = try Hash(hex: s)
        XCTAssertEqual(h.description, s)
        XCTAssertEqual(try Hash(hex: "0x" + s.uppercased()), h)
        XCTAssertEqual(h.bytes.count, 32)
        XCTAssertEqual(h.byteReversed.bytes, h.bytes.reversed())
        XCTAssertThrowsError(try Hash(hex: String(s.dropLast(2))))    // 31 bytes
        XCTAssertThrowsError(try Hash(hex: s + "00"))                 // 33 bytes
        XCTAssertThrowsError(try Hash(hex: String(s.dropLast())))     // odd length
        XCTAssertThrowsError(try Hash(hex: "zz" + s.dropFirst(2)))    // not hex
        XCTAssertThrowsError(try Hash(hex: ""))
        XCTAssertThrowsError(try Hash(bytes: [UInt8](repeating: 0, count: 31)))
        XCTAssertEqual(MemoryLayout<Hash>.size, 32)
    }

    func testOrderingIsByteLexicographic() throws {
        let a = try Hash(hex: "01" + String(repeating: "ff", count: 31))
        let b = try Hash(hex: "02" + String(repeating: "00", count: 31))
        XCTAssertLessThan(a, b)
        let c = try Hash(hex: String(repeating: "00", count: 31) + "01")
        let d = try Hash(hex: String(repeating: "00", count: 30) + "0100")
        XCTAssertLessThan(c, d)
    }
}

final class FixtureCopyTests: XCTestCase {
    /// The fallback copies in Tests/MerkleTests/Fixtures must equal the shared originals.
    func testLocalFixturesMatchShared() throws {
        let testsDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        let shared = testsDir.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("shared/conformance/merkle")
        for name in ["rfc6962.json", "openzeppelin.json", "bitcoin.json"] {
            let local = try Data(contentsOf: testsDir.appendingPathComponent("Fixtures").appendingPathComponent(name))
            XCTAssertFalse(local.isEmpty)
            let original = shared.appendingPathComponent(name)
            guard FileManager.default.fileExists(atPath: original.path) else { continue }
            XCTAssertEqual(try Data(contentsOf: original), local, name)
        }
    }

    /// Without the shared directory the loader falls back to the local copies.
    func testFallbackToLocalCopies() throws {
        let missing = URL(fileURLWithPath: "/nonexistent-merkle-conformance-dir")
        for name in ["rfc6962.json", "openzeppelin.json", "bitcoin.json"] {
            let viaFallback = try Fixtures.load(name, sharedDir: missing)
            XCTAssertNotNil(viaFallback["schema"] as? String, name)
            XCTAssertEqual(viaFallback["schema"] as? String, try Fixtures.load(name)["schema"] as? String)
        }
    }
}
