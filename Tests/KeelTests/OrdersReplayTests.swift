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
        // The column of the field at fault: the command, the side, the time in force.
        XCTAssertEqual(errors.map { $0.split(separator: ":")[2] }, ["1", "9", "18"], run.stderr)
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

    /// Order names are tokens: "7" and "07" are two orders, a plain number at or past 2^62
    /// is a name like any other, and each prints back as written.
    func testOrderNamesAreTokensWhateverTheyLookLike() throws {
        let path = NSTemporaryDirectory() + "keel-replay-names-\(getpid()).csv"
        let big = "4611686018427387904"  // 2^62
        let text = """
            limit,7,sell,10,1
            limit,07,sell,10,2
            limit,\(big),sell,11,3
            limit,0,sell,12,4
            cancel,07
            limit,x7,buy,11,2
            limit,07,buy,9,1
            cancel,8
            market,\(big)0,buy,2

            """
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let run = try keel.run(["orders", "replay", path])
        XCTAssertEqual(run.status, 0, run.stderr)
        XCTAssertEqual(run.stdout, """
            trade,x7,7,10.00,1
            trade,x7,\(big),11.00,1
            reject,07,duplicate_id
            reject,8,unknown_id
            trade,\(big)0,\(big),11.00,2
            rest,0,sell,12.00,4

            """)
    }

    /// The caret stands under the field at fault, wherever spaces put it, and a line of a
    /// megabyte is shown cut around it.
    func testDiagnosticsPointAtTheFieldAtFault() throws {
        let path = NSTemporaryDirectory() + "keel-replay-columns-\(getpid()).csv"
        let long = String(repeating: "9", count: 1 << 20)
        // The fourth line: "é" is one column, and the invalid byte 0xFF another.
        let text = "limit, z , buy ,  abc ,1\nlimit,w,buy,10,\(long)x\nlimit,v,buy,10,1,gtc,extra\nlimit,é"
        try Data(text.utf8 + [0xFF] + Array(",up,1,1\n".utf8)).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let run = try keel.run(["orders", "replay", path])
        XCTAssertEqual(run.status, 0)
        let lines = run.stderr.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        XCTAssertEqual(lines[0], "\(path):1:19: error: price 'abc' is not a decimal number")
        XCTAssertEqual(lines[1], "limit, z , buy ,  abc ,1")
        XCTAssertEqual(lines[2], String(repeating: " ", count: 18) + "^")
        XCTAssertTrue(lines[3].hasPrefix("\(path):2:16: error: quantity '999"), lines[3])
        XCTAssertLessThan(lines[4].count, 200)
        XCTAssertEqual(lines[5], String(repeating: " ", count: 15) + "^")
        XCTAssertEqual(lines[6], "\(path):3:22: error: 'limit' takes 4 or 5 fields, found 6")
        XCTAssertEqual(lines[9], "\(path):4:10: error: unknown side 'up'; expected buy or sell")
        XCTAssertEqual(lines[11], String(repeating: " ", count: 9) + "^")
        XCTAssertLessThan(run.stderr.utf8.count, 2_000)
    }

    func testAMissingFileIsAnError() throws {
        let run = try keel.run(["orders", "replay", "no/such/file.csv"])
        XCTAssertEqual(run.status, 1)
        XCTAssertTrue(run.stderr.contains("no/such/file.csv:1:1: error: cannot read file"), run.stderr)
    }
}
