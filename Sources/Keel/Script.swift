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
    let shapes: Compiler.Shapes
    /// The engine the script was compiled in: its bindings' host functions, which every
    /// instance calls, read the module shapes through it.
    let compiledIn: Engine

    init(checked: CheckedProgram, code: [StmtCode], shapes: Compiler.Shapes, compiledIn: Engine) {
        self.compiledIn = compiledIn
        self.checked = checked
        self.code = code
        self.shapes = shapes
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
        // It runs no code (its top-level code is recorded for the instances), so its stack is small.
        let engine = try Engine(limits: Limits(stackSlots: 64), stdlibPath: nil, output: OutputBuffer { _ in })
        engine.recording = []
        try host(engine)
        if let stdlibPath { try engine.useStdlib(at: stdlibPath) }
        try engine.load(source: source, name: name)
        return Script(checked: engine.checker.result, code: engine.recording ?? [], shapes: engine.shapes, compiledIn: engine)
    }

    /// A fresh instance: its own globals and stack; its top-level code runs now.
    public func instantiate(limits: Limits = Limits(), output: OutputBuffer = OutputBuffer { _ in }) throws -> Instance {
        let instance = Instance(script: self, vm: VM(limits: limits, output: output))
        try instance.start()
        return instance
    }

    /// A value of one of the script's record types, for passing into its functions.
    /// Every field must be given, with a value of the field's type.
    public func record(_ name: String, _ fields: [String: Value]) throws -> Value {
        guard let info = checked.records[name], let shape = shapes.records[name] else {
            throw HostError("the script has no record type '\(name)'")
        }
        let unknown = Set(fields.keys).subtracting(info.fields.map(\.name))
        if let extra = unknown.sorted().first { throw HostError("record \(name) has no field '\(extra)'") }
        let values = try info.fields.map { field -> Value in
            guard let v = fields[field.name] else { throw HostError("record \(name) needs its field '\(field.name)'") }
            guard v.conforms(to: field.type) else {
                throw HostError("field '\(field.name)' of \(name) must be \(field.type), given \(Display.literal(v))")
            }
            if case .int(let n) = v, field.type.unwrapped == .dec { return .dec(Dec(n)) }
            return v
        }
        return .record(RecordBox(shape: shape, fields: values))
    }

    /// A value of one of the script's enums: `script.variant("Side", "buy")`.
    public func variant(_ enumName: String, _ name: String, _ payload: [Value] = []) throws -> Value {
        guard let info = checked.enums[enumName], let shape = shapes.enums[enumName] else {
            throw HostError("the script has no enum '\(enumName)'")
        }
        guard let tag = info.tag(of: name) else { throw HostError("enum \(enumName) has no variant '\(name)'") }
        let types = info.variants[tag].payload
        guard types.count == payload.count, zip(payload, types).allSatisfy({ $0.conforms(to: $1) }) else {
            throw HostError("\(enumName).\(name) carries (\(types.map(\.description).joined(separator: ", ")))")
        }
        return .variant(VariantBox.make(shape, tag: tag, payload: payload))
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
