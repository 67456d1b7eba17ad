// Pending stop and stop-limit orders, indexed so that a trade finds the stops it fires
// without scanning the ones it does not, and a cancel finds its stop by id.

/// Untriggered stops. Each waits in its side's heap, nearest trigger on top (buys: lowest
/// stop price; sells: highest), so the stops a trade price reaches come off the top. Those
/// move to `reached`, ordered by arrival, because stops fire oldest first. A reached stop
/// the price has moved away from again (mid-cascade) goes back to waiting untouched.
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

    var count: Int { pending.count }
    var isEmpty: Bool { pending.isEmpty }

    func contains(_ id: UInt64) -> Bool { pending[id] != nil }

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
        guard let stop = pending.removeValue(forKey: id) else { return nil }
        if !waiting[Int(stop.order.side.rawValue)].remove(id) { reached.remove(id) }
        return stop.order
    }

    /// Takes out the oldest stop that a last trade at `price` fires, or nil if none.
    mutating func takeOldestTriggered(at price: Int64) -> NewOrder? {
        for side in Side.allCases { moveReached(side, price: price) }
        while let top = reached.top, let stop = pending[top.id] {
            reached.remove(top.id)
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

    /// Moves `side`'s waiting stops that `price` fires to `reached`.
    private mutating func moveReached(_ side: Side, price: Int64) {
        let threshold = Self.triggerKey(side, price)
        let heap = Int(side.rawValue)
        while let top = waiting[heap].top, top.key <= threshold {
            waiting[heap].remove(top.id)
            reached.insert(StopHeap.Entry(key: 0, arrival: top.arrival, id: top.id))
        }
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

/// A binary min-heap on (key, arrival) that also removes any entry by id, tracking each
/// entry's position.
struct StopHeap {
    struct Entry {
        var key: Int64
        var arrival: UInt64
        var id: UInt64

        func precedes(_ other: Entry) -> Bool { key != other.key ? key < other.key : arrival < other.arrival }
    }

    private var entries: [Entry] = []
    private var positions: [UInt64: Int] = [:]

    var top: Entry? { entries.first }

    mutating func insert(_ entry: Entry) {
        entries.append(entry)
        positions[entry.id] = entries.count - 1
        siftUp(entries.count - 1)
    }

    /// Removes the entry for `id`; false if there is none.
    @discardableResult
    mutating func remove(_ id: UInt64) -> Bool {
        guard let position = positions.removeValue(forKey: id) else { return false }
        let last = entries.removeLast()
        guard position < entries.count else { return true }
        entries[position] = last
        positions[last.id] = position
        if position > 0 && last.precedes(entries[(position - 1) / 2]) { siftUp(position) } else { siftDown(position) }
        return true
    }

    private mutating func siftUp(_ start: Int) {
        var child = start
        while child > 0 {
            let parent = (child - 1) / 2
            guard entries[child].precedes(entries[parent]) else { return }
            swap(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(_ start: Int) {
        var parent = start
        while true {
            let left = 2 * parent + 1
            guard left < entries.count else { return }
            let right = left + 1
            let first = right < entries.count && entries[right].precedes(entries[left]) ? right : left
            guard entries[first].precedes(entries[parent]) else { return }
            swap(first, parent)
            parent = first
        }
    }

    private mutating func swap(_ a: Int, _ b: Int) {
        entries.swapAt(a, b)
        positions[entries[a].id] = a
        positions[entries[b].id] = b
    }
}
