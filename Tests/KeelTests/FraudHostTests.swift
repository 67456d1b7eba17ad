import Foundation
import XCTest

/// The example host `fraud-rules` (examples/embed) on the fixture transactions.
final class FraudHostTests: XCTestCase {
    static let root = ProductProcess.root
    static let fixtures = "examples/embed/fixtures"

    func runHost(_ arguments: [String]) throws -> ProductProcess.Run {
        try ProductProcess(name: "fraud-rules").run(arguments, stdin: "\(Self.fixtures)/transactions.jsonl")
    }

    func testDecisionsMatchTheHandDerivedExpectations() throws {
        let run = try runHost(["examples/embed/rules"])
        let expected = try String(contentsOfFile: Self.root + "/\(Self.fixtures)/expected.txt", encoding: .utf8)
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.stdout, expected)
        XCTAssertEqual(run.stderr, "", "the good rules should load and run without complaint")
    }

    func testDefaultRulesFolder() throws {
        let run = try runHost([])
        let expected = try String(contentsOfFile: Self.root + "/\(Self.fixtures)/expected.txt", encoding: .utf8)
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.stdout, expected)
    }

    /// A rule that does not type-check, one that loops forever and one that stalls inside
    /// built-in calls: each is reported, and every transaction still gets its decision
    /// from the good rules.
    func testBrokenAndRunawayRulesDoNotStopTheHost() throws {
        let started = Date()
        let run = try runHost(["examples/embed/rules", "\(Self.fixtures)/broken.keel",
                               "\(Self.fixtures)/runaway.keel", "\(Self.fixtures)/stall.keel"])
        XCTAssertLessThan(Date().timeIntervalSince(started), 30, "the host took too long")
        XCTAssertEqual(run.status, 0, run.stderr)

        // Same decisions as with the good rules alone, each noting the rules it lacked.
        let expected = try String(contentsOfFile: Self.root + "/\(Self.fixtures)/expected.txt", encoding: .utf8)
            .split(separator: "\n").map(String.init)
        let lines = run.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.count, expected.count, run.stdout)
        for (got, want) in zip(lines, expected) {
            XCTAssertTrue(got.hasPrefix(String(want.dropLast())), "\(got) does not extend \(want)")
            XCTAssertTrue(got.hasSuffix(" skipped)"), got)
        }

        // The broken rule's diagnostic, in the FILE:LINE:COL form, with the source line.
        XCTAssertTrue(run.stderr.contains("\(Self.fixtures)/broken.keel:11:6: error: cannot compare Money and Int"), run.stderr)
        XCTAssertTrue(run.stderr.contains("  if amount > 500 {"), run.stderr)
        // The runaway rule: stopped by its step (or, on a slow machine, time) limit, at the loop.
        let runaway = #/examples/embed/fixtures/runaway\.keel:11:3: error: (step limit of 100000|time limit of 50 ms) exceeded/#
        XCTAssertNotNil(run.stderr.firstMatch(of: runaway), run.stderr)
        XCTAssertTrue(run.stderr.contains("rule \(Self.fixtures)/runaway.keel disabled after 3 failures"), run.stderr)
        // The stalling rule: stopped by a limit, or given up on by the host's watchdog.
        let stall = #/examples/embed/fixtures/stall\.keel(:\d+:\d+: error: \w+ limit| skipped and disabled: it did not return)/#
        XCTAssertNotNil(run.stderr.firstMatch(of: stall), run.stderr)
    }
}
