import Money

/// A run-time value. Collections have value semantics: Swift arrays copy on write, and the
/// boxed kinds (maps, records) copy themselves before a mutation when shared.
public enum Value {
    case unit
    case bool(Bool)
    case int(Int)
    case float(Double)
    case dec(Dec)
    case money(Dec, CurrencyID)
    case duration(Int)
    case string(String)
    case bytes([UInt8])
    /// A `List[Int]`, stored unboxed: 8 bytes per element.
    case intList([Int])
    case list([Value])
    case map(MapBox)
    case record(RecordBox)
    case variant(VariantBox)
    case function(Closure)
    case none
    case host(AnyObject)
    /// A captured variable's shared storage; never visible to scripts.
    case cell(Cell)
}

/// A currency interned to a small number, so money values stay compact.
public struct CurrencyID: Hashable, Sendable {
    public let index: UInt16
}

public final class Cell {
    public var value: Value
    public init(_ value: Value) { self.value = value }
}

public final class MapBox {
    public var entries: OrderedMap
    public init(_ entries: OrderedMap = OrderedMap()) { self.entries = entries }
}

/// A record type's layout, shared by all its values.
public final class RecordShape {
    public let name: String
    public let fields: [String]
    public init(name: String, fields: [String]) { self.name = name; self.fields = fields }
}

public final class RecordBox {
    public let shape: RecordShape
    public var fields: [Value]
    public init(shape: RecordShape, fields: [Value]) { self.shape = shape; self.fields = fields }
}

public final class EnumShape {
    public let name: String
    public let variants: [String]
    /// Payload-free variants are shared, so `Side.buy` allocates nothing.
    public private(set) var constants: [VariantBox] = []
    public init(name: String, variants: [String]) {
        self.name = name
        self.variants = variants
        self.constants = variants.indices.map { VariantBox(shape: self, tag: $0, payload: []) }
    }
}

/// Open so a host module can attach its own native form of a value it builds (the
/// orders binding keeps a command's ticks-ready fields) or build the payload only when
/// it is first read (the binding's events, which scripts often only count). The
/// Keel-visible parts are `shape`, `tag` and `payload`; to everyone who can see a box,
/// they never change.
open class VariantBox {
    public unowned let shape: EnumShape
    public final private(set) var tag: Int
    /// nil until a deferred payload is first read.
    private final var builtPayload: [Value]?

    public final var payload: [Value] {
        if let builtPayload { return builtPayload }
        let built = buildPayload()
        builtPayload = built
        return built
    }

    public init(shape: EnumShape, tag: Int, payload: [Value]) {
        self.shape = shape
        self.tag = tag
        self.builtPayload = payload
    }

    /// A box whose payload `buildPayload()` makes when it is first read.
    public init(deferredPayloadOf shape: EnumShape, tag: Int) {
        self.shape = shape
        self.tag = tag
        self.builtPayload = nil
    }

    /// The payload of a box made with `init(deferredPayloadOf:tag:)`, built from the
    /// subclass's own state; called at most once per value.
    open func buildPayload() -> [Value] { [] }

    /// Makes a deferred-payload box another value of its enum, for reusing its storage.
    /// Only for a box its owner alone references (`isKnownUniquelyReferenced`), so
    /// nobody sees it change.
    public final func reuse(tag: Int) {
        self.tag = tag
        builtPayload = nil
    }
    public static func make(_ shape: EnumShape, tag: Int, payload: [Value]) -> VariantBox {
        payload.isEmpty ? shape.constants[tag] : VariantBox(shape: shape, tag: tag, payload: payload)
    }
}

extension Value {
    /// The elements of either list representation.
    public var listElements: [Value]? {
        switch self {
        case .list(let xs): return xs
        case .intList(let xs): return xs.map(Value.int)
        default: return nil
        }
    }

    public var listCount: Int {
        switch self {
        case .list(let xs): return xs.count
        case .intList(let xs): return xs.count
        default: return 0
        }
    }

    /// Builds a list in the representation its element type calls for.
    public static func makeList(_ values: [Value], intElements: Bool) -> Value {
        guard intElements else { return .list(values) }
        var ints: [Int] = []
        ints.reserveCapacity(values.count)
        for v in values { if case .int(let i) = v { ints.append(i) } }
        return .intList(ints)
    }
}

extension Value: Hashable {
    public static func == (a: Value, b: Value) -> Bool {
        switch (a, b) {
        case (.unit, .unit), (.none, .none): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.int(let x), .int(let y)): return x == y
        case (.float(let x), .float(let y)): return x == y
        case (.dec(let x), .dec(let y)): return x == y
        case (.money(let x, let c), .money(let y, let d)): return c == d && x == y
        case (.duration(let x), .duration(let y)): return x == y
        case (.string(let x), .string(let y)): return x == y
        case (.bytes(let x), .bytes(let y)): return x == y
        case (.intList(let x), .intList(let y)): return x == y
        case (.list, .list), (.list, .intList), (.intList, .list): return a.listElements! == b.listElements!
        case (.map(let x), .map(let y)): return x === y || x.entries == y.entries
        case (.record(let x), .record(let y)): return x === y || (x.shape === y.shape && x.fields == y.fields)
        case (.variant(let x), .variant(let y)): return x === y || (x.shape === y.shape && x.tag == y.tag && x.payload == y.payload)
        case (.function(let x), .function(let y)): return x === y
        case (.host(let x), .host(let y)): return x === y
        case (.cell(let x), .cell(let y)): return x === y
        default: return false
        }
    }

    public func hash(into h: inout Hasher) {
        switch self {
        case .unit: h.combine(0)
        case .none: h.combine(1)
        case .bool(let b): h.combine(b)
        case .int(let i): h.combine(i)
        case .float(let f): h.combine(f)
        case .dec(let d): h.combine(d)
        case .money(let d, let c): h.combine(d); h.combine(c)
        case .duration(let d): h.combine(d)
        case .string(let s): h.combine(s)
        case .bytes(let b): h.combine(b)
        case .intList(let xs): h.combine(xs.count); for x in xs { h.combine(Value.int(x)) }
        case .list(let xs): h.combine(xs.count); for x in xs { h.combine(x) }
        case .map(let m): h.combine(m.entries.count); for (k, v) in m.entries { h.combine(k); h.combine(v) }
        case .record(let r): h.combine(r.fields)
        case .variant(let v): h.combine(v.tag); h.combine(v.payload)
        case .function(let f): h.combine(ObjectIdentifier(f))
        case .host(let o): h.combine(ObjectIdentifier(o))
        case .cell(let c): h.combine(ObjectIdentifier(c))
        }
    }
}

extension Array {
    /// `removeAll(keepingCapacity: true)` for short arrays: removing from the end skips the
    /// generic range replacement, which costs more than emptying a few elements does.
    @inlinable @inline(__always)
    public mutating func removeAllKeepingCapacity() {
        while !isEmpty { removeLast() }
    }
}
