// Queue and pool bookkeeping, FOK pre-check, stop triggers and book views.

extension OrderBook {
    /// Takes `slot` out of its level's queue and totals, and its side's (the level may
    /// end up empty).
    @inline(__always)
    func unlink(_ slot: Int32, from level: UnsafeMutablePointer<Level>, of ladder: UnsafeMutablePointer<Ladder>) {
        let order = pool + Int(slot)
        let prev = order.pointee.prev, next = order.pointee.next
        if prev >= 0 { pool[Int(prev)].next = next } else { level.pointee.head = next }
        if next >= 0 { pool[Int(next)].prev = prev } else { level.pointee.tail = prev }
        ladder.pointee.addOpen(-order.pointee.open, to: level)
        level.pointee.visible -= visible(order)
    }

    /// Puts `slot` at the back of `level`'s queue, counting it in its side's total.
    @inline(__always)
    func append(_ slot: Int32, to level: UnsafeMutablePointer<Level>, of ladder: UnsafeMutablePointer<Ladder>) {
        let order = pool + Int(slot)
        order.pointee.prev = level.pointee.tail
        order.pointee.next = -1
        if level.pointee.tail >= 0 { pool[Int(level.pointee.tail)].next = slot } else { level.pointee.head = slot }
        level.pointee.tail = slot
        ladder.pointee.addOpen(order.pointee.open, to: level)
        level.pointee.visible += visible(order)
    }

    /// Displayed lots: all of a plain order, the current slice of an iceberg.
    @inline(__always)
    func visible(_ order: UnsafePointer<Slot>) -> Int64 {
        order.pointee.isIceberg ? iceberg(order.pointee.id).slice : order.pointee.open
    }

    /// An iceberg's display size; 0 for a plain order.
    func display(of order: UnsafePointer<Slot>) -> Int64 {
        order.pointee.isIceberg ? iceberg(order.pointee.id).display : 0
    }

    /// Sets an iceberg's slice (at most its display size); a plain order shows its open
    /// lots anyway.
    @inline(__always)
    func setSlice(_ order: UnsafePointer<Slot>, _ lots: Int64) {
        if order.pointee.isIceberg { icebergs[order.pointee.id]?.slice = lots }
    }

    /// Out of line: the match loop only branches on the flag.
    @inline(never)
    private func iceberg(_ id: UInt64) -> Iceberg { icebergs[id] ?? Iceberg(display: 0, slice: 0) }

    /// Vacates an unlinked slot. Orders the table moves to fill the hole take their queue
    /// neighbours' links (or their level's ends) with them.
    @inline(__always)
    func free(_ slot: Int32) {
        let freed = pool + Int(slot)
        if freed.pointee.isIceberg { icebergs.removeValue(forKey: freed.pointee.id) }
        orders.remove(slot) { to in
            let order = pool[Int(to)]
            let level = ladders[Int(order.side.rawValue)].level(order.level)
            if order.prev >= 0 { pool[Int(order.prev)].next = to } else { level.pointee.head = to }
            if order.next >= 0 { pool[Int(order.next)].prev = to } else { level.pointee.tail = to }
        }
        restingCount -= 1
    }

    /// Rests `quantity` of `order` at the back of its level (the table must have room:
    /// see `makeRoom`); returns its slot.
    @inline(__always)
    @discardableResult
    func rest(_ order: NewOrder, quantity: Int64) -> Int32 {
        let slot = orders.vacancy(for: order.id)
        restingCount += 1
        enqueue(order, quantity: quantity, at: slot)
        return slot
    }

    /// Whether one more order can rest: the order table has room, or it grows into more
    /// (doubling, up to `capacity`). False when the book is full or memory ran out.
    @inline(__always)
    func makeRoom() -> Bool {
        restingCount < orders.room || (orders.room < capacity && growOrderTable())
    }

    /// Doubles the order table's room, up to `capacity`, and relinks every queue to its
    /// orders' new slots; false, with the book unchanged, when there is no memory for it.
    @inline(never)
    private func growOrderTable() -> Bool {
        guard let moves = orders.grow(room: min(capacity, orders.room * 2)) else { return false }
        func moved(_ slot: Int32) -> Int32 { slot >= 0 ? moves[Int(slot)] : slot }
        for index in 0..<orders.count where pool[index].isOccupied {
            pool[index].prev = moved(pool[index].prev)
            pool[index].next = moved(pool[index].next)
        }
        for side in Side.allCases {
            ladders[Int(side.rawValue)].forEachBestFirst { level in
                level.pointee.head = moved(level.pointee.head)
                level.pointee.tail = moved(level.pointee.tail)
                return true
            }
        }
        return true
    }

