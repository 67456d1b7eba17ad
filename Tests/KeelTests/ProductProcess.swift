import Foundation
import XCTest

/// Runs a product of this package (`keel`, `fraud-rules`) as a separate process, the way a
/// user would. It builds nothing: `swift test` builds every product first, so the binary
/// sits next to the test bundle; when it does not, the test is skipped.
struct ProductProcess {
    static let root: String = {
        var path = #filePath
        for _ in 0..<3 { path = String(path[..<path.lastIndex(of: "/")!]) }
        return path
    }()

    let name: String

    /// `.build/debug/NAME`: beside the test bundle, else under the package root.
    func binary() throws -> String {
        var candidates: [String] = []
        var dir = Bundle.main.bundlePath
        if dir.hasSuffix(".xctest") { dir = (dir as NSString).deletingLastPathComponent }
        candidates.append(dir + "/" + name)
        for bundle in Bundle.allBundles where bundle.bundlePath.hasSuffix(".xctest") {
            candidates.append((bundle.bundlePath as NSString).deletingLastPathComponent + "/" + name)
        }
        candidates.append(Self.root + "/.build/debug/" + name)
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw XCTSkip("\(name) is not built (looked at \(candidates.joined(separator: ", ")))")
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

    /// Runs from the package root with `stdin` (a path under it) as standard input; fails the
    /// test (instead of hanging it) when the process does not finish in `timeout` seconds.
    /// `addressSpaceKiB` runs it under that `ulimit -v`.
    func run(_ arguments: [String], stdin: String? = nil, timeout: Double = 60, addressSpaceKiB: Int? = nil) throws -> Run {
        let process = Process()
        if let addressSpaceKiB {
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", "ulimit -v \(addressSpaceKiB) && exec \"$0\" \"$@\"", try binary()] + arguments
        } else {
            process.executableURL = URL(fileURLWithPath: try binary())
            process.arguments = arguments
        }
        process.currentDirectoryURL = URL(fileURLWithPath: Self.root)
        if let stdin { process.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: Self.root + "/" + stdin)) }
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
            XCTFail("\(name) did not finish within \(timeout) s")
            _ = exited.wait(timeout: .now() + 5)
        }
        _ = drained.wait(timeout: .now() + 5)
        return Run(status: process.terminationStatus, stdout: String(decoding: outData.data, as: UTF8.self),
                   stderr: String(decoding: errData.data, as: UTF8.self))
    }
}
