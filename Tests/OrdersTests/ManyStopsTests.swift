import Money
import Orders
import SeededRandom
import XCTest

/// Twenty thousand pending stops against `ReferenceBook`, which keeps them in one
/// arrival-ordered list and scans it after every command: a price walk up and then down
/// fires them in waves and cascades, with cancels, modifies and new stops on the way.
final class ManyStopsTests: XCTestCase {
    static let mid: Int64 = 10_000
    static let spread: Int = 1_000

    func testTwentyThousandPendingStopsFireAsInTheReference() throws {
        let capacity = 200_000
        let book = try OrderBook(tick: Dec(1), lot: Dec(1), capacity: capacity)
        var reference = ReferenceBook(capacity: capacity)
        var random = SplitMix64(seed: 44)
        let stops = (1...20_000).map { Self.stop(id: UInt64($0), &random) }
        var events: [Event] = []
        for stop in stops { book.submit(.new(stop), into: &events) }
        XCTAssertEqual(events, stops.map(Self.accepted))
        // Nothing fires before the first trade, so the reference can take the list as is.
        reference.stops = stops
        reference.seen = Set(stops.map(\.id))
        XCTAssertEqual(book.pendingStops, stops)

        var walk = PriceWalk(random: random, firstId: 100_000, stopIds: 20_000)
        var fired = 0
        for command in walk.commands() {
            events.removeAll(keepingCapacity: true)
            book.submit(command, into: &events)
            let expected = reference.submit(command)
            guard events == expected else {
                return XCTFail("\(command):\n engine    \(events)\n reference \(expected)")
            }
            fired += events.filter { $0.kind == .triggered }.count
        }
        XCTAssertEqual(book.pendingStops, reference.stops)
        XCTAssertEqual(book.restingOrders(), reference.resting)
        XCTAssertGreaterThan(fired, 16_000)
    }

    /// Cancelled stops leave entries behind in the index until they surface or outnumber the
    /// live ones; either way the stops that remain fire as the reference fires them.
    func testMostStopsCancelledThenTheRestFire() throws {
        let book = try OrderBook(tick: Dec(1), lot: Dec(1), capacity: 20_000)
        var reference = ReferenceBook(capacity: 20_000)
        var random = SplitMix64(seed: 45)
        let stops = (1...3_000).map { Self.stop(id: UInt64($0), &random) }
        var events: [Event] = []
        for stop in stops { book.submit(.new(stop), into: &events) }
        reference.stops = stops
        reference.seen = Set(stops.map(\.id))
        var commands = (1...3_000).filter { $0 % 6 != 0 }.map { Command.cancel(id: UInt64($0)) }
        var walk = PriceWalk(random: random, firstId: 100_000, stopIds: 3_000)
        commands += walk.commands()
        var fired = 0
        for command in commands {
            events.removeAll(keepingCapacity: true)
            book.submit(command, into: &events)
            let expected = reference.submit(command)
            guard events == expected else { return XCTFail("\(command):\n engine    \(events)\n reference \(expected)") }
            fired += events.filter { $0.kind == .triggered }.count
        }
        XCTAssertGreaterThan(fired, 300, "most of the 500 stops left fire")
        XCTAssertEqual(book.pendingStops, reference.stops)
        XCTAssertEqual(book.restingOrders(), reference.resting)
    }

