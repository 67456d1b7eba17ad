import Syntax
import Types

/// Gives in-place access to the storage an assignment target names. `inserting` lets a
/// plain `m[k] = v` add a key that compound assignment (`m[k] += v`) must find.
typealias Place = (VM, Bool, (inout Value) throws(Unwind) -> Void) throws(Unwind) -> Void

extension Compiler {
    func assignment(_ target: Expr, op: AssignOp?, value: Expr, site s: Site) -> StmtCode {
        if op == nil, let parts = appendedParts(target, value) {
            return append(joined(parts, site: s), to: target, site: s)
        }
        if op == .add && Self.growsInPlace(type(target)) {
            return append(expr(value).value, to: target, site: s)
        }
        if case .name = target.kind, case .variable(let v)? = checked.names[target.id] {
            if type(target) == .int, type(value) == .int, let op, op != .div, let storage = plainSlot(v) {
                return intUpdate(storage, op: op, intOperand(value), site: s)
            }
            return assignToVariable(v, op: op, expr(value), site: s)
        }
        let valueCode = expr(value)
        let p = place(target, site: s)
        let v = valueCode.value
        guard let op else {
            return { vm throws(Unwind) in
                let x = try v(vm)
                try p(vm, true) { (slot: inout Value) throws(Unwind) in slot = x }
                return .normal
            }
        }
        let combine = Self.combiner(op)
        return { vm throws(Unwind) in
            let x = try v(vm)
            try p(vm, false) { (slot: inout Value) throws(Unwind) in slot = try combine(slot, x, s) }
            return .normal
        }
    }

    /// `[y]` when `value` is `x + y`, or `[a, b, …]` when it is `x + a + b + …` with every
    /// part of `x`'s type, and `target` the variable `x` of a type that grows in place, and
    /// evaluating the parts cannot change `x`: then `x = x + y` is `x += y`, which appends
    /// instead of copying `x`, and the longer sum appends the parts joined (the same value:
    /// concatenation is associative).
    func appendedParts(_ target: Expr, _ value: Expr) -> [Expr]? {
        guard case .name = target.kind, case .variable(let v)? = checked.names[target.id],
              Self.growsInPlace(type(target)) else { return nil }
        var parts: [Expr] = []
        var sum = value
        while case .binary(.add, let left, let right) = sum.kind {
            parts.append(right)
            sum = left
        }
        guard case .name = sum.kind, case .variable(let u)? = checked.names[sum.id], u == v, !parts.isEmpty,
              parts.count == 1 || parts.allSatisfy({ type($0) == type(target) }) else { return nil }
        let callsAllowed = callsCannotChange(v)
        guard parts.allSatisfy({ Self.leavesVariables($0, callsAllowed: callsAllowed) }) else { return nil }
        return parts.reversed()
    }

    /// `target += suffix`: appends to the target's own storage, within the size and memory
    /// limits.
    func append(_ suffix: @escaping (VM) throws(Unwind) -> Value, to target: Expr, site s: Site) -> StmtCode {
        let p = place(target, site: s)
        return { vm throws(Unwind) in
            let x = try suffix(vm)
            try p(vm, false) { (slot: inout Value) throws(Unwind) in
                vm.forgetCharacterPositions(of: slot)
                try Arithmetic.addInPlace(&slot, x, s)
                try vm.checkAppend(slot, appended: x, s)
            }
            return .normal
        }
    }

    /// The parts of `x + a + b + …` evaluated in order and joined into one value (the
    /// first part's storage grows, so `a + b` makes no copy of `a`).
    func joined(_ parts: [Expr], site s: Site) -> (VM) throws(Unwind) -> Value {
        let values = parts.map { expr($0).value }
        if values.count == 1 { return values[0] }
        let first = values[0], rest = values.dropFirst()
        return { vm throws(Unwind) in
            var suffix = try first(vm)
            for value in rest { try Arithmetic.addInPlace(&suffix, try value(vm), s) }
            return suffix
        }
    }

    /// True when no function a call can reach changes variable `v`: a local of the
    /// function being compiled that no inner function uses, or a global that only
    /// top-level code changes.
    func callsCannotChange(_ v: Int) -> Bool {
        let variable = checked.variables[v]
        if variable.isGlobal { return !variable.changedInFunction }
        return variable.function == fn && !variable.captured
    }

