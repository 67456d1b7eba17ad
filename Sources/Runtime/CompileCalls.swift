import Money
import Syntax
import Types

extension Compiler {
    /// Where a call's frame starts: just above the caller's own slots.
    var frameOffset: Int { checked.functions[fn].frameSize }

    /// The function object of a top-level function variable.
    func globalProto(_ v: Int) -> FunctionProto? { protosByVariable[v] }

    func call(_ e: Expr, _ callee: Expr, _ args: [Arg], site s: Site) -> Compiled {
        let compiledArgs = args.map { expr($0.value) }
        let argCodes = compiledArgs.map(\.value)
        let offset = frameOffset
        let resultType = type(e)
        switch checked.calls[e.id] {
        case .global(let v)?:
            guard let p = globalProto(v) else { break }
            return directCall(p, compiledArgs, offset: offset, returnsInt: resultType == .int, site: s)
        case .ufcs(let v)?:
            guard case .member(let base, _, _) = callee.kind else { break }
            let all = [expr(base)] + compiledArgs
            if checked.variables[v].isConstantFunction, let p = globalProto(v) {
                return directCall(p, all, offset: offset, returnsInt: resultType == .int, site: s)
            }
            return valueCall(readVariable(v, site: s).value, all.map(\.value), offset: offset, site: s)
        case .builtin(let name)?:
            return builtin(name, args, compiledArgs, offset: offset, site: s)
        case .host(let name)?:
            return hostCall(name, compiledArgs, site: s)
        case .hostMethod(let name)?:
            guard case .member(let base, _, _) = callee.kind else { break }
            return hostCall(name, [expr(base)] + compiledArgs, site: s)
        case .method(let name, let receiver)?:
            guard case .member(let base, _, _) = callee.kind else { break }
            return method(name, receiver: receiver, result: resultType, base: base, argCodes, offset: offset, site: s)
        case .variant(let enumName, let tag)?:
            guard let shape = enumShapes[enumName] else { break }
            return .value { vm throws(Unwind) in
                var payload: [Value] = []
                payload.reserveCapacity(argCodes.count)
                for c in argCodes { payload.append(try c(vm)) }
                return .variant(VariantBox.make(shape, tag: tag, payload: payload))
            }
        case .value?, nil:
            return valueCall(expr(callee).value, argCodes, offset: offset, site: s)
        }
        return .value { _ throws(Unwind) in throw internalError("a callable", s) }
    }

    /// A call to a host function. Its arguments go into an array the VM keeps from call to
    /// call for each nesting depth (`VM.takeArguments`), so a call allocates nothing for
    /// them. Up to three arguments are evaluated by closures captured one by one, cheaper
    /// to call than through an array.
    func hostCall(_ name: String, _ args: [Compiled], site s: Site) -> Compiled {
        let body = hostFunctions[name]?.body
        let codes = args.map { Operand(code: $0.value) }
        switch codes.count {
        case 1:
            let a = codes[0].code
            return .value { vm throws(Unwind) in
                var values = vm.takeArguments()
                defer { vm.putBackArguments(&values) }
                values.append(try a(vm))
                return try Compiler.callHost(body, name, values, vm, s)
            }
        case 2:
            let a = codes[0].code, b = codes[1].code
            return .value { vm throws(Unwind) in
                var values = vm.takeArguments()
                defer { vm.putBackArguments(&values) }
                values.append(try a(vm))
                values.append(try b(vm))
                return try Compiler.callHost(body, name, values, vm, s)
            }
        case 3:
            let a = codes[0].code, b = codes[1].code, c = codes[2].code
            return .value { vm throws(Unwind) in
                var values = vm.takeArguments()
                defer { vm.putBackArguments(&values) }
                values.append(try a(vm))
                values.append(try b(vm))
                values.append(try c(vm))
                return try Compiler.callHost(body, name, values, vm, s)
            }
        default:
            return .value { vm throws(Unwind) in
                var values = vm.takeArguments()
                defer { vm.putBackArguments(&values) }
                for o in codes { values.append(try o.code(vm)) }
                return try Compiler.callHost(body, name, values, vm, s)
            }
        }
    }

