import Orders
import SeededRandom

/// A deliberately naive matcher for differential testing: each side is one array in
/// priority order (price, then arrival), matching always takes element 0, FOK is decided
/// by running the match on a copy. Same documented semantics as `OrderBook`, none of its
/// data structures.
struct ReferenceBook {
    struct Resting: Equatable {
        var id: UInt64, side: Side, price: Int64, open: Int64, visible: Int64, display: Int64
        var trader: UInt32, selfTrade: SelfTradePrevention
    }

    var bids: [Resting] = []
    var asks: [Resting] = []
    var seen: Set<UInt64> = []
    var stops: [NewOrder] = []
    var tradeSequence: UInt64 = 0
    var last: Int64 = 0
    var capacity: Int
    var events: [Event] = []

    init(capacity: Int) { self.capacity = capacity }

    mutating func submit(_ command: Command) -> [Event] {
        events = []
        switch command {
        case .new(let order): new(order)
        case .cancel(let id): cancel(id)
        case .modify(let id, let price, let quantity): modify(id, price, quantity)
        case .rejectAtEdge(let id, let reason, let modifying): rejectAtEdge(id, reason, modifying)
        }
        while last > 0, let index = stops.firstIndex(where: { $0.side == .buy ? last >= $0.stopPrice : last <= $0.stopPrice }) {
            var order = stops.remove(at: index)
            events.append(Event(kind: .triggered, id: order.id, price: last, quantity: order.quantity))
            order.type = order.type == .stop ? .market : .limit
            run(order, rests: order.type == .limit)
        }
        return events
    }

    func crosses(_ order: NewOrder, _ maker: Resting) -> Bool {
        if order.type == .market || order.type == .stop { return true }
        return order.side == .buy ? maker.price <= order.price : maker.price >= order.price
    }

    mutating func new(_ order: NewOrder) {
        if seen.contains(order.id) { return reject(order.id, .duplicateId) }
        seen.insert(order.id)
        let priced = order.type != .market && order.type != .stop
        let stopType = order.type == .stop || order.type == .stopLimit
        if order.quantity <= 0 || order.quantity > Limits.maxQuantity || order.display < 0
            || order.display > Limits.maxDisplay
            || (order.display > 0 && order.type != .limit && order.type != .postOnly) {
            return reject(order.id, .badQuantity)
        }
        if priced && (order.price <= 0 || order.price > Limits.maxPrice) { return reject(order.id, .badPrice) }
        if stopType && (order.stopPrice <= 0 || order.stopPrice > Limits.maxPrice) { return reject(order.id, .badPrice) }
        if stopType {
            if stops.count >= capacity { return reject(order.id, .bookFull) }
            events.append(Event(kind: .accepted, id: order.id, price: order.type == .stop ? 0 : order.price,
                                quantity: order.quantity))
            stops.append(order)
            return
        }
        if order.type == .fok {
            // Less than the quantity within the limit is `fokUnfilled` before any question of
            // whose orders they are; otherwise a trial run tells.
            let within = (order.side == .buy ? asks : bids).filter { crosses(order, $0) }.reduce(Int64(0)) { $0 + $1.open }
            if within < order.quantity { return reject(order.id, .fokUnfilled) }
            var trial = self
            trial.events = []
            let (remaining, stopped) = trial.match(order)
            if remaining > 0 { return reject(order.id, stopped ? .selfTrade : .fokUnfilled) }
        }
        if order.type == .postOnly, let best = (order.side == .buy ? asks : bids).first, crosses(order, best) {
            return reject(order.id, .wouldTake)
        }
        events.append(Event(kind: .accepted, id: order.id, price: order.type == .market ? 0 : order.price,
                            quantity: order.quantity))
        run(order, rests: order.type == .limit || order.type == .postOnly)
    }

