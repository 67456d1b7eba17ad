import ArgumentParser
import Foundation
import Keel

/// `keel FILE` runs a file and bare `keel` starts the REPL; ArgumentParser handles the rest.
@main
enum Entry {
    static let subcommands: Set<String> = ["run", "check", "test", "repl", "orders", "help", "-h", "--help", "--version"]

    static func main() {
        // A reader that went away (`keel run … | head`) then shows as a failed write,
        // reported like a full disk, instead of killing the process with a signal.
        signal(SIGPIPE, SIG_IGN)
        var args = Array(CommandLine.arguments.dropFirst())
        if args.isEmpty { args = ["repl"] } else if !subcommands.contains(args[0]) { args.insert("run", at: 0) }
        let code = onLargeStack { KeelCommand.runToCompletion(args) }
        fflush(stdout)
        exit(code)
    }
}

struct KeelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keel",
        abstract: "Keel: a small, statically typed language for the hard cores of system designs.",
        version: "0.1.0",
        subcommands: [Run.self, Check.self, TestCommand.self, Repl.self, OrdersCommand.self])

    static func runToCompletion(_ args: [String]) -> Int32 {
        do {
            var command = try parseAsRoot(args)
            if var run = command as? ExitCodeCommand { return run.execute() }
            try command.run()
            return 0
        } catch {
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if !message.isEmpty {
                if code == .success { print(message) } else { fputs(message + "\n", stderr) }
            }
            return code.rawValue
        }
    }
}

extension Engine {
    /// An engine for `keel run` and the REPL: printing to standard output, and (as what
    /// the user runs from a shell may) keeping files in the working directory.
    static func commandLine() throws -> Engine {
        let engine = try Engine(output: .standardOutput)
        engine.files = FileAccess(root: FileManager.default.currentDirectoryPath)
        return engine
    }

    /// Checks and runs a program for `keel run` or from stdin; the exit code. Output the
    /// run could not write (a full disk) is an error as a failed `print` is.
    static func run(_ source: SourceFile, arguments: [String] = [], reporter: Reporter) -> Int32 {
        do {
            let engine = try Engine.commandLine()
            engine.vm.scriptArguments = arguments
            try engine.load(file: source)
            if let failure = engine.vm.output.takeFailure() {
                reporter.emit("keel: error: \(failure)")
                return 2
            }
            return 0
        } catch {
            return reporter.report(error)
        }
    }
}

/// Subcommands that compute their own exit code instead of throwing.
protocol ExitCodeCommand: ParsableCommand {
    mutating func execute() -> Int32
}

extension ExitCodeCommand {
    mutating func run() throws { throw ExitCode(execute()) }
}

struct Run: ExitCodeCommand {
    static let configuration = CommandConfiguration(abstract: "Check a file, then run it (exit 1 on a syntax or type error, 2 on a runtime error).")
    @Argument(help: "The .keel file to run.") var file: String
    @Argument(parsing: .captureForPassthrough, help: "Arguments the script reads with args().") var scriptArguments: [String] = []

    mutating func execute() -> Int32 {
        let reporter = Reporter()
        guard let source = reporter.read(file) else { return 1 }
        return Engine.run(source, arguments: scriptArguments, reporter: reporter)
    }
}

struct Check: ExitCodeCommand {
    static let configuration = CommandConfiguration(abstract: "Syntax and type check files without running them.")
    @Argument(help: "The .keel files to check.") var files: [String]

    mutating func execute() -> Int32 {
        let reporter = Reporter()
        var status: Int32 = 0
        for path in files {
            guard let source = reporter.read(path) else { status = 1; continue }
            do {
                try Engine(output: .standardOutput).check(file: source)
            } catch {
                status = max(status, reporter.report(error))
            }
        }
        return status
    }
}

struct Repl: ExitCodeCommand {
    static let configuration = CommandConfiguration(abstract: "The interactive read-eval-print loop (reads a whole program when stdin is not a terminal).")

    mutating func execute() -> Int32 { REPL().start() }
}

/// Prints diagnostics to stderr, coloured only for a terminal without NO_COLOR.
struct Reporter {
    let color = isatty(2) != 0 && getenv("NO_COLOR") == nil

    func read(_ path: String) -> SourceFile? {
        guard let bytes = Engine.readFile(path) else {
            let reason = String(cString: strerror(errno))
            emit("\(path):1:1: error: cannot read file: \(reason)")
            return nil
        }
        switch SourceFile.decode(name: path, bytes: bytes) {
        case .success(let file): return file
        case .failure(let d):
            emit(d.render(color: color))
            return nil
        }
    }

    /// Prints an error and returns its exit code.
    func report(_ error: Error) -> Int32 {
        guard let keel = error as? KeelError else {
            emit("keel: error: \(error)")
            return 2
        }
        for d in keel.diagnostics { emit(d.render(color: color)) }
        return keel.exitCode
    }

    /// Writes to standard error; if even that fails there is no one left to tell.
    func emit(_ text: String) {
        fputs(text + "\n", stderr)
    }
}
