import Money
@testable import Orders
import XCTest

/// The engine against `ReferenceBook` on random command streams: identical events after
/// every command, identical L3 books at checkpoints.
final class DifferentialTests: XCTestCase {
    func compare(seed: UInt64, commands: Int, capacity: Int, band: Int = 21, reserved: Int? = nil) throws {
        let book = try OrderBook(tick: Dec(1), lot: Dec(1), capacity: capacity, reserved: reserved)
        var reference = ReferenceBook(capacity: capacity)
        var generator = CommandGenerator(seed: seed, band: band)
        var events: [Event] = []
        for step in 0..<commands {
            let command = generator.next()
            events.removeAll(keepingCapacity: true)
            book.submit(command, into: &events)
            let expected = reference.submit(command)
            if events != expected {
                XCTFail("seed \(seed) step \(step) \(command):\n engine    \(events)\n reference \(expected)")
                return
            }
            if step % 97 == 0 || step == commands - 1 {
                let resting = book.restingOrders()
                if resting != reference.resting {
                    XCTFail("seed \(seed) step \(step): books differ\n engine    \(resting)\n reference \(reference.resting)")
                    return
                }
                XCTAssertEqual(book.pendingStops, reference.stops, "seed \(seed) step \(step)")
                XCTAssertEqual(book.restingCount, resting.count)
                for side in Side.allCases {
                    XCTAssertEqual(book.ladders[Int(side.rawValue)].open,
                                   resting.filter { $0.side == side }.reduce(0) { $0 + $1.quantity }, "seed \(seed) step \(step) \(side)")
                    XCTAssertTrue(book.ladders[Int(side.rawValue)].blockTotalsAreExact(), "seed \(seed) step \(step) \(side)")
                }
                // The iceberg table holds exactly the resting icebergs: none is left behind.
                XCTAssertEqual(Set(book.icebergs.keys), Set(resting.filter { $0.display > 0 }.map(\.id)),
                               "seed \(seed) step \(step)")
            }
        }
    }

    func testTwentySeedsOfTenThousandCommandsMatchTheReference() throws {
        for seed in 1...20 { try compare(seed: UInt64(seed), commands: 10_000, capacity: 1_000) }
    }

    /// Hundreds of levels per side: the level blocks split, merge and empty all the time.
    func testAWideBookWithManyLevelsMatchesTheReference() throws {
        for seed in 200...209 { try compare(seed: UInt64(seed), commands: 10_000, capacity: 2_000, band: 3_000) }
        let book = try OrderBook(tick: Dec(1), lot: Dec(1), capacity: 2_000)
        var generator = CommandGenerator(seed: 200, band: 3_000)
        _ = book.process((0..<10_000).map { _ in generator.next() })
        XCTAssertGreaterThan(book.depth().bids.count + book.depth().asks.count, 300)
    }

    /// A tiny pool makes `book_full` and slot reuse frequent.
    func testSmallCapacityMatchesTheReference() throws {
        for seed in 100...104 { try compare(seed: UInt64(seed), commands: 5_000, capacity: 8) }
    }

    /// A wide book of 200 fills up: its order table runs at the highest load it allows,
    /// with long probe runs whose removals move orders that stay linked in their queues.
    func testAFullBookMatchesTheReference() throws {
        for seed in 300...304 { try compare(seed: UInt64(seed), commands: 10_000, capacity: 200, band: 3_000) }
        let book = try OrderBook(tick: Dec(1), lot: Dec(1), capacity: 200)
        var generator = CommandGenerator(seed: 300, band: 3_000)
        let events = book.process((0..<10_000).map { _ in generator.next() })
        XCTAssertTrue(events.contains { $0.reason == .bookFull })
    }

    /// A book that starts with room for one order doubles its table again and again, each
    /// time moving every order to a new slot and relinking every queue, and still matches
    /// the reference, up to a full book.
    func testAGrowingBookMatchesTheReference() throws {
        for seed in 400...404 { try compare(seed: UInt64(seed), commands: 10_000, capacity: 2_000, band: 3_000, reserved: 1) }
        for seed in 405...406 { try compare(seed: UInt64(seed), commands: 10_000, capacity: 200, band: 3_000, reserved: 1) }
        let book = try OrderBook(tick: Dec(1), lot: Dec(1), capacity: 2_000, reserved: 1)
        XCTAssertEqual(book.room, 1)
        var generator = CommandGenerator(seed: 400, band: 3_000)
        var peak = 0
        for _ in 0..<10_000 {
            _ = book.process([generator.next()])
            peak = max(peak, book.restingCount)
        }
        XCTAssertGreaterThan(peak, 1_024, "the table doubled at least ten times")
        XCTAssertGreaterThanOrEqual(book.room, peak)
        XCTAssertLessThanOrEqual(book.room, 2_000)
    }

