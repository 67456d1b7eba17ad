import COrdersSupport
import Money

/// A configuration the book cannot be built with.
public struct ConfigurationError: Error, Equatable, CustomStringConvertible {
    public var description: String
}

/// A price-time priority limit order book for one instrument.
///
/// Storage is allocated up front: an order table whose slots are found by id
/// (`OrderTable`, with room for `reserved` orders, doubling up to `capacity` when a book
/// is given less); per side, levels sorted in blocks (`Ladder`, which grows only when the
/// number of price levels does). `submit` appends `Event`s to a caller-owned buffer, so
/// steady-state processing does not allocate. Deterministic: the
/// same commands give the same events (no clocks inside).
public final class OrderBook {
    public let tick: Dec
    public let lot: Dec
    /// `tick` and `lot` for the integer conversion path.
    public let grid: Grid
    public let capacity: Int
    /// What a book that does not know its size reserves (`init(tick:lot:capacity:reserved:)`).
    public static let startingRoom = 1024

    var orders: OrderTable
    var seen: SeenIds
    /// `[buy, sell]`, indexed by `Side.rawValue`.
    let ladders: UnsafeMutablePointer<Ladder>
    /// Untriggered stop and stop-limit orders, by trigger price and arrival.
    var stops = StopIndex()
    /// Resting icebergs' display sizes and slices, by id. Icebergs are rare, so their two
    /// numbers stay out of the order slots, which they would make a quarter larger.
    var icebergs: [UInt64: Iceberg] = [:]
    /// Times `icebergs` reallocated its storage.
    var icebergGrowths = 0

    /// Trades so far; the last trade's sequence number.
    public internal(set) var tradeSequence: UInt64 = 0
    /// Price of the last trade in ticks; 0 before the first.
    public internal(set) var lastTradePrice: Int64 = 0
    /// Commands submitted so far (journal and snapshot sequence numbers).
    public internal(set) var commandCount: UInt64 = 0
    public internal(set) var restingCount = 0
    /// Rejection and cancellation events, and lots traded, since this object was made (not
    /// carried by snapshots): a batch's summary is their change, with no pass over its events.
    package internal(set) var rejections: UInt64 = 0
    package internal(set) var cancellations: UInt64 = 0
    package internal(set) var tradedLots: UInt128 = 0
    /// When set, batch calls record each command's service time here.
    public var serviceTimes: ServiceTimes?

    /// - Parameters:
    ///   - tick: price increment (> 0); prices are whole multiples of it.
    ///   - lot: quantity increment (> 0).
    ///   - capacity: most resting orders at once (also the most pending stops).
    ///   - reserved: resting orders there is room for from the start, in `1...capacity`;
    ///     all of `capacity` when nil. A book given less starts small and doubles its
    ///     order table when it fills, which pauses that one command for a copy of the
    ///     table: scripts and tools that do not know their size want that; a latency-bound
    ///     book reserves everything.
    public init(tick: Dec, lot: Dec, capacity: Int, reserved: Int? = nil) throws(ConfigurationError) {
        guard !tick.isZero && !tick.isNegative else { throw ConfigurationError(description: "tick must be positive") }
        guard !lot.isZero && !lot.isNegative else { throw ConfigurationError(description: "lot must be positive") }
        guard capacity > 0 && capacity <= Limits.maxCapacity else {
            throw ConfigurationError(description: "capacity must be in 1...\(Limits.maxCapacity)")
        }
        let room = reserved ?? capacity
        guard room > 0 && room <= capacity else {
            throw ConfigurationError(description: "reserved must be in 1...\(capacity) (the capacity)")
        }
        self.tick = tick
        self.lot = lot
        grid = Grid(tick: tick, lot: lot)
        self.capacity = capacity
        let key = HashKey.random()
        guard let orders = OrderTable(room: room, key: key) else {
            throw ConfigurationError(description: "out of memory for \(OrderTable.bytes(room: room)) bytes of order table (\(room) orders)")
        }
        self.orders = orders
        seen = SeenIds(expected: room, key: key)
        ladders = .allocate(capacity: 2)
        ladders.initialize(to: Ladder())
        (ladders + 1).initialize(to: Ladder())
    }

    /// The order table's slots: queue links are indices into them.
    @inline(__always)
    var pool: UnsafeMutablePointer<Slot> { orders.slots }

    deinit {
        orders.deallocate()
        ladders[0].deallocate()
        ladders[1].deallocate()
        ladders.deallocate()
    }

    // MARK: - Commands

    /// Applies one command, appending its events (and those of any stops it triggers).
    public func submit(_ command: Command, into events: inout [Event]) {
        commandCount &+= 1  // Wrapping: a restored count is input, and must not trap.
        switch command {
        case .new(let order): submitNew(order, into: &events)
        case .cancel(let id): cancel(id, into: &events)
        case .modify(let id, let price, let quantity): modify(id, price: price, quantity: quantity, into: &events)
        case .rejectAtEdge(let id, let reason, let modifying): rejectAtEdge(id, reason, modifying: modifying, into: &events)
        }
        if !stops.isEmpty { runTriggers(into: &events) }
    }

