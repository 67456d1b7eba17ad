import Syntax

extension Checker {
    public static let builtinFunctions = ["print", "len", "str", "div", "abs", "min", "max", "float", "dec", "int", "sqrt", "range", "args",
                                   "allocate", "fx", "hex", "bytes", "sha256", "keccak256"]
    /// Built-in modules and their functions, called as `module.f(...)` after `use module`.
    public static let moduleFunctions: [String: [String]] = [
        "random": ["seed", "int", "float", "choice", "shuffle"],
    ]

    /// Built-in methods that change their receiver, which must then be a `var`.
    public static let mutatingMethods: Set<String> = ["push", "pop", "insert", "remove", "clear"]

    func member(_ e: Expr, _ base: Expr, _ name: String, _ nameSpan: Span) -> KType {
        if case .name(let baseName) = base.kind, lookup(baseName) == nil {
            if let info = result.enums[baseName] {
                guard let tag = info.tag(of: name) else {
                    error("enum \(baseName) has no variant '\(name)'\(didYouMean(name, among: info.variants.map(\.name)))", nameSpan)
                    return .error
                }
                result.members[e.id] = .variant(enumName: baseName, tag: tag)
                let payload = info.variants[tag].payload
                return payload.isEmpty ? .enumeration(baseName) : .function(payload, .enumeration(baseName))
            }
            if host.modules.contains(baseName) {
                guard usedModules.contains(baseName) else {
                    error("module '\(baseName)' is not loaded; add 'use \(baseName)'", base.span)
                    return .error
                }
                let full = baseName + "." + name
                if let sig = host.functions[full] {
                    result.members[e.id] = .host(full)
                    return sig.type.bindingUnits([:])
                }
                error("module \(baseName) has no function '\(name)'", nameSpan)
                return .error
            }
        }
        let bt = expr(base, nil)
        switch bt {
        case .record(let rname):
            guard let info = result.records[rname], let i = info.index(of: name) else {
                let fields = result.records[rname]?.fields.map(\.name) ?? []
                error("record \(rname) has no field '\(name)'\(didYouMean(name, among: fields))", nameSpan)
                return .error
            }
            result.members[e.id] = .field(i)
            return info.fields[i].type
        case .money:
            if name == "amount" { result.members[e.id] = .moneyAmount; return .dec }
            if name == "currency" { result.members[e.id] = .moneyCurrency; return .string }
            error("Money has no field '\(name)'; it has 'amount' and 'currency'", nameSpan)
            return .error
        case .error:
            return .error
        default:
            error("\(bt) has no field '\(name)'", nameSpan)
            return .error
        }
    }

    func call(_ e: Expr, _ callee: Expr, _ args: [Arg], _ expected: KType?) -> KType {
        switch callee.kind {
        case .name(let name) where lookup(name) == nil:
            if Self.builtinFunctions.contains(name) {
                result.calls[e.id] = .builtin(name)
                return builtinCall(name, args, expected, span: e.span)
            }
            if let sig = host.functions[name] {
                result.calls[e.id] = .host(name)
                return checkArguments(args, params: sig.params, labels: sig.labels, result: sig.result, callee: name, span: e.span,
                                      literalCheck: sig.literalCheck)
            }
        case .member(let base, let name, let nameSpan):
            if case .name(let module) = base.kind, let functions = Self.moduleFunctions[module], lookup(module) == nil,
               host.modules.contains(module), host.functions[module + "." + name] == nil {
                guard usedModules.contains(module) else {
                    error("module '\(module)' is not loaded; add 'use \(module)'", base.span)
                    return .error
                }
                guard functions.contains(name) else {
                    error("module \(module) has no function '\(name)'\(didYouMean(name, among: functions))", nameSpan)
                    return .error
                }
                result.calls[e.id] = .builtin(module + "." + name)
                return builtinCall(module + "." + name, args, expected, span: e.span)
            }
            if let t = methodCall(e, base, name, nameSpan, args, expected) { return t }
        default: break
        }
        let ct = expr(callee, nil)
        if case .name = callee.kind, case .variable(let id)? = result.names[callee.id], result.variables[id].isConstantFunction {
            result.calls[e.id] = .global(id)
        } else if case .variant(let enumName, let tag)? = result.members[callee.id] {
            result.calls[e.id] = .variant(enumName: enumName, tag: tag)
        } else if case .host(let name)? = result.members[callee.id] {
            result.calls[e.id] = .host(name)
            if let sig = host.functions[name] {
                return checkArguments(args, params: sig.params, labels: sig.labels, result: sig.result, callee: name, span: e.span,
                                      literalCheck: sig.literalCheck)
            }
        } else {
            result.calls[e.id] = .value
        }
        guard case .function(let params, let ret) = ct else {
            for a in args { expr(a.value, nil) }
            if ct != .error { error("cannot call a value of type \(ct)", callee.span) }
            return .error
        }
        var labels: [String?] = params.map { _ in nil }
        if case .global(let id)? = result.calls[e.id] {
            labels = parameterNames(of: result.variables[id].name) ?? labels
        }
        return checkArguments(args, params: params, labels: labels, result: ret, callee: calleeName(callee), span: e.span)
    }

