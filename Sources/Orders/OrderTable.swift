// Id lookups without Swift Dictionary: no hashing through protocols, no ARC, no
// allocation after init.

import COrdersSupport

/// What makes a book's id hashing its own. With one fixed function, ids can be chosen to
/// share a slot (the inverse of the multiplier gives as many as wanted), and a stream of
/// them makes every lookup scan one run: a replay of 64,000 such orders took 7.6 s. A
/// random key per book leaves nothing to choose them by; the layout it gives is never
/// visible (queues keep arrival order, snapshots list orders by level).
struct HashKey: Equatable {
    let xor: UInt64
    /// Odd, as a multiplicative hash's must be; the same for every book (a random one
    /// spread W2's ids worse now and then, costing up to 30% more instructions).
    let multiplier: UInt64

    static func random() -> HashKey {
        var generator = SystemRandomNumberGenerator()
        return HashKey(xor: generator.next(), multiplier: fixed.multiplier)
    }

    /// The fixed function all books used before keys (for tests that need a known layout).
    static let fixed = HashKey(xor: 0, multiplier: 0x9E37_79B9_7F4A_7C15)
}

@inline(__always)
func mix(_ id: UInt64, _ key: HashKey) -> UInt32 {
    // Multiply, then fold the well-mixed high half onto the low bits that pick the
    // bucket: sequential ids land far apart and probe runs stay short.
    let product = (id ^ key.xor) &* key.multiplier
    return UInt32(truncatingIfNeeded: product ^ (product >> 29))
}

/// The resting orders, each in a slot found from its id: open addressing with linear
/// probing over the 32-byte slots themselves, so looking an order up reads the slots where
/// it sits. With a separate id index a cancel waits on two cache misses in a row (the
/// bucket, then the slot it names); here it waits on one. The table is sized to its room
/// at a load of at most 4/7, where probe runs stay short (at 8/11, W2-1k ran 15% slower,
/// and one W2-100k command in a hundred scanned a long run), and not to a power of two
/// (the hash picks a slot by multiply-shift). Deletion shifts later orders of the probe
/// run back into the hole, so there are no tombstones (which fill every free slot under
/// churn); the caller relinks each moved order's queue neighbours.
struct OrderTable {
    private(set) var slots: UnsafeMutablePointer<Slot>
    private(set) var count: Int
    /// The most orders the table holds before it must grow.
    private(set) var room: Int
    /// Times the table grew.
    private(set) var growths = 0
    let key: HashKey

    /// nil when there is no memory for it.
    init?(room: Int, key: HashKey) {
        self.room = room
        self.key = key
        count = Self.slotCount(room: room)
        guard let slots = LargeAllocation.allocate(Slot.self, count: count) else { return nil }
        self.slots = slots
        slots.initialize(repeating: .vacant, count: count)
    }

    private static func slotCount(room: Int) -> Int { room * 7 / 4 + 16 }

    func deallocate() { LargeAllocation.deallocate(slots) }

    var bytes: Int { LargeAllocation.bytes(Slot.self, count: count) }

    /// What a table with room for `room` orders takes.
    static func bytes(room: Int) -> Int { LargeAllocation.bytes(Slot.self, count: slotCount(room: room)) }

    /// Moves every order into a table with room for `newRoom`, and returns where each
    /// old slot's order went (-1 for a vacant slot), for the caller to relink the queues;
    /// nil, with the table unchanged, when there is no memory for the new one.
    mutating func grow(room newRoom: Int) -> [Int32]? {
        let old = self
        guard let grown = OrderTable(room: newRoom, key: key) else { return nil }
        self = grown
        growths = old.growths + 1
        var moves = [Int32](repeating: -1, count: old.count)
        for index in 0..<old.count where old.slots[index].isOccupied {
            let slot = vacancy(for: old.slots[index].id)
            slots[Int(slot)] = old.slots[index]
            moves[index] = slot
        }
        old.deallocate()
        return moves
    }

    /// The slot where the search for `id` starts.
    @inline(__always)
    func home(_ id: UInt64) -> Int { Int((UInt64(mix(id, key)) &* UInt64(count)) >> 32) }

    /// `index` (at most one table length past the end) taken round to the table's start.
    @inline(__always)
    func wrapped(_ index: Int) -> Int { index >= count ? index &- count : index }

    @inline(__always)
    private func following(_ index: Int) -> Int { wrapped(index &+ 1) }

    /// The slot holding `id`, or -1.
    @inline(__always)
    func find(_ id: UInt64) -> Int32 {
        var index = home(id)
        requestNextLine(after: index)
        while slots[index].isOccupied {
            if slots[index].id == id { return Int32(truncatingIfNeeded: index) }
            index = following(index)
        }
        return -1
    }