    /// Applies `commands` in order and returns all their events.
    public func process(_ commands: [Command]) -> [Event] {
        var events: [Event] = []
        events.reserveCapacity(commands.count * 2)
        submit(contentsOf: commands, into: &events)
        return events
    }

    func submitNew(_ order: NewOrder, into events: inout [Event]) {
        guard seen.insert(order.id) else { return reject(order.id, .duplicateId, into: &events) }
        if let reason = invalidity(of: order) { return reject(order.id, reason, into: &events) }
        let side = order.side, minKey = Self.minKey(side: side, type: order.type, price: order.price)
        switch order.type {
        case .stop, .stopLimit:
            guard stops.count < capacity else { return reject(order.id, .bookFull, into: &events) }
            events.append(Event(kind: .accepted, id: order.id, price: order.type == .stop ? 0 : order.price,
                                quantity: order.quantity))
            stops.insert(order)  // Unique: `seen` rejected a repeated id above.
            return
        case .fok:
            if let reason = fokShortfall(side: side, minKey: minKey, quantity: order.quantity,
                                         trader: order.trader, selfTrade: order.selfTrade) {
                return reject(order.id, reason, into: &events)
            }
        case .postOnly:
            if crosses(side, minKey: minKey) {
                return reject(order.id, .wouldTake, into: &events)
            }
        case .limit, .ioc, .market:
            break
        }
        events.append(Event(kind: .accepted, id: order.id, price: order.type == .market ? 0 : order.price,
                            quantity: order.quantity))
        let rests = order.type == .limit || order.type == .postOnly
        execute(order, minKey: minKey, rests: rests, into: &events)
    }

    /// The rejection reason for a malformed new order, or nil.
    func invalidity(of order: NewOrder) -> Reason? {
        if order.quantity <= 0 || order.quantity > Limits.maxQuantity { return .badQuantity }
        if order.display < 0 || order.display > Limits.maxDisplay { return .badQuantity }
        if order.display > 0 && order.type != .limit && order.type != .postOnly { return .badQuantity }
        let priced = order.type != .market && order.type != .stop
        if priced && (order.price <= 0 || order.price > Limits.maxPrice) { return .badPrice }
        let stopped = order.type == .stop || order.type == .stopLimit
        if stopped && (order.stopPrice <= 0 || order.stopPrice > Limits.maxPrice) { return .badPrice }
        return nil
    }

    /// The smallest opposite-level key a taker may match: its limit in key space.
    @inline(__always)
    static func minKey(side: Side, type: OrderType, price: Int64) -> Int64 {
        if type == .market || type == .stop { return .min }
        return side == .buy ? -price : price
    }

    /// True when an order on `side` with limit `minKey` would trade on arrival.
    @inline(__always)
    func crosses(_ side: Side, minKey: Int64) -> Bool {
        guard let best = ladders[Int(side.opposite.rawValue)].best else { return false }
        return best.pointee.key >= minKey
    }

    @inline(__always)
    func reject(_ id: UInt64, _ reason: Reason, into events: inout [Event]) {
        rejections &+= 1
        events.append(Event(kind: .rejected, id: id, reason: reason))
    }

    /// Reports `quantity` of order `id` cancelled.
    @inline(__always)
    func reportCancelled(_ id: UInt64, price: Int64, quantity: Int64, reason: Reason, into events: inout [Event]) {
        cancellations &+= 1
        events.append(Event(kind: .cancelled, id: id, price: price, quantity: quantity, reason: reason))
    }

    func cancel(_ id: UInt64, into events: inout [Event]) {
        let slot = orders.find(id)
        if slot >= 0 { return removeResting(slot, reason: .requested, into: &events) }
        if let order = stops.remove(id) {
            reportCancelled(id, price: order.type == .stop ? 0 : order.price, quantity: order.quantity, reason: .requested,
                            into: &events)
            return
        }
        reject(id, .unknownId, into: &events)
    }

    func modify(_ id: UInt64, price: Int64, quantity: Int64, into events: inout [Event]) {
        let slot = orders.find(id)
        guard slot >= 0 else {
            return reject(id, stops.contains(id) ? .notModifiable : .unknownId, into: &events)
        }
        if quantity < 0 || quantity > Limits.maxQuantity { return reject(id, .badQuantity, into: &events) }
        if price <= 0 || price > Limits.maxPrice { return reject(id, .badPrice, into: &events) }
        if quantity == 0 { return removeResting(slot, reason: .requested, into: &events) }
        let order = pool + Int(slot)
        events.append(Event(kind: .modified, id: id, price: price, quantity: quantity))
        if price == self.price(of: order) && quantity <= order.pointee.open {
            return shrinkInPlace(order, to: quantity)
        }
        // Loses priority: leave the book and come back as a GTC limit.
        let again = NewOrder(id: id, side: order.pointee.side, type: .limit, price: price, quantity: quantity,
                             display: display(of: order), trader: order.pointee.trader,
                             selfTrade: order.pointee.selfTrade)
        let minKey = Self.minKey(side: again.side, type: .limit, price: price)
        if crosses(again.side, minKey: minKey) {
            unlinkAndFree(slot)
            return execute(again, minKey: minKey, rests: true, into: &events)
        }
        // It rests without trading: from the slot it has, so the table is not touched.
        requeue(slot, as: again)
    }