    func testReservedRoomIsChecked() throws {
        XCTAssertThrowsError(try OrderBook(tick: Dec(1), lot: Dec(1), capacity: 10, reserved: 0))
        XCTAssertThrowsError(try OrderBook(tick: Dec(1), lot: Dec(1), capacity: 10, reserved: 11))
        XCTAssertEqual(try OrderBook(tick: Dec(1), lot: Dec(1), capacity: 10).room, 10)
        let small = try OrderBook(tick: Dec(1), lot: Dec(1), capacity: 1 << 22, reserved: OrderBook.startingRoom)
        let full = try OrderBook(tick: Dec(1), lot: Dec(1), capacity: 1 << 22)
        XCTAssertLessThan(small.memoryFootprint, 1 << 20)
        XCTAssertGreaterThan(full.memoryFootprint, 100 << 20)
    }

    /// The batch path (with its lookahead prefetching, on from room for 16,384 orders, and
    /// with service times recorded) gives the same events and book as one command at a time.
    func testBatchSubmitMatchesSingleCommands() throws {
        var generator = CommandGenerator(seed: 5)
        let commands = (0..<20_000).map { _ in generator.next() }
        let single = try OrderBook(tick: Dec(1), lot: Dec(1), capacity: 20_000)
        let batched = try OrderBook(tick: Dec(1), lot: Dec(1), capacity: 20_000)
        let growing = try OrderBook(tick: Dec(1), lot: Dec(1), capacity: 20_000, reserved: 1)
        let timed = try OrderBook(tick: Dec(1), lot: Dec(1), capacity: 20_000)
        let times = ServiceTimes(capacity: commands.count)
        timed.serviceTimes = times
        times.start()
        var expected: [Event] = []
        for command in commands { single.submit(command, into: &expected) }
        for book in [batched, growing, timed] {
            var events: [Event] = []
            for start in stride(from: 0, to: commands.count, by: 1000) {
                book.submit(contentsOf: Array(commands[start..<min(start + 1000, commands.count)]), into: &events)
            }
            XCTAssertEqual(events, expected)
            XCTAssertEqual(book.restingOrders(), single.restingOrders())
        }
        XCTAssertEqual(batched.process([]), [])
        // A timed book records one service time per command, each a plausible duration.
        XCTAssertEqual(times.nanoseconds.count, commands.count)
        XCTAssertTrue(times.nanoseconds.allSatisfy { $0 > 0 && $0 < 60_000_000_000 })
    }

    /// Service times add up to the wall time of the stream, by either clock (the counter's
    /// ticks converted by its measured rate), and time spent between batch calls falls on
    /// the first command of the next call.
    func testServiceTimesAddUpToTheWallTime() throws {
        var generator = CommandGenerator(seed: 9)
        let commands = (0..<2_000).map { _ in generator.next() }
        for clock in [ServiceTimes.Clock.preferred, .monotonic] {
            let book = try OrderBook(tick: Dec(1), lot: Dec(1), capacity: 2_000)
            let times = ServiceTimes(capacity: commands.count, clock: clock)
            book.serviceTimes = times
            var events: [Event] = []
            let before = ServiceTimes.monotonicNow()
            times.start()
            for start in stride(from: 0, to: commands.count, by: 500) {
                usleep(20_000)
                book.submit(contentsOf: Array(commands[start..<start + 500]), into: &events)
            }
            let wall = ServiceTimes.monotonicNow() - before
            let measured = times.nanoseconds
            XCTAssertEqual(measured.count, commands.count)
            let total = measured.reduce(0, +)
            // The counter's rate is measured, so its total may pass the wall time by that
            // measurement's error (parts per million).
            XCTAssertLessThan(Double(total), Double(wall) * 1.001, "\(clock)")
            XCTAssertGreaterThan(Double(total), Double(wall) * 0.98, "\(clock)")
            for start in stride(from: 0, to: commands.count, by: 500) {
                XCTAssertGreaterThanOrEqual(measured[start], 20_000_000, "\(clock)")
                XCTAssertLessThan(measured[start + 1], 20_000_000, "\(clock)")
            }
        }
    }

    /// The generator really produces the situations the rules are about.
    func testGeneratorCoversTheInterestingCases() throws {
        let book = try OrderBook(tick: Dec(1), lot: Dec(1), capacity: 1_000)
        var generator = CommandGenerator(seed: 1)
        var events: [Event] = []
        for _ in 0..<10_000 { book.submit(generator.next(), into: &events) }
        var kinds = Set<String>()
        for event in events {
            kinds.insert(event.kind.name)
            kinds.insert(event.reason.name)
        }
        for name in ["trade", "triggered", "modified", "duplicate_id", "unknown_id", "bad_quantity", "bad_price",
                     "would_take", "fok_unfilled", "self_trade", "not_modifiable", "requested", "unfilled"] {
            XCTAssertTrue(kinds.contains(name), name)
        }
    }
}
