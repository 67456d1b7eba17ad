@_exported import Runtime
@_exported import Syntax
@_exported import Types
@_exported import Money
#if canImport(Glibc)
import Glibc
#endif

/// Why a load failed: the program was rejected before running (exit 1), or stopped while running (exit 2).
public enum KeelError: Error, CustomStringConvertible {
    case rejected([Diagnostic])
    /// A runtime error; `limit` names the resource limit when one stopped the script.
    case runtime(Diagnostic, limit: LimitKind?)

    public var diagnostics: [Diagnostic] {
        switch self {
        case .rejected(let ds): return ds
        case .runtime(let d, _): return [d]
        }
    }

    public var exitCode: Int32 {
        if case .rejected = self { return 1 }
        return 2
    }

    public var description: String { diagnostics.map(\.description).joined(separator: "\n") }
}

/// A folder a host lets scripts keep files in. Scripts name files by relative paths
/// inside it; absolute paths, `.` and `..` are refused, and so is a path that a symbolic
/// link in the folder would take outside it.
public struct FileAccess: Sendable {
    public let root: String
    public init(root: String) { self.root = root }

    /// The full path of a script's relative path, or why it is refused.
    public func resolve(_ path: String) throws -> String {
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        guard !path.isEmpty, !path.hasPrefix("/"), !parts.contains(".."), !parts.contains("."), parts.last?.isEmpty == false,
              !path.contains("\0") else {
            throw HostError("'\(path)' is not a relative path inside the script's folder")
        }
        let full = root.hasSuffix("/") ? root + path : root + "/" + path
        guard let folder = Self.realPath(root) else { throw HostError("the script's folder \(root) cannot be reached") }
        // Where the path leads once every link is followed: the file itself when it
        // exists, else its folder (a link to nowhere would be created through).
        let parent = String(full[..<(full.lastIndex(of: "/") ?? full.endIndex)])
        var status = stat()
        let isLink = lstat(full, &status) == 0 && status.st_mode & S_IFMT == S_IFLNK
        guard let target = Self.realPath(full) ?? (isLink ? nil : Self.realPath(parent)) else {
            if isLink { throw HostError("'\(path)' is a link to nothing") }
            return full  // Its folder does not exist: opening it fails with that reason.
        }
        guard target == folder || target.hasPrefix(folder.hasSuffix("/") ? folder : folder + "/") else {
            throw HostError("'\(path)' leads outside the script's folder")
        }
        return full
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}

/// An interpreter instance: the checked and compiled state of everything loaded so far.
/// Hosts load scripts, define functions scripts may call, and call script functions.
public final class Engine {
    public let vm: VM
    let checker: Checker
    var host = HostEnvironment()
    var hostFunctions: HostFunctions = [:]
    public internal(set) var shapes = Compiler.Shapes()
    var nextID = 0
    var loadedModules: Set<String> = []
    var moduleSources: [String: String] = [:]
    /// While a `Script` is compiled, top-level code is collected here instead of run.
    var recording: [StmtCode]?
    /// Where `use NAME` finds `NAME.keel`; nil for a hermetic engine with no stdlib.
    public private(set) var stdlibPath: String?
    /// The folder scripts may keep files in (a ledger's database); nil, the default, grants none.
    public var files: FileAccess?

    /// An engine. Scripts see no file system, network, clock or environment: only the
    /// functions the host `define`s. `print` goes to `output`, which discards unless the
    /// host passes a sink (the CLI passes `.standardOutput`).
    public init(limits: Limits = Limits(), stdlibPath: String? = Engine.defaultStdlibPath(),
                output: OutputBuffer = OutputBuffer { _ in }) throws {
        self.vm = VM(limits: limits, output: output)
        host.modules = Set(Checker.moduleFunctions.keys)
        host.isCurrency = { Currency.iso($0) != nil }
        self.checker = Checker(host: host)
        Bindings.install(into: self)
        if let stdlibPath { try useStdlib(at: stdlibPath) }
    }

    /// Makes `stdlib/NAME.keel` modules available to `use`, and loads the prelude.
    public func useStdlib(at path: String) throws {
        stdlibPath = path
        for name in Self.moduleNames(in: path) { host.modules.insert(name) }
        checker.updateHost(host)
        if host.modules.contains("prelude") { try loadModule("prelude") }
    }

