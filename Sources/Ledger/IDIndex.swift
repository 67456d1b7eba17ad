/// Transfer id → entry index: open addressing with linear probing. Replaces a Dictionary on
/// the hot path, where SipHash of a 128-bit key cost more than the rest of a lookup.
/// The per-process random multiplier keeps client-chosen ids from clustering on purpose.
struct IDIndex {
    private var keys: [UInt128]
    private var values: [Int32]
    private var mask: Int
    private(set) var count = 0
    private static let seed = UInt64.random(in: 1...UInt64.max) | 1

    init() {
        keys = [UInt128](repeating: 0, count: 1024)
        values = [Int32](repeating: 0, count: 1024)
        mask = 1023
    }

    private func slot(_ key: UInt128) -> Int {
        let mixed = (UInt64(truncatingIfNeeded: key) ^ UInt64(truncatingIfNeeded: key >> 64) &* 0x9E37_79B9_7F4A_7C15)
            &* Self.seed
        return Int(truncatingIfNeeded: mixed ^ (mixed >> 29)) & mask
    }

    /// Key 0 marks an empty slot (transfer ids are never 0).
    subscript(key: UInt128) -> Int32? {
        get {
            guard key != 0 else { return nil }
            var i = slot(key)
            while true {
                let k = keys[i]
                if k == key { return values[i] }
                if k == 0 { return nil }
                i = (i + 1) & mask
            }
        }
        set {
            guard key != 0 else { return }
            if let value = newValue { insert(key, value) } else { remove(key) }
        }
    }

    private mutating func insert(_ key: UInt128, _ value: Int32) {
        if (count + 1) * 4 > keys.count * 3 { grow() }
        var i = slot(key)
        while keys[i] != 0 && keys[i] != key { i = (i + 1) & mask }
        if keys[i] == 0 { count += 1 }
        keys[i] = key
        values[i] = value
    }

    /// Backward-shift deletion keeps probe chains intact without tombstones.
    private mutating func remove(_ key: UInt128) {
        var i = slot(key)
        while keys[i] != key {
            if keys[i] == 0 { return }
            i = (i + 1) & mask
        }
        count -= 1
        var hole = i
        var j = i
        while true {
            j = (j + 1) & mask
            if keys[j] == 0 { break }
            let home = slot(keys[j])
            // Move j into the hole unless its home lies cyclically in (hole, j].
            let stays = hole <= j ? (hole < home && home <= j) : (hole < home || home <= j)
            if !stays {
                keys[hole] = keys[j]
                values[hole] = values[j]
                hole = j
            }
        }
        keys[hole] = 0
    }

    private mutating func grow() {
        let oldKeys = keys, oldValues = values
        keys = [UInt128](repeating: 0, count: oldKeys.count * 2)
        values = [Int32](repeating: 0, count: oldKeys.count * 2)
        mask = keys.count - 1
        count = 0
        for (k, v) in zip(oldKeys, oldValues) where k != 0 { insert(k, v) }
    }
}
