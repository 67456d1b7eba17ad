import Syntax

/// The static checker: resolves every name, infers and checks every type, and lays out
/// frames, before anything runs. It keeps going after an error so a file reports several.
public final class Checker {
    struct Scope {
        var names: [String: Int] = [:]
    }

    struct FunctionContext {
        var index: Int
        var returnType: KType?
        var loopDepth = 0
    }

    public internal(set) var result = CheckedProgram()
    public internal(set) var diagnostics: [Diagnostic] = []
    var host: HostEnvironment
    var file: SourceFile
    var scopes: [Scope] = [Scope()]
    var contexts: [FunctionContext] = []
    var usedModules: Set<String> = []
    /// True while a stdlib module is checked: its top-level names may be redefined by scripts.
    public var declaringLibrary = false
    /// The top-level functions of the file being checked.
    var currentFunctions: Set<String> = []
    static let maxDiagnostics = 100

    public init(host: HostEnvironment) {
        self.host = host
        self.file = SourceFile(name: "<none>", text: "")
        result.functions.append(FunctionInfo(astID: -1, name: "<main>"))
        contexts.append(FunctionContext(index: 0, returnType: nil))
    }

    /// Checks files in order (stdlib modules first); declarations accumulate, so a REPL
    /// can check one input after another against the same checker.
    public func check(_ program: Program) {
        file = program.file
        result.programs.append(program)
        declareTypes(program.stmts)
        declareFunctions(program.stmts)
        for stmt in program.stmts { statement(stmt) }
    }

    // MARK: diagnostics

    func error(_ message: String, _ span: Span) {
        guard diagnostics.count < Self.maxDiagnostics else { return }
        diagnostics.append(Diagnostic(file: file, span: span, message: message))
    }

    func mismatch(expected: KType, found: KType, _ span: Span) {
        if expected.containsError || found.containsError { return }
        let shown = found == .optional(.never) ? "none" : found == .list(.never) ? "an empty list" : "\(found)"
        error("expected \(expected), found \(shown)", span)
    }

    /// Requires `found` to fit `expected`, reporting a mismatch otherwise.
    @discardableResult
    func require(_ found: KType, fits expected: KType, _ span: Span) -> Bool {
        if found.fits(expected) { return true }
        mismatch(expected: expected, found: found, span)
        return false
    }

    /// Checks `e` with `expected` as context and requires it to fit `target`.
    @discardableResult
    func requireExpr(_ e: Expr, _ expected: KType?, fits target: KType) -> Bool {
        let found = expr(e, expected)
        guard require(found, fits: target, e.span) else { return false }
        widen(e, to: target)
        return true
    }

    /// Marks the Int-valued parts of `e` that stand where a Dec is expected, through
    /// blocks, branches and arms, so the compiler converts them.
    func widen(_ e: Expr, to target: KType) {
        switch target.unwrapped {
        case .dec, .money(.some): break
        default: return
        }
        switch e.kind {
        case .block(let b):
            widen(b, to: target)
        case .ifElse(_, let then, let otherwise):
            widen(then, to: target)
            if let otherwise { widen(otherwise, to: target) }
        case .match(_, let arms):
            for arm in arms { widen(arm.body, to: target) }
        default:
            if result.types[e.id] == .int && target.unwrapped == .dec { result.widenedToDec.insert(e.id) }
            if case .money(nil)? = result.types[e.id], case .money(let code?) = target.unwrapped {
                result.moneyChecks[e.id] = code
            }
        }
    }

    /// An ISO 4217 code, or a unit the script declared.
    func isCurrency(_ code: String) -> Bool { result.currencies[code] != nil || host.isCurrency(code) }

    func widen(_ b: Block, to target: KType) {
        if case .expr(let tail)? = b.stmts.last?.kind { widen(tail, to: target) }
    }

    func didYouMean(_ name: String, among candidates: [String]) -> String {
        guard let best = Self.closest(name, candidates) else { return "" }
        return "; did you mean '\(best)'?"
    }

    static func closest(_ name: String, _ candidates: [String]) -> String? {
        var best: (String, Int)?
        let limit = max(1, name.count / 3)
        for c in Set(candidates) where c != name {
            let d = editDistance(name, c)
            if d <= limit, best == nil || d < best!.1 || (d == best!.1 && c < best!.0) { best = (c, d) }
        }
        return best?.0
    }

