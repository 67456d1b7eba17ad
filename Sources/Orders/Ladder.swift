/// One order in the pool. Resting orders of a level form an intrusive doubly linked list
/// (`prev`/`next`, -1 ends); free slots are chained through `next`. 48 bytes: an
/// iceberg's display and current slice fit 32 bits (`Limits.maxDisplay`), and a plain
/// order shows all it has, so it needs neither.
struct Slot {
    var id: UInt64
    var price: Int64
    /// Open lots including an iceberg's reserve.
    var open: Int64
    var prev: Int32
    var next: Int32
    var trader: UInt32
    /// Iceberg display size; 0 for plain orders.
    var peak: Int32
    /// An iceberg's displayed lots (unused for plain orders).
    var slice: Int32
    var side: Side
    var selfTrade: SelfTradePrevention

    init(id: UInt64, price: Int64, open: Int64, display: Int64, prev: Int32, next: Int32, trader: UInt32,
         side: Side, selfTrade: SelfTradePrevention) {
        self.id = id
        self.price = price
        self.open = open
        self.prev = prev
        self.next = next
        self.trader = trader
        peak = Int32(truncatingIfNeeded: display)
        slice = Int32(truncatingIfNeeded: display > 0 ? min(display, open) : 0)
        self.side = side
        self.selfTrade = selfTrade
    }

    var display: Int64 { Int64(peak) }

    /// Displayed lots: all of a plain order, the current slice of an iceberg.
    @inline(__always)
    var visible: Int64 { peak == 0 ? open : Int64(slice) }

    /// Sets an iceberg's slice (≤ display); plain orders show `open` anyway.
    @inline(__always)
    mutating func setVisible(_ lots: Int64) {
        if peak != 0 { slice = Int32(truncatingIfNeeded: lots) }
    }
}

/// A price level: its FIFO queue's ends and totals (32 bytes; empty when `head` is -1).
struct Level {
    /// `price` for bids, `-price` for asks, so that on both sides a larger key is better.
    var key: Int64
    var head: Int32
    var tail: Int32
    var open: Int64
    var visible: Int64

    var isEmpty: Bool { head < 0 }
}

/// One side's levels in a flat array sorted by key, best (largest key) last: the best
/// level is O(1), matching pops from the end, and finding a level to join is a binary
/// search over contiguous keys. Levels are created or dropped only when a price gets its
/// first order or loses its last, which moves the (usually few) levels behind it.
struct Ladder {
    private(set) var levels: UnsafeMutablePointer<Level>
    private(set) var count = 0
    private var capacity: Int

    init() {
        capacity = 64
        levels = .allocate(capacity: capacity)
    }

    func deallocate() { levels.deallocate() }

    /// Bytes held, for the footprint figure.
    var bytes: Int { capacity * MemoryLayout<Level>.stride }

    @inline(__always)
    var best: UnsafeMutablePointer<Level>? { count > 0 ? levels + (count - 1) : nil }

    /// First index whose key is not below `key`.
    @inline(__always)
    func lowerBound(_ key: Int64) -> Int {
        // Most traffic is at or next to the best level, so look there first.
        if count > 0 && levels[count - 1].key <= key {
            return levels[count - 1].key == key ? count - 1 : count
        }
        var low = 0, high = count
        while low < high {
            let mid = (low + high) >> 1
            if levels[mid].key < key { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// The level with `key`, or nil.
    @inline(__always)
    func find(_ key: Int64) -> UnsafeMutablePointer<Level>? {
        let index = lowerBound(key)
        return index < count && levels[index].key == key ? levels + index : nil
    }

    /// The level with `key`, created empty if missing.
    @inline(__always)
    mutating func findOrInsert(_ key: Int64) -> UnsafeMutablePointer<Level> {
        let index = lowerBound(key)
        if index < count && levels[index].key == key { return levels + index }
        if count == capacity { grow() }
        let slot = levels + index
        (slot + 1).moveInitialize(from: slot, count: count - index)
        slot.initialize(to: Level(key: key, head: -1, tail: -1, open: 0, visible: 0))
        count += 1
        return slot
    }

    /// Drops the (empty) level at `pointer`.
    @inline(__always)
    mutating func remove(_ pointer: UnsafeMutablePointer<Level>) {
        let index = pointer - levels
        pointer.moveInitialize(from: pointer + 1, count: count - index - 1)
        count -= 1
    }

    private mutating func grow() {
        let bigger = UnsafeMutablePointer<Level>.allocate(capacity: capacity * 2)
        bigger.moveInitialize(from: levels, count: count)
        levels.deallocate()
        levels = bigger
        capacity *= 2
    }
}
