import Foundation
import XCTest
@testable import Merkle

final class HashTests: XCTestCase {
    func testKeccakPublishedVectors() {
        XCTAssertEqual(Digest.keccak256([UInt8]()).description,
                       "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470")
        XCTAssertEqual(Digest.keccak256(Array("abc".utf8)).description,
                       "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45")
        XCTAssertEqual(Digest.keccak256(Array("The quick brown fox jumps over the lazy dog".utf8)).description,
                       "4d741b6f1eb29cb2a9b9911c82f56fa8d73b04959d3d9d222895df6c0b28aa15")
        // 135 and 136 "a" bytes: one byte of padding (0x81) versus a whole extra padding block.
        // Expected values from pycryptodome's Crypto.Hash.keccak.
        XCTAssertEqual(Digest.keccak256([UInt8](repeating: 0x61, count: 135)).description,
                       "34367dc248bbd832f4e3e69dfaac2f92638bd0bbd18f2912ba4ef454919cf446")
        XCTAssertEqual(Digest.keccak256([UInt8](repeating: 0x61, count: 136)).description,
                       "a6c4d403279fe3e0af03729caada8374b5ca54d8065329a3ebcaeb4b60aa386e")
        XCTAssertEqual(Digest.keccak256([UInt8](repeating: 0x61, count: 137)).description,
                       "d869f639c7046b4929fc92a4d988a8b22c55fbadb802c0c66ebcd484f1915f39")
    }

    /// Message lengths around the 136-byte rate and multi-block messages. Expected values from
    /// pycryptodome's Crypto.Hash.keccak, cross-checked with a separate from-the-spec Python Keccak.
    func testKeccakBlockBoundaries() {
        let expected: [(Int, String)] = [
            (1, "69c322e3248a5dfc29d73c5b0553b0185a35cd5bb6386747517ef7e53b15e287"),
            (55, "152cc5298108a3ec3a26e0c5aead9c2770c184a6bdf87eb087716b185c8e2238"),
            (56, "515efa1a7d43f655443dff20ec3f7e75e2af9ec2415ca813d21d0918a0e70fa2"),
            (64, "0251cf13aa5b18f1cbda7cddbe85f3dc536fc93df590c2d20ca9b28af1ed2c39"),
            (65, "b3ee368701a0d7056be60b0a489e173d9dc8621640d734693858e846d30c3f65"),
            (135, "00ef96af9cf4b24c7f269d922294444a197d0a33638c2e56634c57e892103a8f"),
            (136, "742061bcad767ed4c4f5883b1dcb1aad11afdcc140dc469d953759b127b9f9ed"),
            (137, "e3371f61e770abf254c34239c3b0099ad90594507415bc81dd0a10b9692bbf2a"),
            (200, "66d2cdf3ab4c5bd3c75add9b60b14ac5b7789534fa2da3f348853b847359a3a0"),
            (271, "4401c4afbe16ff911bdbf2d38e556e5b861f3fdf0f9d4306b1c46f6ae4f73584"),
            (272, "ac141fd7b0a0ffcd2e967254d508da3ec616596493c36fa304425647d90e6de5"),
            (273, "16192ea86793083e47731cb3c970600f04768414d92bc0540e54ce8607a0fce0"),
            (1000, "80cdc8dd52cbb3dbaea8f383209893fa2bb52efbd5aedbb4b26dcfe307fcdc9b"),
        ]
        for (n, want) in expected {
            let message = (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ 3) }
            XCTAssertEqual(Digest.keccak256(message).description, want, "\(n) bytes")
            // A non-contiguous sequence takes the copying path and must agree.
            XCTAssertEqual(Digest.keccak256(message.lazy.map { $0 }).description, want, "\(n) bytes, lazy")
        }
    }

    /// The two-hash fast paths lay out 64 or 65 bytes on the stack; they must equal hashing the bytes.
    func testPairHashesMatchConcatenation() throws {
        let a = try Hash(bytes: (0..<32).map { UInt8($0) }), b = try Hash(bytes: (32..<64).map { UInt8($0) })
        XCTAssertEqual(Digest.keccak256(a, b).description,
                       "002030bde3d4cf89919649775cd71875c4d0ab1708a380e03fefc3a28aa24831")  // pycryptodome
        XCTAssertEqual(Digest.keccak256(a, b), Digest.keccak256(a.bytes + b.bytes))
        XCTAssertEqual(Digest.sha256d(a, b), Digest.sha256d(a.bytes + b.bytes))
        XCTAssertEqual(RFC6962.nodeHash(a, b), Digest.sha256([0x01] + a.bytes + b.bytes))
        XCTAssertEqual(RFC6962.nodeHash(a, b), RFC6962.nodeHash(rawLeft: a.bytes, rawRight: b.bytes))
        XCTAssertEqual(RFC6962.leafHash(a.bytes), Digest.sha256([0x00] + a.bytes))
        XCTAssertEqual(RFC6962.leafHash(a.bytes.lazy.map { $0 }), Digest.sha256([0x00] + a.bytes))
    }

    /// Leaf data under 512 bytes is hashed from one stack buffer, longer data in two updates.
    func testLeafHashBothPaths() {
        for n in [0, 1, 63, 64, 511, 512, 513, 4096] {
            let data = (0..<n).map { UInt8(truncatingIfNeeded: $0 &* 13) }
            XCTAssertEqual(RFC6962.leafHash(data), Digest.sha256([0x00] + data), "\(n) bytes")
        }
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

    func testHexCodecEdgeCases() throws {
        XCTAssertEqual(try Hex.decode(""), [])
        XCTAssertEqual(try Hex.decode("0x"), [])
        XCTAssertEqual(try Hex.decode("0XaBcD"), [0xab, 0xcd])
        XCTAssertEqual(try Hex.decode(String("00ff10".dropFirst(2))), [0xff, 0x10])  // a substring's storage
        XCTAssertThrowsError(try Hex.decode("0x0"))
        XCTAssertThrowsError(try Hex.decode("x0"))
        XCTAssertThrowsError(try Hex.decode("0g"))
        XCTAssertThrowsError(try Hex.decode("é0"))
        XCTAssertEqual(Hex.encode([0x00, 0x09, 0x0a, 0xf0, 0xff]), "00090af0ff")
        XCTAssertEqual(Hex.encode((0...255).map { UInt8($0) }.lazy.filter { $0 % 51 == 0 }), "00336699ccff")
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
