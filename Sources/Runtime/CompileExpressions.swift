import Money
import Syntax
import Types

extension Compiler {
    func expr(_ e: Expr) -> Compiled {
        if let code = checked.unitCodes[e.id] {
            let value = Value.string(code)
            return .value { _ throws(Unwind) in value }
        }
        let compiled = unwidened(e)
        if let code = checked.moneyChecks[e.id] {
            // Money of a currency known only at run time, used as Money[code]: check it here.
            let v = compiled.value, s = site(e.span)
            let wanted = CurrencyTable.shared.id(code)
            return .value { vm throws(Unwind) in
                let x = try v(vm)
                if case .money(_, let c) = x, c != wanted {
                    throw fail("expected Money[\(code)], found Money[\(CurrencyTable.shared.code(c))]", s)
                }
                return x
            }
        }
        guard checked.widenedToDec.contains(e.id) else { return compiled }
        let i = compiled.int(site(e.span))
        return .value { vm throws(Unwind) in .dec(Dec(try i(vm))) }
    }

    func unwidened(_ e: Expr) -> Compiled {
        let s = site(e.span)
        switch e.kind {
        case .int(let v):
            if type(e) == .dec { let d = Value.dec(Dec(v)); return .value { _ throws(Unwind) in d } }
            return .int { _ throws(Unwind) in v }
        case .dec(let text):
            let d = Value.dec((try? Dec(parsing: text)) ?? Dec(0))
            return .value { _ throws(Unwind) in d }
        case .float(let f): return .value { _ throws(Unwind) in .float(f) }
        case .money(let amount, let code):
            guard let c = CurrencyTable.shared.id(code), let d = try? Dec(parsing: amount) else {
                return .value { _ throws(Unwind) in throw fail("unknown currency '\(code)'", s) }
            }
            let v = Value.money(d, c)
            return .value { _ throws(Unwind) in v }
        case .duration(let ms): return .value { _ throws(Unwind) in .duration(ms) }
        case .string(let str): let v = Value.string(str); return .value { _ throws(Unwind) in v }
        case .bool(let b): return .bool { _ throws(Unwind) in b }
        case .none: return .value { _ throws(Unwind) in .none }
        case .unit: return .value { _ throws(Unwind) in .unit }
        case .template(let segments): return template(segments, site: s)
        case .name: return name(e, site: s)
        case .list(let items): return listLiteral(items, type: type(e))
        case .map(let entries): return mapLiteral(entries, site: s)
        case .record(let name, let fields): return recordLiteral(name, fields)
        case .unary(let op, let operand): return unary(op, operand, site: s)
        case .binary(let op, let l, let r): return binary(op, l, r, resultType: type(e), site: s)
        case .call(let callee, let args): return call(e, callee, args, site: s)
        case .member(let base, _, _): return member(e, base, site: s)
        case .index(let base, let index): return indexExpr(base, index, site: s)
        case .lambda(let f): return .value(closure(f))
        case .ifElse(let cond, let then, let otherwise): return ifExpr(cond, then, otherwise, type: type(e), site: s)
        case .match(let subject, let arms): return matchExpr(subject, arms, site: s)
        case .block(let b): return blockValue(b, resultType: type(e))
        }
    }

    func name(_ e: Expr, site s: Site) -> Compiled {
        switch checked.names[e.id] {
        case .variable(let v)?: return readVariable(v, site: s)
        case .host(let name)?:
            let v = hostClosure(name)
            return .value { _ throws(Unwind) in v }
        case nil: return .value { _ throws(Unwind) in throw internalError("a name", s) }
        }
    }

    func hostClosure(_ name: String) -> Value {
        let body = hostFunctions[name]?.body ?? { _ in throw HostError("host function '\(name)' is not bound") }
        let p = FunctionProto(name: name, arity: 0, frameSize: 0, clearsFrame: false, site: site(Span(0, 0)))
        return .function(Closure(proto: p, native: body))
    }

    func template(_ segments: [TemplateSegment], site s: Site) -> Compiled {
        let parts: [(String?, Code?)] = segments.map { seg in
            switch seg {
            case .text(let t): return (t, nil)
            case .expr(let x): return (nil, expr(x).value)
            }
        }
        return .value { vm throws(Unwind) in
            var out = ""
            for (text, code) in parts {
                if let text { out += text } else if let code { out += Display.text(try code(vm)) }
            }
            let result = Value.string(out)
            try vm.checkSize(result, s)
            return result
        }
    }

