// Pending stop and stop-limit orders, indexed so that a trade finds the stops it fires
// without scanning the ones it does not, and a cancel finds its stop by id.

/// Untriggered stops. Each waits in its side's heap, nearest trigger on top (buys: lowest
/// stop price; sells: highest), so the stops a trade price reaches come off the top. Those
/// move to `reached`, ordered by arrival, because stops fire oldest first. A reached stop
/// the price has moved away from again (mid-cascade) goes back to waiting untouched.
///
/// `pending` is the truth; a heap entry counts only while `pending` holds its id with the
/// same arrival. Cancelling a stop just forgets it there, and its heap entry is dropped
/// when it surfaces (or when stale entries outnumber live ones and the heaps are rebuilt),
/// so no heap operation touches a hash table.
struct StopIndex {
    struct Pending {
        var order: NewOrder
        /// Position in arrival order: fixes which of several reached stops fires first.
        var arrival: UInt64
    }

    private var pending: [UInt64: Pending] = [:]
    /// `[buy, sell]`, indexed by `Side.rawValue`, keyed by `triggerKey`.
    private var waiting = [StopHeap(), StopHeap()]
    /// Stops some price in the current cascade reached, keyed by arrival alone.
    private var reached = StopHeap()
    private var nextArrival: UInt64 = 0
    /// Heap entries whose stop was cancelled.
    private var stale = 0

    var count: Int { pending.count }
    var isEmpty: Bool { pending.isEmpty }

    /// (Checked for emptiness first: hashing an id costs more than most cancels do.)
    func contains(_ id: UInt64) -> Bool { !pending.isEmpty && pending[id] != nil }

    /// Adds `order` as the newest stop; false (and nothing added) if its id is pending.
    @discardableResult
    mutating func insert(_ order: NewOrder) -> Bool {
        guard pending[order.id] == nil else { return false }
        let stop = Pending(order: order, arrival: nextArrival)
        nextArrival &+= 1
        pending[order.id] = stop
        waiting[Int(order.side.rawValue)].insert(Self.waitingEntry(stop))
        return true
    }

    /// Takes the stop `id` out, or nil if it is not pending.
    mutating func remove(_ id: UInt64) -> NewOrder? {
        guard !pending.isEmpty, let stop = pending.removeValue(forKey: id) else { return nil }
        stale += 1
        if stale > 1024 && stale > pending.count { rebuild() }
        return stop.order
    }

    /// Takes out the oldest stop that a last trade at `price` fires, or nil if none.
    mutating func takeOldestTriggered(at price: Int64) -> NewOrder? {
        for side in Side.allCases { moveReached(side, price: price) }
        while let top = reached.popTop() {
            guard let stop = live(top) else { continue }
            if Self.fires(stop.order, at: price) {
                pending[top.id] = nil
                return stop.order
            }
            waiting[Int(stop.order.side.rawValue)].insert(Self.waitingEntry(stop))
        }
        return nil
    }

    /// Every pending stop, oldest first (snapshots and views).
    var inArrivalOrder: [NewOrder] {
        pending.values.sorted { $0.arrival < $1.arrival }.map(\.order)
    }

    /// The pending stop an entry stands for, unless it was cancelled since.
    private mutating func live(_ entry: StopHeap.Entry) -> Pending? {
        guard let stop = pending[entry.id], stop.arrival == entry.arrival else {
            stale -= 1
            return nil
        }
        return stop
    }

    /// Moves `side`'s waiting stops that `price` fires to `reached`.
    private mutating func moveReached(_ side: Side, price: Int64) {
        let threshold = Self.triggerKey(side, price)
        let heap = Int(side.rawValue)
        while let top = waiting[heap].top, top.key <= threshold {
            _ = waiting[heap].popTop()
            guard live(top) != nil else { continue }
            reached.insert(StopHeap.Entry(key: 0, arrival: top.arrival, id: top.id))
        }
    }

    /// Heaps of the pending stops alone: what cancelled stops left behind is dropped.
    private mutating func rebuild() {
        var heaps = [StopHeap(), StopHeap()]
        for stop in pending.values { heaps[Int(stop.order.side.rawValue)].insert(Self.waitingEntry(stop)) }
        waiting = heaps
        reached = StopHeap()
        stale = 0
    }

    /// Buy stops fire when the last trade is at or above the stop, sell stops at or below.
    private static func fires(_ order: NewOrder, at price: Int64) -> Bool {
        order.side == .buy ? price >= order.stopPrice : price <= order.stopPrice
    }

    /// A key that a price fires exactly when it is ≤ the price's own key on that side.
    private static func triggerKey(_ side: Side, _ price: Int64) -> Int64 { side == .buy ? price : -price }

    private static func waitingEntry(_ stop: Pending) -> StopHeap.Entry {
        StopHeap.Entry(key: triggerKey(stop.order.side, stop.order.stopPrice), arrival: stop.arrival, id: stop.order.id)
    }
}

/// A binary min-heap on (key, arrival).
struct StopHeap {
    struct Entry {
        var key: Int64
        var arrival: UInt64
        var id: UInt64

        func precedes(_ other: Entry) -> Bool { key != other.key ? key < other.key : arrival < other.arrival }
    }

    private var entries: [Entry] = []

    var top: Entry? { entries.first }

    mutating func insert(_ entry: Entry) {
        entries.append(entry)
        var child = entries.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard entries[child].precedes(entries[parent]) else { return }
            entries.swapAt(child, parent)
            child = parent
        }
    }

    mutating func popTop() -> Entry? {
        guard let first = entries.first else { return nil }
        let last = entries.removeLast()
        guard !entries.isEmpty else { return first }
        entries[0] = last
        var parent = 0
        while true {
            let left = 2 * parent + 1
            guard left < entries.count else { break }
            let right = left + 1
            let next = right < entries.count && entries[right].precedes(entries[left]) ? right : left
            guard entries[next].precedes(entries[parent]) else { break }
            entries.swapAt(next, parent)
            parent = next
        }
        return first
    }
}
