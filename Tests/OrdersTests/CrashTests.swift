import Foundation
import Money
import Orders
import XCTest

/// Kills a journaling writer with SIGKILL mid-stream and checks that recovery keeps every
/// command the writer acknowledged as durable.
final class CrashTests: XCTestCase {
    static let root: String = {
        var path = #filePath
        for _ in 0..<3 { path = (path as NSString).deletingLastPathComponent }
        return path
    }()

    /// `orders-crash-writer` beside the test bundle (where `swift test` builds it, as a
    /// dependency of this test target), else under the package root.
    func writerBinary() throws -> String {
        var candidates: [String] = []
        for bundle in [Bundle.main] + Bundle.allBundles {
            var dir = bundle.bundlePath
            if dir.hasSuffix(".xctest") { dir = (dir as NSString).deletingLastPathComponent }
            candidates.append(dir + "/orders-crash-writer")
        }
        candidates.append(Self.root + "/.build/debug/orders-crash-writer")
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            XCTFail("orders-crash-writer is not built (looked at \(candidates.joined(separator: ", ")))")
            throw CocoaError(.fileNoSuchFile)
        }
        return found
    }

    func killMidStreamAndRecover(policy: String, acksBeforeKill: Int) throws {
        let path = NSTemporaryDirectory() + "orders-crash-\(UUID().uuidString).journal"
        defer { try? FileManager.default.removeItem(atPath: path) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try writerBinary())
        process.arguments = [path, policy, "100000000"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()

        // Read acks until enough arrived, then kill without warning.
        var text = "", acked: [(UInt64, String)] = []
        let deadline = Date().addingTimeInterval(60)
        while acked.count < acksBeforeKill && Date() < deadline {
            let data = pipe.fileHandleForReading.availableData
            if data.isEmpty { break }
            text += String(decoding: data, as: UTF8.self)
            while let newline = text.firstIndex(of: "\n") {
                let line = text[..<newline]
                text = String(text[text.index(after: newline)...])
                let parts = line.split(separator: " ", maxSplits: 2)
                guard parts.count == 3, parts[0] == "ack", let sequence = UInt64(parts[1]) else {
                    return XCTFail("unexpected writer output: \(line)")
                }
                acked.append((sequence, String(parts[2])))
            }
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationReason, .uncaughtSignal, "the writer must die mid-stream")
        XCTAssertGreaterThanOrEqual(acked.count, acksBeforeKill)

        let journal = try Journal.read(path: path)
        XCTAssertEqual(journal.entries.first?.sequence, 1)
        XCTAssertGreaterThanOrEqual(journal.entries.count, acked.count)
        for (sequence, command) in acked {
            let index = Int(sequence) - 1
            guard index < journal.entries.count else { return XCTFail("acked command \(sequence) was lost") }
            XCTAssertEqual("\(journal.entries[index].command)", command, "command \(sequence)")
        }
        // The recovered journal replays, and appending resumes after the last good record.
        let recovery = try Recovery.run(snapshotPath: nil, journalPath: path) {
            try OrderBook(tick: Dec(1), lot: Dec(1), capacity: 1 << 20)
        }
        XCTAssertEqual(recovery.book.commandCount, UInt64(journal.entries.count))
        let writer = try JournalWriter(path: path, policy: .always, validLength: journal.validLength)
        try writer.append(.cancel(id: 1), sequence: recovery.book.commandCount + 1)
        XCTAssertEqual(try Journal.read(path: path).entries.count, journal.entries.count + 1)
    }

    func testSIGKILLLosesNoAcknowledgedCommandWithFsyncAlways() throws {
        try killMidStreamAndRecover(policy: "always", acksBeforeKill: 300)
    }

    func testSIGKILLLosesNoAcknowledgedCommandWithFsyncEvery64() throws {
        try killMidStreamAndRecover(policy: "every:64", acksBeforeKill: 5_000)
    }
}
