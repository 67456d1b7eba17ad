import Money
import Syntax
import Types

extension Compiler {
    func statement(_ stmt: Stmt) -> StmtCode {
        let s = site(stmt.span)
        switch stmt.kind {
        case .binding(_, _, _, _, let value):
            guard let v = checked.declarations[stmt.id] else { return { _ throws(Unwind) in .normal } }
            let store = declare(v)
            let code = expr(value).value
            return { vm throws(Unwind) in
                store(vm, try code(vm))
                return .normal
            }
        case .function(let f):
            guard let v = checked.declarations[stmt.id] else { return { _ throws(Unwind) in .normal } }
            let variable = checked.variables[v]
            if variable.isConstantFunction && variable.isGlobal {
                let p = proto(for: f)
                let slot = variable.slot
                let value = Value.function(Closure(proto: p, captures: []))
                return { vm throws(Unwind) in
                    vm.globals[slot] = value
                    return .normal
                }
            }
            // A nested function may call itself: its cell exists before the closure captures it.
            let prepare = declare(v)
            let make = closure(f)
            let assign = assignVariable(v)
            return { vm throws(Unwind) in
                prepare(vm, .unit)
                try assign(vm, try make(vm))
                return .normal
            }
        case .record, .enumeration, .use, .currency:
            return { _ throws(Unwind) in .normal }
        case .assign(let target, let op, let value):
            return assignment(target, op: op, value: value, site: s)
        case .expr(let e):
            return expressionStatement(e)
        case .returnStmt(let value):
            guard let value else {
                return { vm throws(Unwind) in
                    vm.returnValue = .unit
                    return .returned
                }
            }
            let code = expr(value).value
            return { vm throws(Unwind) in
                vm.returnValue = try code(vm)
                return .returned
            }
        case .breakStmt: return { _ throws(Unwind) in .breakLoop }
        case .continueStmt: return { _ throws(Unwind) in .continueLoop }
        case .whileLoop(let cond, let body):
            return whileLoop(cond, body, loop: stmt.id, site: s)
        case .forLoop(_, let ids, let source, let body):
            return forLoop(ids: ids, source: source, body: body, loop: stmt.id, site: s)
        case .assert(let cond, let message):
            let c = expr(cond).bool(s)
            let m = message.map { expr($0).value }
            let condSite = site(cond.span)
            return { vm throws(Unwind) in
                if try c(vm) { return .normal }
                var text = "assertion failed"
                if let m, case .string(let detail) = try m(vm) { text += ": " + detail }
                throw fail(text, condSite)
            }
        }
    }

    /// `if`, `match` and blocks as statements run their branches as statements, so a
    /// `return` inside them is an ordinary flow result, not an unwinding signal.
    func expressionStatement(_ e: Expr) -> StmtCode {
        switch e.kind {
        case .ifElse(let cond, let then, let otherwise):
            let s = site(e.span)
            let thenCode = sequence(then.stmts)
            let nothing: StmtCode = { _ throws(Unwind) in .normal }
            let elseCode = otherwise.map(expressionStatement) ?? nothing
            let c = condition(cond, site: s)
            return { vm throws(Unwind) in
                if try c(vm) { return try thenCode(vm) }
                return try elseCode(vm)
            }
        case .block(let b):
            return sequence(b.stmts)
        default:
            let code = expr(e).value
            return { vm throws(Unwind) in
                _ = try code(vm)
                return .normal
            }
        }
    }

    /// Compiles a condition; `if let` binds the unwrapped value before the branch runs.
    func condition(_ cond: Condition, site s: Site) -> BoolCode {
        switch cond {
        case .expr(let e):
            return expr(e).bool(s)
        case .bind(_, _, let id, let value):
            let code = expr(value).value
            guard let v = checked.declarations[id] else { return { _ throws(Unwind) in false } }
            let store = declare(v)
            return { vm throws(Unwind) in
                let x = try code(vm)
                if case .none = x { return false }
                store(vm, x)
                return true
            }
        }
    }

