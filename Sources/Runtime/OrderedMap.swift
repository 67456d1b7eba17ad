/// The entries of a Keel `Map`: keys in insertion order, with removal in O(1).
///
/// Keys and values sit in two arrays in insertion order, and once the map outgrows a
/// search in order a dictionary gives each key's place in them (the layout of CPython's
/// compact dict). Removing a key from an indexed map leaves a hole, flagged, that
/// iteration skips; once holes make up half the arrays they are compacted, so every
/// operation stays amortized O(1) and iteration O(count). swift-collections' `OrderedDictionary` keeps
/// its elements contiguous instead, so each removal shifts everything after the key:
/// removing 50,000 keys of a 100,000-key map took 77 s. The map holds only `Value`s, so
/// nothing here goes through generic value witnesses.
public struct OrderedMap {
    public typealias Element = (key: Value, value: Value)

    /// Keys in insertion order (`.unit` at a hole).
    private var keySlots: [Value] = []
    /// Each key's value, at its key's place (`.unit` at a hole).
    private var valueSlots: [Value] = []
    /// Which places are holes: empty while there are none (always, until the map is
    /// indexed), else one flag per place.
    private var holes: [Bool] = []
    /// Where each key is in the slots; nil while the map is small enough to search in
    /// order (no hashing, no third allocation).
    private var places: [Value: Int]?

    /// The most keys searched in order: map literals and record-like maps stay below it.
    private static var linearLimit: Int { 12 }
    /// Holes left alone: compacting below this many would cost more than it saves.
    private static var holesKeptAnyway: Int { 16 }

    public init() {}

    public var count: Int { places?.count ?? keySlots.count }
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
        if let place = place(ofKey: key) {
            valueSlots[place] = value
            return
        }
        places?[key] = keySlots.count
        keySlots.append(key)
        valueSlots.append(value)
        if !holes.isEmpty { holes.append(false) }
        if places == nil && keySlots.count > Self.linearLimit { index() }
    }

    /// Removes `key`, giving its value (nil when it was not there).
    @discardableResult
    public mutating func removeValue(forKey key: Value) -> Value? {
        guard places != nil else {
            guard let place = place(ofKey: key) else { return nil }
            keySlots.remove(at: place)
            return valueSlots.remove(at: place)
        }
        guard let place = places?.removeValue(forKey: key) else { return nil }
        let removed = valueSlots[place]
        keySlots[place] = .unit
        valueSlots[place] = .unit
        if holes.isEmpty { holes = Array(repeating: false, count: keySlots.count) }
        holes[place] = true
        // Holes at the end go at once: a map used as a queue's tail or a stack never compacts.
        while holes.last == true {
            holes.removeLast()
            keySlots.removeLast()
            valueSlots.removeLast()
        }
        let holeCount = keySlots.count - count
        if holeCount == 0 {
            holes = []
        } else if holeCount > Self.holesKeptAnyway && holeCount * 2 > keySlots.count {
            compact()
        }
        return removed
    }

    public mutating func removeAll() {
        keySlots.removeAll()
        valueSlots.removeAll()
        holes = []
        places = nil
    }

    public mutating func reserveCapacity(_ minimumCapacity: Int) {
        keySlots.reserveCapacity(minimumCapacity)
        valueSlots.reserveCapacity(minimumCapacity)
        if minimumCapacity > Self.linearLimit {
            if places == nil { index() }
            places?.reserveCapacity(minimumCapacity)
        }
    }

    /// The keys in insertion order.
    public var keys: [Value] { holes.isEmpty ? keySlots : map { $0.key } }

    /// The values in their keys' order.
    public var values: [Value] { holes.isEmpty ? valueSlots : map { $0.value } }

    /// A handle on `key`'s value for `subscript(valueAt:)`, valid until the next insertion
    /// or removal; nil when the key is absent.
    public func place(ofKey key: Value) -> Int? {
        if let places { return places[key] }
        return keySlots.firstIndex(of: key)
    }

    /// The value at a handle from `place(ofKey:)`, read and written in place.
    public subscript(valueAt place: Int) -> Value {
        get { valueSlots[place] }
        set { valueSlots[place] = newValue }
    }

    /// Starts hashing: the map has outgrown searching in order.
    private mutating func index() {
        var places: [Value: Int] = [:]
        places.reserveCapacity(keySlots.count * 2)
        for (place, key) in keySlots.enumerated() where holes.isEmpty || !holes[place] {
            places[key] = place
        }
        self.places = places
    }

    /// Closes the holes, keeping the order.
    private mutating func compact() {
        (keySlots, valueSlots) = (keys, values)
        holes = []
        index()
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