    @inline(__always)
    static func callHost(_ body: HostFunction.Body?, _ name: String, _ values: [Value],
                         _ vm: VM, _ s: Site) throws(Unwind) -> Value {
        guard let body else { throw fail("host function '\(name)' is not bound", s) }
        // A loop calls from one site: comparing spares the reference counting of a store.
        if vm.hostCallSite !== s { vm.hostCallSite = s }
        return try vm.asHostCaller { () throws(Unwind) in try callNative(body, values, s) }
    }

    /// A closure kept in a struct, not directly in an array, keeps its own calling
    /// convention: no reabstraction thunk on every call (see `Step`).
    struct Operand {
        let code: Code
    }

    /// A call of a function value. One or two arguments go straight into the new frame;
    /// more go through one of the VM's spare argument arrays.
    func valueCall(_ callee: @escaping Code, _ argCodes: [Code], offset: Int, site s: Site) -> Compiled {
        switch argCodes.count {
        case 1:
            let a = argCodes[0]
            return .value { vm throws(Unwind) in
                guard case .function(let c) = try callee(vm) else { throw internalError("function", s) }
                return try Compiler.invoke(vm, c, try a(vm), nil, frameOffset: offset, site: s)
            }
        case 2:
            let a = argCodes[0], b = argCodes[1]
            return .value { vm throws(Unwind) in
                guard case .function(let c) = try callee(vm) else { throw internalError("function", s) }
                let first = try a(vm)
                return try Compiler.invoke(vm, c, first, try b(vm), frameOffset: offset, site: s)
            }
        default:
            return .value { vm throws(Unwind) in
                guard case .function(let c) = try callee(vm) else { throw internalError("function", s) }
                var values = vm.takeArguments()
                defer { vm.putBackArguments(&values) }
                for a in argCodes { values.append(try a(vm)) }
                return try Compiler.invoke(vm, c, values, frameOffset: offset, site: s)
            }
        }
    }

    /// A call to a known top-level function: arguments go straight into the new frame,
    /// and an Int result stays unboxed.
    func directCall(_ p: FunctionProto, _ args: [Compiled], offset: Int, returnsInt: Bool, site s: Site) -> Compiled {
        let store = argumentStore(args)
        if returnsInt {
            return .int { vm throws(Unwind) in
                let newBase = try Compiler.enter(vm, p, frameOffset: offset, site: s)
                try store(vm, newBase)
                if let body = p.intBody { return try Compiler.runInt(vm, p, body, newBase: newBase, site: s) }
                guard case .int(let i) = try Compiler.run(vm, p, newBase: newBase, site: s) else { throw internalError("Int", s) }
                return i
            }
        }
        return .value { vm throws(Unwind) in
            let newBase = try Compiler.enter(vm, p, frameOffset: offset, site: s)
            try store(vm, newBase)
            return try Compiler.run(vm, p, newBase: newBase, site: s)
        }
    }

    /// Evaluates all arguments before writing any, since evaluating one may call and reuse the slots.
    /// Unboxed Int arguments are stored without going through a boxing closure.
    func argumentStore(_ args: [Compiled]) -> (VM, Int) throws(Unwind) -> Void {
        switch args.count {
        case 1:
            if case .int(let a) = args[0] { return { vm, base throws(Unwind) in vm.stack[base] = .int(try a(vm)) } }
        case 2:
            if case .int(let a) = args[0], case .int(let b) = args[1] {
                return { vm, base throws(Unwind) in
                    let x = try a(vm), y = try b(vm)
                    vm.stack[base] = .int(x)
                    vm.stack[base + 1] = .int(y)
                }
            }
        default: break
        }
        let codes = args.map(\.value)
        switch codes.count {
        case 0: return { _, _ throws(Unwind) in }
        case 1:
            let a = codes[0]
            return { vm, base throws(Unwind) in vm.stack[base] = try a(vm) }
        case 2:
            let a = codes[0], b = codes[1]
            return { vm, base throws(Unwind) in
                let x = try a(vm), y = try b(vm)
                vm.stack[base] = x
                vm.stack[base + 1] = y
            }
        case 3:
            let a = codes[0], b = codes[1], c = codes[2]
            return { vm, base throws(Unwind) in
                let x = try a(vm), y = try b(vm), z = try c(vm)
                vm.stack[base] = x
                vm.stack[base + 1] = y
                vm.stack[base + 2] = z
            }
        default:
            return { vm, base throws(Unwind) in
                var values: [Value] = []
                values.reserveCapacity(codes.count)
                for c in codes { values.append(try c(vm)) }
                for (i, v) in values.enumerated() { vm.stack[base + i] = v }
            }
        }
    }

