import XCTest
import Keel

/// Hostile input never crashes the process: each ends in a positioned diagnostic or a clean runtime error.
final class HostileInputTests: XCTestCase {
    func outcome(_ bytes: [UInt8]) -> KeelError? {
        onLargeStack {
            var sink: [UInt8] = []
            do {
                let engine = try Engine(output: OutputBuffer { sink += $0 })
                switch SourceFile.decode(name: "hostile.keel", bytes: bytes) {
                case .success(let file): try engine.load(file: file)
                case .failure(let d): return .rejected([d])
                }
                return nil
            } catch let e as KeelError {
                return e
            } catch {
                return .rejected([])
            }
        }
    }

    func assertRejected(_ bytes: [UInt8], line: Int? = nil, containing text: String, file: StaticString = #filePath, lineNo: UInt = #line) {
        guard let e = outcome(bytes), let d = e.diagnostics.first else { return XCTFail("accepted", file: file, line: lineNo) }
        XCTAssertTrue(d.message.contains(text), d.message, file: file, line: lineNo)
        if let line { XCTAssertEqual(d.line, line, file: file, line: lineNo) }
        XCTAssertTrue(d.description.hasPrefix("hostile.keel:\(d.line):\(d.column): error: "), file: file, line: lineNo)
    }

    func testEmptyFileRunsAndPrintsNothing() { XCTAssertNil(outcome([])) }

    func testInvalidUTF8() { assertRejected([0x70, 0x0A, 0xC3, 0x28], line: 2, containing: "invalid UTF-8") }

    func testBinaryGarbage() {
        var rng = SplitMix64(seed: 7)
        let bytes = (0..<4096).map { _ in UInt8.random(in: 0...255, using: &rng) }
        XCTAssertNotNil(outcome(bytes))
    }

    func testNulByte() { assertRejected(Array("print(1)\u{0}".utf8), line: 1, containing: "U+0000") }

    func testHundredThousandNestedBrackets() {
        assertRejected(Array(String(repeating: "(", count: 100_000).utf8), line: 1, containing: "nesting too deep")
        assertRejected(Array(String(repeating: "{", count: 100_000).utf8), line: 1, containing: "nesting too deep")
    }

    func testTenMegabyteLine() {
        assertRejected(Array(("let x = " + String(repeating: "y", count: 10_000_000)).utf8), line: 1, containing: "unknown name")
        XCTAssertNil(outcome(Array(("let s = \"" + String(repeating: "a", count: 10_000_000) + "\"").utf8)))
    }

    func testRunawayRecursionIsALimitError() {
        guard case .runtime(let d, let limit)? = outcome(Array("fn f(n: Int) -> Int { f(n + 1) + 1 }\nprint(f(0))".utf8)) else {
            return XCTFail("no runtime error")
        }
        XCTAssertEqual(limit, .callDepth)
        XCTAssertTrue(d.message.contains("recursion too deep"))
        XCTAssertEqual(d.line, 1)
        XCTAssertLessThan(d.notes.count, 10, "repeated frames are folded")
    }

    func testIntegerOverflowIsAnErrorNotAWrap() {
        guard case .runtime(let d, _)? = outcome(Array("var x = 9223372036854775800\nx += 100".utf8)) else { return XCTFail("wrapped") }
        XCTAssertTrue(d.message.contains("integer overflow"))
        XCTAssertEqual(d.line, 2)
    }

    /// A reader that went away (`keel run … | head`) is a write error like a full disk:
    /// `keel run` exits 2 and `keel orders replay` 1, each saying why, and neither dies of
    /// SIGPIPE.
    func testOutputToAClosedPipeIsAnErrorNotASignal() throws {
        let directory = NSTemporaryDirectory() + "keel-pipe-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "for i in 0..100000 {\n  print(i)\n}\n".write(toFile: directory + "/long.keel", atomically: true, encoding: .utf8)
        try "limit,a,buy,1.00,1\n".write(toFile: directory + "/one.csv", atomically: true, encoding: .utf8)
        for (arguments, status, expected) in [
            (["run", "long.keel"], Int32(2), "long.keel:2:3: error: print: cannot write to standard output: Broken pipe\n"),
            (["orders", "replay", "one.csv"], Int32(1), "keel: error: cannot write the replay's output: Broken pipe\n"),
        ] {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: try ProductProcess(name: "keel").binary())
            process.arguments = arguments
            process.currentDirectoryURL = URL(fileURLWithPath: directory)
            let output = Pipe()
            try output.fileHandleForReading.close()  // No reader: every write fails with EPIPE.
            process.standardOutput = output
            let errors = Pipe()
            process.standardError = errors
            try process.run()
            let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            XCTAssertEqual(process.terminationReason, .exit, "\(arguments): killed by signal \(process.terminationStatus)")
            XCTAssertEqual(process.terminationStatus, status, "\(arguments)")
            XCTAssertTrue(stderr.hasPrefix(expected), "\(arguments): \(stderr)")
        }
    }

    /// `keel run` with standard output on a full disk exits 2 and says why, whether the
    /// failure shows at a `print` (a long output) or only at the final flush.
    func testOutputThatCannotBeWrittenIsAnError() throws {
        guard FileManager.default.isWritableFile(atPath: "/dev/full") else { throw XCTSkip("no /dev/full") }
        let directory = NSTemporaryDirectory() + "keel-full-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        for (name, program, expected) in [
            ("short.keel", "print(1)\n", "keel: error: cannot write to standard output: No space left on device\n"),
            ("long.keel", "for i in 0..100000 {\n  print(i)\n}\n",
             "long.keel:2:3: error: print: cannot write to standard output: No space left on device\n"),
        ] {
            let path = directory + "/" + name
            try program.write(toFile: path, atomically: true, encoding: .utf8)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: try ProductProcess(name: "keel").binary())
            process.arguments = ["run", name]
            process.currentDirectoryURL = URL(fileURLWithPath: directory)
            process.standardOutput = FileHandle(forWritingAtPath: "/dev/full")
            let errors = Pipe()
            process.standardError = errors
            try process.run()
            let stderr = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            XCTAssertEqual(process.terminationReason, .exit)
            XCTAssertEqual(process.terminationStatus, 2, name)
            XCTAssertTrue(stderr.hasPrefix(expected), "\(name): \(stderr)")
        }
    }
}