    /// Reduces an order's open quantity without touching its queue position.
    func shrinkInPlace(_ order: UnsafeMutablePointer<Slot>, to quantity: Int64) {
        let ladder = ladders + Int(order.pointee.side.rawValue)
        let level = ladder.pointee.level(order.pointee.level)
        let shown = visible(order), kept = min(shown, quantity)
        ladder.pointee.addOpen(quantity - order.pointee.open, to: level)
        level.pointee.visible -= shown - kept
        order.pointee.open = quantity
        setSlice(order, kept)
    }

    @inline(__always)
    static func key(_ side: Side, _ price: Int64) -> Int64 { side == .buy ? price : -price }

    @inline(__always)
    static func price(_ side: Side, key: Int64) -> Int64 { side == .buy ? key : -key }

    /// A resting order's limit price (its level's).
    @inline(__always)
    func price(of order: UnsafeMutablePointer<Slot>) -> Int64 {
        let side = order.pointee.side
        return Self.price(side, key: ladders[Int(side.rawValue)].level(order.pointee.level).pointee.key)
    }

    // MARK: - Matching

    /// Matches an accepted taker against the opposite side, then rests or cancels the rest.
    @inline(__always)
    func execute(_ order: NewOrder, minKey: Int64, rests: Bool, into events: inout [Event]) {
        var remaining = order.quantity
        let stopped = match(order, minKey: minKey, remaining: &remaining, into: &events)
        guard remaining > 0 else { return }
        let price = order.type == .market || order.type == .stop ? 0 : order.price
        if stopped {
            reportCancelled(order.id, price: price, quantity: remaining, reason: .selfTrade, into: &events)
        } else if !rests {
            reportCancelled(order.id, price: price, quantity: remaining, reason: .unfilled, into: &events)
        } else if !makeRoom() {
            reportCancelled(order.id, price: price, quantity: remaining, reason: .bookFull, into: &events)
        } else {
            rest(order, quantity: remaining)
        }
    }

    /// Fills `remaining` against the best opposite levels with key ≥ `minKey`, at each
    /// maker's price. Returns true when self-trade prevention stopped the taker.
    @inline(__always)
    func match(_ order: NewOrder, minKey: Int64, remaining: inout Int64, into events: inout [Event]) -> Bool {
        let makers = ladders + Int(order.side.opposite.rawValue)
        let checksTrader = order.trader != 0 && order.selfTrade != .none
        while remaining > 0, let level = makers.pointee.best, level.pointee.key >= minKey {
            let price = Self.price(order.side.opposite, key: level.pointee.key)
            var stopped = false
            // The maker is always the level's head: filled and cancelled makers leave the
            // queue, a refilled iceberg goes to its back. (Removing a maker may move other
            // orders in the table, so no slot number is kept across one.)
            while remaining > 0 && level.pointee.head >= 0 {
                let cursor = level.pointee.head
                let maker = pool + Int(cursor)
                // The next maker's slot is a miss of its own once this one is known: ask
                // for it while this fill is booked.
                if maker.pointee.next >= 0 { orders_prefetch(pool + Int(maker.pointee.next)) }
                if checksTrader && maker.pointee.trader == order.trader {
                    let mode = order.selfTrade
                    if mode == .cancelMaker || mode == .cancelBoth {
                        reportCancelled(maker.pointee.id, price: price, quantity: maker.pointee.open, reason: .selfTrade,
                                        into: &events)
                        unlink(cursor, from: level, of: makers)
                        free(cursor)
                    }
                    if mode != .cancelMaker { stopped = true; break }
                    continue
                }
                let shown = visible(maker)
                let fill = min(remaining, shown)
                tradeSequence &+= 1
                tradedLots &+= UInt128(UInt64(fill))
                events.append(Event(kind: .trade, id: order.id, maker: maker.pointee.id, price: price,
                                    quantity: fill, sequence: tradeSequence))
                lastTradePrice = price
                remaining -= fill
                setSlice(maker, shown - fill)
                maker.pointee.open -= fill
                level.pointee.visible -= fill
                makers.pointee.addOpen(-fill, to: level)
                if fill == shown {
                    if maker.pointee.open == 0 {
                        unlink(cursor, from: level, of: makers)
                        free(cursor)
                    } else {
                        // Iceberg: show the next slice and go to the back of the queue.
                        let slice = min(display(of: maker), maker.pointee.open)
                        setSlice(maker, slice)
                        level.pointee.visible += slice
                        if maker.pointee.next >= 0 {
                            unlink(cursor, from: level, of: makers)
                            append(cursor, to: level, of: makers)
                        }
                    }
                }
            }
            // A level left non-empty means the taker is done (filled or stopped).
            guard level.pointee.isEmpty else { return stopped }
            makers.pointee.removeBest()
            if stopped { return true }
        }
        return false
    }
}
