/// A Keel type.
public indirect enum KType: Hashable, Sendable, CustomStringConvertible {
    case int, dec, float, bool, string, duration, unit
    /// A byte string: hashes, keys, content.
    case bytes
    /// `Money[USD]`, or `Money` when the currency is known only at run time.
    case money(String?)
    case list(KType)
    case map(KType, KType)
    case optional(KType)
    case function([KType], KType)
    case record(String)
    case enumeration(String)
    /// A value owned by a host engine (an order book, a ledger), opaque to scripts. Host
    /// types the host declares with a unit take one: `Account[USD]`, or `Account` when the
    /// unit is known only at run time.
    case host(String, unit: String? = nil)
    /// The type of `return`, `break`, an empty list's element: fits anywhere.
    case never
    /// Stands in after an error so one mistake is reported once.
    case error

    public var description: String {
        switch self {
        case .int: return "Int"
        case .dec: return "Dec"
        case .float: return "Float"
        case .bool: return "Bool"
        case .string: return "String"
        case .duration: return "Duration"
        case .unit: return "Unit"
        case .bytes: return "Bytes"
        case .money(let c): return c.map { "Money[\($0)]" } ?? "Money"
        case .list(let t): return "List[\(t)]"
        case .map(let k, let v): return "Map[\(k), \(v)]"
        case .optional(let t):
            if case .function = t { return "(\(t))?" }
            return "\(t)?"
        case .function(let ps, let r): return "fn(\(ps.map(\.description).joined(separator: ", "))) -> \(r)"
        case .record(let n), .enumeration(let n): return n
        case .host(let n, let unit): return unit.map { "\(n)[\($0)]" } ?? n
        case .never: return "Never"
        case .error: return "<error>"
        }
    }

    /// The declared name of a record, enum or host type.
    public var nominalName: String? {
        switch self {
        case .record(let n), .enumeration(let n), .host(let n, _): return n
        default: return nil
        }
    }

    public var isNumeric: Bool {
        switch self {
        case .int, .dec, .float: return true
        default: return false
        }
    }

    public var isMoney: Bool { if case .money = self { return true } else { return false } }

    /// Contains `never` somewhere inside: an empty literal whose element type is unknown.
    public var isIncomplete: Bool {
        switch self {
        case .never: return true
        case .list(let t), .optional(let t): return t.isIncomplete
        case .map(let k, let v): return k.isIncomplete || v.isIncomplete
        default: return false
        }
    }

    public var containsError: Bool {
        switch self {
        case .error: return true
        case .list(let t), .optional(let t): return t.containsError
        case .map(let k, let v): return k.containsError || v.containsError
        case .function(let ps, let r): return ps.contains { $0.containsError } || r.containsError
        default: return false
        }
    }

    /// Whether a value of type `self` may be used where `target` is expected.
    public func fits(_ target: KType) -> Bool {
        if self == target { return true }
        switch (self, target) {
        case (.error, _), (_, .error), (.never, _): return true
        // An Int widens to Dec exactly; the compiler inserts the conversion.
        case (.int, .dec): return true
        case (.money, .money(nil)), (.money(nil), .money): return true
        case (.host(let a, _), .host(let b, nil)), (.host(let a, nil), .host(let b, _)): return a == b
        case (.list(let a), .list(let b)): return a.fits(b)
        case (.map(let ka, let va), .map(let kb, let vb)): return ka.fits(kb) && va.fits(vb)
        case (.optional(let a), .optional(let b)): return a.fits(b)
        case (_, .optional(let b)): return fits(b)
        case (.function(let pa, let ra), .function(let pb, let rb)):
            return pa.count == pb.count && zip(pb, pa).allSatisfy { $0.fits($1) } && ra.fits(rb)
        default: return false
        }
    }

    /// The common type of two branches, if any.
    public static func join(_ a: KType, _ b: KType) -> KType? {
        if a.fits(b) && !(b == .never) { return b.replacingNever(with: a) }
        if b.fits(a) { return a.replacingNever(with: b) }
        if case .optional(let inner) = a, b.fits(inner) || inner == .never { return .optional(join(inner, b) ?? inner) }
        if case .optional(let inner) = b, a.fits(inner) || inner == .never { return .optional(join(inner, a) ?? inner) }
        if case .money = a, case .money = b { return .money(nil) }
        if case .host(let x, _) = a, case .host(let y, _) = b, x == y { return .host(x) }
        return nil
    }

    /// Fills an incomplete type (an empty list's `List[Never]`) from another.
    func replacingNever(with other: KType) -> KType {
        switch (self, other) {
        case (.never, _): return other
        case (.list(let a), .list(let b)): return .list(a.replacingNever(with: b))
        case (.optional(let a), .optional(let b)): return .optional(a.replacingNever(with: b))
        case (.map(let ka, let va), .map(let kb, let vb)): return .map(ka.replacingNever(with: kb), va.replacingNever(with: vb))
        default: return self
        }
    }

    public var unwrapped: KType { if case .optional(let t) = self { return t } else { return self } }

    /// Types that may be map keys, set members and compared with `==`.
    public var isEquatable: Bool {
        switch self {
        case .function, .host: return false
        case .list(let t), .optional(let t): return t.isEquatable
        case .map(let k, let v): return k.isEquatable && v.isEquatable
        default: return true
        }
    }

    /// Types with `<`: numbers, strings, durations, money.
    public var isOrdered: Bool {
        switch self {
        case .int, .dec, .float, .string, .duration, .money, .error, .never: return true
        default: return false
        }
    }
}