    func listLiteral(_ items: [Expr], type t: KType) -> Compiled {
        let codes = items.map { expr($0).value }
        if case .list(let el) = t, el == .int || el == .never {
            let ints = items.map { item in expr(item).int(site(item.span)) }
            let s = site(items.first?.span ?? Span(0, 0))
            return .value { vm throws(Unwind) in
                try vm.charge(ints.count * 8, s)
                var xs: [Int] = []
                xs.reserveCapacity(ints.count)
                for c in ints { xs.append(try c(vm)) }
                return .intList(xs)
            }
        }
        let s = site(items.first?.span ?? Span(0, 0))
        return .value { vm throws(Unwind) in
            try vm.charge(codes.count * MemoryLayout<Value>.stride, s)
            var xs: [Value] = []
            xs.reserveCapacity(codes.count)
            for c in codes { xs.append(try c(vm)) }
            return .list(xs)
        }
    }

    func mapLiteral(_ entries: [MapEntry], site s: Site) -> Compiled {
        let codes = entries.map { (expr($0.key).value, expr($0.value).value) }
        return .value { vm throws(Unwind) in
            try vm.charge(codes.count * 2 * MemoryLayout<Value>.stride + 64, s)
            let box = MapBox()
            box.entries.reserveCapacity(codes.count)
            for (k, v) in codes { box.entries[try k(vm)] = try v(vm) }
            return .map(box)
        }
    }

    func recordLiteral(_ name: String, _ fields: [FieldInit]) -> Compiled {
        guard let shape = recordShapes[name], let info = checked.records[name] else { return .value { _ throws(Unwind) in .unit } }
        var order = [Code?](repeating: nil, count: info.fields.count)
        for f in fields {
            if let i = info.index(of: f.name) { order[i] = expr(f.value).value }
        }
        let missing: Code = { _ throws(Unwind) in .unit }
        let codes = order.map { code in code ?? missing }
        let s = site(fields.first?.span ?? Span(0, 0))
        return .value { vm throws(Unwind) in
            try vm.charge(codes.count * MemoryLayout<Value>.stride + 32, s)
            var values: [Value] = []
            values.reserveCapacity(codes.count)
            for c in codes { values.append(try c(vm)) }
            return .record(RecordBox(shape: shape, fields: values))
        }
    }

    func unary(_ op: UnaryOp, _ operand: Expr, site s: Site) -> Compiled {
        let c = expr(operand)
        switch op {
        case .not:
            let b = c.bool(s)
            return .bool { vm throws(Unwind) in !(try b(vm)) }
        case .neg:
            if case .int(let i) = c {
                return .int { vm throws(Unwind) in
                    let x = try i(vm)
                    if x == .min { throw fail("integer overflow: -(\(x)) does not fit in 64 bits", s) }
                    return -x
                }
            }
            let v = c.value
            return .value { vm throws(Unwind) in try Arithmetic.negate(try v(vm), s) }
        }
    }

