import Syntax

extension Checker {
    /// Infers `e`'s type, using `expected` to type empty literals and lambda parameters.
    @discardableResult
    func expr(_ e: Expr, _ expected: KType?, used: Bool = true) -> KType {
        let t = infer(e, expected, used: used)
        result.types[e.id] = t
        return t
    }

    func infer(_ e: Expr, _ expected: KType?, used: Bool) -> KType {
        switch e.kind {
        case .int:
            if expected == .dec { return .dec }
            return .int
        case .dec: return .dec
        case .float: return .float
        case .money(_, let code):
            if !isCurrency(code) {
                error("unknown currency '\(code)'", e.span)
                return .error
            }
            return .money(code)
        case .duration: return .duration
        case .string: return .string
        case .template(let segments):
            for case .expr(let inner) in segments {
                let t = expr(inner, nil)
                if t == .unit { error("cannot interpolate a Unit value", inner.span) }
            }
            return .string
        case .bool: return .bool
        case .none:
            if case .optional(let inner)? = expected { return .optional(inner) }
            return .optional(.never)
        case .unit: return .unit
        case .name(let name): return nameExpr(name, e)
        case .list(let items): return listLiteral(items, expected)
        case .map(let entries): return mapLiteral(entries, expected, span: e.span)
        case .record(let name, let fields): return recordLiteral(name, fields, span: e.span)
        case .unary(let op, let operand): return unary(op, operand, expected)
        case .binary(let op, let l, let r): return binary(op, l, r, expected, span: e.span)
        case .call(let callee, let args): return call(e, callee, args, expected)
        case .member(let base, let name, let nameSpan): return member(e, base, name, nameSpan)
        case .index(let base, let index): return indexExpr(base, index)
        case .lambda(let f): return lambda(f, expected)
        case .ifElse(let cond, let then, let otherwise): return ifExpr(cond, then, otherwise, expected, used: used, span: e.span)
        case .match(let subject, let arms): return matchExpr(subject, arms, expected, used: used, span: e.span)
        case .block(let b): return block(b, expected, used: used)
        }
    }

    func nameExpr(_ name: String, _ e: Expr) -> KType {
        if let id = lookup(name) {
            use(id)
            result.names[e.id] = .variable(id)
            return result.variables[id].type
        }
        if let sig = host.functions[name] {
            result.names[e.id] = .host(name)
            return sig.type.bindingUnits([:])
        }
        if result.records[name] != nil || result.enums[name] != nil {
            error("'\(name)' is a type, not a value", e.span)
            return .error
        }
        if Self.builtinFunctions.contains(name) {
            error("built-in '\(name)' must be called", e.span)
            return .error
        }
        if host.modules.contains(name) {
            error("module '\(name)' is not a value\(usedModules.contains(name) ? "" : " (did you forget 'use \(name)'?)")", e.span)
            return .error
        }
        error("unknown name '\(name)'\(didYouMean(name, among: visibleNames))", e.span)
        return .error
    }

    func listLiteral(_ items: [Expr], _ expected: KType?) -> KType {
        var element: KType = .never
        if case .list(let t)? = expected { element = t }
        var inferred: KType = .never
        for item in items {
            let t = expr(item, element == .never ? (inferred == .never ? nil : inferred) : element)
            if element != .never {
                require(t, fits: element, item.span)
            } else if let joined = KType.join(inferred, t) {
                inferred = joined
            } else {
                error("list elements have different types: \(inferred) and \(t)", item.span)
            }
        }
        let final = element != .never ? element : inferred
        for item in items { widen(item, to: final) }
        return .list(final)
    }

    func mapLiteral(_ entries: [MapEntry], _ expected: KType?, span: Span) -> KType {
        var key: KType = .never, value: KType = .never
        var fixed = false
        if case .map(let k, let v)? = expected { key = k; value = v; fixed = true }
        for entry in entries {
            let kt = expr(entry.key, key == .never ? nil : key)
            let vt = expr(entry.value, value == .never ? nil : value)
            if fixed {
                require(kt, fits: key, entry.key.span)
                require(vt, fits: value, entry.value.span)
                continue
            }
            if let k = KType.join(key, kt) { key = k } else { error("map keys have different types: \(key) and \(kt)", entry.key.span) }
            if let v = KType.join(value, vt) { value = v } else { error("map values have different types: \(value) and \(vt)", entry.value.span) }
        }
        if !isEquatable(key) { error("\(key) cannot be a map key", span) }
        for entry in entries {
            widen(entry.key, to: key)
            widen(entry.value, to: value)
        }
        return .map(key, value)
    }

