import XCTest
@testable import Money

/// Money behaviour with hand-computed expectations.
final class MoneyTests: XCTestCase {
    private let usd = Currency.iso("USD")!
    private let jpy = Currency.iso("JPY")!
    private let eur = Currency.iso("EUR")!

    private func money(_ text: String, _ currency: Currency) throws -> Money {
        Money(try Dec(parsing: text), currency)
    }

    private func descriptions(_ parts: [Money]) -> [String] { parts.map(\.description) }

    func testISOMinorUnits() {
        let expected = ["USD": 2, "JPY": 0, "BHD": 3, "KWD": 3, "CLF": 4, "EUR": 2, "UYW": 4, "ISK": 0,
                        "KRW": 0, "TND": 3, "XOF": 0, "CHF": 2, "GBP": 2, "XCG": 2, "ZWG": 2]
        for (code, units) in expected {
            XCTAssertEqual(Currency.iso(code)?.minorUnits, units, code)
        }
        XCTAssertNil(Currency.iso("usd"))
        XCTAssertNil(Currency.iso("BTC"))
        XCTAssertNil(Currency.iso("HRK"), "withdrawn in 2023")
        XCTAssertEqual(Currency.allISO.count, 169)
    }

    func testRegistryCustomUnits() throws {
        var registry = CurrencyRegistry()
        let btc = try registry.register(code: "BTC", minorUnits: 8)
        try registry.register(code: "ETH", minorUnits: 18)
        try registry.register(code: "SHARES", minorUnits: 0)
        XCTAssertEqual(registry.currency("BTC"), btc)
        XCTAssertEqual(registry.currency("ETH")?.minorUnits, 18)
        XCTAssertEqual(registry.currency("USD"), usd)
        XCTAssertNoThrow(try registry.register(code: "BTC", minorUnits: 8))
        XCTAssertThrowsError(try registry.register(code: "BTC", minorUnits: 2))
        XCTAssertThrowsError(try registry.register(code: "USD", minorUnits: 3))
        XCTAssertThrowsError(try registry.register(code: "", minorUnits: 0))
        XCTAssertThrowsError(try registry.register(code: "A B", minorUnits: 0))
        XCTAssertThrowsError(try registry.register(code: "X", minorUnits: -1))
        XCTAssertEqual(try money("0.1", btc).description, "0.10000000 BTC")
    }

    func testDescriptionKeepsMinorUnitsAndDigits() throws {
        XCTAssertEqual(try money("2.5", usd).description, "2.50 USD")
        XCTAssertEqual(try money("1.2345", usd).description, "1.2345 USD")
        XCTAssertEqual(try money("5", jpy).description, "5 JPY")
        XCTAssertEqual(try money("1E+3", usd).description, "1000.00 USD")
        XCTAssertEqual(try money("-0.5", usd).description, "-0.50 USD")
    }

    func testArithmeticAndMismatch() throws {
        let sum = try money("10.25", usd).adding(money("0.755", usd))
        XCTAssertEqual(sum.description, "11.005 USD")
        XCTAssertEqual(try money("10", usd).subtracting(money("0.01", usd)).description, "9.99 USD")
        XCTAssertThrowsError(try money("1", usd).adding(money("1", eur))) {
            XCTAssertEqual($0 as? MoneyError, .currencyMismatch(usd, eur))
            XCTAssertEqual("\($0)", "currency mismatch: USD and EUR")
        }
        XCTAssertEqual(try money("19.99", usd).multiplied(by: 3).description, "59.97 USD")
        XCTAssertEqual(try money("19.99", usd).multiplied(by: Dec(parsing: "0.075")).description, "1.49925 USD")
        XCTAssertEqual(try money("100", usd).divided(by: Dec(3)).rounded().description, "33.33 USD")
        XCTAssertEqual(try money("50", usd).divided(by: money("200", usd)).description, "0.25")
        XCTAssertThrowsError(try money("50", usd).divided(by: money("200", eur)))
        XCTAssertEqual(try money("1.50", usd), try money("1.5", usd))
        XCTAssertNotEqual(try money("1.50", usd), try money("1.50", eur))
    }