    func binary(_ op: BinaryOp, _ l: Expr, _ r: Expr, resultType: KType, site s: Site) -> Compiled {
        let lt = type(l), rt = type(r)
        switch op {
        case .and:
            let a = expr(l).bool(s), b = expr(r).bool(s)
            return .bool { vm throws(Unwind) in
                if !(try a(vm)) { return false }
                return try b(vm)
            }
        case .or:
            let a = expr(l).bool(s), b = expr(r).bool(s)
            return .bool { vm throws(Unwind) in
                if try a(vm) { return true }
                return try b(vm)
            }
        case .coalesce:
            let a = expr(l).value, b = expr(r).value
            return .value { vm throws(Unwind) in
                let x = try a(vm)
                if case .none = x { return try b(vm) }
                return x
            }
        default: break
        }
        if lt == .int && rt == .int, let fast = intBinary(op, intOperand(l), intOperand(r), site: s) { return fast }
        let a = expr(l).value, b = expr(r).value
        switch op {
        case .add:
            switch resultType {
            case .string, .list, .bytes:
                // Joining is how strings and lists grow fastest: hold them to the size limit.
                return .value { vm throws(Unwind) in
                    let r = try Arithmetic.add(try a(vm), try b(vm), s)
                    try vm.checkSize(r, s)
                    return r
                }
            default:
                return .value { vm throws(Unwind) in try Arithmetic.add(try a(vm), try b(vm), s) }
            }
        case .sub: return .value { vm throws(Unwind) in try Arithmetic.subtract(try a(vm), try b(vm), s) }
        case .mul: return .value { vm throws(Unwind) in try Arithmetic.multiply(try a(vm), try b(vm), s) }
        case .div: return .value { vm throws(Unwind) in try Arithmetic.divide(try a(vm), try b(vm), s) }
        case .mod: return .value { vm throws(Unwind) in try Arithmetic.remainder(try a(vm), try b(vm), s) }
        case .eq: return .bool { vm throws(Unwind) in try Arithmetic.equal(try a(vm), try b(vm), s) }
        case .ne: return .bool { vm throws(Unwind) in !(try Arithmetic.equal(try a(vm), try b(vm), s)) }
        case .lt: return .bool { vm throws(Unwind) in try Arithmetic.compare(try a(vm), try b(vm), s) < 0 }
        case .le: return .bool { vm throws(Unwind) in try Arithmetic.compare(try a(vm), try b(vm), s) <= 0 }
        case .gt: return .bool { vm throws(Unwind) in try Arithmetic.compare(try a(vm), try b(vm), s) > 0 }
        case .ge: return .bool { vm throws(Unwind) in try Arithmetic.compare(try a(vm), try b(vm), s) >= 0 }
        case .and, .or, .coalesce: return .value { _ throws(Unwind) in .unit }
        }
    }

    /// Where an Int operand comes from. Reading a variable or a constant inline, instead of
    /// through another closure, saves a call per operand in the hottest expressions.
    enum IntOperand {
        case local(Int)
        case global(Int)
        case constant(Int)
        case code(IntCode)
    }

    func intOperand(_ e: Expr) -> IntOperand {
        if !checked.widenedToDec.contains(e.id) {
            if case .int(let v) = e.kind { return .constant(v) }
            if case .name = e.kind, case .variable(let v)? = checked.names[e.id], checked.variables[v].type == .int {
                switch plainSlot(v) {
                case .local(let slot)?: return .local(slot)
                case .global(let slot)? where fn == 0: return .global(slot)
                default: break
                }
            }
        }
        return .code(expr(e).int(site(e.span)))
    }

    @inline(__always)
    static func fetch(_ o: IntOperand, _ vm: VM, _ s: Site) throws(Unwind) -> Int {
        switch o {
        case .constant(let k): return k
        case .local(let slot):
            guard case .int(let x) = vm.stack[vm.base + slot] else { throw internalError("Int", s) }
            return x
        case .global(let slot):
            guard case .int(let x) = vm.globals[slot] else { throw internalError("Int", s) }
            return x
        case .code(let c): return try c(vm)
        }
    }

    /// `Int op Int` on unboxed values with overflow checks.
    func intBinary(_ op: BinaryOp, _ a: IntOperand, _ b: IntOperand, site s: Site) -> Compiled? {
        @inline(__always)
        func fetch(_ o: IntOperand, _ vm: VM) throws(Unwind) -> Int { try Compiler.fetch(o, vm, s) }
        switch op {
        case .add:
            return .int { vm throws(Unwind) in
                let x = try fetch(a, vm), y = try fetch(b, vm)
                let (r, o) = x.addingReportingOverflow(y)
                if o { throw Arithmetic.intOverflow("+", x, y, s) }
                return r
            }
        case .sub:
            return .int { vm throws(Unwind) in
                let x = try fetch(a, vm), y = try fetch(b, vm)
                let (r, o) = x.subtractingReportingOverflow(y)
                if o { throw Arithmetic.intOverflow("-", x, y, s) }
                return r
            }
        case .mul:
            return .int { vm throws(Unwind) in
                let x = try fetch(a, vm), y = try fetch(b, vm)
                let (r, o) = x.multipliedReportingOverflow(by: y)
                if o { throw Arithmetic.intOverflow("*", x, y, s) }
                return r
            }
        case .mod:
            return .int { vm throws(Unwind) in try Arithmetic.floorMod(try fetch(a, vm), try fetch(b, vm), s) }
        case .eq: return .bool { vm throws(Unwind) in try fetch(a, vm) == fetch(b, vm) }
        case .ne: return .bool { vm throws(Unwind) in try fetch(a, vm) != fetch(b, vm) }
        case .lt: return .bool { vm throws(Unwind) in try fetch(a, vm) < fetch(b, vm) }
        case .le: return .bool { vm throws(Unwind) in try fetch(a, vm) <= fetch(b, vm) }
        case .gt: return .bool { vm throws(Unwind) in try fetch(a, vm) > fetch(b, vm) }
        case .ge: return .bool { vm throws(Unwind) in try fetch(a, vm) >= fetch(b, vm) }
        default: return nil
        }
    }

