/// One slot of the order table. Resting orders of a level form an intrusive doubly linked
/// list (`prev`/`next`, -1 ends). 32 bytes, two to a cache line, so a random slot is one
/// line, never two: the price is the level's key, and the level handle, side, self-trade
/// mode and an iceberg flag share one word. A plain order shows all it has; an iceberg's
/// display size and current slice live beside the table (`OrderBook.icebergs`), read only
/// for orders flagged as icebergs.
struct Slot {
    var id: UInt64
    /// Open lots including an iceberg's reserve.
    var open: Int64
    var prev: Int32
    var next: Int32
    /// `level << 4 | iceberg << 3 | selfTrade << 1 | side`; -1 for a vacant slot. (Handles
    /// stay below 2^27: a side has at most one level per resting order.)
    private var place: Int32
    var trader: UInt32

    /// A resting order, not yet linked into its level's queue.
    init(id: UInt64, level: Int32, open: Int64, iceberg: Bool, trader: UInt32, side: Side,
         selfTrade: SelfTradePrevention) {
        self.id = id
        self.open = open
        prev = -1
        next = -1
        place = level << 4 | (iceberg ? 8 : 0) | Int32(selfTrade.rawValue) << 1 | Int32(side.rawValue)
        self.trader = trader
    }

    static var vacant: Slot {
        var slot = Slot(id: 0, level: 0, open: 0, iceberg: false, trader: 0, side: .buy, selfTrade: .none)
        slot.place = -1
        return slot
    }

    @inline(__always)
    var isOccupied: Bool { place >= 0 }

    /// The handle of its level in its side's `Ladder`.
    @inline(__always)
    var level: Int32 { place >> 4 }

    @inline(__always)
    var side: Side { place & 1 == 0 ? .buy : .sell }

    var selfTrade: SelfTradePrevention { SelfTradePrevention(rawValue: UInt8(place >> 1 & 3)) ?? .none }

    /// True when the order shows a slice of what it has (`OrderBook.icebergs`).
    @inline(__always)
    var isIceberg: Bool { place & 8 != 0 }
}

/// An iceberg's display size and the slice it shows now (at most the display size and
/// the order's open lots).
struct Iceberg {
    var display: Int64
    var slice: Int64
}

/// A price level: its FIFO queue's ends and totals (32 bytes; empty when `head` is -1).
struct Level {
    /// `price` for bids, `-price` for asks, so that on both sides a larger key is better.
    var key: Int64
    var head: Int32
    /// The queue's last order; for a free level, the next free level.
    var tail: Int32
    var open: Int64
    var visible: Int64
    /// The block (see `Ladder`) whose entries hold this level's, for its open-lots total.
    var block: Int32 = 0

    var isEmpty: Bool { head < 0 }
}

/// One side's price levels.
///
/// Each level lives at a stable handle (an index into `levels`) that its resting orders
/// keep, so cancelling, shrinking or filling an order reaches its level without a search.
/// A new order finds its level by key in a hash table (keys near one another, as prices
/// are, land in distinct buckets). Only creating or dropping a level touches the order of
/// levels: (key, handle) entries sorted in blocks of up to 64 (a one-level B+ tree), where
/// the best level (the largest key, at the end of the last block) is O(1), a key is found
/// by a binary search over the blocks' first keys and then within one block, and an insert
/// or removal moves at most one block's entries and, on a split or merge, part of the
/// block directory. So a book whose orders each sit at their own price (100,000 levels)
/// costs about what a book of 500 crowded levels does.
///
/// Level pointers stay valid until the next `findOrInsert` on this side (the pool may grow).
struct Ladder {
    static let blockSize = 64

    /// A level's place in the order.
    struct Entry {
        var key: Int64
        var handle: Int32
    }

    /// The level pool, `levelCapacity` long; free levels are chained through `tail`.
    private var levels: UnsafeMutablePointer<Level>
    private var levelCapacity = 0
    private var freeLevel: Int32 = -1

    /// key → handle + 1 (0 = empty), linear probing; `bucketMask + 1` buckets, a power of two
    /// kept at least twice the level count.
    private var buckets: UnsafeMutablePointer<Int32>
    private var bucketMask = Self.firstBuckets - 1
    private var bucketShift = UInt64(64 - Self.firstBuckets.trailingZeroBitCount)
    private static let firstBuckets = 16

