// Id lookups without Swift Dictionary: no hashing through protocols, no ARC, no
// allocation after init.

@inline(__always)
func mix(_ id: UInt64) -> UInt32 {
    // Multiply, then fold the well-mixed high half onto the low bits that pick the
    // bucket: sequential ids land far apart and probe runs stay short.
    let product = id &* 0x9E37_79B9_7F4A_7C15
    return UInt32(truncatingIfNeeded: product ^ (product >> 29))
}

/// Live order id → pool slot. Linear probing over one word per bucket:
/// `hash32 << 32 | (slot + 1)`, 0 = empty. The hash half filters probes so the pool
/// (which holds the real id) is read only on a likely hit. The table is sized to the
/// capacity at a load of at most 1/2, so probe runs stay short and a deletion shifts
/// little back, and not to a power of two (the hash picks a bucket by multiply-shift),
/// which keeps it small enough to stay in cache. Deletion shifts back, so there are no
/// tombstones and lookups never degrade.
struct IdIndex {
    private let table: UnsafeMutablePointer<UInt64>
    let bucketCount: Int

    init(capacity: Int) {
        bucketCount = max(16, (capacity * 2 + 8) & ~7)
        table = LargeAllocation.allocate(UInt64.self, count: bucketCount)
        table.initialize(repeating: 0, count: bucketCount)
    }

    func deallocate() { LargeAllocation.deallocate(table, count: bucketCount) }

    /// The bucket where the search for `hash` starts.
    @inline(__always)
    private func home(_ hash: UInt32) -> Int { Int((UInt64(hash) &* UInt64(bucketCount)) >> 32) }

    @inline(__always)
    private func following(_ index: Int) -> Int { index + 1 == bucketCount ? 0 : index + 1 }

    /// The slot holding `id`, or -1.
    @inline(__always)
    func find(_ id: UInt64, in pool: UnsafeMutablePointer<Slot>) -> Int32 {
        let hash = mix(id)
        var index = home(hash)
        while true {
            let bucket = table[index]
            if bucket == 0 { return -1 }
            if UInt32(truncatingIfNeeded: bucket >> 32) == hash {
                let slot = Int32(truncatingIfNeeded: bucket) - 1
                if pool[Int(slot)].id == id { return slot }
            }
            index = following(index)
        }
    }

    /// Where the search for `id` starts (to prefetch).
    @inline(__always)
    func homeBucket(of id: UInt64) -> UnsafeRawPointer { UnsafeRawPointer(table + home(mix(id))) }

    /// The slot of the first entry whose hash matches `id`'s, without reading the pool:
    /// almost always `find`'s answer, for prefetching. -1 when none.
    @inline(__always)
    func likelySlot(of id: UInt64) -> Int32 {
        let hash = mix(id)
        var index = home(hash)
        while true {
            let bucket = table[index]
            if bucket == 0 { return -1 }
            if UInt32(truncatingIfNeeded: bucket >> 32) == hash { return Int32(truncatingIfNeeded: bucket) - 1 }
            index = following(index)
        }
    }

    /// Adds `id` (known absent) at `slot`.
    @inline(__always)
    func insert(_ id: UInt64, slot: Int32) {
        let hash = mix(id)
        var index = home(hash)
        while table[index] != 0 { index = following(index) }
        table[index] = UInt64(hash) << 32 | UInt64(UInt32(slot + 1))
    }

    /// Removes the entry for `slot` (whose id is `id`).
    @inline(__always)
    func remove(_ id: UInt64, slot: Int32) {
        let hash = mix(id)
        let wanted = UInt64(hash) << 32 | UInt64(UInt32(slot + 1))
        var hole = home(hash)
        while table[hole] != wanted {
            if table[hole] == 0 { return }
            hole = following(hole)
        }
        // Move later entries of the run back into the hole when it lies on their probe
        // path, i.e. their home is at least as far behind them as the hole is.
        var next = hole
        while true {
            next = following(next)
            let bucket = table[next]
            if bucket == 0 { break }
            if distance(from: home(UInt32(truncatingIfNeeded: bucket >> 32)), to: next) >= distance(from: hole, to: next) {
                table[hole] = bucket
                hole = next
            }
        }
        table[hole] = 0
    }

    /// Forward probe steps from `start` to `end`, wrapping around.
    @inline(__always)
    private func distance(from start: Int, to end: Int) -> Int {
        end >= start ? end - start : end - start + bucketCount
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

    init(expected: Int) {
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
        var index = Int(mix(id)) & mask
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
        var index = Int(mix(id)) & mask
        while sparse[index] != 0 { index = (index + 1) & mask }
        sparse[index] = id
    }

    private mutating func rehash(size: Int) {
        let old = sparse
        sparse = Array(repeating: 0, count: size)
        for id in old where id != 0 { place(id) }
    }

    /// All seen ids at or above `denseLimit` (for snapshots).
    var sparseIds: [UInt64] { sparse.filter { $0 != 0 } }

    /// Rebuilds from a snapshot.
    init(bits: [UInt64], sparseIds: [UInt64]) {
        self.bits = bits.isEmpty ? [0] : bits
        var size = 16
        while size < sparseIds.count * 2 + 2 { size <<= 1 }
        sparse = Array(repeating: 0, count: size)
        for id in sparseIds where id >= Self.denseLimit { place(id) }
        sparseCount = sparse.reduce(0) { $0 + ($1 != 0 ? 1 : 0) }
    }
}