    func builtin(_ name: String, _ args: [Arg], _ compiledArgs: [Compiled], offset: Int, site s: Site) -> Compiled {
        if name == "fx" { return fx(args, site: s) }
        if name == "div", compiledArgs.count == 2 {
            let a = compiledArgs[0].int(s), b = compiledArgs[1].int(s)
            return .int { vm throws(Unwind) in try Arithmetic.floorDiv(try a(vm), try b(vm), s) }
        }
        if name == "len", compiledArgs.count == 1 {
            let a = compiledArgs[0].value
            return .int { vm throws(Unwind) in try Builtins.length(try a(vm), vm: vm, s) }
        }
        guard let function = BuiltinFunction(rawValue: name) else {
            return .value { _ throws(Unwind) in throw fail("unknown built-in '\(name)'", s) }
        }
        let argCodes = compiledArgs.map(\.value)
        let argTypes = args.map { type($0.value) }
        return .value { vm throws(Unwind) in
            var values = vm.takeArguments()
            defer { vm.putBackArguments(&values) }
            for c in argCodes { values.append(try c(vm)) }
            return try Builtins.function(function, values, argTypes: argTypes, vm: vm, frameOffset: offset, site: s)
        }
    }

    /// `fx(amount, CODE, rate: r[, rounding: mode])`: the code is read from the source, not evaluated.
    func fx(_ args: [Arg], site s: Site) -> Compiled {
        guard case .name(let code) = args[1].value.kind, let target = CurrencyTable.shared.id(code),
              let shape = recordShapes["Conversion"] else {
            return .value { _ throws(Unwind) in throw internalError("a currency", s) }
        }
        let amount = expr(args[0].value).value, rate = expr(args[2].value).value
        let mode = args.count > 3 ? expr(args[3].value).value : nil
        return .value { vm throws(Unwind) in
            guard case .money(let d, let c) = try amount(vm), case .dec(let r) = try rate(vm) else { throw internalError("Money", s) }
            let rounding = try mode.map { m throws(Unwind) in try Builtins.roundingMode(try m(vm), s) } ?? .halfEven
            let table = CurrencyTable.shared
            let conversion: FxConversion
            do throws(MoneyError) {
                conversion = try FxConversion.convert(Money(d, table.currency(c)), to: table.currency(target), rate: r, rounding: rounding)
            } catch {
                throw fail(error.description, s)
            }
            guard conversion.exactAmount.hasPlainForm else { throw Arithmetic.withoutPlainForm(conversion.exactAmount, s) }
            return .record(RecordBox(shape: shape, fields: [
                .money(d, c), .dec(r), .money(conversion.exactAmount, target), .money(conversion.converted.amount, target),
            ]))
        }
    }

