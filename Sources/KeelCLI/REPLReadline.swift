import CReadline
import Foundation
import Keel
import Synchronization

// Readline glue for the REPL: tab completion, Ctrl-C and history. Readline calls back
// through C function pointers, which cannot capture context, so the state they need
// lives in these globals; only the REPL thread touches them, except where noted.

/// The engine completion asks; `:reset` points it at the fresh one.
nonisolated(unsafe) var replEngine: Engine?
/// What SIGINT cancels; read by the signal handler without retaining it.
nonisolated(unsafe) var replCancellation: Unmanaged<Cancellation>?
/// Set by the SIGINT handler; taken by the line reader, which then discards the line.
let replInterruptPending = Atomic<Bool>(false)
/// The thread running the REPL; SIGINT delivered to any other thread is forwarded to it
/// so that its blocking `read` returns EINTR.
nonisolated(unsafe) var replThread: pthread_t = pthread_self()
/// True after Ctrl-C ended the current `readline` call: the line it returns is dropped.
nonisolated(unsafe) var replLineDiscarded = false
/// The candidates `replCompletionGenerator` hands to `rl_completion_matches`.
nonisolated(unsafe) var replMatches: [String] = []
nonisolated(unsafe) var replMatchIndex = 0

enum LineEditor {
    static let commands = ["help", "type", "load", "reset", "quit"]
    /// Everything but letters, digits, `_` and `.` ends a Keel word, so `random.ch` is one word.
    static let keelBreaks = strdup(" \t\n\"\\'`@$><=;|&{([,)]}+-*/%!~^?:#")!
    /// After `:load` only blanks end the word: the rest is a path.
    static let pathBreaks = strdup(" \t\n")!

    /// Sets up completion, the Ctrl-C handling and the history, for `engine`.
    static func install(engine: Engine) {
        use(engine)
        replThread = pthread_self()
        _ = replInterruptPending.exchange(false, ordering: .relaxed)
        rl_readline_name = UnsafePointer(strdup("keel"))
        rl_attempted_completion_function = replAttemptCompletion
        rl_completion_word_break_hook = replWordBreaks
        rl_basic_word_break_characters = UnsafePointer(keelBreaks)
        rl_completer_word_break_characters = UnsafePointer(keelBreaks)
        // Readline must not take SIGINT over: the handler below cancels a running
        // evaluation, and while editing the getc hook turns it into "drop this line".
        rl_catch_signals = 0
        rl_getc_function = replGetc
        for map in ["emacs", "vi-insert", "vi-command"] {
            if let keymap = rl_get_keymap_by_name(map) { rl_bind_key_in_map(3, replDropLine, keymap) }
        }
        var action = sigaction()
        action.__sigaction_handler.sa_handler = replOnSIGINT
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0  // no SA_RESTART: the terminal read must be interrupted
        sigaction(SIGINT, &action, nil)
        using_history()
        stifle_history(1000)
    }

    /// Makes `engine` the one completion and Ctrl-C act on.
    static func use(_ engine: Engine) {
        // The handler's pointer moves first: the old engine may go when `replEngine` lets it.
        replCancellation = Unmanaged.passUnretained(engine.vm.cancellation)
        replEngine = engine
    }

    /// Reads one line; nil at end of input, `.interrupted` when Ctrl-C dropped it.
    static func read(prompt: String) -> Line {
        _ = replInterruptPending.exchange(false, ordering: .relaxed)
        replLineDiscarded = false
        guard let raw = readline(prompt) else { return .end }
        defer { free(raw) }
        if replLineDiscarded { return .interrupted }
        return .text(String(cString: raw))
    }

    /// Clears the cancellation before running input. A Ctrl-C that came after the line was
    /// read (Enter, then Ctrl-C at once) still cancels it.
    static func prepareToRun(_ engine: Engine) {
        engine.vm.cancellation.reset()
        if replInterruptPending.exchange(false, ordering: .relaxed) { engine.vm.cancellation.cancel() }
    }

    enum Line: Equatable {
        case text(String)
        case interrupted
        case end
    }

    /// Adds an entry unless it repeats the previous one.
    static func remember(_ line: String) {
        if history_length > 0, let last = history_get(history_base + history_length - 1),
           let text = last.pointee.line, String(cString: text) == line {
            return
        }
        add_history(line)
    }

    /// `~/.keel_history`, or nil when HOME is unset.
    static var historyPath: String? {
        guard let home = ProcessInfo.processInfo.environment["HOME"], !home.isEmpty else { return nil }
        return home + "/.keel_history"
    }