    mutating func run(_ order: NewOrder, rests: Bool) {
        let (remaining, stopped) = match(order)
        guard remaining > 0 else { return }
        let price = order.type == .market || order.type == .stop ? 0 : order.price
        let reason: Reason? = stopped ? .selfTrade : !rests ? .unfilled : bids.count + asks.count >= capacity ? .bookFull : nil
        if let reason {
            events.append(Event(kind: .cancelled, id: order.id, price: price, quantity: remaining, reason: reason))
            return
        }
        let visible = order.display > 0 ? min(order.display, remaining) : remaining
        insert(Resting(id: order.id, side: order.side, price: order.price, open: remaining, visible: visible,
                       display: order.display, trader: order.trader, selfTrade: order.selfTrade))
    }

    /// Behind every order of the same or better price.
    mutating func insert(_ order: Resting) {
        if order.side == .buy {
            let index = bids.firstIndex { $0.price < order.price } ?? bids.count
            bids.insert(order, at: index)
        } else {
            let index = asks.firstIndex { $0.price > order.price } ?? asks.count
            asks.insert(order, at: index)
        }
    }

    mutating func match(_ order: NewOrder) -> (Int64, Bool) {
        var remaining = order.quantity
        var makers = order.side == .buy ? asks : bids
        defer { if order.side == .buy { asks = makers } else { bids = makers } }
        while remaining > 0, var maker = makers.first, crosses(order, maker) {
            if order.trader != 0 && order.selfTrade != .none && maker.trader == order.trader {
                if order.selfTrade != .cancelTaker {
                    events.append(Event(kind: .cancelled, id: maker.id, price: maker.price, quantity: maker.open,
                                        reason: .selfTrade))
                    makers.removeFirst()
                }
                if order.selfTrade != .cancelMaker { return (remaining, true) }
                continue
            }
            let fill = min(remaining, maker.visible)
            tradeSequence += 1
            last = maker.price
            events.append(Event(kind: .trade, id: order.id, maker: maker.id, price: maker.price, quantity: fill,
                                sequence: tradeSequence))
            remaining -= fill
            maker.open -= fill
            maker.visible -= fill
            makers.removeFirst()
            if maker.visible > 0 {
                makers.insert(maker, at: 0)
            } else if maker.open > 0 {
                maker.visible = min(maker.display, maker.open)
                let index = makers.firstIndex { order.side == .buy ? $0.price > maker.price : $0.price < maker.price }
                makers.insert(maker, at: index ?? makers.count)
            }
        }
        return (remaining, false)
    }

    func locate(_ id: UInt64) -> (Side, Int)? {
        if let index = bids.firstIndex(where: { $0.id == id }) { return (.buy, index) }
        if let index = asks.firstIndex(where: { $0.id == id }) { return (.sell, index) }
        return nil
    }

    mutating func remove(_ side: Side, _ index: Int) -> Resting {
        side == .buy ? bids.remove(at: index) : asks.remove(at: index)
    }

    mutating func cancel(_ id: UInt64) {
        if let (side, index) = locate(id) {
            let order = remove(side, index)
            events.append(Event(kind: .cancelled, id: id, price: order.price, quantity: order.open, reason: .requested))
        } else if let index = stops.firstIndex(where: { $0.id == id }) {
            let order = stops.remove(at: index)
            events.append(Event(kind: .cancelled, id: id, price: order.type == .stop ? 0 : order.price,
                                quantity: order.quantity, reason: .requested))
        } else {
            reject(id, .unknownId)
        }
    }

