import Money
import Syntax
import Types

/// Host-provided functions, by the name scripts call them with.
public typealias HostFunctions = [String: HostFunction]

/// A host function's body. Kept in a struct, not directly in a dictionary, so calls reach
/// it without reabstraction thunks (see `Compiler.Step`).
public struct HostFunction {
    public typealias Body = ([Value]) throws -> Value
    public let body: Body
    public init(_ body: @escaping Body) { self.body = body }
}

/// Compiles checked syntax trees into closures, once. Variables are resolved to frame
/// slots, globals or capture indices here, so nothing is looked up by name at run time.
public final class Compiler {
    let checked: CheckedProgram
    let hostFunctions: HostFunctions
    var file: SourceFile
    /// The function being compiled (index into `checked.functions`).
    var fn = 0
    var protos: [Int: FunctionProto] = [:]
    /// Top-level functions by their variable, for direct calls.
    var protosByVariable: [Int: FunctionProto] = [:]
    var recordShapes: [String: RecordShape] = [:]
    var enumShapes: [String: EnumShape] = [:]

    public init(checked: CheckedProgram, host: HostFunctions, shapes: Shapes) {
        self.checked = checked
        self.hostFunctions = host
        self.file = checked.programs.first?.file ?? SourceFile(name: "<none>", text: "")
        self.recordShapes = shapes.records
        self.enumShapes = shapes.enums
        self.protos = shapes.protos
        self.protosByVariable = shapes.protosByVariable
    }

    /// Shapes and top-level function objects survive from one compile to the next (the REPL).
    public struct Shapes {
        public internal(set) var records: [String: RecordShape] = [:]
        public internal(set) var enums: [String: EnumShape] = [:]
        var protos: [Int: FunctionProto] = [:]
        var protosByVariable: [Int: FunctionProto] = [:]
        public init() {}
    }

    public var shapes: Shapes {
        var s = Shapes()
        s.records = recordShapes
        s.enums = enumShapes
        s.protos = protos
        s.protosByVariable = protosByVariable
        return s
    }

    func site(_ span: Span) -> Site { Site(file: file, span: span) }

    /// Compiles one program's top-level statements into a runnable sequence. With
    /// `keepingLastValue`, a final expression statement leaves its value in `vm.returnValue`.
    public func compile(_ program: Program, keepingLastValue: Bool = false) -> StmtCode {
        file = program.file
        fn = 0
        makeShapes()
        for case .currency(let code, let units) in program.stmts.map(\.kind) {
            CurrencyTable.shared.declare(code, minorUnits: units)
        }
        // Every top-level function object exists before any body is compiled, so a body
        // may call a function declared further down.
        var topLevel: [Function] = []
        for stmt in program.stmts {
            guard case .function(let f) = stmt.kind, let v = checked.declarations[stmt.id],
                  checked.variables[v].isConstantFunction, checked.variables[v].isGlobal else { continue }
            protosByVariable[v] = makeProto(f)
            topLevel.append(f)
        }
        for f in topLevel { compileBody(f) }
        var steps = program.stmts.map { Step(run: statement($0)) }
        if keepingLastValue, let last = program.stmts.last, case .expr(let e) = last.kind {
            let value = expr(e).value
            steps[steps.count - 1] = Step { vm throws(Unwind) in
                vm.returnValue = try value(vm)
                return .normal
            }
        }
        return sequence(steps)
    }

    func makeShapes() {
        for (name, info) in checked.records where recordShapes[name] == nil {
            recordShapes[name] = RecordShape(name: name, fields: info.fields.map(\.name))
        }
        for (name, info) in checked.enums where enumShapes[name] == nil {
            enumShapes[name] = EnumShape(name: name, variants: info.variants.map(\.name))
        }
    }

    /// A compiled statement. Closures kept in a struct, not directly in an array, keep their
    /// own calling convention: no reabstraction thunk on every call (a quarter of a hot loop).
    struct Step {
        let run: StmtCode
    }

    func sequence(_ stmts: [Stmt]) -> StmtCode { sequence(stmts.map { Step(run: statement($0)) }) }

    func sequence(_ steps: [Step]) -> StmtCode {
        switch steps.count {
        case 0: return { _ throws(Unwind) in .normal }
        case 1: return steps[0].run
        case 2:
            let a = steps[0].run, b = steps[1].run
            return { vm throws(Unwind) in
                let f = try a(vm)
                if f != .normal { return f }
                return try b(vm)
            }
        default:
            return { vm throws(Unwind) in
                for step in steps {
                    let f = try step.run(vm)
                    if f != .normal { return f }
                }
                return .normal
            }
        }
    }

    func type(_ e: Expr) -> KType { checked.types[e.id] ?? .error }

    // MARK: functions

