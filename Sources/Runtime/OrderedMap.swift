/// The entries of a Keel `Map`: keys in insertion order, with removal in O(1).
///
/// Keys and values sit in two arrays in insertion order (CPython's compact dict). Once
/// the map outgrows a search in order, a table of 4-byte buckets, open-addressed by the
/// key's hash, gives each key's place in them. Removing a key from an indexed map marks
/// its bucket removed and leaves a flagged hole in the arrays that iteration skips; once
/// holes make up half the arrays they are compacted. Every operation stays amortized
/// O(1), iteration O(count). swift-collections' `OrderedDictionary` keeps its elements
/// contiguous instead, so each removal shifts everything after the key: removing 50,000
/// keys of a 100,000-key map took 77 s. The map holds only `Value`s, so nothing here goes
/// through generic value witnesses.
public struct OrderedMap {
    public typealias Element = (key: Value, value: Value)

    /// Keys in insertion order (`.unit` at a hole).
    private var keySlots: [Value] = []
    /// Each key's value, at its key's place (`.unit` at a hole).
    private var valueSlots: [Value] = []
    /// Which places are holes: empty until the first removal from an indexed map (and
    /// again after a compaction), then one flag per place, kept while holes come and go
    /// (dropping it when the last hole went would rebuild it at the next removal).
    private var holes: [Bool] = []
    /// Each bucket holds a place in the slots, `empty` or `removed`; a power of two in
    /// size, and empty while the map is small enough to search in order.
    private var buckets: [Int32] = []
    /// Buckets not `empty`: kept at most two thirds of them, so every probe ends.
    private var bucketsUsed = 0
    public private(set) var count = 0

    private static let empty: Int32 = -1
    private static let removed: Int32 = -2
    /// The most keys searched in order: map literals and record-like maps stay below it.
    private static var linearLimit: Int { 12 }
    /// Holes left alone: compacting below this many would cost more than it saves.
    private static var holesKeptAnyway: Int { 16 }

    public init() {}

    public var isEmpty: Bool { count == 0 }

    public subscript(key: Value) -> Value? {
        get { place(ofKey: key).map { valueSlots[$0] } }
        set {
            if let value = newValue {
                updateValue(value, forKey: key)
            } else {
                removeValue(forKey: key)
            }
        }
    }

    /// Sets `key`'s value, appending the key if it is new.
    public mutating func updateValue(_ value: Value, forKey key: Value) {
        if buckets.isEmpty {
            if let place = keySlots.firstIndex(of: key) {
                valueSlots[place] = value
                return
            }
            append(key, value)
            if count > Self.linearLimit { rebuild(toHold: count) }
            return
        }
        let (bucket, place) = probe(key)
        if let place {
            valueSlots[place] = value
            return
        }
        if buckets[bucket] == Self.empty { bucketsUsed += 1 }
        buckets[bucket] = Int32(keySlots.count)
        append(key, value)
        if bucketsUsed * 3 > buckets.count * 2 { rebuild(toHold: count) }
    }

    /// Removes `key`, giving its value (nil when it was not there).
    @discardableResult
    public mutating func removeValue(forKey key: Value) -> Value? {
        if buckets.isEmpty {
            guard let place = keySlots.firstIndex(of: key) else { return nil }
            count -= 1
            keySlots.remove(at: place)
            return valueSlots.remove(at: place)
        }
        let (bucket, found) = probe(key)
        guard let place = found else { return nil }
        buckets[bucket] = Self.removed
        count -= 1
        let value = valueSlots[place]
        keySlots[place] = .unit
        valueSlots[place] = .unit
        if holes.isEmpty { holes = Array(repeating: false, count: keySlots.count) }
        holes[place] = true
        // Holes at the end go at once: a map used as a stack never compacts.
        while holes.last == true {
            holes.removeLast()
            keySlots.removeLast()
            valueSlots.removeLast()
        }
        let holeCount = keySlots.count - count
        if holeCount > Self.holesKeptAnyway && holeCount * 2 > keySlots.count { rebuild(toHold: count) }
        return value
    }

    public mutating func removeAll() {
        self = OrderedMap()
    }

    public mutating func reserveCapacity(_ minimumCapacity: Int) {
        keySlots.reserveCapacity(minimumCapacity)
        valueSlots.reserveCapacity(minimumCapacity)
        if minimumCapacity > Self.linearLimit && minimumCapacity * 3 > buckets.count * 2 {
            rebuild(toHold: minimumCapacity)
        }
    }

    /// The keys in insertion order.
    public var keys: [Value] { keySlots.count == count ? keySlots : map { $0.key } }

    /// The values in their keys' order.
    public var values: [Value] { keySlots.count == count ? valueSlots : map { $0.value } }

    /// A handle on `key`'s value for `subscript(valueAt:)`, valid until the next insertion
    /// or removal; nil when the key is absent.
    public func place(ofKey key: Value) -> Int? {
        buckets.isEmpty ? keySlots.firstIndex(of: key) : probe(key).place
    }

    /// The value at a handle from `place(ofKey:)`, read and written in place.
    public subscript(valueAt place: Int) -> Value {
        get { valueSlots[place] }
        set { valueSlots[place] = newValue }
    }

    private mutating func append(_ key: Value, _ value: Value) {
        keySlots.append(key)
        valueSlots.append(value)
        if !holes.isEmpty { holes.append(false) }
        count += 1
    }

    /// The bucket holding `key` and its place; or, when absent, the bucket it would take
    /// (the first removed one on its path, else the empty one that ends it).
    private func probe(_ key: Value) -> (bucket: Int, place: Int?) {
        let mask = buckets.count - 1
        var bucket = key.hashValue & mask, reusable = -1
        while true {
            let entry = buckets[bucket]
            if entry == Self.empty { return (reusable >= 0 ? reusable : bucket, nil) }
            if entry == Self.removed {
                if reusable < 0 { reusable = bucket }
            } else if keySlots[Int(entry)] == key {
                return (bucket, Int(entry))
            }
            bucket = (bucket + 1) & mask
        }
    }

    /// Closes the holes, keeping the order, and hashes every key into buckets for at
    /// least `capacity` keys, at most half full.
    private mutating func rebuild(toHold capacity: Int) {
        if keySlots.count != count { (keySlots, valueSlots) = (keys, values) }
        holes = []
        var size = 16
        while size < capacity * 2 { size *= 2 }
        buckets = Array(repeating: Self.empty, count: size)
        bucketsUsed = keySlots.count
        let mask = size - 1
        for (place, key) in keySlots.enumerated() {
            var bucket = key.hashValue & mask
            while buckets[bucket] != Self.empty { bucket = (bucket + 1) & mask }
            buckets[bucket] = Int32(place)
        }
    }
}

extension OrderedMap: Sequence {
    public struct Iterator: IteratorProtocol {
        let map: OrderedMap
        var place = 0

        public mutating func next() -> Element? {
            while place < map.keySlots.count {
                defer { place += 1 }
                if map.holes.isEmpty || !map.holes[place] { return (map.keySlots[place], map.valueSlots[place]) }
            }
            return nil
        }
    }

    public func makeIterator() -> Iterator { Iterator(map: self) }
    public var underestimatedCount: Int { count }
}

/// Two maps are equal when they hold equal keys with equal values in the same order.
extension OrderedMap: Equatable {
    public static func == (lhs: OrderedMap, rhs: OrderedMap) -> Bool {
        lhs.count == rhs.count && lhs.elementsEqual(rhs) { $0.key == $1.key && $0.value == $1.value }
    }
}
