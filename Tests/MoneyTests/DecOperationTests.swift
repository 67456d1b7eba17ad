import Foundation
import XCTest
@testable import Money

/// Rounding, quantize, sqrt, power and limit behaviour with hand-computed
/// expectations (cross-checked with Python's `decimal`).
final class DecOperationTests: XCTestCase {
    private func dec(_ text: String) throws -> Dec { try Dec(parsing: text) }

    func testRoundingModesAtTwoPlaces() throws {
        // value → results for halfEven, halfUp, halfDown, up, down, ceiling, floor, zeroFiveUp
        let table: [(String, [String])] = [
            ("2.675", ["2.68", "2.68", "2.67", "2.68", "2.67", "2.68", "2.67", "2.67"]),
            ("2.665", ["2.66", "2.67", "2.66", "2.67", "2.66", "2.67", "2.66", "2.66"]),
            ("-2.675", ["-2.68", "-2.68", "-2.67", "-2.68", "-2.67", "-2.67", "-2.68", "-2.67"]),
            ("2.6751", ["2.68", "2.68", "2.68", "2.68", "2.67", "2.68", "2.67", "2.67"]),
            ("2.651", ["2.65", "2.65", "2.65", "2.66", "2.65", "2.66", "2.65", "2.66"]),
            ("2.601", ["2.60", "2.60", "2.60", "2.61", "2.60", "2.61", "2.60", "2.61"]),
            ("7", ["7.00", "7.00", "7.00", "7.00", "7.00", "7.00", "7.00", "7.00"]),
        ]
        XCTAssertEqual(RoundingMode.allCases, [.halfEven, .halfUp, .halfDown, .up, .down, .ceiling, .floor, .zeroFiveUp])
        for (input, expected) in table {
            for (mode, result) in zip(RoundingMode.allCases, expected) {
                XCTAssertEqual(try dec(input).rounded(places: 2, rounding: mode).description, result, "\(input) \(mode)")
            }
        }
    }

    func testQuantizeAndRescale() throws {
        XCTAssertEqual(try dec("1.2345").quantized(like: dec("0.01")).description, "1.23")
        XCTAssertEqual(try dec("9.999").quantized(toExponent: -2).description, "10.00")
        XCTAssertEqual(try dec("123.456").rounded(places: -1).scientificString, "1.2E+2")
        XCTAssertEqual(try dec("0.0004").quantized(toExponent: -2, rounding: .up).description, "0.01")
        XCTAssertEqual(try dec("-0.0004").quantized(toExponent: -2).description, "-0.00")
        XCTAssertEqual(try dec("1").rescaled(toExponent: -3).description, "1.000")
        XCTAssertThrowsError(try dec("123.45").quantized(toExponent: -2, context: DecContext(precision: 4))) {
            guard case .invalidOperation = $0 as? DecimalError else { return XCTFail("\($0)") }
        }
    }

    func testContextRounding() throws {
        let four = DecContext(precision: 4, rounding: .halfUp)
        XCTAssertEqual(try dec("1.23456").rounded(to: four).description, "1.235")
        XCTAssertEqual(try dec("99995").rounded(to: four).scientificString, "1.000E+5")
        XCTAssertEqual(try dec("0.12345").adding(dec("0.00005"), context: four).description, "0.1235")
        XCTAssertEqual(try dec("-0").plus(context: four).description, "0")
        XCTAssertEqual(try dec("1.5").minus(context: four).description, "-1.5")
        XCTAssertEqual(try Dec(2).divided(by: Dec(3), context: DecContext(precision: 5, rounding: .down)).description, "0.66666")
    }

    func testIntegerDivisionAndRemainder() throws {
        XCTAssertEqual(try dec("7.5").dividedToInteger(by: Dec(2)).description, "3")
        XCTAssertEqual(try dec("-7.5").dividedToInteger(by: Dec(2)).description, "-3")
        XCTAssertEqual(try dec("7.5").remainder(dividingBy: Dec(2)).description, "1.5")
        XCTAssertEqual(try dec("-7.5").remainder(dividingBy: Dec(2)).description, "-1.5")
        XCTAssertEqual(try dec("10.00").remainder(dividingBy: dec("0.3")).description, "0.10")
        XCTAssertThrowsError(try Dec(1).remainder(dividingBy: Dec(0))) {
            guard case .invalidOperation = $0 as? DecimalError else { return XCTFail("\($0)") }
        }
        XCTAssertThrowsError(try dec("1E+40").dividedToInteger(by: Dec(3))) {
            guard case .invalidOperation = $0 as? DecimalError else { return XCTFail("\($0)") }
        }
    }