    func recordLiteral(_ name: String, _ fields: [FieldInit], span: Span) -> KType {
        guard let info = result.records[name] else {
            for f in fields { expr(f.value, nil) }
            let candidates = Array(result.records.keys)
            error("unknown record type '\(name)'\(didYouMean(name, among: candidates))", span)
            return .error
        }
        var seen = Set<String>()
        for f in fields {
            guard let i = info.index(of: f.name) else {
                expr(f.value, nil)
                error("record \(name) has no field '\(f.name)'\(didYouMean(f.name, among: info.fields.map(\.name)))", f.span)
                continue
            }
            if !seen.insert(f.name).inserted { error("field '\(f.name)' is given twice", f.span) }
            requireExpr(f.value, info.fields[i].type, fits: info.fields[i].type)
        }
        let missing = info.fields.map(\.name).filter { !seen.contains($0) }
        if !missing.isEmpty {
            error("missing field\(missing.count == 1 ? "" : "s") \(missing.map { "'\($0)'" }.joined(separator: ", ")) in \(name)", span)
        }
        return .record(name)
    }

    func unary(_ op: UnaryOp, _ operand: Expr, _ expected: KType?) -> KType {
        switch op {
        case .not:
            requireExpr(operand, .bool, fits: .bool)
            return .bool
        case .neg:
            let t = expr(operand, expected == .dec ? .dec : nil)
            switch t {
            case .int, .dec, .float, .money, .duration, .error: return t
            default:
                error("cannot negate \(t)", operand.span)
                return .error
            }
        }
    }

    func binary(_ op: BinaryOp, _ l: Expr, _ r: Expr, _ expected: KType?, span: Span) -> KType {
        switch op {
        case .and, .or:
            requireExpr(l, .bool, fits: .bool)
            requireExpr(r, .bool, fits: .bool)
            return .bool
        case .coalesce:
            let lt = expr(l, expected.map { .optional($0.unwrapped) })
            guard case .optional(let inner) = lt else {
                if lt != .error { error("'??' needs an optional on its left, found \(lt)", l.span) }
                expr(r, nil)
                return .error
            }
            let rt = expr(r, inner == .never ? expected : inner)
            if inner == .never { return rt }
            if rt.fits(inner) { widen(r, to: inner); return inner }
            if rt.fits(.optional(inner)) { return .optional(inner) }
            mismatch(expected: inner, found: rt, r.span)
            return .error
        case .eq, .ne, .lt, .le, .gt, .ge:
            let lt = expr(l, nil)
            let rt = expr(r, lt.isNumeric || lt.isIncomplete ? nil : lt)
            comparison(op, lt, rt, span: span)
            return .bool
        case .add, .sub, .mul, .div, .mod:
            let lt = expr(l, nil)
            let rt = expr(r, lt == .dec ? .dec : nil)
            return arithmetic(op, lt, rt, span: span)
        }
    }

    func comparison(_ op: BinaryOp, _ lt: KType, _ rt: KType, span: Span) {
        if lt == .error || rt == .error { return }
        let numeric: Set<KType> = [.int, .dec]
        if numeric.contains(lt) && numeric.contains(rt) { return }
        if case .money(let a) = lt, case .money(let b) = rt {
            if let a, let b, a != b { error("cannot compare Money[\(a)] and Money[\(b)]", span) }
            return
        }
        guard lt.fits(rt) || rt.fits(lt) else {
            error("cannot compare \(lt) and \(rt)", span)
            return
        }
        if op == .eq || op == .ne {
            if !isEquatable(lt) { error("\(lt) values cannot be compared with '\(op.rawValue)'", span) }
        } else if !lt.isOrdered || !rt.isOrdered {
            error("\(lt) values have no order; '\(op.rawValue)' needs numbers, strings, durations or money", span)
        }
    }

    /// Whether `==` is defined on values of `type`, looking through the fields of records
    /// and the payloads of enums: a record holding a `Book` compares no better than a
    /// `Book` does. (`KType.isEquatable` alone cannot see inside named types.)
    func isEquatable(_ type: KType) -> Bool {
        var visiting: Set<String> = []
        func check(_ type: KType) -> Bool {
            switch type {
            case .record(let name):
                guard visiting.insert(name).inserted, let info = result.records[name] else { return true }
                return info.fields.allSatisfy { check($0.type) }
            case .enumeration(let name):
                guard visiting.insert(name).inserted, let info = result.enums[name] else { return true }
                return info.variants.allSatisfy { $0.payload.allSatisfy(check) }
            case .list(let element), .optional(let element): return check(element)
            case .map(let key, let value): return check(key) && check(value)
            default: return type.isEquatable
            }
        }
        return check(type)
    }

    static let opVerbs: [BinaryOp: String] = [.add: "add", .sub: "subtract", .mul: "multiply", .div: "divide", .mod: "take the remainder of"]

