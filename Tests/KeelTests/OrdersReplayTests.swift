import Foundation
import XCTest

/// `keel orders replay`, run as a process on CSV fixtures whose output was worked out by hand.
final class OrdersReplayTests: XCTestCase {
    static let fixtures = "Tests/KeelTests/Fixtures/orders"
    let keel = ProductProcess(name: "keel")

    func testReplayFollowsTheMatchingRulesAndReportsMalformedLines() throws {
        let run = try keel.run(["orders", "replay", "\(Self.fixtures)/replay-rules.csv"])
        let expected = try String(contentsOfFile: ProductProcess.root + "/\(Self.fixtures)/replay-rules.expected", encoding: .utf8)
        XCTAssertEqual(run.status, 0)
        XCTAssertEqual(run.stdout, expected)
        let errors = run.stderr.split(separator: "\n").filter { $0.contains(": error: ") }
        XCTAssertEqual(errors.map { $0.split(separator: ":")[1] }, ["22", "25", "26"], run.stderr)
        XCTAssertTrue(errors[0].hasSuffix("unknown command 'bogus'; expected limit, market, cancel or modify"))
    }

    func testTickAndLotOptions() throws {
        let path = NSTemporaryDirectory() + "keel-replay-\(getpid()).csv"
        try "limit,s,sell,0.5,0.3\nlimit,b,buy,0.75,0.1\nlimit,c,buy,0.6,0.05\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let run = try keel.run(["orders", "replay", path, "--tick", "0.25", "--lot", "0.1"])
        // 0.6 is off a 0.25 tick and 0.05 off a 0.1 lot; the quantity is checked first.
        XCTAssertEqual(run.stdout, "trade,b,s,0.50,0.1\nreject,c,off_lot\nrest,s,sell,0.50,0.2\n")
    }

    func testAMissingFileIsAnError() throws {
        let run = try keel.run(["orders", "replay", "no/such/file.csv"])
        XCTAssertEqual(run.status, 1)
        XCTAssertTrue(run.stderr.contains("no/such/file.csv:1:1: error: cannot read file"), run.stderr)
    }
}