    /// A vacant slot for `id` (known absent), for the caller to fill. The table is never
    /// full: the caller grows it before it holds more than `room` orders.
    @inline(__always)
    func vacancy(for id: UInt64) -> Int32 {
        var index = home(id)
        requestNextLine(after: index)
        while slots[index].isOccupied { index = following(index) }
        return Int32(truncatingIfNeeded: index)
    }

    /// Asks for the line after `home`'s (slot home+2 is always on it, two slots to a line)
    /// while home's own is on its way: a probe run, and the shift that follows a removal,
    /// often go on into it, and would otherwise wait for it after the first.
    @inline(__always)
    private func requestNextLine(after home: Int) { orders_prefetch(slots + wrapped(home &+ 2)) }

    /// Vacates `slot` (already out of its queue). Each later order of the probe run whose
    /// path passes the hole moves into it; `moved(to)` is called after each move, while
    /// the order's queue neighbours still link to its old slot.
    @inline(__always)
    func remove(_ slot: Int32, moved: (_ to: Int32) -> Void) {
        var hole = Int(slot), next = hole
        while true {
            next = following(next)
            guard slots[next].isOccupied else { break }
            if distance(from: home(slots[next].id), to: next) >= distance(from: hole, to: next) {
                slots[hole] = slots[next]
                moved(Int32(truncatingIfNeeded: hole))
                hole = next
            }
        }
        slots[hole] = .vacant
    }

    /// Forward probe steps from `start` to `end`, wrapping around.
    @inline(__always)
    private func distance(from start: Int, to end: Int) -> Int {
        end >= start ? end &- start : end &- start &+ count
    }
}

/// Every order id a book has seen, accepted or rejected, for duplicate detection over
/// the book's life. Ids below 2^27 (client counters, the usual case) cost one bit each
/// in a bitmap that grows by doubling; larger ids go to a growable hash set.
struct SeenIds {
    static let denseLimit: UInt64 = 1 << 27
    private(set) var bits: [UInt64]
    private(set) var sparse: [UInt64]
    private(set) var sparseCount = 0
    let key: HashKey

    init(expected: Int, key: HashKey) {
        self.key = key
        var words = 64
        while words * 64 < expected { words <<= 1 }
        bits = Array(repeating: 0, count: min(words, Int(Self.denseLimit / 64)))
        sparse = Array(repeating: 0, count: 16)
    }

    /// Inserts `id`; false when it was already there.
    @inline(__always)
    mutating func insert(_ id: UInt64) -> Bool {
        if id < Self.denseLimit {
            let word = Int(id >> 6), bit = UInt64(1) << (id & 63)
            if word >= bits.count { growDense(toHold: word) }
            if bits[word] & bit != 0 { return false }
            bits[word] |= bit
            return true
        }
        return insertSparse(id)
    }

    func contains(_ id: UInt64) -> Bool {
        if id < Self.denseLimit {
            let word = Int(id >> 6)
            return word < bits.count && bits[word] & (UInt64(1) << (id & 63)) != 0
        }
        let mask = sparse.count - 1
        var index = Int(mix(id, key)) & mask
        while sparse[index] != 0 {
            if sparse[index] == id { return true }
            index = (index + 1) & mask
        }
        return false
    }

    private mutating func growDense(toHold word: Int) {
        var count = bits.count
        while count <= word { count <<= 1 }
        bits.append(contentsOf: repeatElement(0, count: count - bits.count))
    }

    private mutating func insertSparse(_ id: UInt64) -> Bool {
        if contains(id) { return false }
        if (sparseCount + 1) * 2 > sparse.count { rehash(size: sparse.count * 2) }
        place(id)
        sparseCount += 1
        return true
    }

    private mutating func place(_ id: UInt64) {
        let mask = sparse.count - 1
        var index = Int(mix(id, key)) & mask
        while sparse[index] != 0 { index = (index + 1) & mask }
        sparse[index] = id
    }

    private mutating func rehash(size: Int) {
        let old = sparse
        sparse = Array(repeating: 0, count: size)
        for id in old where id != 0 { place(id) }
    }

    /// All seen ids at or above `denseLimit`, in order (for snapshots, which must not
    /// depend on the key).
    var sparseIds: [UInt64] { sparse.filter { $0 != 0 }.sorted() }

    /// Rebuilds from a snapshot.
    init(bits: [UInt64], sparseIds: [UInt64], key: HashKey) {
        self.key = key
        self.bits = bits.isEmpty ? [0] : bits
        var size = 16
        while size < sparseIds.count * 2 + 2 { size <<= 1 }
        sparse = Array(repeating: 0, count: size)
        for id in sparseIds where id >= Self.denseLimit { place(id) }
        sparseCount = sparse.reduce(0) { $0 + ($1 != 0 ? 1 : 0) }
    }
}