    deinit { vm.output.flush() }

    // MARK: host functions

    /// Makes a Swift function callable from scripts under `name`, with the given Keel type.
    public func define(_ name: String, _ signature: String, _ body: @escaping ([Value]) throws -> Value) throws {
        let type = try parseType(signature)
        guard case .function(let params, let result) = type else {
            throw KeelError.rejected([Diagnostic(file: SourceFile(name: "<define>", text: signature), line: 1, column: 1,
                                                 message: "'\(signature)' is not a function type")])
        }
        host.functions[name] = HostEnvironment.Signature(params: params, result: result)
        if let dot = name.firstIndex(of: ".") { host.modules.insert(String(name[..<dot])) }
        hostFunctions[name] = HostFunction(body)
        checker.updateHost(host)
    }

    /// Defines a host function from Keel types directly, for bindings whose types name
    /// records or enums declared by a module's Keel source.
    public func define(_ name: String, params: [KType], labels: [String?]? = nil, result: KType,
                       literalCheck: LiteralCheck? = nil, _ body: @escaping ([Value]) throws -> Value) {
        host.functions[name] = HostEnvironment.Signature(params: params, labels: labels, result: result, literalCheck: literalCheck)
        if let dot = name.firstIndex(of: ".") {
            let prefix = String(name[..<dot])
            if !host.hostTypes.contains(prefix) { host.modules.insert(prefix) }
        }
        hostFunctions[name] = HostFunction(body)
        checker.updateHost(host)
    }

    /// Makes `name` a type scripts can name, whose values are host objects; functions
    /// defined as `name.method` are called as methods on them.
    /// With `takesUnit`, scripts write the type with a unit (`Account[USD]`) or without one
    /// (known at run time), and signatures may carry unit variables (`KType.unitCode`).
    public func defineType(_ name: String, takesUnit: Bool = false) {
        host.hostTypes.insert(name)
        if takesUnit { host.unitHostTypes.insert(name) }
        checker.updateHost(host)
    }

    /// Makes values of the enum `name` results a statement may not drop.
    public func requireHandling(_ name: String) {
        host.mustUse.insert(name)
        checker.updateHost(host)
    }

    /// Keel declarations (records, enums, helper functions) that `use NAME` loads along with
    /// a bound module, before any `stdlib/NAME.keel`.
    public func defineModuleSource(_ name: String, _ source: String) {
        moduleSources[name] = source
        host.modules.insert(name)
        checker.updateHost(host)
    }

    func parseType(_ text: String) throws -> KType {
        let file = SourceFile(name: "<type>", text: "let _t: \(text) = none")
        let (program, _, diags) = Parser.parse(file)
        guard diags.isEmpty, case .binding(_, _, _, let t?, _)? = program.stmts.first?.kind else {
            throw KeelError.rejected(diags)
        }
        let probe = Checker(host: host)
        let resolved = probe.resolveType(t)
        if !probe.diagnostics.isEmpty { throw KeelError.rejected(probe.diagnostics) }
        return resolved
    }

    // MARK: loading

    /// Checks a whole program, then runs it. Nothing runs if any part fails to check.
    public func load(source: String, name: String = "<input>") throws {
        try load(file: SourceFile(name: name, text: source))
    }

    public func load(file: SourceFile) throws {
        let program = try parse(file)
        try loadUses(of: program)
        let run = try checkAndCompile(program)
        try execute(run)
    }

    /// Syntax and type check only.
    public func check(file: SourceFile) throws {
        let program = try parse(file)
        try loadUses(of: program, run: false)
        try checkOrRollBack(program)
    }

    /// Checks a program into the engine's state; on any error the state is as before.
    func checkOrRollBack(_ program: Program) throws {
        let snapshot = checker.snapshot()
        checker.check(program)
        if !checker.diagnostics.isEmpty {
            let ds = checker.diagnostics
            checker.restore(snapshot)
            throw KeelError.rejected(ds)
        }
    }

    func parse(_ file: SourceFile) throws -> Program {
        let (program, next, diags) = Parser.parse(file, firstID: nextID)
        nextID = next
        if !diags.isEmpty { throw KeelError.rejected(diags) }
        return program
    }