    static func editDistance(_ a: String, _ b: String) -> Int {
        let x = Array(a.lowercased()), y = Array(b.lowercased())
        if abs(x.count - y.count) > 3 { return 99 }
        var prev = Array(0...y.count)
        for i in 1...max(1, x.count) where !x.isEmpty {
            var cur = [i] + Array(repeating: 0, count: y.count)
            for j in stride(from: 1, through: y.count, by: 1) {
                cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
            }
            prev = cur
        }
        return x.isEmpty ? y.count : prev[y.count]
    }

    // MARK: scopes and variables

    var currentFunction: Int { contexts[contexts.count - 1].index }
    var atTopLevel: Bool { contexts.count == 1 && scopes.count == 1 }

    func pushScope() { scopes.append(Scope()) }
    func popScope() { scopes.removeLast() }

    @discardableResult
    func declare(_ name: String, type: KType, mutable: Bool, span: Span, node: Int?,
                 constantFunction: Bool = false) -> Int {
        let global = atTopLevel
        let fn = currentFunction
        var slot: Int
        if global {
            slot = result.globalCount
            result.globalCount += 1
        } else {
            slot = result.functions[fn].frameSize
            result.functions[fn].frameSize += 1
        }
        let id = result.variables.count
        result.variables.append(Variable(name: name, type: type, mutable: mutable, function: fn, slot: slot,
                                         isGlobal: global, captured: false, isConstantFunction: constantFunction,
                                         isLibrary: global && declaringLibrary))
        if global, !constantFunction, currentFunctions.contains(name) {
            error("'\(name)' is already a function", span)
        }
        scopes[scopes.count - 1].names[name] = id
        if let node { result.declarations[node] = id }
        return id
    }

    func lookup(_ name: String) -> Int? {
        for scope in scopes.reversed() {
            if let id = scope.names[name] { return id }
        }
        return nil
    }

    /// Records a use of a variable, marking it captured when an inner function reaches it.
    func use(_ id: Int) {
        let v = result.variables[id]
        guard !v.isGlobal, v.function != currentFunction else { return }
        result.variables[id].captured = true
        for ctx in contexts.reversed() {
            if ctx.index == v.function { break }
            if !result.functions[ctx.index].captures.contains(id) {
                result.functions[ctx.index].captures.append(id)
            }
        }
    }

    var visibleNames: [String] {
        scopes.flatMap { $0.names.keys } + Array(result.records.keys) + Array(result.enums.keys)
            + Self.builtinFunctions + host.functions.keys.filter { !$0.contains(".") }
    }

    // MARK: declarations

    func declareTypes(_ stmts: [Stmt]) {
        var pending: [(Stmt, String)] = []
        for stmt in stmts {
            switch stmt.kind {
            case .currency(let code, let units):
                if !(0...36).contains(units) {
                    error("minor units must be between 0 and 36", stmt.span)
                } else if host.isCurrency(code) {
                    error("\(code) is an ISO 4217 currency; only new units can be declared", stmt.span)
                } else if let old = result.currencies[code], old != units {
                    error("\(code) is already declared with \(old) minor units", stmt.span)
                } else {
                    result.currencies[code] = units
                }
            case .record(let name, _), .enumeration(let name, _):
                if result.records[name] != nil || result.enums[name] != nil || Self.builtinTypeNames.contains(name) {
                    error("type '\(name)' is already defined", stmt.span)
                    continue
                }
                if case .record = stmt.kind { result.records[name] = RecordInfo(name: name, fields: []) }
                else { result.enums[name] = EnumInfo(name: name, variants: []) }
                pending.append((stmt, name))
            default: break
            }
        }
        for (stmt, name) in pending {
            switch stmt.kind {
            case .record(_, let fields):
                var seen = Set<String>()
                for f in fields where !seen.insert(f.name).inserted { error("duplicate field '\(f.name)'", f.span) }
                let resolved = fields.map { ($0.name, resolve($0.type)) }
                result.records[name]?.fields = resolved
            case .enumeration(_, let variants):
                var seen = Set<String>()
                for v in variants where !seen.insert(v.name).inserted { error("duplicate variant '\(v.name)'", v.span) }
                let resolved = variants.map { ($0.name, $0.payload.map(resolve)) }
                result.enums[name]?.variants = resolved
            default: break
            }
        }
    }