    func calleeName(_ callee: Expr) -> String {
        switch callee.kind {
        case .name(let n): return n
        case .member(_, let n, _): return n
        default: return "function"
        }
    }

    /// Labels a caller may use: a top-level function's parameter names.
    func parameterNames(of function: String) -> [String?]? {
        for program in result.programs {
            for s in program.stmts {
                if case .function(let f) = s.kind, f.name == function { return f.params.map(\.name) }
            }
        }
        return nil
    }

    func checkArguments(_ args: [Arg], params: [KType], labels: [String?], result ret: KType, callee: String, span: Span,
                        units bound: [String: String] = [:], literalCheck: LiteralCheck? = nil) -> KType {
        if args.count != params.count {
            for a in args { expr(a.value, nil) }
            error("'\(callee)' takes \(params.count) argument\(params.count == 1 ? "" : "s"), found \(args.count)", span)
            return ret.bindingUnits(bound)
        }
        var units = bound
        for (i, (a, p)) in zip(args, params).enumerated() {
            if let label = a.label {
                let wanted = i < labels.count ? labels[i] : nil
                if label != wanted {
                    error(wanted.map { "argument \(i + 1) of '\(callee)' is '\($0)', not '\(label)'" }
                          ?? "argument \(i + 1) of '\(callee)' takes no label", a.value.span)
                }
            }
            if let variable = p.unitCodeVariable {
                unitCodeArgument(a, variable, &units, callee: callee, position: i + 1)
            } else if p.hasUnitVariables {
                unitArgument(a, p, &units, callee: callee, position: i + 1)
            } else {
                requireExpr(a.value, p, fits: p)
            }
        }
        if let literalCheck {
            for problem in literalCheck(args) { error(problem.message, problem.span) }
        }
        return ret.bindingUnits(units)
    }

    /// A bare unit code (`USD`, or a unit the script declared) standing for a unit-code
    /// parameter: the code is the argument's value and binds the unit variable.
    func unitCodeArgument(_ a: Arg, _ variable: String, _ units: inout [String: String], callee: String, position: Int) {
        guard case .name(let code) = a.value.kind, lookup(code) == nil, isCurrency(code) else {
            if case .name(let code) = a.value.kind, lookup(code) == nil, code.allSatisfy({ $0.isUppercase || $0.isNumber }) {
                error("unknown currency '\(code)'", a.value.span)
            } else {
                expr(a.value, nil)
                error("argument \(position) of '\(callee)' is a unit code, e.g. USD", a.value.span)
            }
            return
        }
        result.types[a.value.id] = .string
        result.unitCodes[a.value.id] = code
        if let bound = units[variable], bound != code {
            error("argument \(position) of '\(callee)' is in \(code), but the call is in \(bound)", a.value.span)
        }
        units[variable] = code
    }

    /// An argument whose parameter type has a unit variable: checked against the units bound
    /// so far, and binding the rest.
    func unitArgument(_ a: Arg, _ p: KType, _ units: inout [String: String], callee: String, position: Int) {
        let wanted = p.bindingUnits(units)
        let found = expr(a.value, wanted)
        if let clash = p.bindUnits(from: found, into: &units) {
            error("argument \(position) of '\(callee)' is in \(clash.found), but the call is in \(clash.bound)", a.value.span)
            return
        }
        let bound = p.bindingUnits(units)
        if require(found, fits: bound, a.value.span) { widen(a.value, to: bound) }
    }

