import Foundation
import XCTest
import Keel

/// Tests of scripts that keep files: each test gets a fresh folder, granted to the scripts
/// it runs unless it says otherwise.
class ScriptFolderTestCase: XCTestCase {
    var folder = ""

    override func setUpWithError() throws {
        folder = NSTemporaryDirectory() + "keel-script-files-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws { try? FileManager.default.removeItem(atPath: folder) }

    /// Runs a script, with file access to `folder` when `files`; returns the lines it printed.
    func run(_ source: String, files: Bool = true) throws -> [String] {
        var printed: [UInt8] = []
        let engine = try Engine(output: OutputBuffer { printed += $0 })
        if files { engine.files = FileAccess(root: folder) }
        try engine.load(source: source, name: "script.keel")
        engine.vm.output.flush()
        return String(decoding: printed, as: UTF8.self).split(separator: "\n").map(String.init)
    }
}
