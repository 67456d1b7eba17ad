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

/// One side's levels, sorted by key in blocks of up to 64 (a one-level B+ tree): the
/// best level (the largest key, at the end of the last block) is O(1); finding a level
/// is a binary search over the blocks' first keys, then within one block; creating or
/// dropping a level moves at most one block's levels and, on a split or merge, part of
/// the block directory. So a book whose orders each sit at their own price (100,000
/// levels) costs about what a book of 500 crowded levels does, where one flat sorted
/// array would move up to the whole side per new level.
///
/// Level pointers stay valid until the next `findOrInsert` or `remove` on this side.
struct Ladder {
    static let blockSize = 64

    /// `blockCapacity` blocks of `blockSize` levels; block `b` starts at `b * blockSize`.
    private var storage: UnsafeMutablePointer<Level>
    /// Levels in use per block.
    private var counts: UnsafeMutablePointer<Int32>
    /// Blocks in key order (`blockCount` of them).
    private var directory: UnsafeMutablePointer<Int32>
    /// Unused block numbers (`freeCount` of them).
    private var spare: UnsafeMutablePointer<Int32>
    private var blockCapacity = 0
    private var blockCount = 0
    private var freeCount = 0
    /// Levels on this side.
    private(set) var count = 0

    init() {
        storage = .allocate(capacity: 0)
        counts = .allocate(capacity: 0)
        directory = .allocate(capacity: 0)
        spare = .allocate(capacity: 0)
    }

    func deallocate() {
        storage.deallocate()
        counts.deallocate()
        directory.deallocate()
        spare.deallocate()
    }

    /// Bytes held, for the footprint figure.
    var bytes: Int { blockCapacity * (Self.blockSize * MemoryLayout<Level>.stride + 12) }

    @inline(__always)
    private func block(_ number: Int32) -> UnsafeMutablePointer<Level> { storage + Int(number) * Self.blockSize }

    @inline(__always)
    var best: UnsafeMutablePointer<Level>? {
        guard blockCount > 0 else { return nil }
        let last = directory[blockCount - 1]
        return block(last) + (Int(counts[Int(last)]) - 1)
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
        let levels = block(number), count = Int(counts[Int(number)])
        if levels[count - 1].key < key { return count }
        var low = 0, high = count - 1
        while low < high {
            let mid = (low + high) >> 1
            if levels[mid].key < key { low = mid + 1 } else { high = mid }
        }
        return low
    }

    /// The level with `key`, or nil.
    @inline(__always)
    func find(_ key: Int64) -> UnsafeMutablePointer<Level>? {
        guard blockCount > 0 else { return nil }
        let number = directory[blockPosition(key)]
        let index = lowerBound(key, in: number)
        return index < Int(counts[Int(number)]) && block(number)[index].key == key ? block(number) + index : nil
    }

    /// The level with `key`, created empty if missing.
    @inline(__always)
    mutating func findOrInsert(_ key: Int64) -> UnsafeMutablePointer<Level> {
        var position = 0, number: Int32, index = 0
        if blockCount == 0 {
            insertBlock(at: 0)
            number = directory[0]
        } else {
            position = blockPosition(key)
            number = directory[position]
            index = lowerBound(key, in: number)
            if index < Int(counts[Int(number)]) && block(number)[index].key == key { return block(number) + index }
        }
        if Int(counts[Int(number)]) == Self.blockSize {
            split(at: position)
            if index > Self.blockSize / 2 {
                position += 1
                number = directory[position]
                index -= Self.blockSize / 2
            }
        }
        let slot = block(number) + index
        (slot + 1).moveInitialize(from: slot, count: Int(counts[Int(number)]) - index)
        slot.initialize(to: Level(key: key, head: -1, tail: -1, open: 0, visible: 0))
        counts[Int(number)] += 1
        count += 1
        return slot
    }

    /// Drops the (empty) level at `pointer`; a block left nearly empty takes in its
    /// successor's levels so blocks stay at least a quarter full on average.
    @inline(__always)
    mutating func remove(_ pointer: UnsafeMutablePointer<Level>) {
        let offset = pointer - storage
        let number = Int32(offset / Self.blockSize), index = offset % Self.blockSize
        let position = blockPosition(pointer.pointee.key)
        pointer.moveInitialize(from: pointer + 1, count: Int(counts[Int(number)]) - index - 1)
        counts[Int(number)] -= 1
        count -= 1
        if counts[Int(number)] == 0 {
            removeBlock(at: position)
        } else if Int(counts[Int(number)]) < Self.blockSize / 4 && position + 1 < blockCount {
            let next = directory[position + 1]
            if Int(counts[Int(number)] + counts[Int(next)]) <= Self.blockSize * 3 / 4 {
                (block(number) + Int(counts[Int(number)])).moveInitialize(from: block(next), count: Int(counts[Int(next)]))
                counts[Int(number)] += counts[Int(next)]
                counts[Int(next)] = 0
                removeBlock(at: position + 1)
            }
        }
    }

    /// Calls `body` on each level, best first, until it returns false.
    func forEachBestFirst(_ body: (UnsafeMutablePointer<Level>) -> Bool) {
        var position = blockCount - 1
        while position >= 0 {
            let number = directory[position]
            var index = Int(counts[Int(number)]) - 1
            while index >= 0 {
                if !body(block(number) + index) { return }
                index -= 1
            }
            position -= 1
        }
    }

    /// Moves the upper half of the full block at `position` into a new block after it.
    private mutating func split(at position: Int) {
        insertBlock(at: position + 1)
        let full = directory[position], fresh = directory[position + 1], half = Self.blockSize / 2
        block(fresh).moveInitialize(from: block(full) + half, count: Self.blockSize - half)
        counts[Int(full)] = Int32(half)
        counts[Int(fresh)] = Int32(Self.blockSize - half)
    }

    /// Puts an empty block into the directory at `position`.
    private mutating func insertBlock(at position: Int) {
        if freeCount == 0 { grow() }
        freeCount -= 1
        let number = spare[freeCount]
        counts[Int(number)] = 0
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

    private mutating func grow() {
        let capacity = max(1, blockCapacity * 2)
        let levels = UnsafeMutablePointer<Level>.allocate(capacity: capacity * Self.blockSize)
        levels.moveInitialize(from: storage, count: blockCapacity * Self.blockSize)  // Level is trivial
        storage.deallocate()
        storage = levels
        counts = Self.grown(counts, from: blockCapacity, to: capacity)
        directory = Self.grown(directory, from: blockCapacity, to: capacity)
        spare = Self.grown(spare, from: blockCapacity, to: capacity)
        for number in blockCapacity..<capacity {
            spare[freeCount] = Int32(number)
            freeCount += 1
        }
        blockCapacity = capacity
    }

    private static func grown(_ old: UnsafeMutablePointer<Int32>, from: Int, to: Int) -> UnsafeMutablePointer<Int32> {
        let bigger = UnsafeMutablePointer<Int32>.allocate(capacity: to)
        bigger.moveInitialize(from: old, count: from)
        old.deallocate()
        return bigger
    }
}