    @discardableResult
    func arg(_ args: [Arg], _ i: Int, _ expected: KType?) -> KType { expr(args[i].value, expected) }

    func arity(_ args: [Arg], _ n: Int, _ name: String, _ span: Span) -> Bool {
        if args.count == n { return true }
        for a in args { expr(a.value, nil) }
        error("'\(name)' takes \(n) argument\(n == 1 ? "" : "s"), found \(args.count)", span)
        return false
    }

    func builtinCall(_ name: String, _ args: [Arg], _ expected: KType?, span: Span) -> KType {
        if name == "fx" { return fxCall(args, span: span) }
        for a in args where a.label != nil { error("'\(name)' takes no labelled arguments", a.value.span) }
        switch name {
        case "allocate":
            guard arity(args, 2, name, span) else { return .error }
            let total = arg(args, 0, nil)
            let ratios = arg(args, 1, nil)
            guard case .money = total else {
                if total != .error { error("allocate splits a Money amount, found \(total)", args[0].value.span) }
                return .error
            }
            if ratios != .list(.int) && ratios != .list(.dec) && !ratios.containsError {
                error("allocate needs ratios as a List[Int] or List[Dec], found \(ratios)", args[1].value.span)
            }
            return .list(total)
        case "print":
            guard arity(args, 1, name, span) else { return .unit }
            if arg(args, 0, nil) == .unit { error("cannot print a Unit value", args[0].value.span) }
            return .unit
        case "str":
            guard arity(args, 1, name, span) else { return .string }
            arg(args, 0, nil)
            return .string
        case "len":
            guard arity(args, 1, name, span) else { return .int }
            let t = arg(args, 0, nil)
            switch t {
            case .string, .list, .map, .bytes, .error: break
            default: error("len needs a String, List, Map or Bytes, found \(t)", args[0].value.span)
            }
            return .int
        case "div":
            guard arity(args, 2, name, span) else { return .int }
            requireExpr(args[0].value, .int, fits: .int)
            requireExpr(args[1].value, .int, fits: .int)
            return .int
        case "abs":
            guard arity(args, 1, name, span) else { return .error }
            let t = arg(args, 0, nil)
            switch t {
            case .int, .dec, .float, .money, .duration, .error: return t
            default: error("abs needs a number, found \(t)", args[0].value.span); return .error
            }
        case "min", "max":
            guard arity(args, 2, name, span) else { return .error }
            let a = arg(args, 0, nil), b = arg(args, 1, a)
            if a == .error || b == .error { return .error }
            if case .money(let x?) = a, case .money(let y?) = b, x != y {
                error("cannot take the \(name) of Money[\(x)] and Money[\(y)]", span)
                return .error
            }
            guard a.isOrdered, let joined = (a.isNumeric && b.isNumeric && a != .float && b != .float) ? (a == .int && b == .int ? .int : .dec) : KType.join(a, b),
                  joined.isOrdered else {
                error("cannot take the \(name) of \(a) and \(b)", span)
                return .error
            }
            return joined
        case "float":
            guard arity(args, 1, name, span) else { return .float }
            let t = arg(args, 0, nil)
            if ![.int, .dec, .float, .error].contains(t) { error("float needs an Int or Dec, found \(t)", args[0].value.span) }
            return .float
        case "dec":
            guard arity(args, 1, name, span) else { return .dec }
            let t = arg(args, 0, nil)
            switch t {
            case .int, .dec, .error: return .dec
            case .string: return .optional(.dec)
            default:
                error("dec needs an Int or a String, found \(t)\(t == .float ? " (a Float is not exact; there is no implicit conversion)" : "")", args[0].value.span)
                return .error
            }
        case "int":
            guard arity(args, 1, name, span) else { return .int }
            let t = arg(args, 0, nil)
            switch t {
            case .int, .dec, .float, .duration, .error: return .int
            case .string: return .optional(.int)
            default: error("int needs a number or a String, found \(t)", args[0].value.span); return .error
            }
        case "sqrt":
            guard arity(args, 1, name, span) else { return .float }
            requireExpr(args[0].value, .float, fits: .float)
            return .float
        case "range":
            guard arity(args, 2, name, span) else { return .list(.int) }
            requireExpr(args[0].value, .int, fits: .int)
            requireExpr(args[1].value, .int, fits: .int)
            return .list(.int)
        case "args":
            _ = arity(args, 0, name, span)
            return .list(.string)
        case "hex", "bytes":
            guard arity(args, 1, name, span) else { return .bytes }
            requireExpr(args[0].value, .string, fits: .string)
            return .bytes
        case "sha256", "keccak256":
            guard arity(args, 1, name, span) else { return .bytes }
            requireExpr(args[0].value, .bytes, fits: .bytes)
            return .bytes
        case "random.seed":
            guard arity(args, 1, name, span) else { return .unit }
            requireExpr(args[0].value, .int, fits: .int)
            return .unit
        case "random.int":
            guard arity(args, 2, name, span) else { return .int }
            requireExpr(args[0].value, .int, fits: .int)
            requireExpr(args[1].value, .int, fits: .int)
            return .int
        case "random.float":
            _ = arity(args, 0, name, span)
            return .float
        case "random.choice", "random.shuffle":
            guard arity(args, 1, name, span) else { return .error }
            let t = arg(args, 0, expected.map { name == "random.choice" ? .list($0) : $0 })
            guard case .list(let el) = t else {
                if t != .error { error("\(name) needs a List, found \(t)", args[0].value.span) }
                return .error
            }
            return name == "random.choice" ? el : t
        default:
            error("unknown built-in '\(name)'", span)
            return .error
        }
    }