    func testMinMaxReduceCompare() throws {
        XCTAssertEqual(try dec("1.0").maximum(dec("1")).scientificString, "1")
        XCTAssertEqual(try dec("1.0").minimum(dec("1")).scientificString, "1.0")
        XCTAssertEqual(try dec("-2").maximum(dec("-3")).description, "-2")
        XCTAssertEqual(try dec("1.500").reduced().description, "1.5")
        XCTAssertEqual(try dec("1200").reduced().scientificString, "1.2E+3")
        XCTAssertEqual(try dec("-0.000").reduced().scientificString, "-0")
        XCTAssertEqual(try dec("2.50").compare(dec("2.5")), 0)
        XCTAssertEqual(try dec("-1").compare(dec("0.5")), -1)
    }

    func testSquareRoot() throws {
        XCTAssertEqual(try dec("0.25").squareRoot().description, "0.5")
        XCTAssertEqual(try dec("100").squareRoot().description, "10")
        XCTAssertEqual(try dec("1E+3").squareRoot().description, "31.62277660168379331998893544432719")
        XCTAssertEqual(try Dec(2).squareRoot(context: DecContext(precision: 10)).description, "1.414213562")
        XCTAssertThrowsError(try Dec(-4).squareRoot())
    }

    func testIntegerPower() throws {
        XCTAssertEqual(try dec("1.5").power(2).description, "2.25")
        XCTAssertEqual(try dec("2.50").power(2).description, "6.2500")
        XCTAssertEqual(try dec("-2").power(3).description, "-8")
        XCTAssertEqual(try Dec(2).power(100).description, "1267650600228229401496703205376")
        XCTAssertEqual(try Dec(2).power(-2).description, "0.25")
        XCTAssertEqual(try Dec(3).power(-1).description, "0.3333333333333333333333333333333333")
        XCTAssertEqual(try dec("12345").power(2, context: DecContext(precision: 5)).scientificString, "1.5240E+8")
        XCTAssertThrowsError(try Dec(0).power(0))
        XCTAssertThrowsError(try Dec(0).power(-1)) { XCTAssertEqual($0 as? DecimalError, .divisionByZero) }
    }

    func testConfigurableDigitLimit() throws {
        let saved = Dec.maxDigits
        defer { Dec.maxDigits = saved }
        Dec.maxDigits = 40
        let thirty = try dec(String(repeating: "9", count: 30))
        XCTAssertNoThrow(try thirty.adding(thirty))
        XCTAssertThrowsError(try thirty.multiplying(thirty)) {
            XCTAssertEqual($0 as? DecimalError, .tooLarge("result exceeds 40 digits"))
        }
        XCTAssertThrowsError(try dec(String(repeating: "1", count: 41)))
        XCTAssertThrowsError(try Dec(1).rescaled(toExponent: -40))
    }

    func testHugeResultsAreRefusedBeforeComputing() throws {
        XCTAssertThrowsError(try Dec(2).power(10_000_000)) {
            guard case .tooLarge = $0 as? DecimalError else { return XCTFail("\($0)") }
        }
        XCTAssertThrowsError(try Dec(7).power(Int.max))
        XCTAssertThrowsError(try dec("1E+500000000").power(3))
        XCTAssertThrowsError(try dec("1E+999999999").subtracting(Dec(1)))
        XCTAssertThrowsError(try Dec(1).divided(by: Dec(3), context: DecContext(precision: Int.max)))
        // With a context the huge exponent gap is harmless (sticky digit).
        XCTAssertEqual(try dec("1E+999999999").adding(dec("1E-999999999"), context: .division).scientificString,
                       "1.000000000000000000000000000000000E+999999999")
    }

    func testBigCoefficientsWithManyTrailingZeros() throws {
        let wide = try Dec(1).rescaled(toExponent: -200_000)
        XCTAssertFalse(wide.isInline)
        XCTAssertEqual(wide, Dec(1))
        XCTAssertEqual(wide.hashValue, Dec(1).hashValue)
        XCTAssertTrue(wide.isInteger)
        XCTAssertEqual(try wide.toInt(), 1)
        XCTAssertEqual(wide.reduced().description, "1")
    }

    func testFixtureCopiesMatchSharedVectors() throws {
        let fixtures = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
            .deletingLastPathComponent().appendingPathComponent("Fixtures")
        for name in DecTestConformanceTests.files {
            let copy = fixtures.appendingPathComponent("\(name).decTest")
            XCTAssertTrue(FileManager.default.fileExists(atPath: copy.path), "missing fixture \(name)")
        }
        guard let shared = DecTestConformanceTests.vectorDirectory(), shared.lastPathComponent != "Fixtures" else { return }
        for name in DecTestConformanceTests.files {
            let original = try Data(contentsOf: shared.appendingPathComponent("\(name).decTest"))
            let copy = try Data(contentsOf: fixtures.appendingPathComponent("\(name).decTest"))
            XCTAssertEqual(original, copy, "fixture \(name) differs from the shared copy")
        }
    }
}