    /// Moves a resting order to the back of `order`'s level, as `order`, in its own slot.
    func requeue(_ slot: Int32, as order: NewOrder) {
        let ladder = ladders + Int(order.side.rawValue)
        let handle = pool[Int(slot)].level
        let level = ladder.pointee.level(handle)
        unlink(slot, from: level, of: ladder)
        if level.pointee.isEmpty { ladder.pointee.remove(handle) }
        enqueue(order, quantity: order.quantity, at: slot)
    }

    /// Writes `quantity` of `order` into `slot` and links it at the back of its level.
    @inline(__always)
    private func enqueue(_ order: NewOrder, quantity: Int64, at slot: Int32) {
        let ladder = ladders + Int(order.side.rawValue)
        let level = ladder.pointee.findOrInsert(Self.key(order.side, order.price))
        pool[Int(slot)] = Slot(id: order.id, level: level, open: quantity, iceberg: order.display > 0,
                               trader: order.trader, side: order.side, selfTrade: order.selfTrade)
        if order.display > 0 {
            let room = icebergs.capacity
            icebergs[order.id] = Iceberg(display: order.display, slice: min(order.display, quantity))
            if icebergs.capacity != room { icebergGrowths += 1 }
        }
        append(slot, to: ladder.pointee.level(level), of: ladder)
    }

    /// Cancels a resting order, reporting it.
    func removeResting(_ slot: Int32, reason: Reason, into events: inout [Event]) {
        let order = pool + Int(slot)
        reportCancelled(order.pointee.id, price: price(of: order), quantity: order.pointee.open, reason: reason, into: &events)
        unlinkAndFree(slot)
    }

    /// Takes a resting order out of the book, dropping its level if it empties.
    @inline(__always)
    func unlinkAndFree(_ slot: Int32) {
        let ladder = ladders + Int(pool[Int(slot)].side.rawValue)
        let handle = pool[Int(slot)].level
        let level = ladder.pointee.level(handle)
        unlink(slot, from: level, of: ladder)
        if level.pointee.isEmpty { ladder.pointee.remove(handle) }
        free(slot)
    }

    /// Why a FOK order could not fill completely, or nil if it can. Reads only: nothing
    /// is touched before the answer is known.
    func fokShortfall(side: Side, minKey: Int64, quantity: Int64, trader: UInt32,
                      selfTrade: SelfTradePrevention) -> Reason? {
        let checksTrader = trader != 0 && selfTrade != .none
        // What rests within the limit bounds what the taker can fill (the side's total, then
        // block totals, not a walk over every level up to the limit); without a trader to
        // look for it decides. Less than the quantity is `fokUnfilled` whatever the taker's
        // own orders, so only a FOK the book could fill walks the queues to find whether it
        // meets its own order first, and that walk goes no further than its fills would.
        let makers = ladders[Int(side.opposite.rawValue)]
        if makers.open < quantity || makers.open(atOrAbove: minKey, wanted: quantity) < quantity { return .fokUnfilled }
        if !checksTrader { return nil }
        var available: Int64 = 0
        var verdict: Reason? = .fokUnfilled
        makers.forEachBestFirst { pointer in
            let level = pointer.pointee
            guard level.key >= minKey else { return false }
            if selfTrade == .cancelMaker {
                available += openExcluding(trader: trader, in: level, wanted: quantity - available)
            } else {
                switch meeting(trader, in: level, wanted: quantity - available) {
                case .fills: available = quantity
                case .meetsOwnFirst: verdict = .selfTrade; return false
                case .passes: available += level.open
                }
            }
            if available >= quantity { verdict = nil }
            return verdict != nil
        }
        return verdict
    }

    /// Open lots of a level's orders not from `trader` (those self-trade prevention would
    /// cancel as makers), counted until `wanted` is reached.
    private func openExcluding(trader: UInt32, in level: Level, wanted: Int64) -> Int64 {
        var total: Int64 = 0, cursor = level.head
        while cursor >= 0 && total < wanted {
            let maker = pool[Int(cursor)]
            if maker.trader != trader { total += maker.open }
            cursor = maker.next
        }
        return total
    }

    /// What a taker from `trader` that stops at its own order finds in a level.
    enum Meeting {
        /// `wanted` displayed lots come before any order of its own.
        case fills
        /// Its own order comes first: it stops there, short.
        case meetsOwnFirst
        /// The level holds no order of its own: all its open lots can fill it.
        case passes
    }