    /// True when evaluating `e` cannot assign to or change a variable other than through
    /// a call (allowed when `callsAllowed`): it holds no block, `if` or `match` (their
    /// statements may assign) and no method that changes its receiver (`push`, `pop`, ...).
    static func leavesVariables(_ e: Expr, callsAllowed: Bool) -> Bool {
        func leaves(_ e: Expr) -> Bool { leavesVariables(e, callsAllowed: callsAllowed) }
        switch e.kind {
        case .int, .dec, .float, .money, .duration, .string, .bool, .none, .unit, .name:
            return true
        case .template(let segments):
            return segments.allSatisfy { if case .expr(let part) = $0 { return leaves(part) } else { return true } }
        case .list(let elements): return elements.allSatisfy(leaves)
        case .map(let entries): return entries.allSatisfy { leaves($0.key) && leaves($0.value) }
        case .record(_, let fields): return fields.allSatisfy { leaves($0.value) }
        case .unary(_, let operand): return leaves(operand)
        case .binary(_, let l, let r): return leaves(l) && leaves(r)
        case .member(let base, _, _): return leaves(base)
        case .index(let base, let index): return leaves(base) && leaves(index)
        case .call(let callee, let args):
            if case .member(_, let name, _) = callee.kind, Checker.mutatingMethods.contains(name) { return false }
            return callsAllowed && leaves(callee) && args.allSatisfy { leaves($0.value) }
        case .lambda: return callsAllowed  // Its body runs only when called.
        case .ifElse, .match, .block: return false
        }
    }

    /// Types whose `+=` appends to the target's own storage (`Arithmetic.addInPlace`).
    static func growsInPlace(_ type: KType) -> Bool {
        switch type {
        case .string, .bytes, .list: return true
        default: return false
        }
    }

    static func combiner(_ op: AssignOp) -> (Value, Value, Site) throws(Unwind) -> Value {
        switch op {
        case .add: return Arithmetic.add
        case .sub: return Arithmetic.subtract
        case .mul: return Arithmetic.multiply
        case .div: return Arithmetic.divide
        }
    }

    /// `x += y` (and `-=`, `*=`) on an Int variable held in a plain slot, unboxed.
    func intUpdate(_ storage: PlainSlot, op: AssignOp, _ operand: IntOperand, site s: Site) -> StmtCode {
        let symbol = op.rawValue.dropLast()
        return { vm throws(Unwind) in
            let y = try Compiler.fetch(operand, vm, s)
            let cell: UnsafeMutablePointer<Value>
            switch storage {
            case .local(let slot): cell = vm.stack + (vm.base + slot)
            case .global(let slot): cell = vm.globals + slot
            }
            guard case .int(let x) = cell.pointee else { throw internalError("Int", s) }
            let (r, o): (Int, Bool)
            switch op {
            case .add: (r, o) = x.addingReportingOverflow(y)
            case .sub: (r, o) = x.subtractingReportingOverflow(y)
            default: (r, o) = x.multipliedReportingOverflow(by: y)
            }
            if o { throw Arithmetic.intOverflow(String(symbol), x, y, s) }
            cell.pointee = .int(r)
            return .normal
        }
    }

    func assignToVariable(_ v: Int, op: AssignOp?, _ valueCode: Compiled, site s: Site) -> StmtCode {
        let write = assignVariable(v)
        guard let op else {
            let c = valueCode.value
            return { vm throws(Unwind) in
                try write(vm, try c(vm))
                return .normal
            }
        }
        let read = readVariable(v, site: s).value
        let c = valueCode.value
        let combine = Self.combiner(op)
        return { vm throws(Unwind) in
            let y = try c(vm)
            try write(vm, try combine(try read(vm), y, s))
            return .normal
        }
    }

    /// The storage behind a variable, an element or a field, reached without copying.
    func place(_ target: Expr, site s: Site) -> Place {
        switch target.kind {
        case .name:
            guard case .variable(let v)? = checked.names[target.id] else { break }
            let variable = checked.variables[v]
            let slot = variable.slot
            if variable.isGlobal {
                return { vm, _, f throws(Unwind) in try f(&vm.globals[slot]) }
            }
            if variable.function == fn {
                if variable.captured {
                    return { vm, _, f throws(Unwind) in
                        guard case .cell(let c) = vm.stack[vm.base + slot] else { throw internalError("cell", s) }
                        try f(&c.value)
                    }
                }
                return { vm, _, f throws(Unwind) in try f(&vm.stack[vm.base + slot]) }
            }
            guard case .capture(let k) = captureSource(v) else { break }
            return { vm, _, f throws(Unwind) in try f(&vm.captures[k].value) }
        case .index(let base, let index):
            let outer = place(base, site: s)
            let key = expr(index).value
            return { vm, inserting, f throws(Unwind) in
                let k = try key(vm)
                try outer(vm, false) { (container: inout Value) throws(Unwind) in
                    try Builtins.modifyElement(&container, k, inserting: inserting, vm: vm, site: s, f)
                }
            }
        case .member(let base, _, _):
            guard case .field(let i)? = checked.members[target.id] else { break }
            let outer = place(base, site: s)
            return { vm, _, f throws(Unwind) in
                try outer(vm, false) { (container: inout Value) throws(Unwind) in
                    try Builtins.modifyField(&container, i, site: s, f)
                }
            }
        default: break
        }
        return { _, _, _ throws(Unwind) in throw internalError("an assignable place", s) }
    }
}