    /// `fx(amount, EUR, rate: 0.9215)` or with `rounding: Rounding.half_up`: a conversion
    /// record that keeps the source, the rate and the unrounded amount for audit.
    func fxCall(_ args: [Arg], span: Span) -> KType {
        guard args.count == 3 || args.count == 4 else {
            for a in args { expr(a.value, nil) }
            error("'fx' takes an amount, a currency, 'rate:' and optionally 'rounding:', found \(args.count) arguments", span)
            return .error
        }
        let source = expr(args[0].value, nil)
        if case .money = source {} else if source != .error { error("fx converts Money, found \(source)", args[0].value.span) }
        if case .name(let code) = args[1].value.kind, lookup(code) == nil, isCurrency(code) {
            result.types[args[1].value.id] = .string
        } else {
            error("fx needs a currency code as its second argument, e.g. EUR", args[1].value.span)
        }
        if args[2].label != "rate" { error("fx's third argument is 'rate:'", args[2].value.span) }
        requireExpr(args[2].value, .dec, fits: .dec)
        if args.count == 4 {
            if args[3].label != "rounding" { error("fx's fourth argument is 'rounding:'", args[3].value.span) }
            requireExpr(args[3].value, nil, fits: .enumeration("Rounding"))
        }
        if args[0].label != nil || args[1].label != nil { error("fx's amount and currency take no labels", span) }
        guard result.records["Conversion"] != nil else {
            error("fx needs the prelude's Conversion record", span)
            return .error
        }
        return .record("Conversion")
    }

    /// A method call on a value: a built-in method, or `x.f(a)` for a user function `f(x, a)`.
    func methodCall(_ e: Expr, _ base: Expr, _ name: String, _ nameSpan: Span, _ args: [Arg], _ expected: KType?) -> KType? {
        if case .name(let baseName) = base.kind, lookup(baseName) == nil,
           result.enums[baseName] != nil || host.modules.contains(baseName) {
            return nil
        }
        let receiver = expr(base, nil)
        if receiver == .error {
            for a in args { expr(a.value, nil) }
            return .error
        }
        if case .record(let rname) = receiver, result.records[rname]?.index(of: name) != nil {
            return nil
        }
        if let t = builtinMethod(name, receiver, args, expected, span: e.span) {
            result.calls[e.id] = .method(name, receiver: receiver)
            if Self.mutatingMethods.contains(name) { requireMutable(base, method: name) }
            return t
        }
        if let typeName = receiver.nominalName, let sig = host.functions[typeName + "." + name] {
            result.calls[e.id] = .hostMethod(typeName + "." + name)
            // The receiver is the first parameter: its unit binds the signature's unit variable.
            var units: [String: String] = [:]
            if let first = sig.params.first { _ = first.bindUnits(from: receiver, into: &units) }
            return checkArguments(args, params: Array(sig.params.dropFirst()), labels: Array(sig.labels.dropFirst()),
                                  result: sig.result, callee: name, span: e.span, units: units, literalCheck: sig.literalCheck)
        }
        if let id = lookup(name), case .function(let params, let ret) = result.variables[id].type,
           let first = params.first, receiver.fits(first) {
            use(id)
            result.calls[e.id] = .ufcs(id)
            let labels = result.variables[id].isConstantFunction ? Array((parameterNames(of: name) ?? []).dropFirst()) : []
            return checkArguments(args, params: Array(params.dropFirst()), labels: labels, result: ret, callee: name, span: e.span)
        }
        for a in args { expr(a.value, nil) }
        let methods = Self.methodNames(for: receiver) + hostMethodNames(for: receiver)
        error("\(receiver) has no method '\(name)'\(didYouMean(name, among: methods))", nameSpan)
        return .error
    }

