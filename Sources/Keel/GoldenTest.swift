import Foundation

/// One golden script: its expected output lines and, optionally, the error it must stop with.
public struct GoldenTest {
    public let path: String
    public init(path: String) { self.path = path }

    struct Expectation {
        var lines: [String] = []
        var error: (line: Int, text: String, runtime: Bool)?
    }

    static func expectations(in text: String) -> Expectation {
        var e = Expectation()
        for (i, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            guard let r = line.range(of: "// expect") else { continue }
            let rest = line[r.upperBound...]
            if rest.hasPrefix(": ") || rest == ":" {
                e.lines.append(String(rest.dropFirst(rest.hasPrefix(": ") ? 2 : 1)))
            } else if rest.hasPrefix(" error: ") {
                e.error = (i + 1, String(rest.dropFirst(8)), false)
            } else if rest.hasPrefix(" runtime error: ") {
                e.error = (i + 1, String(rest.dropFirst(16)), true)
            }
        }
        return e
    }

    /// nil when the script behaves as its comments say, else what differed.
    public func run() -> String? {
        guard let bytes = Engine.readFile(path) else { return "cannot read file" }
        let text = String(decoding: bytes, as: UTF8.self)
        let expected = Self.expectations(in: text)
        var printed: [UInt8] = []
        let output = OutputBuffer { printed += $0 }
        var failure: KeelError?
        do {
            let engine = try Engine(output: output)
            switch SourceFile.decode(name: path, bytes: bytes) {
            case .success(let file): try engine.load(file: file)
            case .failure(let d): failure = .rejected([d])
            }
        } catch let e as KeelError {
            failure = e
        } catch {
            return "\(error)"
        }
        output.flush()
        var lines = String(decoding: printed, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.hasSuffix("\r") ? String($0.dropLast()) : String($0) }
        if lines.last == "" { lines.removeLast() }
        if let problem = compareError(expected, failure, printed: lines) { return problem }
        if lines != expected.lines { return diff(expected.lines, lines) }
        return nil
    }

    func compareError(_ expected: Expectation, _ failure: KeelError?, printed: [String]) -> String? {
        switch (expected.error, failure) {
        case (nil, nil): return nil
        case (nil, let f?): return "unexpected error:\n\(f.description)"
        case (let e?, nil): return "expected \(e.runtime ? "a runtime" : "an") error at line \(e.line) containing '\(e.text)', but the script succeeded"
        case (let e?, let f?):
            let wantCode: Int32 = e.runtime ? 2 : 1
            guard f.exitCode == wantCode else { return "expected exit \(wantCode), got \(f.exitCode):\n\(f.description)" }
            // The error must point into this script: at the line itself, or at a call on that
            // line when it was raised inside a stdlib module.
            let here = { (d: Diagnostic) in
                (d.fileName == path && d.line == e.line) || d.notes.contains { $0.contains("\(path):\(e.line):") }
            }
            guard f.diagnostics.contains(where: { here($0) && $0.message.contains(e.text) }) else {
                return "expected an error at line \(e.line) containing '\(e.text)', got:\n\(f.description)"
            }
            if !e.runtime && !printed.isEmpty { return "a script that fails its check must print nothing" }
            return nil
        }
    }

    func diff(_ expected: [String], _ actual: [String]) -> String {
        var out = "output differs"
        for i in 0..<max(expected.count, actual.count) {
            let want = i < expected.count ? expected[i] : "<nothing>"
            let got = i < actual.count ? actual[i] : "<nothing>"
            if want != got { out += "\n  line \(i + 1): expected \(want)\n  line \(i + 1):      got \(got)" }
        }
        return out
    }
}

extension GoldenTest {
    /// Every `.keel` file under a path (or the path itself), skipping hidden folders.
    public static func files(under path: String) -> [String] {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue else { return [path] }
        let walker = FileManager.default.enumerator(atPath: path)
        var out: [String] = []
        while let next = walker?.nextObject() as? String {
            if next.hasSuffix(".keel") && !next.split(separator: "/").contains(where: { $0.hasPrefix(".") }) {
                out.append(path.hasSuffix("/") ? path + next : path + "/" + next)
            }
        }
        return out.sorted()
    }
}

/// Runs a body on a thread with a 1 GiB stack: deep Keel recursion nests many Swift
/// frames, and this turns it into the clean depth-limit error instead of a crash. Where the
/// address space is limited (`ulimit -v`) and no such thread can be made, it takes the
/// largest of 256 and 64 MiB there is room for, then the calling thread's own stack.
public func onLargeStack<T>(_ body: @escaping () -> T) -> T {
    let slot = ResultSlot<T>()
    let job = ThreadJob { slot.value = body() }
    for stackSize in [1 << 30, 1 << 28, 1 << 26] where job.runOnNewThread(stackSize: stackSize) {
        guard let value = slot.value else { preconditionFailure("the large-stack thread ended without a result") }
        return value
    }
    return body()
}

/// A body for a thread started with pthread_create, which takes a C function and one pointer.
private final class ThreadJob: @unchecked Sendable {
    let run: () -> Void

    init(_ run: @escaping () -> Void) { self.run = run }

    /// Runs the job on a new thread with `stackSize` bytes of stack and waits for it;
    /// false, without running it, when the thread cannot be made.
    func runOnNewThread(stackSize: Int) -> Bool {
        var attributes = pthread_attr_t()
        guard pthread_attr_init(&attributes) == 0 else { return false }
        defer { pthread_attr_destroy(&attributes) }
        guard pthread_attr_setstacksize(&attributes, stackSize) == 0 else { return false }
        let context = Unmanaged.passRetained(self)
        var thread = pthread_t()
        let started = pthread_create(&thread, &attributes, { raw in
            if let raw { Unmanaged<ThreadJob>.fromOpaque(raw).takeUnretainedValue().run() }
            return nil
        }, context.toOpaque())
        guard started == 0 else {
            context.release()
            return false
        }
        pthread_join(thread, nil)
        context.release()
        return true
    }
}

/// Written by the large-stack thread before it signals, read by the caller after: the
/// semaphore orders the two, which the compiler cannot see.
private final class ResultSlot<T>: @unchecked Sendable {
    var value: T?
}