    /// `blockCapacity` blocks of `blockSize` entries; block `b` starts at `b * blockSize`.
    private var entries: UnsafeMutablePointer<Entry>
    /// Entries in use per block.
    private var counts: UnsafeMutablePointer<Int32>
    /// Open lots of each block's levels: a fill-or-kill that fits its side but perhaps not
    /// within its limit adds up whole blocks, not every level up to the limit.
    private var blockOpen: UnsafeMutablePointer<Int64>
    /// Blocks in key order (`blockCount` of them).
    private var directory: UnsafeMutablePointer<Int32>
    /// Unused block numbers (`freeCount` of them).
    private var spare: UnsafeMutablePointer<Int32>
    private var blockCapacity = 0
    private var blockCount = 0
    private var freeCount = 0
    /// Levels on this side.
    private(set) var count = 0
    /// The best level's handle, or -1 when the side is empty: kept, since matching reads
    /// it per fill and reaching it through the blocks is four dependent loads.
    private(set) var bestHandle: Int32 = -1
    /// Times the storage grew (`bytes` changed).
    private(set) var growths = 0
    /// Open lots of all the side's orders (the sum of its levels' `open`), kept by the
    /// book as it changes them: a fill-or-kill larger than the whole side is refused
    /// without walking its levels.
    var open: Int64 = 0

    init() {
        levels = .allocate(capacity: 0)
        buckets = .allocate(capacity: Self.firstBuckets)
        buckets.initialize(repeating: 0, count: Self.firstBuckets)
        entries = .allocate(capacity: 0)
        counts = .allocate(capacity: 0)
        blockOpen = .allocate(capacity: 0)
        directory = .allocate(capacity: 0)
        spare = .allocate(capacity: 0)
    }

    func deallocate() {
        levels.deallocate()
        buckets.deallocate()
        entries.deallocate()
        counts.deallocate()
        blockOpen.deallocate()
        directory.deallocate()
        spare.deallocate()
    }

    /// Bytes held, for the footprint figure.
    var bytes: Int {
        levelCapacity * MemoryLayout<Level>.stride + (bucketMask + 1) * 4
            + blockCapacity * (Self.blockSize * MemoryLayout<Entry>.stride + 20)
    }

    // MARK: - Levels by handle and key

    @inline(__always)
    func level(_ handle: Int32) -> UnsafeMutablePointer<Level> { levels + Int(handle) }

    /// Changes the open lots of `level` (on this side) by `delta`, and the totals kept
    /// over them: its block's and the side's.
    @inline(__always)
    mutating func addOpen(_ delta: Int64, to level: UnsafeMutablePointer<Level>) {
        level.pointee.open += delta
        open += delta
        blockOpen[Int(level.pointee.block)] += delta
    }

    /// Open lots at levels with a key of at least `minKey` (all of them, or at least
    /// `wanted` once that many are found): whole blocks from the best down, then the
    /// levels of the block where `minKey` falls.
    func open(atOrAbove minKey: Int64, wanted: Int64) -> Int64 {
        var total: Int64 = 0, position = blockCount - 1
        while position >= 0 && total < wanted {
            let number = directory[position], entries = block(number)
            if entries.pointee.key >= minKey {
                total += blockOpen[Int(number)]
            } else {
                var index = Int(counts[Int(number)]) - 1
                while index >= 0 && entries[index].key >= minKey {
                    total += levels[Int(entries[index].handle)].open
                    index -= 1
                }
                break
            }
            position -= 1
        }
        return total
    }

    /// Reads the best level's handle off the blocks after the order changed.
    @inline(__always)
    private mutating func refreshBest() {
        guard blockCount > 0 else { bestHandle = -1; return }
        let last = directory[blockCount - 1]
        bestHandle = block(last)[Int(counts[Int(last)]) - 1].handle
    }

    @inline(__always)
    var best: UnsafeMutablePointer<Level>? {
        let handle = bestHandle
        return handle >= 0 ? level(handle) : nil
    }

    @inline(__always)
    private func home(_ key: Int64) -> Int {
        // Fibonacci hashing: the top bits of the product, so consecutive keys spread out.
        Int(truncatingIfNeeded: (UInt64(bitPattern: key) &* 0x9E37_79B9_7F4A_7C15) &>> bucketShift)
    }

    /// The handle of the level with `key`, or -1.
    @inline(__always)
    func find(_ key: Int64) -> Int32 {
        var index = home(key)
        while true {
            let entry = buckets[index]
            if entry == 0 { return -1 }
            if levels[Int(entry - 1)].key == key { return entry - 1 }
            index = (index + 1) & bucketMask
        }
    }

    /// The handle of the level with `key`, created empty if missing.
    @inline(__always)
    mutating func findOrInsert(_ key: Int64) -> Int32 {
        let found = find(key)
        return found >= 0 ? found : insert(key)
    }

    /// Drops the (empty) level `handle`.
    mutating func remove(_ handle: Int32) {
        let key = levels[Int(handle)].key
        let position = blockPosition(key)
        let number = directory[position]
        removeEntry(at: lowerBound(key, in: number), of: position)
        refreshBest()
        release(handle)
    }

