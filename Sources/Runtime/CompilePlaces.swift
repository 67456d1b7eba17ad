import Syntax
import Types

/// Gives in-place access to the storage an assignment target names. `inserting` lets a
/// plain `m[k] = v` add a key that compound assignment (`m[k] += v`) must find.
typealias Place = (VM, Bool, (inout Value) throws(Unwind) -> Void) throws(Unwind) -> Void

extension Compiler {
    func assignment(_ target: Expr, op: AssignOp?, value: Expr, site s: Site) -> StmtCode {
        if op == nil, let suffix = appendedSuffix(target, value) {
            return assignment(target, op: .add, value: suffix, site: s)
        }
        let appends = op == .add && Self.growsInPlace(type(target))
        if !appends, case .name = target.kind, case .variable(let v)? = checked.names[target.id] {
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
        if appends {
            return { vm throws(Unwind) in
                let x = try v(vm)
                vm.lastCharacterPositions = nil
                try p(vm, false) { (slot: inout Value) throws(Unwind) in
                    try Arithmetic.addInPlace(&slot, x, s)
                    try vm.checkAppend(slot, appended: x, s)
                }
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

    /// `y` when `value` is `x + y` and `target` the variable `x` of a type that grows in
    /// place, and evaluating `y` cannot change `x` (no calls, blocks or branches in it):
    /// then `x = x + y` is `x += y`, which appends instead of copying `x`.
    func appendedSuffix(_ target: Expr, _ value: Expr) -> Expr? {
        guard case .name = target.kind, case .variable(let v)? = checked.names[target.id],
              Self.growsInPlace(type(target)),
              case .binary(.add, let left, let right) = value.kind,
              case .name = left.kind, case .variable(let u)? = checked.names[left.id], u == v,
              Self.changesNoVariable(right) else { return nil }
        return right
    }

    /// True when evaluating `e` cannot assign to any variable: it holds no call, block,
    /// `if`, `match` or function literal.
    static func changesNoVariable(_ e: Expr) -> Bool {
        switch e.kind {
        case .int, .dec, .float, .money, .duration, .string, .bool, .none, .unit, .name:
            return true
        case .template(let segments):
            return segments.allSatisfy { if case .expr(let part) = $0 { return changesNoVariable(part) } else { return true } }
        case .list(let elements): return elements.allSatisfy(changesNoVariable)
        case .map(let entries): return entries.allSatisfy { changesNoVariable($0.key) && changesNoVariable($0.value) }
        case .record(_, let fields): return fields.allSatisfy { changesNoVariable($0.value) }
        case .unary(_, let operand): return changesNoVariable(operand)
        case .binary(_, let l, let r): return changesNoVariable(l) && changesNoVariable(r)
        case .member(let base, _, _): return changesNoVariable(base)
        case .index(let base, let index): return changesNoVariable(base) && changesNoVariable(index)
        case .call, .lambda, .ifElse, .match, .block: return false
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