    func arithmetic(_ op: BinaryOp, _ lt: KType, _ rt: KType, span: Span) -> KType {
        if lt == .error || rt == .error { return .error }
        func fail() -> KType {
            let verb = Self.opVerbs[op] ?? op.rawValue
            let joiner = op == .div ? "by" : "and"
            error("cannot \(verb) \(lt) \(joiner) \(rt)", span)
            return .error
        }
        switch (lt, rt) {
        case (.int, .int): return op == .div ? .dec : .int
        case (.int, .dec), (.dec, .int), (.dec, .dec): return .dec
        case (.float, .float): return .float
        case (.string, .string): return op == .add ? .string : fail()
        case (.bytes, .bytes): return op == .add ? .bytes : fail()
        case (.list(let a), .list(let b)):
            guard op == .add, let joined = KType.join(a, b) else { return fail() }
            return .list(joined)
        case (.money(let a), .money(let b)):
            if let a, let b, a != b { return fail() }
            switch op {
            case .add, .sub: return .money(a ?? b)
            case .div: return .dec
            default: return fail()
            }
        case (.money(let c), .int), (.money(let c), .dec):
            return op == .mul || op == .div ? .money(c) : fail()
        case (.int, .money(let c)), (.dec, .money(let c)):
            return op == .mul ? .money(c) : fail()
        case (.duration, .duration):
            switch op {
            case .add, .sub: return .duration
            case .div: return .dec
            default: return fail()
            }
        case (.duration, .int): return op == .mul ? .duration : fail()
        case (.int, .duration): return op == .mul ? .duration : fail()
        default: return fail()
        }
    }

    func indexExpr(_ base: Expr, _ index: Expr) -> KType {
        let bt = expr(base, nil)
        switch bt {
        case .list(let t):
            requireExpr(index, .int, fits: .int)
            return t
        case .map(let k, let v):
            requireExpr(index, k, fits: k)
            return v
        case .string:
            requireExpr(index, .int, fits: .int)
            return .string
        case .error:
            expr(index, nil)
            return .error
        default:
            expr(index, nil)
            error("cannot index \(bt)", base.span)
            return .error
        }
    }

    func lambda(_ f: Function, _ expected: KType?) -> KType {
        var expectedParams: [KType]?
        var expectedResult: KType?
        if case .function(let ps, let r)? = expected, ps.count == f.params.count {
            expectedParams = ps
            expectedResult = r == .never ? nil : r
        }
        var params: [KType] = []
        for (i, p) in f.params.enumerated() {
            if let t = p.type {
                params.append(resolve(t))
            } else if let ps = expectedParams, ps[i] != .never {
                params.append(ps[i])
            } else {
                error("cannot infer the type of parameter '\(p.name)'; annotate it, e.g. '\(p.name): Int'", p.span)
                params.append(.error)
            }
        }
        var ret: KType? = f.returnType.map(resolve)
        if ret == nil && !f.isArrow && expectedResult == nil {
            ret = .unit
        }
        // An arrow lambda's result is inferred from its body unless the context fixes it.
        let provisional: KType = ret ?? expectedResult ?? .never
        let type = KType.function(params, provisional)
        if provisional == .never {
            let bodyType = inferredLambda(f, params: params)
            return .function(params, bodyType)
        }
        function(f, type: type)
        return type
    }

    /// Checks an arrow lambda whose result type is not known in advance.
    func inferredLambda(_ f: Function, params: [KType]) -> KType {
        let index = result.functions.count
        result.functions.append(FunctionInfo(astID: f.id, name: "<lambda>", type: .function(params, .never), parent: currentFunction))
        result.functionIndex[f.id] = index
        contexts.append(FunctionContext(index: index, returnType: nil))
        pushScope()
        for (p, t) in zip(f.params, params) {
            let v = declare(p.name, type: t, mutable: false, span: p.span, node: nil)
            result.functions[index].params.append(v)
        }
        var bodyType = block(f.body, nil, used: true)
        if let returned = contexts[contexts.count - 1].returnType {
            if bodyType == .never {
                bodyType = returned
            } else if let joined = KType.join(bodyType, returned) {
                bodyType = joined
            } else if !bodyType.containsError && !returned.containsError {
                error("this lambda returns \(returned) but its body ends with \(bodyType)", f.span)
            }
        }
        popScope()
        contexts.removeLast()
        result.functions[index].type = .function(params, bodyType)
        return bodyType
    }

    func ifExpr(_ cond: Condition, _ then: Block, _ otherwise: Expr?, _ expected: KType?, used: Bool, span: Span) -> KType {
        pushScope()
        condition(cond)
        let thenType = block(then, expected, used: used && otherwise != nil)
        popScope()
        guard let otherwise else { return .unit }
        let elseType = expr(otherwise, expected ?? (thenType == .never ? nil : thenType), used: used)
        guard used else { return .unit }
        if let expected, expected != .unit {
            if require(thenType, fits: expected, then.stmts.last?.span ?? then.span) { widen(then, to: expected) }
            if require(elseType, fits: expected, otherwise.span) { widen(otherwise, to: expected) }
            return expected
        }
        if let joined = KType.join(thenType, elseType) {
            widen(then, to: joined)
            widen(otherwise, to: joined)
            return joined
        }
        if !thenType.containsError && !elseType.containsError {
            error("'if' and 'else' have different types: \(thenType) and \(elseType)", span)
        }
        return .error
    }
}