    mutating func modify(_ id: UInt64, _ price: Int64, _ quantity: Int64) {
        guard let (side, index) = locate(id) else {
            return reject(id, stops.contains { $0.id == id } ? .notModifiable : .unknownId)
        }
        if quantity < 0 || quantity > Limits.maxQuantity { return reject(id, .badQuantity) }
        if price <= 0 || price > Limits.maxPrice { return reject(id, .badPrice) }
        if quantity == 0 { return cancel(id) }
        events.append(Event(kind: .modified, id: id, price: price, quantity: quantity))
        let order = side == .buy ? bids[index] : asks[index]
        if price == order.price && quantity <= order.open {
            var shrunk = order
            shrunk.open = quantity
            shrunk.visible = min(order.visible, quantity)
            if side == .buy { bids[index] = shrunk } else { asks[index] = shrunk }
            return
        }
        _ = remove(side, index)
        run(NewOrder(id: id, side: side, type: .limit, price: price, quantity: quantity, display: order.display,
                     trader: order.trader, selfTrade: order.selfTrade), rests: true)
    }

    mutating func rejectAtEdge(_ id: UInt64, _ reason: Reason, _ modifying: Bool) {
        if modifying {
            guard locate(id) != nil else { return reject(id, stops.contains { $0.id == id } ? .notModifiable : .unknownId) }
            return reject(id, reason)
        }
        reject(id, seen.insert(id).inserted ? reason : .duplicateId)
    }

    mutating func reject(_ id: UInt64, _ reason: Reason) {
        events.append(Event(kind: .rejected, id: id, reason: reason))
    }

    /// L3 in the engine's order: bids then asks, best first, FIFO within a level.
    var resting: [RestingOrder] {
        (bids + asks).map {
            RestingOrder(id: $0.id, side: $0.side, price: $0.price, quantity: $0.open, visible: $0.visible,
                         display: $0.display, trader: $0.trader, selfTrade: $0.selfTrade)
        }
    }
}


/// Random commands over a narrow price band so that orders cross, partially fill, hit
/// their own trader's orders, trigger stops, and reuse or invent ids.
struct CommandGenerator {
    var random: SplitMix64
    var nextId: UInt64 = 1
    var used: [UInt64] = []
    /// Prices are drawn from 90..<90+band ticks.
    let band: Int

    init(seed: UInt64, band: Int = 21) {
        random = SplitMix64(seed: seed)
        self.band = band
    }

    mutating func existingId() -> UInt64 {
        used.isEmpty || random.chance(5) ? UInt64(random.below(100_000) + 500_000) : used[random.below(used.count)]
    }

    mutating func next() -> Command {
        let roll = random.below(100)
        if roll < 12 { return .cancel(id: existingId()) }
        if roll < 24 {
            let quantity = random.chance(10) ? 0 : Int64(random.below(30)) - (random.chance(3) ? 31 : 0)
            return .modify(id: existingId(), price: Int64(90 + random.below(band)) - (random.chance(3) ? 200 : 0),
                           quantity: quantity)
        }
        let id: UInt64
        if random.chance(3) && !used.isEmpty { id = used[random.below(used.count)] } else { id = nextId; nextId += 1 }
        used.append(id)
        let types: [OrderType] = [.limit, .limit, .limit, .limit, .ioc, .fok, .postOnly, .market, .stop, .stopLimit]
        let type = types[random.below(types.count)]
        let side: Side = random.chance(50) ? .buy : .sell
        // Wide bands keep buys low and sells high (overlapping a fifth) so levels pile up.
        var price = band <= 100 ? Int64(90 + random.below(band))
            : Int64(90 + (side == .buy ? 0 : band * 2 / 5) + random.below(band * 3 / 5))
        if random.chance(2) { price = -price + Int64(random.below(3)) * 100 }
        let quantity = random.chance(2) ? Int64(random.below(3)) - 1 : Int64(1 + random.below(40))
        let display: Int64 = (type == .limit || random.chance(2)) && random.chance(15) ? Int64(1 + random.below(8)) : 0
        let trader = UInt32(random.below(4))
        let selfTrade = SelfTradePrevention(rawValue: UInt8(random.below(4))) ?? .none
        return .new(NewOrder(id: id, side: side, type: type, price: price, quantity: quantity,
                             stopPrice: Int64(92 + random.below(band - 4)), display: display, trader: trader,
                             selfTrade: selfTrade))
    }
}