    func testRoundingToMinorUnits() throws {
        XCTAssertEqual(try money("2.675", usd).rounded().description, "2.68 USD")
        XCTAssertEqual(try money("2.665", usd).rounded().description, "2.66 USD")
        XCTAssertEqual(try money("2.665", usd).rounded(mode: .halfUp).description, "2.67 USD")
        XCTAssertEqual(try money("-2.661", usd).rounded(mode: .floor).description, "-2.67 USD")
        XCTAssertEqual(try money("1234.5", jpy).rounded().description, "1234 JPY")
        XCTAssertEqual(try money("1.23456", Currency.iso("BHD")!).rounded().description, "1.235 BHD")
    }

    func testAllocateEvenSplit() throws {
        let parts = try Money.allocate(money("100.00", usd), ratios: [Dec(1), Dec(1), Dec(1)])
        XCTAssertEqual(descriptions(parts), ["33.34 USD", "33.33 USD", "33.33 USD"])
    }

    func testAllocatePercentagesAndFractions() throws {
        let percents = try Money.allocate(money("10.00", usd), ratios: [Dec(50), Dec(30), Dec(20)])
        XCTAssertEqual(descriptions(percents), ["5.00 USD", "3.00 USD", "2.00 USD"])
        let fractions = try Money.allocate(money("0.05", usd), ratios: [Dec(parsing: "0.3"), Dec(parsing: "0.7")])
        // Exact shares 0.015 and 0.035: both remainders are half a cent; the tie goes to the first.
        XCTAssertEqual(descriptions(fractions), ["0.02 USD", "0.03 USD"])
        let uneven = try Money.allocate(money("1", jpy), ratios: [Dec(1), Dec(2)])
        XCTAssertEqual(descriptions(uneven), ["0 JPY", "1 JPY"])
    }

    func testAllocatePartsSumToTotal() throws {
        let total = try money("-1234.57", usd)
        let ratios = try ["33.3", "0", "12.5", "54.2"].map { try Dec(parsing: $0) }
        let parts = try Money.allocate(total, ratios: ratios)
        XCTAssertEqual(descriptions(parts), ["-411.11 USD", "0.00 USD", "-154.32 USD", "-669.14 USD"])
        var sum = Money(Dec(0), usd)
        for part in parts { sum = try sum.adding(part) }
        XCTAssertEqual(sum, total)
    }

    func testAllocateFinerThanMinorUnits() throws {
        let parts = try Money.allocate(money("1.001", usd), ratios: [Dec(1), Dec(1)])
        XCTAssertEqual(descriptions(parts), ["0.501 USD", "0.500 USD"])
    }

    func testAllocateRejectsBadRatios() throws {
        let total = try money("1", usd)
        XCTAssertThrowsError(try Money.allocate(total, ratios: []))
        XCTAssertThrowsError(try Money.allocate(total, ratios: [Dec(0), Dec(0)]))
        XCTAssertThrowsError(try Money.allocate(total, ratios: [Dec(1), Dec(-1)]))
    }

    func testFxConversionKeepsAuditTrail() throws {
        let source = try money("100.00", eur)
        let rate = try Dec(parsing: "1.08365")
        let conversion = try FxConversion.convert(source, to: usd, rate: rate)
        XCTAssertEqual(conversion.converted.description, "108.36 USD")  // 108.365 → half-even
        XCTAssertEqual(conversion.exactAmount.description, "108.3650000")
        XCTAssertEqual(conversion.source, source)
        XCTAssertEqual(conversion.rate, rate)
        let up = try FxConversion.convert(source, to: usd, rate: rate, rounding: .halfUp)
        XCTAssertEqual(up.converted.description, "108.37 USD")
        let yen = try FxConversion.convert(source, to: jpy, rate: Dec(parsing: "161.237"))
        XCTAssertEqual(yen.converted.description, "16124 JPY")
        XCTAssertThrowsError(try FxConversion.convert(source, to: usd, rate: Dec(0)))
    }
}