    /// The function object for a source function, with its body compiled.
    func proto(for f: Function) -> FunctionProto {
        if let index = checked.functionIndex[f.id], let p = protos[index] { return p }
        let p = makeProto(f)
        compileBody(f)
        return p
    }

    /// Registers a function object whose body is compiled later, so calls can reach it first.
    @discardableResult
    func makeProto(_ f: Function) -> FunctionProto {
        guard let index = checked.functionIndex[f.id] else {
            return FunctionProto(name: f.name ?? "<lambda>", arity: f.params.count, frameSize: 0, clearsFrame: false, site: site(f.span))
        }
        if let p = protos[index] { return p }
        let info = checked.functions[index]
        let p = FunctionProto(name: info.name, arity: f.params.count, frameSize: info.frameSize,
                              clearsFrame: frameHoldsReferences(index), site: site(f.span))
        protos[index] = p
        return p
    }

    func compileBody(_ f: Function) {
        guard let index = checked.functionIndex[f.id], let p = protos[index] else { return }
        let info = checked.functions[index]
        let savedFn = fn
        fn = index
        defer { fn = savedFn }
        let ret: KType
        if case .function(_, let r) = info.type { ret = r } else { ret = .unit }
        let compiled = blockValue(f.body, resultType: ret)
        // Arguments arrive as plain values; a parameter an inner closure captures moves into a cell.
        let boxed = info.params.filter { checked.variables[$0].captured }.map { checked.variables[$0].slot }
        if boxed.isEmpty {
            p.body = compiled.value
            if ret == .int, case .int(let c) = compiled { p.intBody = c }
            return
        }
        let body = compiled.value
        p.body = { vm throws(Unwind) in
            for slot in boxed { vm.stack[vm.base + slot] = .cell(Cell(vm.stack[vm.base + slot])) }
            return try body(vm)
        }
    }

    /// Whether any slot of a frame may hold a reference, so it must be cleared on return.
    func frameHoldsReferences(_ index: Int) -> Bool {
        checked.variables.contains { !$0.isGlobal && $0.function == index && Self.mayHoldReference($0) }
    }

    /// Whether a local's slot may keep an object alive (a string, a collection, a book).
    static func mayHoldReference(_ v: Variable) -> Bool {
        if v.captured { return true }
        switch v.type {
        case .int, .bool, .float, .duration, .unit: return false
        default: return true
        }
    }

    /// Makes a closure value for a lambda or nested function, capturing cells by reference.
    func closure(_ f: Function) -> Code {
        let p = proto(for: f)
        guard let index = checked.functionIndex[f.id] else { return { _ throws(Unwind) in .function(Closure(proto: p, captures: [])) } }
        let sources = checked.functions[index].captures.map(captureSource)
        if sources.isEmpty {
            let shared = Closure(proto: p, captures: [])
            return { _ throws(Unwind) in .function(shared) }
        }
        let s = site(f.span)
        return { vm throws(Unwind) in
            var cells: [Cell] = []
            cells.reserveCapacity(sources.count)
            for source in sources {
                switch source {
                case .slot(let slot):
                    guard case .cell(let c) = vm.stack[vm.base + slot] else { throw internalError("cell", s) }
                    cells.append(c)
                case .capture(let k):
                    cells.append(vm.captures[k])
                }
            }
            return .function(Closure(proto: p, captures: cells))
        }
    }

    enum CaptureSource { case slot(Int), capture(Int) }

    /// Where the function being compiled finds a variable an inner function captures.
    func captureSource(_ variable: Int) -> CaptureSource {
        let v = checked.variables[variable]
        if v.function == fn { return .slot(v.slot) }
        return .capture(checked.functions[fn].captures.firstIndex(of: variable) ?? 0)
    }

    // MARK: blocks

    /// A block in value position: its statements, then its last expression.
    func blockValue(_ b: Block, resultType: KType) -> Compiled {
        guard let last = b.stmts.last, case .expr(let tail) = last.kind else {
            let body = sequence(b.stmts)
            return .value { vm throws(Unwind) in
                let f = try body(vm)
                if f != .normal { throw .signal(f) }
                return .unit
            }
        }
        let prefix = Array(b.stmts.dropLast())
        let t = expr(tail)
        if prefix.isEmpty { return t }
        let body = sequence(prefix)
        switch t {
        case .int(let c):
            return .int { vm throws(Unwind) in
                let f = try body(vm)
                if f != .normal { throw .signal(f) }
                return try c(vm)
            }
        case .bool(let c):
            return .bool { vm throws(Unwind) in
                let f = try body(vm)
                if f != .normal { throw .signal(f) }
                return try c(vm)
            }
        case .value(let c):
            return .value { vm throws(Unwind) in
                let f = try body(vm)
                if f != .normal { throw .signal(f) }
                return try c(vm)
            }
        }
    }