    func member(_ e: Expr, _ base: Expr, site s: Site) -> Compiled {
        switch checked.members[e.id] {
        case .variant(let enumName, let tag)?:
            guard let shape = enumShapes[enumName] else { break }
            if checked.enums[enumName]?.variants[tag].payload.isEmpty ?? true {
                let v = Value.variant(shape.constants[tag])
                return .value { _ throws(Unwind) in v }
            }
            let p = FunctionProto(name: "\(enumName).\(shape.variants[tag])", arity: 0, frameSize: 0, clearsFrame: false, site: s)
            let ctor = Value.function(Closure(proto: p) { args in .variant(VariantBox.make(shape, tag: tag, payload: args)) })
            return .value { _ throws(Unwind) in ctor }
        case .host(let name)?:
            let v = hostClosure(name)
            return .value { _ throws(Unwind) in v }
        case .field(let i)?:
            let b = expr(base).value
            return .value { vm throws(Unwind) in
                guard case .record(let r) = try b(vm) else { throw internalError("record", s) }
                return r.fields[i]
            }
        case .moneyAmount?:
            let b = expr(base).value
            return .value { vm throws(Unwind) in
                guard case .money(let d, _) = try b(vm) else { throw internalError("Money", s) }
                return .dec(d)
            }
        case .moneyCurrency?:
            let b = expr(base).value
            return .value { vm throws(Unwind) in
                guard case .money(_, let c) = try b(vm) else { throw internalError("Money", s) }
                return .string(CurrencyTable.shared.code(c))
            }
        case nil: break
        }
        return .value { _ throws(Unwind) in throw internalError("a member", s) }
    }

    func indexExpr(_ base: Expr, _ index: Expr, site s: Site) -> Compiled {
        let b = expr(base).value
        let bt = type(base)
        if case .list(let el) = bt {
            let i = expr(index).int(s)
            if el == .int {
                return .int { vm throws(Unwind) in
                    let list = try b(vm), k = try i(vm)
                    if case .intList(let xs) = list {
                        guard k >= 0 && k < xs.count else { throw Builtins.outOfRange(k, xs.count, s) }
                        return xs[k]
                    }
                    guard case .int(let x) = try Builtins.element(list, k, s) else { throw internalError("Int", s) }
                    return x
                }
            }
            return .value { vm throws(Unwind) in try Builtins.element(try b(vm), try i(vm), s) }
        }
        let k = expr(index).value
        return .value { vm throws(Unwind) in
            let container = try b(vm), key = try k(vm)
            switch (container, key) {
            case (.map(let m), _):
                guard let v = m.entries[key] else { throw fail("key \(Display.literal(key)) is not in the map", s) }
                return v
            case (.string(let str), .int(let i)):
                return .string(try Builtins.character(str, i, vm: vm, s))
            default: throw internalError("a collection", s)
            }
        }
    }

    func ifExpr(_ cond: Condition, _ then: Block, _ otherwise: Expr?, type t: KType, site s: Site) -> Compiled {
        let c = condition(cond, site: s)
        let thenCode = blockValue(then, resultType: t)
        guard let otherwise else {
            let body = thenCode.value
            return .value { vm throws(Unwind) in
                if try c(vm) { _ = try body(vm) }
                return .unit
            }
        }
        let elseCode = expr(otherwise)
        if case .int(let a) = thenCode, case .int(let b) = elseCode {
            return .int { vm throws(Unwind) in
                if try c(vm) { return try a(vm) }
                return try b(vm)
            }
        }
        let a = thenCode.value, b = elseCode.value
        return .value { vm throws(Unwind) in
            if try c(vm) { return try a(vm) }
            return try b(vm)
        }
    }
}

/// An error a host function throws to stop the script with a message.
public struct HostError: Error, CustomStringConvertible {
    public let description: String
    public init(_ message: String) { description = message }
}
