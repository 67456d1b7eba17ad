import Money
import Syntax

/// Operators on boxed values, for the operand types that have no unboxed fast path.
/// Every failure is a positioned error; nothing wraps, rounds silently or traps.
enum Arithmetic {
    static func decimal(_ v: Value) -> Dec? {
        switch v {
        case .dec(let d): return d
        case .int(let i): return Dec(i)
        default: return nil
        }
    }

    /// `body`'s result, or a positioned error: the operation's own, or that the result
    /// could not be printed without an exponent (Keel never prints one).
    @inline(__always)
    static func checked(_ site: Site, _ body: () throws(DecimalError) -> Dec) throws(Unwind) -> Dec {
        let result: Dec
        do throws(DecimalError) { result = try body() } catch { throw fail(error.description, site) }
        guard result.hasPlainForm else { throw withoutPlainForm(result, site) }
        return result
    }

    static func withoutPlainForm(_ d: Dec, _ site: Site) -> Unwind {
        fail("result \(d.scientificString) would need more than \(Dec.maxDigits) zeros to print without an exponent", site)
    }

    static func currencyName(_ c: CurrencyID) -> String { CurrencyTable.shared.code(c) }

    static func mismatch(_ verb: String, _ c: CurrencyID, _ d: CurrencyID, _ site: Site, joiner: String = "and") -> Unwind {
        fail("cannot \(verb) Money[\(currencyName(c))] \(joiner) Money[\(currencyName(d))]", site)
    }

    static func intOverflow(_ op: String, _ a: Int, _ b: Int, _ site: Site) -> Unwind {
        fail("integer overflow: \(a) \(op) \(b) does not fit in 64 bits", site)
    }

    static func add(_ a: Value, _ b: Value, _ site: Site) throws(Unwind) -> Value {
        switch (a, b) {
        case (.int(let x), .int(let y)):
            let (r, o) = x.addingReportingOverflow(y)
            if o { throw intOverflow("+", x, y, site) }
            return .int(r)
        case (.money(let x, let c), .money(let y, let d)):
            if c != d { throw mismatch("add", c, d, site) }
            return .money(try checked(site) { () throws(DecimalError) in try x.adding(y) }, c)
        case (.float(let x), .float(let y)): return .float(x + y)
        case (.string(let x), .string(let y)): return .string(x + y)
        case (.bytes(let x), .bytes(let y)): return .bytes(x + y)
        case (.duration(let x), .duration(let y)):
            let (r, o) = x.addingReportingOverflow(y)
            if o { throw fail("duration overflow", site) }
            return .duration(r)
        case (.intList(let x), .intList(let y)): return .intList(x + y)
        case (.list, _), (_, .list): return .list((a.listElements ?? []) + (b.listElements ?? []))
        default:
            guard let x = decimal(a), let y = decimal(b) else { throw internalError("numbers", site) }
            return .dec(try checked(site) { () throws(DecimalError) in try x.adding(y) })
        }
    }

    /// `slot += b` for a String, Bytes or List in `slot`: appends to the slot's own storage
    /// (taken out first, so it is not shared with the slot and is not copied), so a loop
    /// that grows one is linear, not quadratic. Anything else is `slot = slot + b`.
    static func addInPlace(_ slot: inout Value, _ b: Value, _ site: Site) throws(Unwind) {
        switch b {
        case .string(let y):
            if var x = Builtins.takeString(&slot) {
                x += y
                slot = .string(x)
                return
            }
        case .bytes(let y):
            if var x = Builtins.takeBytes(&slot) {
                x += y
                slot = .bytes(x)
                return
            }
        case .intList(let y):
            if var x = Builtins.takeInts(&slot) {
                x += y
                slot = .intList(x)
                return
            }
        case .list(let y):
            if var x = Builtins.takeValues(&slot) {
                x += y
                slot = .list(x)
                return
            }
        default:
            break
        }
        slot = try add(slot, b, site)
    }

    static func subtract(_ a: Value, _ b: Value, _ site: Site) throws(Unwind) -> Value {
        switch (a, b) {
        case (.int(let x), .int(let y)):
            let (r, o) = x.subtractingReportingOverflow(y)
            if o { throw intOverflow("-", x, y, site) }
            return .int(r)
        case (.money(let x, let c), .money(let y, let d)):
            if c != d { throw mismatch("subtract", c, d, site) }
            return .money(try checked(site) { () throws(DecimalError) in try x.subtracting(y) }, c)
        case (.float(let x), .float(let y)): return .float(x - y)
        case (.duration(let x), .duration(let y)):
            let (r, o) = x.subtractingReportingOverflow(y)
            if o { throw fail("duration overflow", site) }
            return .duration(r)
        default:
            guard let x = decimal(a), let y = decimal(b) else { throw internalError("numbers", site) }
            return .dec(try checked(site) { () throws(DecimalError) in try x.subtracting(y) })
        }
    }

