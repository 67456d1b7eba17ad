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

    func testAnInvalidConfigurationIsATypedError() throws {
        XCTAssertThrowsError(try OrderBook(tick: dec("0"), lot: Dec(1), capacity: 4))
        XCTAssertThrowsError(try OrderBook(tick: Dec(1), lot: dec("-1"), capacity: 4))
        XCTAssertThrowsError(try OrderBook(tick: Dec(1), lot: Dec(1), capacity: 0))
    }
}