    /// Walks `level`'s queue as the taker meets it, only as far as it has to: the
    /// displayed lots queued before its own order are what it gets (an iceberg's refill
    /// goes behind that order).
    private func meeting(_ trader: UInt32, in level: Level, wanted: Int64) -> Meeting {
        var total: Int64 = 0, cursor = level.head
        while cursor >= 0 {
            let maker = pool + Int(cursor)
            if maker.pointee.trader == trader { return .meetsOwnFirst }
            total += visible(maker)
            if total >= wanted { return .fills }
            cursor = maker.pointee.next
        }
        return .passes
    }

    /// Fires pending stops whose trigger the last trade reached, oldest first, until none
    /// is left to fire (a triggered order's own trades may fire more).
    func runTriggers(into events: inout [Event]) {
        while lastTradePrice > 0, var order = stops.takeOldestTriggered(at: lastTradePrice) {
            events.append(Event(kind: .triggered, id: order.id, price: lastTradePrice, quantity: order.quantity))
            order.type = order.type == .stop ? .market : .limit
            execute(order, minKey: Self.minKey(side: order.side, type: order.type, price: order.price),
                    rests: order.type == .limit, into: &events)
        }
    }

    // MARK: - Views

    /// L2: up to `levels` levels per side, best first.
    public func depth(levels: Int = .max) -> Depth {
        func side(_ side: Side) -> [DepthLevel] {
            var result: [DepthLevel] = []
            guard levels > 0 else { return result }
            ladders[Int(side.rawValue)].forEachBestFirst { level in
                var orders = 0, cursor = level.pointee.head
                while cursor >= 0 {
                    orders += 1
                    cursor = pool[Int(cursor)].next
                }
                result.append(DepthLevel(price: Self.price(side, key: level.pointee.key),
                                         quantity: level.pointee.visible, orders: orders))
                return result.count < levels
            }
            return result
        }
        return Depth(bids: side(.buy), asks: side(.sell))
    }

    /// L3: every resting order, bids then asks, each best level first and FIFO within.
    public func restingOrders() -> [RestingOrder] {
        var result: [RestingOrder] = []
        result.reserveCapacity(restingCount)
        for side in Side.allCases {
            ladders[Int(side.rawValue)].forEachBestFirst { level in
                var cursor = level.pointee.head
                while cursor >= 0 {
                    let order = pool + Int(cursor)
                    result.append(RestingOrder(id: order.pointee.id, side: order.pointee.side,
                                               price: Self.price(side, key: level.pointee.key), quantity: order.pointee.open,
                                               visible: visible(order), display: display(of: order),
                                               trader: order.pointee.trader, selfTrade: order.pointee.selfTrade))
                    cursor = order.pointee.next
                }
                return true
            }
        }
        return result
    }

    /// Untriggered stop orders, in arrival order.
    public var pendingStops: [NewOrder] { stops.inArrivalOrder }

    /// How many stop orders wait for their trigger.
    public var pendingStopCount: Int { stops.count }

    /// True when `id` is resting in the book (not a pending stop).
    public func isResting(_ id: UInt64) -> Bool { orders.find(id) >= 0 }

    /// True when `id` was ever used by a new-order command on this book.
    public func hasSeen(_ id: UInt64) -> Bool { seen.contains(id) }

    /// Resting orders the order table holds before it next grows.
    public var room: Int { orders.room }

    /// Changes whenever `memoryFootprint` does (it counts the times the book's storage
    /// grew): a cheap check for a host that charges the growth to someone.
    public var storageGrowths: Int { orders.growths + ladders[0].growths + ladders[1].growths + icebergGrowths }

    /// The bytes of order table a book reserving room for `reserved` orders allocates (in
    /// `1...Limits.maxCapacity`), for a host to weigh before it makes the book.
    public static func tableBytes(reserving reserved: Int) -> Int {
        OrderTable.bytes(room: min(max(reserved, 1), Limits.maxCapacity))
    }

    /// Bytes of the book proper: order table, levels and icebergs (allocated for the
    /// table's room, so per resting order this is lowest on a full table).
    public var memoryFootprint: Int {
        orders.bytes + ladders[0].bytes + ladders[1].bytes + icebergBytes
    }

    /// About what the iceberg table takes: a Swift dictionary's power-of-two buckets of
    /// key and value, beside a bit each.
    private var icebergBytes: Int {
        guard icebergs.capacity > 0 else { return 0 }
        var buckets = 1
        while buckets * 3 / 4 < icebergs.capacity { buckets *= 2 }
        return buckets * (MemoryLayout<UInt64>.stride + MemoryLayout<Iceberg>.stride) + buckets / 8
    }

    /// Bytes of the seen-id set (duplicate detection over the book's life): a bit per id
    /// below 2^27, 16 bytes or so per larger id.
    public var seenIdBytes: Int { seen.bits.count * 8 + seen.sparse.count * 8 }
}
