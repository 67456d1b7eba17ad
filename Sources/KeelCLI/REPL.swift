import CReadline
import Foundation
import Keel

/// The interactive loop. With stdin not a terminal it reads everything as one program.
struct REPL {
    func start() -> Int32 {
        let reporter = Reporter()
        guard isatty(0) != 0 else {
            var bytes: [UInt8] = []
            while let line = readLine(strippingNewline: false) { bytes += Array(line.utf8) }
            let file: SourceFile
            switch SourceFile.decode(name: "<stdin>", bytes: bytes) {
            case .success(let f): file = f
            case .failure(let d): reporter.emit(d.render(color: reporter.color)); return 1
            }
            return Engine.run(file, reporter: reporter)
        }
        return interactive(reporter)
    }

    func interactive(_ reporter: Reporter) -> Int32 {
        guard var engine = try? Engine.commandLine() else { return 1 }
        LineEditor.install(engine: engine)
        let history = LineEditor.historyPath
        if let history { read_history(history) }
        print("Keel 0.1 — :help for help, :quit to leave")
        var pending = ""
        var count = 0
        loop: while true {
            let line: String
            switch LineEditor.read(prompt: pending.isEmpty ? "keel> " : "...> ") {
            case .end: break loop
            case .interrupted:
                pending = ""  // Ctrl-C drops the line and anything still open
                continue
            case .text(let text): line = text
            }
            if pending.isEmpty && line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
            if pending.isEmpty, line.hasPrefix(":") {
                LineEditor.remember(line)
                if !command(line, &engine, reporter) { break }
                continue
            }
            pending += (pending.isEmpty ? "" : "\n") + line
            if Self.isIncomplete(pending) { continue }
            LineEditor.remember(pending)
            count += 1
            let input = SourceFile(name: "<repl:\(count)>", text: pending)
            pending = ""
            LineEditor.prepareToRun(engine)
            do {
                if let (value, type) = try engine.evaluate(file: input), type != .unit {
                    print("\(Display.literal(value)) : \(type)")
                }
            } catch {
                _ = reporter.report(error)
            }
        }
        if let history { write_history(history) }
        return 0
    }

    /// Handles `:help`, `:type`, `:load`, `:reset`, `:quit`; false means leave.
    func command(_ line: String, _ engine: inout Engine, _ reporter: Reporter) -> Bool {
        let parts = line.trimmingCharacters(in: .whitespaces)
            .split(maxSplits: 1, whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        let arg = parts.count > 1 ? parts[1].trimmingCharacters(in: .whitespaces) : ""
        switch parts[0] {
        case ":quit", ":q": return false
        case ":help":
            print("""
            Enter statements or expressions; an expression's value is shown as VALUE : TYPE.
              :type EXPR   show an expression's type without running it
              :load FILE   check and run a file in this session
              :reset       forget every definition
              :quit        leave (also Ctrl-D)
            Tab completes names (module.member too); Up and Ctrl-R search the history,
            kept in ~/.keel_history; Ctrl-C stops a running evaluation or drops the line.
            """)
        case ":type":
            do { print(try engine.typeOf(expression: SourceFile(name: "<type>", text: arg))) } catch { _ = reporter.report(error) }
        case ":load":
            guard !arg.isEmpty else { print("usage: :load FILE"); break }
            var path = arg
            if path.hasPrefix("~/"), let home = ProcessInfo.processInfo.environment["HOME"] {
                path = home + path.dropFirst()
            }
            guard let file = reporter.read(path) else { break }
            LineEditor.prepareToRun(engine)
            do { try engine.load(file: file) } catch { _ = reporter.report(error) }
        case ":reset":
            if let fresh = try? Engine.commandLine() {
                engine = fresh
                LineEditor.use(fresh)
            }
        default:
            print("unknown command \(parts[0]); :help lists them")
        }
        return true
    }

    /// An open bracket, brace or string means the input continues on the next line.
    static func isIncomplete(_ text: String) -> Bool {
        var depth = 0, inString = false, escaped = false
        var previous: Character = " "
        var comment = false
        for ch in text {
            if comment { if ch == "\n" { comment = false }; previous = ch; continue }
            if inString {
                if escaped { escaped = false } else if ch == "\\" { escaped = true } else if ch == "\"" { inString = false } else if ch == "\n" { return false }
            } else {
                switch ch {
                case "\"": inString = true
                case "(", "[", "{": depth += 1
                case ")", "]", "}": depth -= 1
                case "/" where previous == "/": comment = true
                default: break
                }
            }
            previous = ch
        }
        return inString || depth > 0
    }
}