    func method(_ name: String, receiver: KType, result: KType, base: Expr, _ argCodes: [Code], offset: Int, site s: Site) -> Compiled {
        guard let method = BuiltinMethod(rawValue: name) else {
            return .value { _ throws(Unwind) in throw fail("unknown method '\(name)'", s) }
        }
        if Checker.mutatingMethods.contains(name) {
            let target = place(base, site: s)
            let grows = method == .push || method == .insert
            // Inserting into or removing from a list at `i` moves the elements after it.
            let shifts = method == .insert || method == .remove
            return .value { vm throws(Unwind) in
                var values = vm.takeArguments()
                defer { vm.putBackArguments(&values) }
                for c in argCodes { values.append(try c(vm)) }
                var result = Value.unit
                try target(vm, false) { (container: inout Value) throws(Unwind) in
                    if shifts, case .int(let i) = values[0], i >= 0, i < container.listCount {
                        try vm.work(container.listCount - i, s)
                    }
                    result = try Builtins.mutate(method, &container, values, site: s)
                    if grows {
                        try vm.charge(MemoryLayout<Value>.stride, s)
                        if container.listCount > vm.limits.collectionSize { try vm.checkSize(container, s) }
                    }
                }
                return result
            }
        }
        let b = expr(base).value
        var intElements = false
        if case .list(.int) = receiver { intElements = true }
        if case .map(.int, _) = receiver, name == "keys" { intElements = true }
        if case .map(_, .int) = receiver, name == "values" { intElements = true }
        if name == "map" { intElements = result == .list(.int) }
        let flag = intElements
        if name == "len" {
            return .int { vm throws(Unwind) in try Builtins.length(try b(vm), vm: vm, s) }
        }
        return .value { vm throws(Unwind) in
            let r = try b(vm)
            var values = vm.takeArguments()
            defer { vm.putBackArguments(&values) }
            for c in argCodes { values.append(try c(vm)) }
            return try Builtins.method(method, r, values, intElements: flag, vm: vm, frameOffset: offset, site: s)
        }
    }

    // MARK: match

    typealias PatternTest = (VM, Value) throws(Unwind) -> Bool

    func matchExpr(_ subject: Expr, _ arms: [MatchArm], site s: Site) -> Compiled {
        let subjectCode = expr(subject).value
        let compiledArms: [(PatternTest, BoolCode?, Code)] = arms.map { arm in
            (patternTest(arm.pattern), arm.guardExpr.map { expr($0).bool(site($0.span)) }, expr(arm.body).value)
        }
        return .value { vm throws(Unwind) in
            let v = try subjectCode(vm)
            for (test, guardCode, body) in compiledArms {
                guard try test(vm, v) else { continue }
                if let guardCode, !(try guardCode(vm)) { continue }
                return try body(vm)
            }
            throw fail("no match arm matched \(Display.literal(v))", s)
        }
    }

    func patternTest(_ p: Pattern) -> PatternTest {
        let s = site(p.span)
        switch checked.patterns[p.id] {
        case .any?, nil: return { _, _ throws(Unwind) in true }
        case .bind(let v)?:
            let store = declare(v)
            return { vm, x throws(Unwind) in store(vm, x); return true }
        case .isNone?:
            return { _, x throws(Unwind) in if case .none = x { return true } else { return false } }
        case .isSome?:
            guard case .variant(_, _, let args) = p.kind, let inner = args.first else { return { _, _ throws(Unwind) in false } }
            let test = patternTest(inner)
            return { vm, x throws(Unwind) in
                if case .none = x { return false }
                return try test(vm, x)
            }
        case .variant(let tag)?:
            var subTests: [PatternTest] = []
            if case .variant(_, _, let args) = p.kind { subTests = args.map(patternTest) }
            let tests = subTests
            return { vm, x throws(Unwind) in
                guard case .variant(let box) = x, box.tag == tag else { return false }
                for (i, t) in tests.enumerated() where i < box.payload.count {
                    if !(try t(vm, box.payload[i])) { return false }
                }
                return true
            }
        case .literal?:
            let literal: Value
            switch p.kind {
            case .int(let i): literal = .int(i)
            case .dec(let d): literal = .dec((try? Dec(parsing: d)) ?? Dec(0))
            case .string(let str): literal = .string(str)
            case .bool(let b): literal = .bool(b)
            default: literal = .unit
            }
            return { _, x throws(Unwind) in try Arithmetic.equal(x, literal, s) }
        }
    }
}