    /// Top-level functions are visible from the start of the file, so they may call each other.
    /// A later input (the REPL, a host's second load) may redefine a function; one file may not
    /// define the same name twice. Code compiled earlier keeps calling the definition it saw.
    func declareFunctions(_ stmts: [Stmt]) {
        currentFunctions = []
        for stmt in stmts {
            guard case .function(let f) = stmt.kind, let name = f.name else { continue }
            let type = signature(of: f)
            if !currentFunctions.insert(name).inserted {
                error("function '\(name)' is already defined", stmt.span)
            }
            declare(name, type: type, mutable: false, span: stmt.span, node: stmt.id, constantFunction: true)
        }
    }

    func signature(of f: Function) -> KType {
        let params = f.params.map { p -> KType in
            guard let t = p.type else {
                error("parameter '\(p.name)' needs a type", p.span)
                return .error
            }
            return resolve(t)
        }
        return .function(params, f.returnType.map(resolve) ?? .unit)
    }

    static let builtinTypeNames: Set<String> = ["Int", "Dec", "Float", "Bool", "String", "Duration", "Unit", "Bytes",
                                                "Money", "List", "Map"]

    public func resolveType(_ t: TypeExpr) -> KType { resolve(t) }

    func resolve(_ t: TypeExpr) -> KType {
        switch t.kind {
        case .optional(let inner):
            let r = resolve(inner)
            if case .optional = r { error("nested optional types are not allowed", t.span); return .error }
            return .optional(r)
        case .function(let ps, let r):
            return .function(ps.map(resolve), resolve(r))
        case .named(let name, let args):
            func arity(_ n: Int) -> Bool {
                if args.count == n { return true }
                error("\(name) takes \(n) type argument\(n == 1 ? "" : "s"), found \(args.count)", t.span)
                return false
            }
            switch name {
            case "Int": return arity(0) ? .int : .error
            case "Dec": return arity(0) ? .dec : .error
            case "Float": return arity(0) ? .float : .error
            case "Bool": return arity(0) ? .bool : .error
            case "String": return arity(0) ? .string : .error
            case "Duration": return arity(0) ? .duration : .error
            case "Unit": return arity(0) ? .unit : .error
            case "Bytes": return arity(0) ? .bytes : .error
            case "List": return arity(1) ? .list(resolve(args[0])) : .error
            case "Map":
                guard arity(2) else { return .error }
                let k = resolve(args[0])
                if !k.isEquatable { error("\(k) cannot be a map key", args[0].span) }
                return .map(k, resolve(args[1]))
            case "Money":
                if args.isEmpty { return .money(nil) }
                guard arity(1), case .named(let code, let inner) = args[0].kind, inner.isEmpty else { return .error }
                if !isCurrency(code) { error("unknown currency '\(code)'", args[0].span); return .error }
                return .money(code)
            default:
                if host.unitHostTypes.contains(name) {
                    if args.isEmpty { return .host(name) }
                    guard arity(1), case .named(let code, let inner) = args[0].kind, inner.isEmpty else { return .error }
                    if !isCurrency(code) { error("unknown currency '\(code)'", args[0].span); return .error }
                    return .host(name, unit: code)
                }
                if !args.isEmpty { error("\(name) takes no type arguments", t.span) }
                if result.records[name] != nil { return .record(name) }
                if result.enums[name] != nil { return .enumeration(name) }
                if host.hostTypes.contains(name) { return .host(name) }
                let known = Array(result.records.keys) + Array(result.enums.keys) + Array(Self.builtinTypeNames) + Array(host.hostTypes)
                error("unknown type '\(name)'\(didYouMean(name, among: known))", t.span)
                return .error
            }
        }
    }

    // MARK: statements