    static func multiply(_ a: Value, _ b: Value, _ site: Site) throws(Unwind) -> Value {
        switch (a, b) {
        case (.int(let x), .int(let y)):
            let (r, o) = x.multipliedReportingOverflow(by: y)
            if o { throw intOverflow("*", x, y, site) }
            return .int(r)
        case (.money(let x, let c), _):
            guard let y = decimal(b) else { throw internalError("number", site) }
            return .money(try checked(site) { () throws(DecimalError) in try x.multiplying(y) }, c)
        case (_, .money(let y, let c)):
            guard let x = decimal(a) else { throw internalError("number", site) }
            return .money(try checked(site) { () throws(DecimalError) in try x.multiplying(y) }, c)
        case (.float(let x), .float(let y)): return .float(x * y)
        case (.duration(let x), .int(let y)), (.int(let y), .duration(let x)):
            let (r, o) = x.multipliedReportingOverflow(by: y)
            if o { throw fail("duration overflow", site) }
            return .duration(r)
        default:
            guard let x = decimal(a), let y = decimal(b) else { throw internalError("numbers", site) }
            return .dec(try checked(site) { () throws(DecimalError) in try x.multiplying(y) })
        }
    }

    static func divide(_ a: Value, _ b: Value, _ site: Site) throws(Unwind) -> Value {
        switch (a, b) {
        case (.money(let x, let c), .money(let y, let d)):
            if c != d { throw mismatch("divide", c, d, site, joiner: "by") }
            return .dec(try checked(site) { () throws(DecimalError) in try x.divided(by: y) })
        case (.money(let x, let c), _):
            guard let y = decimal(b) else { throw internalError("number", site) }
            return .money(try checked(site) { () throws(DecimalError) in try x.divided(by: y) }, c)
        case (.float(let x), .float(let y)):
            return .float(x / y)
        case (.duration(let x), .duration(let y)):
            return .dec(try checked(site) { () throws(DecimalError) in try Dec(x).divided(by: Dec(y)) })
        default:
            guard let x = decimal(a), let y = decimal(b) else { throw internalError("numbers", site) }
            return .dec(try checked(site) { () throws(DecimalError) in try x.divided(by: y) })
        }
    }

    static func remainder(_ a: Value, _ b: Value, _ site: Site) throws(Unwind) -> Value {
        switch (a, b) {
        case (.int(let x), .int(let y)): return .int(try floorMod(x, y, site))
        case (.float(let x), .float(let y)):
            let r = x.truncatingRemainder(dividingBy: y)
            return .float(r != 0 && (r < 0) != (y < 0) ? r + y : r)
        default:
            guard let x = decimal(a), let y = decimal(b) else { throw internalError("numbers", site) }
            return .dec(try checked(site) { () throws(DecimalError) in try x.remainder(dividingBy: y) })
        }
    }

    /// Floor division, as `div(a, b)`: rounds toward negative infinity.
    static func floorDiv(_ a: Int, _ b: Int, _ site: Site) throws(Unwind) -> Int {
        if b == 0 { throw fail("division by zero", site) }
        if a == .min && b == -1 { throw intOverflow("div", a, b, site) }
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    /// The remainder matching `floorDiv`: it has the divisor's sign.
    static func floorMod(_ a: Int, _ b: Int, _ site: Site) throws(Unwind) -> Int {
        if b == 0 { throw fail("division by zero", site) }
        if b == -1 { return 0 }
        let r = a % b
        return (r != 0 && (r < 0) != (b < 0)) ? r + b : r
    }

    static func negate(_ a: Value, _ site: Site) throws(Unwind) -> Value {
        switch a {
        case .int(let x):
            if x == .min { throw fail("integer overflow: -(\(x)) does not fit in 64 bits", site) }
            return .int(-x)
        case .dec(let d): return .dec(d.negated())
        case .money(let d, let c): return .money(d.negated(), c)
        case .float(let f): return .float(-f)
        case .duration(let d):
            if d == .min { throw fail("duration overflow", site) }
            return .duration(-d)
        default: throw internalError("number", site)
        }
    }

    /// -1, 0 or 1; money of different currencies cannot be ordered.
    static func compare(_ a: Value, _ b: Value, _ site: Site) throws(Unwind) -> Int {
        switch (a, b) {
        case (.int(let x), .int(let y)): return x < y ? -1 : x == y ? 0 : 1
        case (.float(let x), .float(let y)): return x < y ? -1 : x == y ? 0 : 1
        case (.string(let x), .string(let y)): return x < y ? -1 : x == y ? 0 : 1
        case (.duration(let x), .duration(let y)): return x < y ? -1 : x == y ? 0 : 1
        case (.money(let x, let c), .money(let y, let d)):
            if c != d { throw mismatch("compare", c, d, site) }
            return x < y ? -1 : x == y ? 0 : 1
        default:
            guard let x = decimal(a), let y = decimal(b) else { throw internalError("ordered values", site) }
            return x < y ? -1 : x == y ? 0 : 1
        }
    }

    /// `==` across the representations the checker allows to meet (Int with Dec).
    static func equal(_ a: Value, _ b: Value, _ site: Site) throws(Unwind) -> Bool {
        switch (a, b) {
        case (.int(let x), .dec(let y)): return Dec(x) == y
        case (.dec(let x), .int(let y)): return x == Dec(y)
        case (.money(let x, let c), .money(let y, let d)):
            // Amounts in different currencies are never equal; only ordering them is an error.
            return c == d && x == y
        default: return a == b
        }
    }
}
