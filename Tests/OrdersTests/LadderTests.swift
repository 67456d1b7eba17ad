import Money
@testable import Orders
import XCTest
import SeededRandom

/// Thousands of levels per side, added and cancelled in bulk, in order and at random,
/// so the level blocks split, merge and empty; depth, the blocks' open-lots totals and the
/// lots within random limits must always match a plain model.
final class LadderTests: XCTestCase {
    func testLevelsStayExactThroughSplitsMergesAndEmptyBlocks() throws {
        let book = try OrderBook(tick: Dec(1), lot: Dec(1), capacity: 10_000)
        var random = SplitMix64(seed: 17)
        var live: [UInt64: (side: Side, price: Int64, quantity: Int64)] = [:]
        var nextId: UInt64 = 1
        var events: [Event] = []

        func add(_ side: Side, _ price: Int64) {
            let quantity = Int64(1 + random.below(9))
            book.submit(.new(NewOrder(id: nextId, side: side, price: price, quantity: quantity)), into: &events)
            live[nextId] = (side, price, quantity)
            nextId += 1
        }

        func check(_ step: String) {
            for side in Side.allCases {
                var totals: [Int64: Int64] = [:]
                for order in live.values where order.side == side { totals[order.price, default: 0] += order.quantity }
                let expected = totals.sorted { side == .buy ? $0.key > $1.key : $0.key < $1.key }
                    .map { [$0.key, $0.value] }
                let depth = book.depth()
                XCTAssertEqual((side == .buy ? depth.bids : depth.asks).map { [$0.price, $0.quantity] }, expected,
                               "\(step) \(side)")
                let ladder = book.ladders[Int(side.rawValue)]
                XCTAssertTrue(ladder.blockTotalsAreExact(), "\(step) \(side)")
                for _ in 0..<50 {
                    // Keys are prices on the bid side, negated prices on the ask side.
                    let price = Int64(random.below(10_002))
                    let minKey = side == .buy ? price : -price
                    let within = totals.filter { side == .buy ? $0.key >= price : $0.key <= price }.values.reduce(0, +)
                    XCTAssertEqual(ladder.open(atOrAbove: minKey, wanted: .max), within, "\(step) \(side) \(price)")
                }
            }
        }

        for round in 0..<12 {
            // Ascending, descending and random runs of new prices, bids below 5,000, asks above.
            for step in 0..<400 {
                let offset = Int64(round % 3 == 0 ? step : round % 3 == 1 ? 400 - step : random.below(4_000))
                add(.buy, 1 + (offset * 7 + Int64(round)) % 4_000)
                add(.sell, 5_001 + (offset * 11 + Int64(round)) % 4_000)
            }
            check("round \(round) after adds")
            // Cancel a contiguous price band on each side (empties and merges blocks), then
            // a random share of the rest.
            let low = Int64(random.below(3_000))
            for (id, order) in live where (order.price % 5_000) >= low && (order.price % 5_000) < low + 900
                || random.below(100) < 40 {
                book.submit(.cancel(id: id), into: &events)
                live[id] = nil
            }
            check("round \(round) after cancels")
        }
        XCTAssertFalse(events.contains { $0.kind == .trade || $0.kind == .rejected })
        for id in Array(live.keys) { book.submit(.cancel(id: id), into: &events) }
        XCTAssertEqual(book.depth(), Depth(bids: [], asks: []))
        XCTAssertEqual(book.restingCount, 0)
    }
}
