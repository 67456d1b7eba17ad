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
    /// A value owned by a host engine (an order book, a ledger), opaque to scripts.
    case host(String)
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
        case .record(let n), .enumeration(let n), .host(let n): return n
        case .never: return "Never"
        case .error: return "<error>"
        }
    }

    /// The declared name of a record, enum or host type.
    public var nominalName: String? {
        switch self {
        case .record(let n), .enumeration(let n), .host(let n): return n
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