    /// Runs a loop body; a `break`/`continue` thrown out of an expression inside it
    /// (an `if` used as a value) becomes an ordinary flow result here.
    @inline(__always)
    static func runLoopBody(_ body: StmtCode, _ vm: VM) throws(Unwind) -> Flow {
        do throws(Unwind) {
            return try body(vm)
        } catch {
            if case .signal(let f) = error, f != .returned { return f }
            throw error
        }
    }

    /// A loop body that releases what its locals hold at the end of each iteration: a
    /// book opened in one iteration is closed before the next opens its journal again,
    /// instead of living on in its slot until the slot is overwritten.
    func loopBody(_ body: Block, loop: Int) -> StmtCode {
        let run = sequence(body.stmts)
        let variables = checked.loopBodyVariables[loop] ?? 0..<0
        let slots = variables.map { checked.variables[$0] }
            .filter { !$0.isGlobal && $0.function == fn && Compiler.mayHoldReference($0) }
            .map(\.slot)
        guard !slots.isEmpty else { return run }
        return { vm throws(Unwind) in
            defer { for slot in slots { vm.stack[vm.base + slot] = .unit } }
            return try run(vm)
        }
    }

    func whileLoop(_ cond: Condition, _ body: Block, loop: Int, site s: Site) -> StmtCode {
        let c = condition(cond, site: s)
        let b = loopBody(body, loop: loop)
        return { vm throws(Unwind) in
            while try c(vm) {
                try vm.step(s)
                switch try Compiler.runLoopBody(b, vm) {
                case .normal, .continueLoop: continue
                case .breakLoop: return .normal
                case .returned: return .returned
                }
            }
            return .normal
        }
    }

    func forLoop(ids: [Int], source: ForSource, body: Block, loop: Int, site s: Site) -> StmtCode {
        let vars = ids.compactMap { checked.declarations[$0] }
        guard !vars.isEmpty else { return { _ throws(Unwind) in .normal } }
        let b = loopBody(body, loop: loop)
        let first = declare(vars[0])
        let second = vars.count > 1 ? declare(vars[1]) : nil
        func runBody(_ vm: VM) throws(Unwind) -> Flow? {
            try vm.step(s)
            switch try Compiler.runLoopBody(b, vm) {
            case .normal, .continueLoop: return nil
            case .breakLoop: return .normal
            case .returned: return .returned
            }
        }
        switch source {
        case .range(let from, let to, let inclusive):
            let lo = expr(from).int(s), hi = expr(to).int(s)
            let fast = plainSlot(vars[0])
            return { vm throws(Unwind) in
                let a = try lo(vm), b = try hi(vm)
                guard inclusive || b > .min else { return .normal }
                let end = inclusive ? b : b - 1
                guard a <= end else { return .normal }
                var i = a
                while true {
                    switch fast {
                    case .local(let slot)?: vm.stack[vm.base + slot] = .int(i)
                    case .global(let slot)?: vm.globals[slot] = .int(i)
                    case nil: first(vm, .int(i))
                    }
                    if let f = try runBody(vm) { return f }
                    if i == end { return .normal }
                    i += 1
                }
            }
        case .expr(let e):
            let code = expr(e).value
            return { vm throws(Unwind) in
                let seq = try code(vm)
                switch seq {
                case .intList(let xs):
                    for (i, x) in xs.enumerated() {
                        if let second { first(vm, .int(i)); second(vm, .int(x)) } else { first(vm, .int(x)) }
                        if let f = try runBody(vm) { return f }
                    }
                case .list(let xs):
                    for (i, x) in xs.enumerated() {
                        if let second { first(vm, .int(i)); second(vm, x) } else { first(vm, x) }
                        if let f = try runBody(vm) { return f }
                    }
                case .map(let m):
                    for (k, v) in m.entries {
                        first(vm, k)
                        second?(vm, v)
                        if let f = try runBody(vm) { return f }
                    }
                case .string(let str):
                    for (i, ch) in str.enumerated() {
                        if let second { first(vm, .int(i)); second(vm, .string(String(ch))) } else { first(vm, .string(String(ch))) }
                        if let f = try runBody(vm) { return f }
                    }
                default:
                    throw internalError("a sequence", s)
                }
                return .normal
            }
        }
    }