    /// Methods a host binds on a named type, as functions named `Type.method`.
    func hostMethodNames(for t: KType) -> [String] {
        guard let typeName = t.nominalName else { return [] }
        let prefix = typeName + "."
        return host.functions.keys.filter { $0.hasPrefix(prefix) }.map { String($0.dropFirst(prefix.count)) }.sorted()
    }

    func requireMutable(_ base: Expr, method: String) {
        guard let root = rootVariable(base) else {
            error("'\(method)' changes its receiver, which must be a variable", base.span)
            return
        }
        if !result.variables[root].mutable {
            error("cannot \(method) on '\(result.variables[root].name)': it is declared with 'let'; use 'var'", base.span)
        }
        noteChange(of: root)
    }

    public static func methodNames(for t: KType) -> [String] {
        switch t {
        case .list: return ["len", "push", "pop", "insert", "remove", "clear", "map", "filter", "fold", "sort", "sort_by", "sum", "min", "max",
                            "contains", "reverse", "join", "any", "all", "find", "index_of", "first", "last", "slice", "is_empty"]
        case .map: return ["len", "keys", "values", "contains", "get", "remove", "clear", "is_empty"]
        case .string: return ["len", "upper", "lower", "contains", "starts_with", "ends_with", "split", "trim", "replace", "chars", "is_empty",
                              "slice", "index_of"]
        case .money: return ["round"]
        case .bytes: return ["len", "hex", "base64", "base58", "base62", "slice", "reverse", "is_empty"]
        case .dec: return ["round", "sqrt", "pow"]
        default: return []
        }
    }

    func lambdaArg(_ args: [Arg], _ i: Int, params: [KType], result: KType?) -> KType {
        let t = arg(args, i, .function(params, result ?? .never))
        guard case .function(let ps, let r) = t, ps.count == params.count else {
            if t != .error { error("expected a function taking \(params.count) argument\(params.count == 1 ? "" : "s"), found \(t)", args[i].value.span) }
            return .error
        }
        for (p, q) in zip(params, ps) where !p.fits(q) { mismatch(expected: .function(params, r), found: t, args[i].value.span) }
        return r
    }

