import Foundation
import XCTest

/// Runs the example host `fraud-rules` (examples/embed) as a separate process, the way a
/// user would. It builds nothing: `swift test` builds every product first, so the binary
/// sits next to the test bundle; when it does not, the tests are skipped.
final class FraudHostTests: XCTestCase {
    static let root: String = {
        var path = #filePath
        for _ in 0..<3 { path = String(path[..<path.lastIndex(of: "/")!]) }
        return path
    }()

    static let fixtures = "examples/embed/fixtures"

    /// `.build/debug/fraud-rules`: beside the test bundle, else under the package root.
    func hostBinary() throws -> String {
        var candidates: [String] = []
        var dir = Bundle.main.bundlePath
        if dir.hasSuffix(".xctest") { dir = (dir as NSString).deletingLastPathComponent }
        candidates.append(dir + "/fraud-rules")
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            candidates.append((bundle.bundlePath as NSString).deletingLastPathComponent + "/fraud-rules")
        }
        candidates.append(Self.root + "/.build/debug/fraud-rules")
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw XCTSkip("fraud-rules is not built (looked at \(candidates.joined(separator: ", ")))")
        }
        return found
    }

    /// Bytes read on another thread; the DispatchGroup orders the write before the read.
    final class Collected: @unchecked Sendable { var data = Data() }

    struct Run {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs the host from the package root with the fixture transactions on stdin; fails
    /// the test (instead of hanging it) when the host does not finish in `timeout` seconds.
    func runHost(_ arguments: [String], timeout: Double = 60) throws -> Run {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try hostBinary())
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: Self.root)
        process.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: Self.root + "/\(Self.fixtures)/transactions.jsonl"))
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        // Drain both pipes while the process runs, so neither can fill up and block it.
        let outData = Collected(), errData = Collected()
        let drained = DispatchGroup()
        for (pipe, sink) in [(out, outData), (err, errData)] {
            drained.enter()
            Thread {
                sink.data = pipe.fileHandleForReading.readDataToEndOfFile()
                drained.leave()
            }.start()
        }
        let exited = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in exited.signal() }
        try process.run()
        if exited.wait(timeout: .now() + timeout) == .timedOut {
            process.terminate()
            XCTFail("fraud-rules did not finish within \(timeout) s")
            _ = exited.wait(timeout: .now() + 5)
        }
        _ = drained.wait(timeout: .now() + 5)
        return Run(status: process.terminationStatus, stdout: String(decoding: outData.data, as: UTF8.self),
                   stderr: String(decoding: errData.data, as: UTF8.self))
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