    /// The candidates for `text`, which starts at byte `start` of the line being edited.
    static func candidates(for text: String, before: String) -> (matches: [String], append: Character?) {
        let head = before.drop { $0 == " " || $0 == "\t" }
        if head == ":" {
            return (commands.filter { $0.hasPrefix(text) }, " ")
        }
        guard let engine = replEngine else { return ([], nil) }
        let matches = engine.completions(for: text)
        // A module whose members are named `module.member` completes to `module.`, ready for them.
        if matches.count == 1, let only = matches.first, !only.contains("."),
           !head.hasSuffix("use "), !engine.completions(for: only + ".").isEmpty {
            return (matches, ".")
        }
        return (matches, " ")
    }

    /// True when the line, up to the completion point, is a `:load` command.
    static func completingPath(_ before: String) -> Bool {
        let head = before.drop { $0 == " " || $0 == "\t" }
        return head.hasPrefix(":load ") || head.hasPrefix(":load\t")
    }

    /// The line up to the cursor (readline's buffer holds the whole line).
    static var lineBeforeCursor: String {
        guard let buffer = rl_line_buffer else { return "" }
        let bytes = UnsafeRawBufferPointer(start: buffer, count: Int(max(0, rl_point)))
        return String(decoding: bytes, as: UTF8.self)
    }
}

private let replWordBreaks: @convention(c) () -> UnsafeMutablePointer<CChar>? = {
    LineEditor.completingPath(LineEditor.lineBeforeCursor) ? LineEditor.pathBreaks : LineEditor.keelBreaks
}

private let replAttemptCompletion: @convention(c) (UnsafePointer<CChar>?, Int32, Int32)
    -> UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = { text, start, _ in
    guard let text, let buffer = rl_line_buffer else { return nil }
    let before = String(decoding: UnsafeRawBufferPointer(start: buffer, count: Int(max(0, start))), as: UTF8.self)
    if LineEditor.completingPath(before) {
        rl_attempted_completion_over = 0  // readline's own file name completion
        return nil
    }
    rl_attempted_completion_over = 1  // never fall back to file names
    let (matches, append) = LineEditor.candidates(for: String(cString: text), before: before)
    guard !matches.isEmpty else { return nil }
    if let append, let ascii = append.asciiValue { rl_completion_append_character = Int32(ascii) }
    replMatches = matches
    replMatchIndex = 0
    return rl_completion_matches(text, replCompletionGenerator)
}

private let replCompletionGenerator: @convention(c) (UnsafePointer<CChar>?, Int32) -> UnsafeMutablePointer<CChar>? = { _, state in
    if state == 0 { replMatchIndex = 0 }
    guard replMatchIndex < replMatches.count else { return nil }
    defer { replMatchIndex += 1 }
    return strdup(replMatches[replMatchIndex])
}

/// SIGINT: cancel whatever runs, and tell the line reader. Only atomic stores and
/// `pthread_kill` here, nothing that allocates or locks.
private let replOnSIGINT: @convention(c) (Int32) -> Void = { _ in
    if pthread_equal(pthread_self(), replThread) == 0 {
        pthread_kill(replThread, SIGINT)
        return
    }
    replInterruptPending.store(true, ordering: .relaxed)
    replCancellation?._withUnsafeGuaranteedRef { $0.cancel() }
}

/// Readline's character source: a plain `read`, except that a pending Ctrl-C becomes the
/// byte 3, which `replDropLine` is bound to (with ISIG on, the terminal never sends it).
private let replGetc: @convention(c) (UnsafeMutablePointer<FILE>?) -> Int32 = { stream in
    let fd = stream.map { fileno($0) } ?? 0
    while true {
        if replInterruptPending.exchange(false, ordering: .relaxed) { return 3 }
        var byte: UInt8 = 0
        let n = Glibc.read(fd, &byte, 1)
        if n == 1 { return Int32(byte) }
        if n == 0 { return EOF }
        if errno == EINTR {
            rl_check_signals()  // a window resize, say
            continue
        }
        return EOF
    }
}

/// Ctrl-C while editing: leave the line on screen marked `^C` and end this `readline`.
private let replDropLine: @convention(c) (Int32, Int32) -> Int32 = { _, _ in
    replLineDiscarded = true
    rl_point = rl_end
    rl_redisplay()
    fputs("^C", rl_outstream ?? stdout)
    rl_crlf()
    rl_done = 1
    return 0
}