    // MARK: calls

    /// Calls a Keel closure with arguments already evaluated, in a fresh frame above the caller's.
    public static func invoke(_ vm: VM, _ closure: Closure, _ args: [Value], frameOffset: Int, site: Site) throws(Unwind) -> Value {
        if let native = closure.native {
            return try vm.asHostCaller { () throws(Unwind) in try callNative(native, args, site) }
        }
        let newBase = try enter(vm, closure.proto, frameOffset: frameOffset, site: site)
        for (i, a) in args.enumerated() { vm.stack[newBase + i] = a }
        return try run(vm, closure, newBase: newBase, site: site)
    }

    /// `invoke` with one argument, or two, stored straight into the new frame: the callback
    /// of `map`, `filter`, `fold` and the like runs once per element, and an array for its
    /// arguments each time cost an allocation.
    static func invoke(_ vm: VM, _ closure: Closure, _ a: Value, _ b: Value? = nil, frameOffset: Int,
                       site: Site) throws(Unwind) -> Value {
        if closure.native != nil { return try invoke(vm, closure, b.map { [a, $0] } ?? [a], frameOffset: frameOffset, site: site) }
        let newBase = try enter(vm, closure.proto, frameOffset: frameOffset, site: site)
        vm.stack[newBase] = a
        if let b { vm.stack[newBase + 1] = b }
        return try run(vm, closure, newBase: newBase, site: site)
    }

    /// Runs a closure's body in the frame at `newBase`, with its captures.
    @inline(__always)
    private static func run(_ vm: VM, _ closure: Closure, newBase: Int, site: Site) throws(Unwind) -> Value {
        let savedCaptures = vm.captures
        vm.captures = closure.captures
        defer { vm.captures = savedCaptures }
        return try run(vm, closure.proto, newBase: newBase, site: site)
    }

    /// Host code throws untyped errors; they become positioned script errors.
    static func callNative(_ native: HostFunction.Body, _ args: [Value], _ site: Site) throws(Unwind) -> Value {
        do {
            return try native(args)
        } catch let e as Unwind {
            throw e
        } catch {
            throw fail("\(error)", site)
        }
    }

    @inline(__always)
    static func enter(_ vm: VM, _ p: FunctionProto, frameOffset: Int, site: Site) throws(Unwind) -> Int {
        let newBase = vm.base + frameOffset
        if vm.depth >= vm.limits.callDepth || newBase + p.frameSize > vm.capacity {
            throw .failure(RuntimeError("recursion too deep: more than \(vm.limits.callDepth) nested calls (in '\(p.name)')",
                                        at: site, limit: .callDepth))
        }
        try vm.step(site)
        return newBase
    }

    /// Runs a body in the frame at `newBase`, turning `return` into the result.
    @inline(__always)
    static func run(_ vm: VM, _ p: FunctionProto, newBase: Int, site: Site) throws(Unwind) -> Value {
        try inFrame(vm, p, newBase: newBase, site: site, body: p.body) { $0 }
    }

    /// The same for an unboxed Int body.
    @inline(__always)
    static func runInt(_ vm: VM, _ p: FunctionProto, _ body: IntCode, newBase: Int, site: Site) throws(Unwind) -> Int {
        try inFrame(vm, p, newBase: newBase, site: site, body: body) { v in
            if case .int(let i) = v { return i }
            return nil
        }
    }

    /// Enters the frame, runs `body`, and leaves the frame however the body ends; a
    /// `return` signal's value is unboxed by `returned`.
    @inline(__always)
    static func inFrame<T>(_ vm: VM, _ p: FunctionProto, newBase: Int, site: Site,
                           body: (VM) throws(Unwind) -> T, returned: (Value) -> T?) throws(Unwind) -> T {
        let savedBase = vm.base
        vm.base = newBase
        vm.depth += 1
        defer {
            vm.depth -= 1
            if p.clearsFrame { clear(vm, newBase, p.frameSize) }
            vm.base = savedBase
        }
        do throws(Unwind) {
            return try body(vm)
        } catch {
            if case .signal(.returned) = error, let v = returned(vm.returnValue) { return v }
            throw unwound(error, vm, p, site)
        }
    }

    /// An error leaving a call gains a call-stack line.
    static func unwound(_ error: Unwind, _ vm: VM, _ p: FunctionProto, _ site: Site) -> Unwind {
        switch error {
        case .signal: return error
        case .failure(let e):
            if e.trace.count < 50 { e.trace.append((p.name, site)) }
            return error
        }
    }

    static func clear(_ vm: VM, _ base: Int, _ count: Int) {
        for i in base..<base + count { vm.stack[i] = .unit }
    }
}
