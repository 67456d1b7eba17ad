import Money
import SeededRandom
import XCTest
@testable import Orders

/// A prepared command is a shortcut, never a different answer: on every grid it either
/// gives exactly what converting its decimals gives, or declines; and its decimals come
/// back exactly as they went in.
final class PreparedCommandTests: XCTestCase {
    func testPreparedAgreesWithConversionOnEveryGrid() throws {
        var random = SplitMix64(seed: 813)
        let grids = try ["0.01", "1", "0.001", "100", "0.05", "0.5", "1E+2"].flatMap { tick in
            try ["1", "0.1", "10", "0.25"].map { lot in Grid(tick: try Dec(parsing: tick), lot: try Dec(parsing: lot)) }
        }
        var prepared = 0, taken = 0
        for _ in 0..<20_000 {
            let decimal = randomCommand(&random)
            guard let ready = PreparedCommand(decimal) else { continue }
            prepared += 1
            XCTAssertEqual(ready.decimal, decimal, "decimals rebuilt from \(ready)")
            for grid in grids {
                guard let command = ready.command(on: grid) else { continue }
                taken += 1
                XCTAssertEqual(command, decimal.command(for: grid), "\(decimal) on \(grid)")
            }
        }
        // The generator is built so that both the shortcut and the general path are common.
        XCTAssertGreaterThan(prepared, 5_000)
        XCTAssertGreaterThan(taken, 5_000)
    }

    func testCommonShapesArePreparedForTheirGrid() throws {
        let grid = Grid(tick: try Dec(parsing: "0.01"), lot: Dec(1))
        let limit = try XCTUnwrap(DecimalOrder(id: 7, side: .buy, type: .limit, price: try Dec(parsing: "100.25"),
                                               quantity: Dec(3), stopPrice: Dec(0), display: Dec(0)))
        XCTAssertEqual(PreparedCommand(.place(limit))?.command(on: grid),
                       .new(NewOrder(id: 7, side: .buy, type: .limit, price: 10_025, quantity: 3)))
        let modify = DecimalCommand.modify(7, try XCTUnwrap(DecimalWord(try Dec(parsing: "99.50"))), try XCTUnwrap(DecimalWord(Dec(2))))
        XCTAssertEqual(PreparedCommand(modify)?.command(on: grid), .modify(id: 7, price: 9_950, quantity: 2))
        XCTAssertEqual(PreparedCommand(.cancel(7))?.command(on: grid), .cancel(id: 7))
        // Written at another exponent than the tick's, the order takes the general path.
        let coarse = try XCTUnwrap(DecimalOrder(id: 8, side: .sell, type: .limit, price: try Dec(parsing: "100.5"),
                                                quantity: Dec(3), stopPrice: Dec(0), display: Dec(0)))
        XCTAssertNil(PreparedCommand(.place(coarse))?.command(on: grid))
        XCTAssertEqual(DecimalCommand.place(coarse).command(for: grid),
                       .new(NewOrder(id: 8, side: .sell, type: .limit, price: 10_050, quantity: 3)))
    }

    /// Orders of every type and modifies, with decimals mostly at the exponents of the
    /// grids above, and zeros, negatives, `0.00`s and out-of-range values among them.
    private func randomCommand(_ random: inout SplitMix64) -> DecimalCommand {
        func word(_ random: inout SplitMix64) -> DecimalWord {
            let coefficient: UInt64
            switch random.below(10) {
            case 0: coefficient = 0
            case 1: coefficient = UInt64(1) << (40 + random.below(20))
            default: coefficient = UInt64(1 + random.below(20_000))
            }
            let exponent = [-2, -2, 0, 0, -3, -1, 2, 1][random.below(8)]
            // Decimals come from `Dec`s, so the sign of a zero is kept too.
            let text = (random.below(12) == 0 ? "-" : "") + "\(coefficient)E\(exponent)"
            guard let dec = try? Dec(parsing: text), let word = DecimalWord(dec) else { return .zero }
            return word
        }
        let id = UInt64(1 + random.below(1_000))
        if random.below(4) == 0 { return .modify(id, word(&random), word(&random)) }
        if random.below(10) == 0 { return .cancel(id) }
        let type = OrderType.allCases[random.below(OrderType.allCases.count)]
        let stop = type == .stop || type == .stopLimit || random.below(8) == 0 ? word(&random) : .zero
        let display = random.below(6) == 0 ? word(&random) : .zero
        return .place(DecimalOrder(id: id, side: random.below(2) == 0 ? .buy : .sell, type: type, price: word(&random),
                                   quantity: word(&random), stopPrice: stop, display: display,
                                   trader: UInt32(random.below(3)), selfTrade: .none))
    }
}