    enum PlainSlot { case local(Int), global(Int) }

    /// Where a variable that lives in no cell is stored, for direct unboxed access.
    func plainSlot(_ v: Int) -> PlainSlot? {
        let variable = checked.variables[v]
        if variable.isGlobal { return .global(variable.slot) }
        guard !variable.captured, variable.function == fn else { return nil }
        return .local(variable.slot)
    }

    // MARK: variables

    /// Stores a variable's first value: into its slot, a new cell, or a global.
    func declare(_ v: Int) -> (VM, Value) -> Void {
        let variable = checked.variables[v]
        let slot = variable.slot
        if variable.isGlobal { return { vm, x in vm.globals[slot] = x } }
        if variable.captured { return { vm, x in vm.stack[vm.base + slot] = .cell(Cell(x)) } }
        return { vm, x in vm.stack[vm.base + slot] = x }
    }

    /// Replaces a variable's value wherever it lives.
    func assignVariable(_ v: Int) -> (VM, Value) throws(Unwind) -> Void {
        let variable = checked.variables[v]
        let slot = variable.slot
        if variable.isGlobal { return { vm, x throws(Unwind) in vm.globals[slot] = x } }
        if variable.function == fn {
            if variable.captured {
                return { vm, x throws(Unwind) in
                    if case .cell(let c) = vm.stack[vm.base + slot] { c.value = x }
                }
            }
            return { vm, x throws(Unwind) in vm.stack[vm.base + slot] = x }
        }
        guard case .capture(let k) = captureSource(v) else { return { _, _ throws(Unwind) in } }
        return { vm, x throws(Unwind) in vm.captures[k].value = x }
    }

    /// Reads a variable, unboxed when it is a plain Int local.
    func readVariable(_ v: Int, site s: Site) -> Compiled {
        let variable = checked.variables[v]
        let slot = variable.slot
        if variable.isGlobal {
            let name = variable.name
            if variable.type == .int {
                return .int { vm throws(Unwind) in
                    guard case .int(let i) = vm.globals[slot] else { throw fail("'\(name)' is used before it is initialised", s) }
                    return i
                }
            }
            // Top-level code may read a global a failed definition left unset too (in the
            // REPL, or a host that goes on after a runtime error).
            if variable.isConstantFunction || variable.type == .unit {
                return .value { vm throws(Unwind) in vm.globals[slot] }
            }
            return .value { vm throws(Unwind) in
                let x = vm.globals[slot]
                if case .unit = x { throw fail("'\(name)' is used before it is initialised", s) }
                return x
            }
        }
        if variable.function == fn {
            if variable.captured {
                return .value { vm throws(Unwind) in
                    guard case .cell(let c) = vm.stack[vm.base + slot] else { throw internalError("cell", s) }
                    return c.value
                }
            }
            switch variable.type {
            case .int:
                return .int { vm throws(Unwind) in
                    guard case .int(let i) = vm.stack[vm.base + slot] else { throw internalError("Int", s) }
                    return i
                }
            case .bool:
                return .bool { vm throws(Unwind) in
                    guard case .bool(let b) = vm.stack[vm.base + slot] else { throw internalError("Bool", s) }
                    return b
                }
            default:
                return .value { vm throws(Unwind) in vm.stack[vm.base + slot] }
            }
        }
        guard case .capture(let k) = captureSource(v) else { return .value { _ throws(Unwind) in .unit } }
        return .value { vm throws(Unwind) in vm.captures[k].value }
    }
}
