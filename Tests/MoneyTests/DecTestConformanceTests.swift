import Foundation
import XCTest
@testable import Money

/// Runs the General Decimal Arithmetic decTest vectors (third-party data, see
/// Fixtures/README.md) against `Dec`.
final class DecTestConformanceTests: XCTestCase {
    static let files = [
        "add", "subtract", "multiply", "divide", "divideint", "remainder", "quantize",
        "compare", "abs", "minus", "plus", "rounding",
        "max", "min", "reduce", "tointegral", "tointegralx", "samequantum", "inexact",
    ]

    func testDecTestVectors() throws {
        let directory = try XCTUnwrap(Self.vectorDirectory(), "no decTest directory found")
        var tally = ConformanceTally()
        for name in Self.files {
            let url = directory.appendingPathComponent("\(name).decTest")
            let text = try String(contentsOf: url, encoding: .utf8)
            for testCase in DecTestFile.cases(in: text) {
                tally.record(testCase, DecTestRunner.run(testCase))
            }
        }
        print("decTest source: \(directory.path)")
        print(tally.summary)
        XCTAssertGreaterThan(tally.passed, 7_000, "suspiciously few cases ran")
        XCTAssertEqual(tally.failed, 0, "failures:\n" + tally.failures.prefix(40).joined(separator: "\n"))
    }

    /// The shared conformance folder next to the package when present,
    /// otherwise the copies in Fixtures/.
    static func vectorDirectory() -> URL? {
        let testsFolder = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath().deletingLastPathComponent()
        let packageRoot = testsFolder.deletingLastPathComponent().deletingLastPathComponent()
        let candidates = [
            packageRoot.appendingPathComponent("../shared/conformance/decimal").standardizedFileURL,
            testsFolder.appendingPathComponent("Fixtures"),
        ]
        return candidates.first { FileManager.default.fileExists(atPath: $0.appendingPathComponent("add.decTest").path) }
    }
}

/// Outcome of one case.
enum CaseOutcome {
    case passed
    case failed(String)
    case skipped(String)
}

struct ConformanceTally {
    var passed = 0
    var failures: [String] = []
    var skips: [String: Int] = [:]
    var failed: Int { failures.count }

    mutating func record(_ testCase: DecTestCase, _ outcome: CaseOutcome) {
        switch outcome {
        case .passed: passed += 1
        case .failed(let detail): failures.append("\(testCase.id): \(detail)")
        case .skipped(let reason): skips[reason, default: 0] += 1
        }
    }

    var summary: String {
        let skipped = skips.values.reduce(0, +)
        var lines = ["decTest: \(passed) passed, \(failed) failed, \(skipped) skipped"]
        for (reason, count) in skips.sorted(by: { $0.value > $1.value }) {
            lines.append("  skipped \(count): \(reason)")
        }
        return lines.joined(separator: "\n")
    }
}
