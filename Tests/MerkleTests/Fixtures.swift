import Foundation
import XCTest
@testable import Merkle

/// Loads a conformance JSON file from `../shared/conformance/merkle/` (relative to the package
/// root) when present, otherwise from the copy in `Tests/MerkleTests/Fixtures/`.
enum Fixtures {
    static let testsDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()  // …/Tests/MerkleTests
    static let sharedDir = testsDir.deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("shared/conformance/merkle")

    static func load(_ name: String, sharedDir: URL = Fixtures.sharedDir) throws -> [String: Any] {
        let shared = sharedDir.appendingPathComponent(name)
        let local = testsDir.appendingPathComponent("Fixtures").appendingPathComponent(name)
        let url = FileManager.default.fileExists(atPath: shared.path) ? shared : local
        let data = try Data(contentsOf: url)
        guard let obj = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw MerkleError.invalidArgument("fixture \(name) is not a JSON object")
        }
        return obj
    }

    static func bytes(_ any: Any?) throws -> [UInt8] {
        guard let s = any as? String else { throw MerkleError.invalidArgument("expected hex string, got \(String(describing: any))") }
        return try Hex.decode(s)
    }

    static func hash(_ any: Any?) throws -> Hash {
        guard let s = any as? String else { throw MerkleError.invalidArgument("expected hex string") }
        return try Hash(hex: s)
    }

    /// JSON integers (may exceed Int64, e.g. 2^64-1).
    static func u64(_ any: Any?) throws -> UInt64 {
        if let n = any as? NSNumber {
            // NSNumber keeps unsigned values exactly.
            if let s = n.stringValue as String?, let v = UInt64(s) { return v }
            return n.uint64Value
        }
        throw MerkleError.invalidArgument("expected integer, got \(String(describing: any))")
    }
}