    /// A snapshot lists pending stops in arrival order and restores them with it.
    func testSnapshotKeepsStopsInArrivalOrder() throws {
        let book = try OrderBook(tick: Dec(1), lot: Dec(1), capacity: 1_000)
        var random = SplitMix64(seed: 7)
        var events: [Event] = []
        for id in 1...500 { book.submit(.new(Self.stop(id: UInt64(id), &random)), into: &events) }
        for id in stride(from: 3, through: 500, by: 7) { book.submit(.cancel(id: UInt64(id)), into: &events) }
        let restored = try OrderBook.restore(snapshot: book.snapshot())
        XCTAssertEqual(restored.pendingStops, book.pendingStops)
        XCTAssertEqual(restored.snapshot(), book.snapshot())
        let walk = [Command.new(NewOrder(id: 1_001, side: .sell, price: Self.mid, quantity: 1)),
                    .new(NewOrder(id: 1_002, side: .buy, type: .ioc, price: Self.mid, quantity: 1)),
                    .new(NewOrder(id: 1_003, side: .buy, type: .market, price: 0, quantity: 1))]
        XCTAssertEqual(restored.process(walk), book.process(walk))
    }

    /// A buy stop above `mid` or a sell stop below it, market or limit, some with a trader.
    static func stop(id: UInt64, _ random: inout SplitMix64) -> NewOrder {
        let side: Side = random.chance(50) ? .buy : .sell
        let distance = Int64(1 + random.below(spread))
        let stopPrice = side == .buy ? mid + distance : mid - distance
        let limited = random.chance(50)
        let slack = Int64(random.below(9)) - 3
        return NewOrder(id: id, side: side, type: limited ? .stopLimit : .stop,
                        price: limited ? stopPrice + (side == .buy ? slack : -slack) : 0,
                        quantity: Int64(1 + random.below(20)), stopPrice: stopPrice,
                        trader: UInt32(random.below(4)),
                        selfTrade: SelfTradePrevention(rawValue: UInt8(random.below(4))) ?? .none)
    }

    static func accepted(_ stop: NewOrder) -> Event {
        Event(kind: .accepted, id: stop.id, price: stop.type == .stop ? 0 : stop.price, quantity: stop.quantity)
    }
}

/// Walks the last trade price from `mid` past every buy stop and back down past every sell
/// stop: each step rests liquidity ahead of the price for fired stops to take, then an IOC
/// sweeps everything up to (or down to) the next price.
struct PriceWalk {
    var random: SplitMix64
    var nextId: UInt64
    let stopIds: Int

    init(random: SplitMix64, firstId: UInt64, stopIds: Int) {
        self.random = random
        nextId = firstId
        self.stopIds = stopIds
    }

    mutating func commands() -> [Command] {
        let mid = ManyStopsTests.mid, reach = Int64(ManyStopsTests.spread + 10)
        var result: [Command] = []
        for price in stride(from: mid, through: mid + reach, by: 5) { result += step(.buy, price) }
        for price in stride(from: mid + reach, through: mid - reach, by: -5) { result += step(.sell, price) }
        return result
    }

    /// Commands that take the last trade to about `price` with a `side` taker.
    mutating func step(_ side: Side, _ price: Int64) -> [Command] {
        let ahead: Int64 = side == .buy ? 1 : -1
        var commands = [limit(side.opposite, price + 6 * ahead, 30), limit(side, price - 6 * ahead, 30),
                        limit(side.opposite, price, 5),
                        .new(NewOrder(id: take(), side: side, type: .ioc, price: price, quantity: 1_000_000))]
        commands.append(.cancel(id: UInt64(1 + random.below(stopIds))))
        if random.chance(25) { commands.append(.modify(id: UInt64(1 + random.below(stopIds)), price: price, quantity: 3)) }
        if random.chance(25) {
            // A new stop around the current price rather than the start (some fire at once).
            var stop = ManyStopsTests.stop(id: take(), &random)
            let shift = price - ManyStopsTests.mid
            stop.stopPrice += shift
            if stop.type == .stopLimit { stop.price += shift }
            commands.append(.new(stop))
        }
        return commands
    }

    private mutating func limit(_ side: Side, _ price: Int64, _ quantity: Int64) -> Command {
        .new(NewOrder(id: take(), side: side, price: price, quantity: quantity, trader: UInt32(random.below(4))))
    }

    private mutating func take() -> UInt64 {
        defer { nextId += 1 }
        return nextId
    }
}
