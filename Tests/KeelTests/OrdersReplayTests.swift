import Foundation
import SeededRandom
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

    /// Lines in the common shape are read straight from their bytes, any other line
    /// through strings and `Dec`: a random stream must replay the same both ways (a
    /// leading blank sends a line the long way), on a decimal grid and on one of quarters.
    func testTheQuickAndTheLongWayReplayAlike() throws {
        var random = SplitMix64(seed: 813)
        func pick(_ choices: [String]) -> String { choices[random.below(choices.count)] }
        func number() -> String {
            let whole = String(random.below(3) == 0 ? random.below(200) : 90 + random.below(20))
            switch random.below(8) {
            case 0: return whole + "." + String(repeating: "0", count: 1 + random.below(4))
            case 1: return whole + ".25"
            case 2: return whole + "." + String(random.below(100))
            case 3: return "0"
            case 4: return "1234567890123456789"
            case 5: return "0." + String(repeating: "0", count: random.below(20)) + "5"
            default: return whole
            }
        }
        var lines: [String] = []
        for _ in 0..<6_000 {
            let id = random.below(5) == 0 ? "n\(random.below(50))" : String(random.below(3_000))
            switch random.below(10) {
            case 0, 1: lines.append("cancel,\(id)")
            case 2: lines.append("modify,\(id),\(number()),\(number())")
            case 3: lines.append("market,\(id),\(pick(["buy", "sell"])),\(number())")
            default:
                let tif = pick(["", ",gtc", ",ioc", ",fok", ",post"])
                lines.append("limit,\(id),\(pick(["buy", "sell"])),\(number()),\(number())\(tif)")
            }
        }
        let directory = NSTemporaryDirectory()
        let quick = directory + "keel-replay-quick-\(getpid()).csv", long = directory + "keel-replay-long-\(getpid()).csv"
        try lines.map { $0 + "\n" }.joined().write(toFile: quick, atomically: true, encoding: .utf8)
        try lines.map { " " + $0 + "\n" }.joined().write(toFile: long, atomically: true, encoding: .utf8)
        defer {
            try? FileManager.default.removeItem(atPath: quick)
            try? FileManager.default.removeItem(atPath: long)
        }
        for grid in [["--tick", "0.01"], ["--tick", "0.25", "--lot", "0.5"]] {
            let quickRun = try keel.run(["orders", "replay", quick] + grid)
            let longRun = try keel.run(["orders", "replay", long] + grid)
            XCTAssertEqual(quickRun.status, 0, quickRun.stderr)
            XCTAssertEqual(quickRun.stdout, longRun.stdout, "\(grid)")
            XCTAssertGreaterThan(quickRun.stdout.split(separator: "\n").filter { $0.hasPrefix("trade,") }.count, 100)
            XCTAssertGreaterThan(quickRun.stdout.split(separator: "\n").filter { $0.hasPrefix("reject,") }.count, 100)
        }
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
        // The fourth line: "é" is one column, and the field with the invalid byte 0xFF is refused.
        let text = "limit, z , buy ,  abc ,1\nlimit,w,buy,10,\(long)x\nlimit,v,buy,10,1,gtc,extra\nlimit,é,up,1,1"
        try Data(text.utf8 + [0xFF] + Array("\n".utf8)).write(to: URL(fileURLWithPath: path))
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
        XCTAssertEqual(lines[9], "\(path):4:14: error: field 5 is not valid UTF-8")
        XCTAssertEqual(lines[11], String(repeating: " ", count: 13) + "^")
        XCTAssertLessThan(run.stderr.utf8.count, 2_000)
    }

    /// An order that cannot rest in a full book is refused after whatever it traded
    /// (`--capacity` sets the most resting orders; 2 here).
    func testAnOrderThatCannotRestIsRejectedAsBookFull() throws {
        let path = NSTemporaryDirectory() + "keel-replay-full-\(getpid()).csv"
        try "limit,1,sell,10,5\nlimit,2,sell,11,5\nlimit,3,sell,12,5\nlimit,4,buy,11,12\nlimit,5,buy,9,1\nlimit,6,buy,8,1\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let run = try keel.run(["orders", "replay", path, "--capacity", "2"])
        XCTAssertEqual(run.status, 0, run.stderr)
        // 4 takes 10 from 1 and 2, and its last 2 rest beside 3; then 5 finds the book full
        // and 6 too.
        XCTAssertEqual(run.stdout, """
            reject,3,book_full
            trade,4,1,10.00,5
            trade,4,2,11.00,5
            reject,6,book_full
            rest,4,buy,11.00,2
            rest,5,buy,9.00,1

            """)
    }

    /// Fields are bytes as written: names that differ only in invalid UTF-8 are not folded
    /// into one, the line is refused; a byte order mark starts the first line, not its
    /// command; digit separators are Keel's, not the format's; a number too large for a
    /// decimal says so.
    func testEncodingsAndNumbersAreReadStrictly() throws {
        let path = NSTemporaryDirectory() + "keel-replay-bytes-\(getpid()).csv"
        let lines: [[UInt8]] = [[0xEF, 0xBB, 0xBF] + Array("limit,a,buy,1,1".utf8), Array("limit,a".utf8) + [0xFF] + Array(",buy,1,2".utf8),
                                Array("cancel,a".utf8) + [0xFE], Array("limit,b,buy,1_0,1".utf8),
                                Array("limit,c,buy,1,1e99999999999".utf8)]
        try Data(lines.joined(separator: [0x0A]) + [0x0A]).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let run = try keel.run(["orders", "replay", path])
        XCTAssertEqual(run.stdout, "rest,a,buy,1.00,1\n")
        let errors = run.stderr.split(separator: "\n").filter { $0.contains(": error: ") }.map { $0.split(separator: ":", maxSplits: 1)[1] }
        XCTAssertEqual(errors, ["2:7: error: field 2 is not valid UTF-8", "3:8: error: field 2 is not valid UTF-8",
                                "4:13: error: price '1_0' is not a decimal number",
                                "5:15: error: quantity is out of range: exponent of '1e99999999999' exceeds 1000000000"], run.stderr)
    }

    /// Output that cannot be written (a full disk) ends the replay with exit 1 and says why.
    func testAnOutputThatCannotBeWrittenIsAnError() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try keel.binary())
        process.arguments = ["orders", "replay", "\(Self.fixtures)/replay-rules.csv"]
        process.currentDirectoryURL = URL(fileURLWithPath: ProductProcess.root)
        guard let full = FileHandle(forWritingAtPath: "/dev/full") else { throw XCTSkip("no /dev/full") }
        let errors = Pipe()
        process.standardOutput = full
        process.standardError = errors
        try process.run()
        let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        XCTAssertEqual(process.terminationReason, .exit)
        XCTAssertEqual(process.terminationStatus, 1)
        XCTAssertTrue(stderr.hasSuffix("keel: error: cannot write the replay's output: No space left on device\n"), stderr)
    }

    /// A missing field is pointed at the end of the line, where it would go.
    func testAMissingFieldIsPointedAtTheEndOfTheLine() throws {
        let path = NSTemporaryDirectory() + "keel-replay-missing-\(getpid()).csv"
        try "limit,5,buy,10  \ncancel\n".write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let lines = try keel.run(["orders", "replay", path]).stderr.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines, ["\(path):1:15: error: 'limit' takes 4 or 5 fields, found 3", "limit,5,buy,10  ", String(repeating: " ", count: 14) + "^",
                               "\(path):2:7: error: 'cancel' takes 1 field, found 0", "cancel", String(repeating: " ", count: 6) + "^"])
    }

    func testAMissingFileIsAnError() throws {
        let run = try keel.run(["orders", "replay", "no/such/file.csv"])
        XCTAssertEqual(run.status, 1)
        XCTAssertTrue(run.stderr.contains("no/such/file.csv:1:1: error: cannot read file"), run.stderr)
    }
}
