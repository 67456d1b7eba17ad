import Money
import XCTest
@testable import Orders

/// Commands rejected at the decimal edge are commands like the others: they burn ids, keep
/// the engine's precedence, and survive a journal round trip with identical events.
final class EdgeRejectionTests: XCTestCase {
    func testEdgeRejectionsKeepPrecedenceAndReplayIdentically() throws {
        let book = try OrderBook(tick: Dec(parsing: "0.01"), lot: Dec(1), capacity: 64)
        let commands: [Command] = [
            .new(NewOrder(id: 1, side: .buy, price: 1000, quantity: 5)),
            .rejectAtEdge(id: 2, reason: .offTick, modifying: false),
            .new(NewOrder(id: 2, side: .buy, price: 1000, quantity: 5)),      // burned above
            .rejectAtEdge(id: 1, reason: .offLot, modifying: false),          // duplicate first
            .rejectAtEdge(id: 9, reason: .offTick, modifying: true),          // unknown id first
            .rejectAtEdge(id: 1, reason: .offTick, modifying: true),
        ]
        var events: [Event] = []
        var journal: [UInt8] = []
        for (i, c) in commands.enumerated() {
            journal += Journal.record(c, sequence: UInt64(i + 1))
            book.submit(c, into: &events)
        }
        XCTAssertEqual(events.filter { $0.kind == .rejected }.map { "\($0.id) \($0.reason.name)" },
                       ["2 off_tick", "2 duplicate_id", "1 duplicate_id", "9 unknown_id", "1 off_tick"])
        XCTAssertEqual(book.commandCount, 6)
        XCTAssertEqual(book.restingOrders().map(\.id), [1])

        let contents = try Journal.decode(journal)
        XCTAssertEqual(contents.entries.map(\.command), commands)
        let rebuilt = try OrderBook(tick: Dec(parsing: "0.01"), lot: Dec(1), capacity: 64)
        XCTAssertEqual(try Recovery.replay(onto: rebuilt, journal: contents).events, events)
    }
}