    func builtinMethod(_ name: String, _ receiver: KType, _ args: [Arg], _ expected: KType?, span: Span) -> KType? {
        guard Self.methodNames(for: receiver).contains(name) else { return nil }
        func n(_ count: Int) -> Bool { arity(args, count, name, span) }
        if name == "slice" {
            // Lists, strings and bytes: elements, characters or bytes `a` to `b - 1`.
            guard n(2) else { return receiver }
            requireExpr(args[0].value, .int, fits: .int)
            requireExpr(args[1].value, .int, fits: .int)
            return receiver
        }
        switch receiver {
        case .list(let el):
            switch name {
            case "len": _ = n(0); return .int
            case "is_empty": _ = n(0); return .bool
            case "push":
                guard n(1) else { return .unit }
                requireExpr(args[0].value, el, fits: el)
                return .unit
            case "insert":
                guard n(2) else { return .unit }
                requireExpr(args[0].value, .int, fits: .int)
                requireExpr(args[1].value, el, fits: el)
                return .unit
            case "pop": _ = n(0); return .optional(el)
            case "remove":
                guard n(1) else { return el }
                requireExpr(args[0].value, .int, fits: .int)
                return el
            case "clear": _ = n(0); return .unit
            case "map":
                guard n(1) else { return .error }
                let r = lambdaArg(args, 0, params: [el], result: nil)
                if r == .unit { error("the function given to map returns no value", args[0].value.span) }
                return .list(r)
            case "filter", "any", "all", "find":
                guard n(1) else { return .error }
                require(lambdaArg(args, 0, params: [el], result: .bool), fits: .bool, args[0].value.span)
                return name == "filter" ? receiver : name == "find" ? .optional(el) : .bool
            case "fold":
                guard n(2) else { return .error }
                let acc = arg(args, 0, expected)
                let r = lambdaArg(args, 1, params: [acc, el], result: acc)
                require(r, fits: acc, args[1].value.span)
                return acc
            case "sort":
                _ = n(0)
                if !el.isOrdered { error("cannot sort \(receiver): its elements have no order; use sort_by", span) }
                return receiver
            case "sort_by":
                guard n(1) else { return receiver }
                let key = lambdaArg(args, 0, params: [el], result: nil)
                if !key.isOrdered { error("sort_by needs a key with an order (number, string, duration, money), found \(key)", args[0].value.span) }
                return receiver
            case "sum":
                _ = n(0)
                switch el {
                case .int, .dec, .float, .money, .duration, .error: return el
                default: error("cannot sum \(receiver)", span); return .error
                }
            case "min", "max":
                _ = n(0)
                if !el.isOrdered { error("cannot take the \(name) of \(receiver)", span) }
                return .optional(el)
            case "contains":
                guard n(1) else { return .bool }
                requireExpr(args[0].value, el, fits: el)
                if !isEquatable(el) { error("\(el) values cannot be compared", span) }
                return .bool
            case "index_of":
                guard n(1) else { return .optional(.int) }
                requireExpr(args[0].value, el, fits: el)
                return .optional(.int)
            case "reverse": _ = n(0); return receiver
            case "first", "last": _ = n(0); return .optional(el)
            case "join":
                guard n(1) else { return .string }
                requireExpr(args[0].value, .string, fits: .string)
                if el != .string && el != .error { error("join needs a List[String], found \(receiver)", span) }
                return .string
            default: return nil
            }
        case .map(let k, let v):
            switch name {
            case "len": _ = n(0); return .int
            case "is_empty": _ = n(0); return .bool
            case "keys": _ = n(0); return .list(k)
            case "values": _ = n(0); return .list(v)
            case "clear": _ = n(0); return .unit
            case "contains", "get", "remove":
                guard n(1) else { return .error }
                requireExpr(args[0].value, k, fits: k)
                return name == "contains" ? .bool : .optional(v)
            default: return nil
            }
        case .string:
            switch name {
            case "len": _ = n(0); return .int
            case "is_empty": _ = n(0); return .bool
            case "upper", "lower", "trim": _ = n(0); return .string
            case "chars": _ = n(0); return .list(.string)
            case "contains", "starts_with", "ends_with":
                guard n(1) else { return .bool }
                requireExpr(args[0].value, .string, fits: .string)
                return .bool
            case "split":
                guard n(1) else { return .list(.string) }
                requireExpr(args[0].value, .string, fits: .string)
                return .list(.string)
            case "replace":
                guard n(2) else { return .string }
                requireExpr(args[0].value, .string, fits: .string)
                requireExpr(args[1].value, .string, fits: .string)
                return .string
            case "index_of":
                guard n(1) else { return .optional(.int) }
                requireExpr(args[0].value, .string, fits: .string)
                return .optional(.int)
            default: return nil
            }
        case .bytes:
            _ = n(0)
            switch name {
            case "len": return .int
            case "is_empty": return .bool
            case "reverse": return .bytes
            default: return .string
            }
        case .money:
            // `m.round()` rounds half-even to the currency's minor units; `m.round(Rounding.up)` names the mode.
            if args.count > 1 { _ = n(1) }
            if args.count == 1 { requireExpr(args[0].value, nil, fits: .enumeration("Rounding")) }
            return receiver
        case .dec:
            switch name {
            case "round":
                guard args.count == 1 || args.count == 2 else { _ = n(1); return .dec }
                requireExpr(args[0].value, .int, fits: .int)
                if args.count == 2 { requireExpr(args[1].value, nil, fits: .enumeration("Rounding")) }
                return .dec
            case "sqrt": _ = n(0); return .dec
            case "pow":
                guard n(1) else { return .dec }
                requireExpr(args[0].value, .int, fits: .int)
                return .dec
            default: return nil
            }
        default:
            return nil
        }
    }
}
