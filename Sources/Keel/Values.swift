import Orders

/// Swift conversions for values going into and out of scripts.
extension Value {
    public init(_ int: Int) { self = .int(int) }
    public init(_ string: String) { self = .string(string) }
    public init(_ bool: Bool) { self = .bool(bool) }
    public init(_ dec: Dec) { self = .dec(dec) }
    public init(_ values: [Value]) { self = .list(values) }
    public init(_ ints: [Int]) { self = .intList(ints) }

    /// Money from a decimal string and a currency code: `try Value.money("250.00", "USD")`.
    public static func money(_ amount: String, _ code: String) throws -> Value {
        guard let id = CurrencyTable.shared.id(code) else { throw HostError("unknown currency '\(code)'") }
        do { return .money(try Dec(parsing: amount), id) } catch { throw HostError(error.description) }
    }

    /// A map with keys in the given order.
    public static func map(_ pairs: [(Value, Value)]) -> Value {
        let box = MapBox()
        for (k, v) in pairs { box.entries[k] = v }
        return .map(box)
    }

    public var intValue: Int? { if case .int(let i) = self { return i } else { return nil } }
    public var stringValue: String? { if case .string(let s) = self { return s } else { return nil } }
    public var boolValue: Bool? { if case .bool(let b) = self { return b } else { return nil } }
    public var decValue: Dec? {
        switch self {
        case .dec(let d): return d
        case .int(let i): return Dec(i)
        default: return nil
        }
    }
    /// The amount and currency code of a money value.
    public var moneyValue: (amount: Dec, currency: String)? {
        if case .money(let d, let c) = self { return (d, CurrencyTable.shared.code(c)) }
        return nil
    }
    public var listValue: [Value]? { listElements }
    /// A record's fields by name.
    public var recordFields: [String: Value]? {
        guard case .record(let r) = self else { return nil }
        return Dictionary(uniqueKeysWithValues: zip(r.shape.fields, r.fields))
    }
    /// An enum value's variant name and payload.
    public var variant: (name: String, payload: [Value])? {
        guard case .variant(let v) = self else { return nil }
        return (v.shape.variants[v.tag], v.payload)
    }

    /// The engine behind an `orders` `Book` value, for a host that inspects or times it
    /// (changing it behind the script's back would leave the book's journal behind).
    public var orderBook: OrderBook? {
        guard case .host(let object) = self, let book = object as? OrdersBinding.Book else { return nil }
        return book.engine
    }

    /// Whether a host-made value may be passed where a script expects `type`.
    public func conforms(to type: KType) -> Bool {
        switch (self, type) {
        case (_, .error), (.none, .optional): return true
        case (_, .optional(let inner)): return conforms(to: inner)
        case (.int, .int), (.bool, .bool), (.float, .float), (.string, .string), (.bytes, .bytes), (.duration, .duration), (.unit, .unit):
            return true
        case (.dec, .dec), (.int, .dec): return true
        case (.money(_, let c), .money(let code)): return code == nil || CurrencyTable.shared.code(c) == code
        case (.intList, .list(let el)): return el == .int || el == .dec || el == .never
        case (.list(let xs), .list(let el)): return xs.allSatisfy { $0.conforms(to: el) }
        case (.map(let m), .map(let k, let v)): return m.entries.allSatisfy { $0.key.conforms(to: k) && $0.value.conforms(to: v) }
        case (.record(let r), .record(let name)): return r.shape.name == name
        case (.variant(let v), .enumeration(let name)): return v.shape.name == name
        case (.function, .function), (.host, .host): return true
        default: return false
        }
    }
}
