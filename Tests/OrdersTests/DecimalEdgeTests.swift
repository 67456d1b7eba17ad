import Money
import Orders
import XCTest

final class DecimalEdgeTests: XCTestCase {
    func dec(_ text: String) throws -> Dec { try Dec(parsing: text) }

    func reason(_ body: () throws(Reason) -> Int64) -> Reason? {
        do { _ = try body(); return nil } catch { return error }
    }

    func testPricesAndQuantitiesConvertExactlyOrWithASpecificRejection() throws {
        let book = try OrderBook(tick: dec("0.01"), lot: dec("0.5"), capacity: 4)
        XCTAssertEqual(try book.ticks(forPrice: dec("101.25")), 10_125)
        XCTAssertEqual(try book.ticks(forPrice: dec("101.2500")), 10_125)
        XCTAssertEqual(try book.lots(forQuantity: dec("3.0")), 6)
        XCTAssertEqual(reason { () throws(Reason) in try book.ticks(forPrice: try! dec("101.255")) }, .offTick)
        XCTAssertEqual(reason { () throws(Reason) in try book.ticks(forPrice: try! dec("0")) }, .badPrice)
        XCTAssertEqual(reason { () throws(Reason) in try book.ticks(forPrice: try! dec("-1.00")) }, .badPrice)
        XCTAssertEqual(reason { () throws(Reason) in try book.ticks(forPrice: try! dec("1E+40")) }, .badPrice)
        XCTAssertEqual(reason { () throws(Reason) in try book.ticks(forPrice: try! dec("1E+16")) }, .badPrice)
        XCTAssertEqual(reason { () throws(Reason) in try book.ticks(forPrice: try! dec("0.001")) }, .offTick)
        XCTAssertEqual(reason { () throws(Reason) in try book.lots(forQuantity: try! dec("0.75")) }, .offLot)
        XCTAssertEqual(reason { () throws(Reason) in try book.lots(forQuantity: try! dec("0")) }, .badQuantity)
        XCTAssertEqual(reason { () throws(Reason) in try book.lots(forQuantity: try! dec("-2")) }, .badQuantity)
        XCTAssertEqual(reason { () throws(Reason) in try book.lots(forQuantity: try! dec("1E+20")) }, .badQuantity)
        XCTAssertEqual(reason { () throws(Reason) in try book.lots(forQuantity: try! dec("1E-30")) }, .offLot)
    }

    func testTicksAndLotsReportBackAsExactDecimals() throws {
        let book = try OrderBook(tick: dec("0.05"), lot: dec("100"), capacity: 4)
        XCTAssertEqual(book.price(ofTicks: 2021).description, "101.05")
        XCTAssertEqual(book.quantity(ofLots: 7), Dec(700))
        XCTAssertEqual(try book.ticks(forPrice: book.price(ofTicks: 123_456_789)), 123_456_789)
    }

    func testOrdersAndModifiesBuiltFromDecimals() throws {
        let book = try OrderBook(tick: dec("0.25"), lot: dec("10"), capacity: 4)
        let order = try book.newOrder(id: 7, side: .sell, type: .stopLimit, price: dec("12.50"), quantity: dec("30"),
                                      stopPrice: dec("12.75"), display: dec("10"), trader: 3, selfTrade: .cancelMaker)
        XCTAssertEqual(order, NewOrder(id: 7, side: .sell, type: .stopLimit, price: 50, quantity: 3, stopPrice: 51,
                                       display: 1, trader: 3, selfTrade: .cancelMaker))
        XCTAssertEqual(try book.newOrder(id: 8, side: .buy, type: .market, price: nil, quantity: dec("10")).price, 0)
        func failure(_ body: () throws(Reason) -> Any) -> Reason? {
            do { _ = try body(); return nil } catch { return error }
        }
        XCTAssertEqual(failure { () throws(Reason) in try book.newOrder(id: 9, side: .buy, price: nil, quantity: Dec(10)) },
                       .badPrice)
        XCTAssertEqual(failure { () throws(Reason) in
            try book.newOrder(id: 9, side: .buy, price: try! Dec(parsing: "1.1"), quantity: Dec(10))
        }, .offTick)
        XCTAssertEqual(failure { () throws(Reason) in try book.newOrder(id: 9, side: .buy, price: Dec(1), quantity: Dec(15)) },
                       .offLot)
        XCTAssertEqual(failure { () throws(Reason) in
            try book.newOrder(id: 9, side: .buy, type: .stop, price: nil, quantity: Dec(10))
        }, .badPrice)
        XCTAssertEqual(try book.modifyCommand(id: 7, price: dec("12.25"), quantity: dec("0")),
                       .modify(id: 7, price: 49, quantity: 0))
        XCTAssertEqual(failure { () throws(Reason) in try book.modifyCommand(id: 7, price: Dec(1), quantity: Dec(-10)) },
                       .badQuantity)
    }

    func testAnInvalidConfigurationIsATypedError() throws {
        XCTAssertThrowsError(try OrderBook(tick: dec("0"), lot: Dec(1), capacity: 4))
        XCTAssertThrowsError(try OrderBook(tick: Dec(1), lot: dec("-1"), capacity: 4))
        XCTAssertThrowsError(try OrderBook(tick: Dec(1), lot: Dec(1), capacity: 0))
    }
}