    /// Drops the (empty) best level.
    @inline(__always)
    mutating func removeBest() {
        let position = blockCount - 1, number = directory[position]
        let handle = bestHandle
        counts[Int(number)] -= 1
        count -= 1
        if counts[Int(number)] == 0 { removeBlock(at: position) }
        refreshBest()
        release(handle)
    }

    /// Calls `body` on each level, best first, until it returns false.
    func forEachBestFirst(_ body: (UnsafeMutablePointer<Level>) -> Bool) {
        var position = blockCount - 1
        while position >= 0 {
            let number = directory[position]
            var index = Int(counts[Int(number)]) - 1
            while index >= 0 {
                if !body(level(block(number)[index].handle)) { return }
                index -= 1
            }
            position -= 1
        }
    }

    /// Creates the level `key` (known absent) in the pool, the hash table and the order.
    private mutating func insert(_ key: Int64) -> Int32 {
        if freeLevel < 0 { growLevels() }
        let handle = freeLevel
        freeLevel = levels[Int(handle)].tail
        levels[Int(handle)] = Level(key: key, head: -1, tail: -1, open: 0, visible: 0)
        if (count + 1) * 2 > bucketMask + 1 { rehash(buckets: (bucketMask + 1) * 2) }
        place(handle)
        insertEntry(Entry(key: key, handle: handle))
        refreshBest()
        return handle
    }

    /// Takes `handle` (already out of the order) out of the hash table and frees it.
    private mutating func release(_ handle: Int32) {
        var hole = home(levels[Int(handle)].key)
        while buckets[hole] != handle + 1 { hole = (hole + 1) & bucketMask }
        // Backward shift: move later entries of the run into the hole when it lies on
        // their probe path, so there are no tombstones.
        var next = hole
        while true {
            next = (next + 1) & bucketMask
            let entry = buckets[next]
            if entry == 0 { break }
            let wanted = home(levels[Int(entry - 1)].key)
            if (next - wanted) & bucketMask >= (next - hole) & bucketMask {
                buckets[hole] = entry
                hole = next
            }
        }
        buckets[hole] = 0
        levels[Int(handle)].tail = freeLevel
        freeLevel = handle
    }

    private func place(_ handle: Int32) {
        var index = home(levels[Int(handle)].key)
        while buckets[index] != 0 { index = (index + 1) & bucketMask }
        buckets[index] = handle + 1
    }

    private mutating func rehash(buckets size: Int) {
        growths += 1
        buckets.deallocate()
        buckets = .allocate(capacity: size)
        buckets.initialize(repeating: 0, count: size)
        bucketMask = size - 1
        bucketShift = UInt64(64 - size.trailingZeroBitCount)
        forEachEntry { place($0.handle) }
    }

    private mutating func growLevels() {
        growths += 1
        let capacity = max(16, levelCapacity * 2)
        let grown = UnsafeMutablePointer<Level>.allocate(capacity: capacity)
        grown.moveInitialize(from: levels, count: levelCapacity)  // Level is trivial
        levels.deallocate()
        levels = grown
        for handle in (levelCapacity..<capacity).reversed() {
            levels[handle] = Level(key: 0, head: -1, tail: freeLevel, open: 0, visible: 0)
            freeLevel = Int32(handle)
        }
        levelCapacity = capacity
    }

    // MARK: - The order of levels

    @inline(__always)
    private func block(_ number: Int32) -> UnsafeMutablePointer<Entry> { entries + Int(number) * Self.blockSize }

    private func forEachEntry(_ body: (Entry) -> Void) {
        for position in 0..<blockCount {
            let number = directory[position]
            for index in 0..<Int(counts[Int(number)]) { body(block(number)[index]) }
        }
    }

    /// The directory position of the block that holds, or would hold, `key`.
    @inline(__always)
    private func blockPosition(_ key: Int64) -> Int {
        // Most traffic is near the best level, in the last block.
        if block(directory[blockCount - 1]).pointee.key <= key { return blockCount - 1 }
        var low = 0, high = blockCount - 1  // answer in low..<high
        while high - low > 1 {
            let mid = (low + high) >> 1
            if block(directory[mid]).pointee.key <= key { low = mid } else { high = mid }
        }
        return low
    }

    /// First index in `number` whose key is not below `key`.
    @inline(__always)
    private func lowerBound(_ key: Int64, in number: Int32) -> Int {
        let block = block(number), count = Int(counts[Int(number)])
        if block[count - 1].key < key { return count }
        var low = 0, high = count - 1
        while low < high {
            let mid = (low + high) >> 1
            if block[mid].key < key { low = mid + 1 } else { high = mid }
        }
        return low
    }