// MARK: unit variables in host signatures

/// A host signature may name a unit variable (`$`, `$from`) in `Money[$]` and in unit-taking
/// host types (`Account[$]`): every argument typed with the same variable must have the same
/// unit, and the result takes it. `KType.unitCode("$")` is a parameter written as a bare
/// unit code (`USD`), which binds the variable.
extension KType {
    public static func unitCode(_ variable: String) -> KType { .host("Currency", unit: variable) }

    /// The variable a unit-code parameter binds.
    public var unitCodeVariable: String? {
        if case .host("Currency", let v?) = self, Self.isUnitVariable(v) { return v }
        return nil
    }

    static func isUnitVariable(_ unit: String) -> Bool { unit.hasPrefix("$") }

    /// Whether the type mentions a unit variable.
    public var hasUnitVariables: Bool {
        switch self {
        case .money(let u?), .host(_, let u?): return Self.isUnitVariable(u)
        case .list(let t), .optional(let t): return t.hasUnitVariables
        case .map(let k, let v): return k.hasUnitVariables || v.hasUnitVariables
        case .function(let ps, let r): return ps.contains { $0.hasUnitVariables } || r.hasUnitVariables
        default: return false
        }
    }

    /// The type with each unit variable replaced by its binding, or by "known only at run
    /// time" when it has none.
    public func bindingUnits(_ bindings: [String: String]) -> KType {
        func unit(_ u: String?) -> String? {
            guard let u, Self.isUnitVariable(u) else { return u }
            return bindings[u]
        }
        switch self {
        case .money(let u): return .money(unit(u))
        case .host(let n, let u): return .host(n, unit: unit(u))
        case .list(let t): return .list(t.bindingUnits(bindings))
        case .optional(let t): return .optional(t.bindingUnits(bindings))
        case .map(let k, let v): return .map(k.bindingUnits(bindings), v.bindingUnits(bindings))
        case .function(let ps, let r): return .function(ps.map { $0.bindingUnits(bindings) }, r.bindingUnits(bindings))
        default: return self
        }
    }

    /// Binds the unit variables of `self` (a parameter type) to the units `actual` has.
    /// Returns the variable, its earlier binding and the unit found when the two disagree.
    public func bindUnits(from actual: KType, into bindings: inout [String: String])
        -> (variable: String, bound: String, found: String)? {
        switch (self, actual) {
        case (.money(let v?), .money(let u?)), (.host(_, let v?), .host(_, let u?)):
            guard Self.isUnitVariable(v) else { return nil }
            if let bound = bindings[v], bound != u { return (v, bound, u) }
            bindings[v] = u
            return nil
        case (.list(let a), .list(let b)), (.optional(let a), .optional(let b)):
            return a.bindUnits(from: b, into: &bindings)
        case (.optional(let a), _):
            return a.bindUnits(from: actual, into: &bindings)
        case (.map(let ka, let va), .map(let kb, let vb)):
            return ka.bindUnits(from: kb, into: &bindings) ?? va.bindUnits(from: vb, into: &bindings)
        default:
            return nil
        }
    }
}