    func loadUses(of program: Program, run: Bool = true) throws {
        for stmt in program.stmts {
            guard case .use(let name) = stmt.kind, !loadedModules.contains(name) else { continue }
            if moduleSources[name] != nil || (stdlibPath.map({ Self.moduleNames(in: $0).contains(name) }) ?? false) {
                try loadModule(name, run: run)
            }
        }
    }

    func loadModule(_ name: String, run: Bool = true) throws {
        guard !loadedModules.contains(name) else { return }
        loadedModules.insert(name)
        if let source = moduleSources[name] {
            try loadLibrary(SourceFile(name: "<module \(name)>", text: source), run: run)
        }
        guard let stdlibPath, let bytes = Self.readFile(stdlibPath + "/" + name + ".keel") else { return }
        switch SourceFile.decode(name: "stdlib/\(name).keel", bytes: bytes) {
        case .success(let file): try loadLibrary(file, run: run)
        case .failure(let d): throw KeelError.rejected([d])
        }
    }

    func loadLibrary(_ file: SourceFile, run: Bool) throws {
        let program = try parse(file)
        try loadUses(of: program, run: run)
        checker.declaringLibrary = true
        defer { checker.declaringLibrary = false }
        let code = try checkAndCompile(program)
        if run { try execute(code) }
    }

    /// Runs REPL input; when it ends in an expression, gives that value and its type.
    public func evaluate(file: SourceFile) throws -> (Value, KType)? {
        let program = try parse(file)
        try loadUses(of: program)
        let code = try checkAndCompile(program, keepingLastValue: true)
        vm.returnValue = .unit
        try execute(code)
        guard case .expr(let e)? = program.stmts.last?.kind, let type = checker.result.types[e.id] else { return nil }
        return (vm.returnValue, type)
    }

    /// The type of an expression, checked in the current scope without running it or keeping it.
    public func typeOf(expression file: SourceFile) throws -> KType {
        let program = try parse(file)
        let snapshot = checker.snapshot()
        defer { checker.restore(snapshot) }
        checker.check(program)
        if !checker.diagnostics.isEmpty { throw KeelError.rejected(checker.diagnostics) }
        guard case .expr(let e)? = program.stmts.last?.kind, let type = checker.result.types[e.id] else { return .unit }
        return type
    }

    func checkAndCompile(_ program: Program, keepingLastValue: Bool = false) throws -> StmtCode {
        try checkOrRollBack(program)
        let compiler = Compiler(checked: checker.result, host: hostFunctions, shapes: shapes)
        let code = compiler.compile(program, keepingLastValue: keepingLastValue)
        shapes = compiler.shapes
        vm.ensureGlobals(checker.result.globalCount)
        return code
    }

    func execute(_ code: @escaping StmtCode) throws {
        if recording != nil {
            recording?.append(code)
            return
        }
        defer { vm.output.flush() }
        vm.beginRun()
        do throws(Unwind) {
            vm.base = 0
            _ = try code(vm)
        } catch {
            switch error {
            case .failure(let e): throw KeelError.runtime(e.diagnostic(), limit: e.limit)
            case .signal: return
            }
        }
    }

    // MARK: calling into scripts

    /// Calls a top-level script function by name; the arguments are checked against its
    /// parameter types first.
    public func call(_ name: String, _ args: [Value]) throws -> Value {
        guard let entry = Engine.entry(name, in: checker.result) else { throw Engine.hostError("no function '\(name)' is loaded") }
        return try Engine.call(entry, args, vm: vm, frameOffset: checker.result.functions[0].frameSize)
    }

    /// Where a top-level function lives and what it takes.
    struct FunctionEntry {
        let name: String
        let slot: Int
        let params: [KType]
    }

    static func entry(_ name: String, in checked: CheckedProgram) -> FunctionEntry? {
        guard let id = checked.variables.lastIndex(where: { $0.isGlobal && $0.name == name }),
              case .function(let params, _) = checked.variables[id].type else { return nil }
        return FunctionEntry(name: name, slot: checked.variables[id].slot, params: params)
    }

    static let hostSite = Site(file: SourceFile(name: "<host>", text: ""), span: Span(0, 0))

