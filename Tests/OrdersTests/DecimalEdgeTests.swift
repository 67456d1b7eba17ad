import Money
import Orders
import SeededRandom
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

    /// Every decided word-path answer (value or rejection) equals the `Dec` path's; the
    /// word path may only decline (nil), never disagree.
    func testWordConversionsAgreeWithTheDecimalPath() throws {
        let texts = ["101.25", "101.2500", "101.255", "0", "-0.00", "-1.00", "1E+40", "1E+16", "0.001", "0.75", "3.0",
                     "1E-30", "1E+18", "0.05", "12.50", "1844674407370955161.5", "18446744073709551615", "7E-19",
                     "100", "99.99", "0.5", "1.5E+2"]
        let values = try texts.map(dec)
        for (tick, lot) in [("0.01", "0.5"), ("0.05", "100"), ("1", "1"), ("0.25", "10"), ("1E+2", "0.001")] {
            let book = try OrderBook(tick: dec(tick), lot: dec(lot), capacity: 4)
            for (text, value) in zip(texts, values) {
                guard let word = DecimalWord(value) else { continue }
                func same(_ decimal: () throws(Reason) -> Int64, _ fromWord: () throws(Reason) -> Int64?) {
                    let expected: Result<Int64, Reason>
                    do throws(Reason) { expected = .success(try decimal()) } catch { expected = .failure(error) }
                    let got: Result<Int64, Reason>?
                    do throws(Reason) { got = try fromWord().map { .success($0) } } catch { got = .failure(error) }
                    if let got { XCTAssertEqual(got, expected, "\(text) on tick \(tick), lot \(lot)") }
                }
                same({ () throws(Reason) in try book.ticks(forPrice: value) }, { () throws(Reason) in try book.grid.ticks(forPrice: word) })
                same({ () throws(Reason) in try book.lots(forQuantity: value) }, { () throws(Reason) in try book.grid.lots(forQuantity: word) })
            }
        }
        let book = try OrderBook(tick: dec("0.01"), lot: dec("1"), capacity: 4)
        XCTAssertEqual(try book.grid.ticks(forPrice: XCTUnwrap(DecimalWord(dec("10.050")))), 1005)
        XCTAssertNil(DecimalWord(try dec("100000000000000000000000.5")), "a GMP-held value has no word form")
    }

    func testWordOrdersMatchDecimalOrders() throws {
        let book = try OrderBook(tick: dec("0.25"), lot: dec("10"), capacity: 4)
        let order = try XCTUnwrap(DecimalOrder(id: 7, side: .sell, type: .stopLimit, price: dec("12.50"), quantity: dec("30"),
                                               stopPrice: dec("12.75"), display: dec("10"), trader: 3, selfTrade: .cancelMaker))
        XCTAssertEqual(book.grid.command(for: order),
                       .new(try book.newOrder(id: 7, side: .sell, type: .stopLimit, price: dec("12.50"), quantity: dec("30"),
                                              stopPrice: dec("12.75"), display: dec("10"), trader: 3, selfTrade: .cancelMaker)))
        // A market order ignores its price, as the decimal form does.
        let market = try XCTUnwrap(DecimalOrder(id: 8, side: .buy, type: .market, price: dec("0"), quantity: dec("20"),
                                                stopPrice: dec("0"), display: dec("0")))
        XCTAssertEqual(book.grid.command(for: market), .new(try book.newOrder(id: 8, side: .buy, type: .market, price: nil, quantity: dec("20"))))
        var offLot = order
        offLot.quantity = try XCTUnwrap(DecimalWord(dec("15")))
        XCTAssertEqual(book.grid.command(for: offLot), .rejectAtEdge(id: 7, reason: .offLot, modifying: false))
        func word(_ text: String) throws -> DecimalWord { try XCTUnwrap(DecimalWord(dec(text))) }
        XCTAssertEqual(book.grid.modifyCommand(id: 7, price: try word("12.25"), quantity: try word("0")),
                       try book.modifyCommand(id: 7, price: dec("12.25"), quantity: dec("0")))
        XCTAssertEqual(book.grid.modifyCommand(id: 7, price: try word("12.30"), quantity: try word("10")),
                       .rejectAtEdge(id: 7, reason: .offTick, modifying: true))
    }

    /// Ticks and lots print as `Dec` prints their value, on every grid of the `1E-p` form,
    /// and other grids are left to `Dec`.
    func testPlainTextOfTicksAndLotsAgreesWithDec() throws {
        var random = SplitMix64(seed: 12)
        for places in 0...8 {
            let unit = places == 0 ? "1" : "0." + String(repeating: "0", count: places - 1) + "1"
            let book = try OrderBook(tick: dec(unit), lot: dec(unit), capacity: 1)
            for _ in 0..<2_000 {
                let units = Int64(bitPattern: random.next() >> random.below(64)) & Int64.max
                XCTAssertEqual(book.grid.priceText(ofTicks: units), book.price(ofTicks: units).description, "\(units) at \(unit)")
                XCTAssertEqual(book.grid.quantityText(ofLots: units), book.quantity(ofLots: units).description)
                XCTAssertEqual(book.grid.priceText(ofTicks: -units), book.price(ofTicks: -units).description)
            }
            XCTAssertEqual(book.grid.priceText(ofTicks: 0), book.price(ofTicks: 0).description)
        }
        let quarters = try OrderBook(tick: dec("0.25"), lot: dec("10"), capacity: 1)
        XCTAssertNil(quarters.grid.priceText(ofTicks: 5))
        XCTAssertNil(quarters.grid.quantityText(ofLots: 5))
    }
}
