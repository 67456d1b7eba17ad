import ArgumentParser
import Foundation
import Keel

/// `keel test`: runs scripts and compares what they print with their `// expect` comments.
struct TestCommand: ExitCodeCommand {
    static let configuration = CommandConfiguration(commandName: "test",
        abstract: "Run .keel files and compare their output with their // expect: lines.")
    @Argument(help: "Files or directories (searched recursively for .keel files).") var paths: [String] = ["."]

    mutating func execute() -> Int32 {
        let files = paths.flatMap(GoldenTest.files(under:)).sorted()
        var passed = 0, failed = 0
        for file in files {
            if let problem = GoldenTest(path: file).run() {
                failed += 1
                print("FAIL \(file): \(problem)")
            } else {
                passed += 1
            }
        }
        print("\(passed) passed, \(failed) failed")
        return failed == 0 ? 0 : 1
    }
}