    func statement(_ stmt: Stmt) {
        switch stmt.kind {
        case .binding(let mutable, let name, let nameSpan, let annotation, let value):
            let declared = annotation.map(resolve)
            var type = expr(value, declared)
            if let declared {
                if require(type, fits: declared, value.span) { widen(value, to: declared) }
                type = declared
            } else if type.isIncomplete {
                error("cannot infer the type of '\(name)' from an empty literal; annotate it, e.g. 'let \(name): List[Int] = []'", value.span)
                type = .error
            } else if type == .unit || type == .never {
                if !type.containsError { error("'\(name)' would have no value (its initializer has type \(type))", value.span) }
            }
            declare(name, type: type, mutable: mutable, span: nameSpan, node: stmt.id)
        case .function(let f):
            functionStatement(f, stmt: stmt)
        case .record, .enumeration:
            if !(contexts.count == 1 && scopes.count == 1) { error("types must be declared at the top level", stmt.span) }
        case .currency:
            if !(contexts.count == 1 && scopes.count == 1) { error("currencies must be declared at the top level", stmt.span) }
        case .assign(let target, let op, let value):
            assignment(target, op: op, value: value, span: stmt.span)
        case .expr(let e):
            requireUsed(expr(e, nil, used: false), e)
        case .returnStmt(let value):
            returnStatement(value, span: stmt.span)
        case .breakStmt, .continueStmt:
            if contexts[contexts.count - 1].loopDepth == 0 {
                error("'\(stmt.kind.isBreak ? "break" : "continue")' outside a loop", stmt.span)
            }
        case .whileLoop(let cond, let body):
            pushScope()
            condition(cond)
            loopBody(body, of: stmt.id)
            popScope()
        case .forLoop(let names, let ids, let source, let body):
            forLoop(names: names, ids: ids, source: source, body: body, of: stmt.id)
        case .assert(let cond, let message):
            requireExpr(cond, .bool, fits: .bool)
            if let message { requireExpr(message, .string, fits: .string) }
        case .use(let name):
            if !host.modules.contains(name) {
                error("unknown module '\(name)'\(didYouMean(name, among: Array(host.modules)))", stmt.span)
            }
            usedModules.insert(name)
        }
    }

    func loopBody(_ body: Block, of loop: Int) {
        contexts[contexts.count - 1].loopDepth += 1
        let first = result.variables.count
        _ = block(body, nil, used: false)
        result.loopBodyVariables[loop] = first..<result.variables.count
        contexts[contexts.count - 1].loopDepth -= 1
    }

    func forLoop(names: [(String, Span)], ids: [Int], source: ForSource, body: Block, of loop: Int) {
        var types: [KType]
        switch source {
        case .range(let from, let to, _):
            requireExpr(from, .int, fits: .int)
            requireExpr(to, .int, fits: .int)
            types = [.int]
            if names.count == 2 { error("a range gives one value per step", names[1].1) }
        case .expr(let e):
            switch expr(e, nil) {
            case .list(let t): types = names.count == 2 ? [.int, t] : [t]
            case .map(let k, let v): types = names.count == 2 ? [k, v] : [k]
            case .string: types = names.count == 2 ? [.int, .string] : [.string]
            case .error: types = [.error, .error]
            case let other:
                error("cannot iterate over \(other)", e.span)
                types = [.error, .error]
            }
        }
        pushScope()
        for (i, (name, span)) in names.enumerated() {
            declare(name, type: i < types.count ? types[i] : .error, mutable: false, span: span, node: ids[i])
        }
        loopBody(body, of: loop)
        popScope()
    }

    func functionStatement(_ f: Function, stmt: Stmt) {
        if contexts.count == 1 && scopes.count == 1, let name = f.name, let id = scopes[0].names[name],
           result.variables[id].isConstantFunction, result.declarations[stmt.id] == id {
            _ = function(f, type: result.variables[id].type)
            return
        }
        let type = signature(of: f)
        // Declared before its body is checked, so a nested function can call itself.
        declare(f.name ?? "fn", type: type, mutable: false, span: stmt.span, node: stmt.id)
        _ = function(f, type: type)
    }

    /// Checks a function body against a known signature; returns its index.
    @discardableResult
    func function(_ f: Function, type: KType) -> Int {
        guard case .function(let params, let ret) = type else { return 0 }
        let index = result.functions.count
        result.functions.append(FunctionInfo(astID: f.id, name: f.name ?? "<lambda>", type: type, parent: currentFunction))
        result.functionIndex[f.id] = index
        contexts.append(FunctionContext(index: index, returnType: ret == .never ? nil : ret))
        pushScope()
        var seen = Set<String>()
        for (p, t) in zip(f.params, params) {
            if !seen.insert(p.name).inserted { error("duplicate parameter '\(p.name)'", p.span) }
            let v = declare(p.name, type: t, mutable: false, span: p.span, node: nil)
            result.functions[index].params.append(v)
        }
        let bodyType = block(f.body, ret == .unit ? nil : ret, used: ret != .unit)
        if bodyType.fits(ret), case .expr(let tail)? = f.body.stmts.last?.kind { widen(tail, to: ret) }
        if ret != .unit && ret != .error && !bodyType.fits(ret) {
            let span = f.body.stmts.last?.span ?? f.body.span
            if bodyType == .unit && !(f.body.stmts.last.map(Self.isExpressionStatement) ?? false) {
                error("missing return value: '\(f.name ?? "lambda")' must return \(ret)", span)
            } else {
                mismatch(expected: ret, found: bodyType, span)
            }
        }
        contexts.removeLast()
        popScope()
        return index
    }