    static func call(_ entry: FunctionEntry, _ given: [Value], vm: VM, frameOffset: Int) throws -> Value {
        let name = entry.name, params = entry.params
        guard case .function(let closure) = vm.globals[entry.slot] else { throw hostError("no function '\(name)' is loaded") }
        guard given.count == params.count else {
            throw hostError("'\(name)' takes \(params.count) argument\(params.count == 1 ? "" : "s"), given \(given.count)")
        }
        var args = given
        for i in args.indices {
            guard args[i].conforms(to: params[i]) else {
                throw hostError("argument \(i + 1) of '\(name)' must be \(params[i]), given \(Display.literal(args[i]))")
            }
            // An Int given for a Dec parameter is widened, as the checker does for scripts.
            if case .int(let n) = args[i], params[i].unwrapped == .dec { args[i] = .dec(Dec(n)) }
        }
        defer { vm.output.flush() }
        vm.beginRun()
        do throws(Unwind) {
            return try Compiler.invoke(vm, closure, args, frameOffset: frameOffset, site: hostSite)
        } catch {
            switch error {
            case .failure(let e): throw KeelError.runtime(e.diagnostic(), limit: e.limit)
            case .signal: return vm.returnValue
            }
        }
    }

    static func hostError(_ message: String) -> KeelError {
        .runtime(Diagnostic(file: SourceFile(name: "<host>", text: ""), line: 1, column: 1, message: message), limit: nil)
    }

    /// Completions for the word being typed: keywords, built-ins, loaded names and types,
    /// modules, and after `module.` that module's functions.
    public func completions(for word: String) -> [String] {
        if let dot = word.lastIndex(of: ".") {
            let module = String(word[..<dot])
            let members = host.functions.keys.filter { $0.hasPrefix(module + ".") }
                + (Checker.moduleFunctions[module] ?? []).map { module + "." + $0 }
            return Array(Set(members.filter { $0.hasPrefix(word) })).sorted()
        }
        var names = Set(Keyword.allCases.map(\.rawValue))
        names.formUnion(Checker.builtinFunctions)
        names.formUnion(checker.result.variables.filter(\.isGlobal).map(\.name))
        names.formUnion(checker.result.records.keys)
        names.formUnion(checker.result.enums.keys)
        names.formUnion(host.modules)
        names.formUnion(host.functions.keys.filter { !$0.contains(".") })
        names.remove("prelude")
        return names.filter { $0.hasPrefix(word) && !$0.hasPrefix("_") }.sorted()
    }

    /// The type of a loaded global, as scripts would write it.
    public func typeOf(global name: String) -> KType? {
        checker.result.variables.last { $0.isGlobal && $0.name == name }?.type
    }

    // MARK: files

    public static func readFile(_ path: String) -> [UInt8]? {
        guard let f = fopen(path, "rb") else { return nil }
        defer { fclose(f) }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = fread(&chunk, 1, chunk.count, f)
            if n > 0 { out.append(contentsOf: chunk[0..<n]) }
            if n < chunk.count { break }
        }
        if ferror(f) != 0 { return nil }
        return out
    }

    static func moduleNames(in dir: String) -> [String] {
        guard let d = opendir(dir) else { return [] }
        defer { closedir(d) }
        var names: [String] = []
        while let entry = readdir(d) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name.hasSuffix(".keel") { names.append(String(name.dropLast(5))) }
        }
        return names.sorted()
    }

    /// `$KEEL_STDLIB`, else the first `stdlib/` above the executable or the working directory.
    public static func defaultStdlibPath() -> String? {
        if let env = getenv("KEEL_STDLIB") { return String(cString: env) }
        var starts: [String] = []
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        if n > 0 {
            buffer[n] = 0
            starts.append(String(cString: buffer))
        }
        if getcwd(&buffer, buffer.count) != nil { starts.append(String(cString: buffer) + "/x") }
        for start in starts {
            var dir = start
            while let slash = dir.lastIndex(of: "/"), !dir.isEmpty {
                dir = String(dir[..<slash])
                let candidate = (dir.isEmpty ? "" : dir) + "/stdlib"
                if access(candidate + "/prelude.keel", R_OK) == 0 { return candidate }
            }
        }
        return nil
    }
}
