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
            Journal.appendRecord(c, sequence: UInt64(i + 1), to: &journal)
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

    /// The word-sized fast path of `ticks(forPrice:)` against the GMP definition:
    /// whole multiple of the tick, in range, else the specific reason.
    func testWordFastPathAgreesWithDecimalDivision() throws {
        var state: UInt64 = 42
        func next(_ n: UInt64) -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return (state >> 17) % n
        }
        for tickText in ["0.01", "0.05", "1", "25", "0.0001", "0.25", "5E+3"] {
            let tick = try Dec(parsing: tickText)
            let book = try OrderBook(tick: tick, lot: Dec(1), capacity: 4)
            for _ in 0..<3_000 {
                let digits = Int(next(21))
                var coefficient: UInt64 = 0
                for _ in 0..<digits { coefficient = coefficient &* 10 &+ next(10) }
                let price = try Dec(parsing: "\(coefficient)E\(Int(next(30)) - 15)")
                guard !price.isZero else { continue }
                let expected: Result<Int64, Reason>
                if price.adjustedExponent - tick.adjustedExponent > 20 {
                    expected = .failure(.badPrice)
                } else if try !price.remainder(dividingBy: tick).isZero {
                    expected = .failure(.offTick)
                } else if let n = try? price.dividedToInteger(by: tick).toInt(), n > 0, Int64(n) <= Limits.maxPrice {
                    expected = .success(Int64(n))
                } else {
                    expected = .failure(.badPrice)
                }
                let got: Result<Int64, Reason>
                do throws(Reason) { got = .success(try book.ticks(forPrice: price)) } catch { got = .failure(error) }
                XCTAssertEqual(got, expected, "\(price) on tick \(tick)")
            }
        }
    }
}