    private mutating func insertEntry(_ entry: Entry) {
        var position = 0, number: Int32, index = 0
        if blockCount == 0 {
            insertBlock(at: 0)
            number = directory[0]
        } else {
            position = blockPosition(entry.key)
            number = directory[position]
            index = lowerBound(entry.key, in: number)
        }
        if Int(counts[Int(number)]) == Self.blockSize {
            split(at: position)
            if index > Self.blockSize / 2 {
                position += 1
                number = directory[position]
                index -= Self.blockSize / 2
            }
        }
        let place = block(number) + index
        (place + 1).moveInitialize(from: place, count: Int(counts[Int(number)]) - index)
        place.initialize(to: entry)
        levels[Int(entry.handle)].block = number
        counts[Int(number)] += 1
        count += 1
    }

    /// Drops entry `index` of the block at directory `position`; a block left nearly
    /// empty takes in its successor's entries so blocks stay at least a quarter full on
    /// average.
    private mutating func removeEntry(at index: Int, of position: Int) {
        let number = directory[position]
        let place = block(number) + index
        place.moveInitialize(from: place + 1, count: Int(counts[Int(number)]) - index - 1)
        counts[Int(number)] -= 1
        count -= 1
        if counts[Int(number)] == 0 {
            removeBlock(at: position)
        } else if Int(counts[Int(number)]) < Self.blockSize / 4 && position + 1 < blockCount {
            let next = directory[position + 1]
            if Int(counts[Int(number)] + counts[Int(next)]) <= Self.blockSize * 3 / 4 {
                let moved = block(number) + Int(counts[Int(number)])
                moved.moveInitialize(from: block(next), count: Int(counts[Int(next)]))
                for index in 0..<Int(counts[Int(next)]) { levels[Int(moved[index].handle)].block = number }
                blockOpen[Int(number)] += blockOpen[Int(next)]
                counts[Int(number)] += counts[Int(next)]
                counts[Int(next)] = 0
                removeBlock(at: position + 1)
            }
        }
    }

    /// Moves the upper half of the full block at `position` into a new block after it.
    private mutating func split(at position: Int) {
        insertBlock(at: position + 1)
        let full = directory[position], fresh = directory[position + 1], half = Self.blockSize / 2
        block(fresh).moveInitialize(from: block(full) + half, count: Self.blockSize - half)
        counts[Int(full)] = Int32(half)
        counts[Int(fresh)] = Int32(Self.blockSize - half)
        var moved: Int64 = 0
        for index in 0..<Self.blockSize - half {
            let level = levels + Int(block(fresh)[index].handle)
            level.pointee.block = fresh
            moved += level.pointee.open
        }
        blockOpen[Int(fresh)] = moved
        blockOpen[Int(full)] -= moved
    }

    /// Puts an empty block into the directory at `position`.
    private mutating func insertBlock(at position: Int) {
        if freeCount == 0 { growBlocks() }
        freeCount -= 1
        let number = spare[freeCount]
        counts[Int(number)] = 0
        blockOpen[Int(number)] = 0
        (directory + position + 1).moveInitialize(from: directory + position, count: blockCount - position)
        directory[position] = number
        blockCount += 1
    }

    /// Takes the (empty) block at `position` out of the directory.
    private mutating func removeBlock(at position: Int) {
        spare[freeCount] = directory[position]
        freeCount += 1
        (directory + position).moveInitialize(from: directory + position + 1, count: blockCount - position - 1)
        blockCount -= 1
    }

    private mutating func growBlocks() {
        growths += 1
        let capacity = max(1, blockCapacity * 2)
        let grown = UnsafeMutablePointer<Entry>.allocate(capacity: capacity * Self.blockSize)
        grown.moveInitialize(from: entries, count: blockCapacity * Self.blockSize)  // Entry is trivial
        entries.deallocate()
        entries = grown
        counts = Self.grown(counts, from: blockCapacity, to: capacity)
        blockOpen = Self.grown(blockOpen, from: blockCapacity, to: capacity)
        directory = Self.grown(directory, from: blockCapacity, to: capacity)
        spare = Self.grown(spare, from: blockCapacity, to: capacity)
        for number in blockCapacity..<capacity {
            spare[freeCount] = Int32(number)
            freeCount += 1
        }
        blockCapacity = capacity
    }

    /// Whether every level names the block that holds it and each block's total is the
    /// sum of its levels' open lots (for tests).
    func blockTotalsAreExact() -> Bool {
        for position in 0..<blockCount {
            let number = directory[position]
            var total: Int64 = 0
            for index in 0..<Int(counts[Int(number)]) {
                let level = levels[Int(block(number)[index].handle)]
                if level.block != number { return false }
                total += level.open
            }
            if total != blockOpen[Int(number)] { return false }
        }
        return true
    }

    private static func grown<T>(_ old: UnsafeMutablePointer<T>, from: Int, to: Int) -> UnsafeMutablePointer<T> {
        let bigger = UnsafeMutablePointer<T>.allocate(capacity: to)
        bigger.moveInitialize(from: old, count: from)
        old.deallocate()
        return bigger
    }
}
