import XCTest
import Keel

/// Runs every golden script (the suite under Tests/, the examples, the grammar samples)
/// through the same runner as `keel test`.
final class GoldenSuiteTests: XCTestCase {
    static let root: String = {
        var path = #filePath
        for _ in 0..<3 { path = String(path[..<path.lastIndex(of: "/")!]) }
        return path
    }()

    func runGolden(_ relative: String, minimum: Int) {
        let files = GoldenTest.files(under: Self.root + "/" + relative)
        XCTAssertGreaterThanOrEqual(files.count, minimum, "too few scripts under \(relative)")
        let failures = onLargeStack { files.compactMap { file in GoldenTest(path: file).run().map { "\(file): \($0)" } } }
        print("\(relative): \(files.count - failures.count) passed, \(failures.count) failed")
        for failure in failures { XCTFail(failure) }
    }

    func testGoldenScripts() { runGolden("Tests/golden", minimum: 1) }
    func testExamples() { runGolden("examples", minimum: 1) }

    /// The runner itself must catch wrong output, a missing error and an error on the wrong line.
    func testRunnerDetectsMismatches() throws {
        let dir = NSTemporaryDirectory() + "keel-golden-\(getpid())"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let cases = [
            ("wrong.keel", "print(1 + 1) // expect: 3\n", true),
            ("right.keel", "print(1 + 1) // expect: 2\n", false),
            ("noerror.keel", "print(1) // expect: 1\nlet x = 2 // expect error: expected\n", true),
            ("wrongline.keel", "let a = 1\nlet x: Int = \"s\"\n// expect error: expected Int\n", true),
            ("typeerror.keel", "let a = 1\nlet x: Int = \"s\" // expect error: expected Int, found String\n", false),
            ("runtime.keel", "print(1) // expect: 1\nprint([1][3]) // expect runtime error: out of range\n", false),
        ]
        for (name, text, shouldFail) in cases {
            let path = dir + "/" + name
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            let problem = onLargeStack { GoldenTest(path: path).run() }
            XCTAssertEqual(problem != nil, shouldFail, "\(name): \(problem ?? "passed")")
        }
    }
}