    static func isExpressionStatement(_ s: Stmt) -> Bool { if case .expr = s.kind { return true } else { return false } }

    func returnStatement(_ value: Expr?, span: Span) {
        guard contexts.count > 1 else {
            error("'return' outside a function", span)
            return
        }
        let expected = contexts[contexts.count - 1].returnType
        let found = value.map { expr($0, expected) } ?? .unit
        if let expected {
            if require(found, fits: expected, value?.span ?? span), let value { widen(value, to: expected) }
        } else {
            contexts[contexts.count - 1].returnType = found
        }
    }

    func condition(_ cond: Condition) {
        switch cond {
        case .expr(let e):
            requireExpr(e, .bool, fits: .bool)
        case .bind(let name, let span, let id, let value):
            let t = expr(value, nil)
            guard case .optional(let inner) = t else {
                if t != .error { error("'if let' needs an optional value, found \(t)", value.span) }
                declare(name, type: .error, mutable: false, span: span, node: id)
                return
            }
            declare(name, type: inner, mutable: false, span: span, node: id)
        }
    }

    func assignment(_ target: Expr, op: AssignOp?, value: Expr, span: Span) {
        guard let root = rootVariable(target) else {
            error("cannot assign to this expression", target.span)
            return
        }
        if !result.variables[root].mutable {
            let name = result.variables[root].name
            error("cannot assign to '\(name)': it is declared with 'let'; use 'var' to make it mutable", target.span)
        }
        noteChange(of: root)
        let targetType = expr(target, nil)
        guard let op else {
            requireExpr(value, targetType, fits: targetType)
            return
        }
        let binop: BinaryOp = [.add: .add, .sub: .sub, .mul: .mul, .div: .div][op]!
        let valueType = expr(value, targetType)
        let combined = arithmetic(binop, targetType, valueType, span: span)
        require(combined, fits: targetType, span)
    }

    /// Marks a global changed from inside a function (see `Variable.changedInFunction`).
    func noteChange(of variable: Int) {
        if contexts.count > 1 && result.variables[variable].isGlobal { result.variables[variable].changedInFunction = true }
    }

    /// The variable at the root of an assignment target such as `a[i].f`.
    func rootVariable(_ e: Expr) -> Int? {
        switch e.kind {
        case .name(let n):
            guard let id = lookup(n) else { return nil }
            return id
        case .index(let base, _), .member(let base, _, _): return rootVariable(base)
        default: return nil
        }
    }

    // MARK: blocks

    /// A block's value is its last statement when that is an expression.
    func block(_ b: Block, _ expected: KType?, used: Bool) -> KType {
        pushScope()
        defer { popScope() }
        for (i, s) in b.stmts.enumerated() {
            if i == b.stmts.count - 1 {
                if case .expr(let e) = s.kind {
                    let t = expr(e, expected, used: used)
                    if !used { requireUsed(t, e) }
                    return t
                }
                statement(s)
                return Self.diverges(s) ? .never : .unit
            }
            statement(s)
        }
        return .unit
    }

    /// A statement may not drop a result the host marked as one to handle (a ledger write's
    /// `created | exists | failed`): a failure would pass unseen.
    func requireUsed(_ t: KType, _ e: Expr) {
        guard case .enumeration(let name) = t, host.mustUse.contains(name) else { return }
        error("this \(name) is dropped; match it, or bind it with 'let' to handle it later", e.span)
    }

    static func diverges(_ s: Stmt) -> Bool {
        switch s.kind {
        case .returnStmt, .breakStmt, .continueStmt: return true
        default: return false
        }
    }
}

extension StmtKind {
    var isBreak: Bool { if case .breakStmt = self { return true } else { return false } }
}

extension Checker {
    /// The checker's whole state, to roll back an input that failed (the REPL keeps going).
    public struct Snapshot {
        let result: CheckedProgram
        let scopes: [Scope]
        let usedModules: Set<String>
    }

    public func snapshot() -> Snapshot { Snapshot(result: result, scopes: scopes, usedModules: usedModules) }

    public func restore(_ s: Snapshot) {
        result = s.result
        scopes = s.scopes
        usedModules = s.usedModules
        diagnostics = []
        contexts = [FunctionContext(index: 0, returnType: nil)]
    }

    public func updateHost(_ host: HostEnvironment) { self.host = host }
}
