/// A script checked and compiled once, then run many times: it is immutable and may be
/// shared across threads; each `Instance` made from it has its own state and is used by
/// one thread at a time.
///
/// ```swift
/// let script = try Script.compile(source: rules, name: "rules.keel") { engine in
///     try engine.define("now_ms", "fn() -> Int") { _ in .int(nowMs()) }
/// }
/// let instance = try script.instantiate(limits: Limits(steps: 100_000, milliseconds: 50))
/// let verdict = try instance.call("score", [.money(try Dec(parsing: "250.00"), usd), .string("new-device")])
/// ```
public final class Script: @unchecked Sendable {
    // Unchecked: compiled closures and the checked program are never mutated after `compile`.
    let checked: CheckedProgram
    let code: [StmtCode]
    let entries: [String: Engine.FunctionEntry]

    init(checked: CheckedProgram, code: [StmtCode]) {
        self.checked = checked
        self.code = code
        var entries: [String: Engine.FunctionEntry] = [:]
        for v in checked.variables where v.isGlobal && v.isConstantFunction {
            if let entry = Engine.entry(v.name, in: checked) { entries[v.name] = entry }
        }
        self.entries = entries
    }

    /// Parses, checks and compiles a script (and the stdlib modules it uses). `host`
    /// declares the host functions the script may call, with their Keel types.
    public static func compile(source: String, name: String = "<script>",
                               stdlibPath: String? = Engine.defaultStdlibPath(),
                               host: (Engine) throws -> Void = { _ in }) throws -> Script {
        let engine = try Engine(stdlibPath: nil, output: OutputBuffer { _ in })
        engine.recording = []
        try host(engine)
        if let stdlibPath { try engine.useStdlib(at: stdlibPath) }
        try engine.load(source: source, name: name)
        return Script(checked: engine.checker.result, code: engine.recording ?? [])
    }

    /// A fresh instance: its own globals and stack; its top-level code runs now.
    public func instantiate(limits: Limits = Limits(), output: OutputBuffer = OutputBuffer { _ in }) throws -> Instance {
        let instance = Instance(script: self, vm: VM(limits: limits, output: output))
        try instance.start()
        return instance
    }

    /// The script's top-level functions and their types.
    public var functions: [(name: String, type: KType)] {
        checked.variables.filter { $0.isGlobal && $0.isConstantFunction && !$0.isLibrary }.map { ($0.name, $0.type) }
    }
}

/// One running copy of a `Script`.
public final class Instance {
    public let script: Script
    public let vm: VM

    init(script: Script, vm: VM) {
        self.script = script
        self.vm = vm
    }

    func start() throws {
        vm.ensureGlobals(script.checked.globalCount)
        defer { vm.output.flush() }
        for code in script.code {
            vm.beginRun()
            do throws(Unwind) {
                vm.base = 0
                _ = try code(vm)
            } catch {
                if case .failure(let e) = error { throw KeelError.runtime(e.diagnostic(), limit: e.limit) }
            }
        }
    }

    /// Calls a top-level function by name, checking the arguments against its types.
    public func call(_ name: String, _ args: [Value]) throws -> Value {
        guard let entry = script.entries[name] else { throw Engine.hostError("no function '\(name)' is loaded") }
        return try Engine.call(entry, args, vm: vm, frameOffset: script.checked.functions[0].frameSize)
    }
}
