import SeededRandom
import XCTest
@testable import Money

/// Hand-checked behaviour of the core `Dec` API (expected values verified
/// against Python's `decimal` module).
final class DecBasicTests: XCTestCase {
    private func dec(_ text: String) throws -> Dec { try Dec(parsing: text) }

    func testParsingAndPlainDescription() throws {
        let cases: [(String, String)] = [
            ("12.50", "12.50"), ("-3", "-3"), ("0.001", "0.001"), ("1_000.5", "1000.5"),
            ("1.5E+3", "1500"), ("1e-2", "0.01"), ("-0.00", "-0.00"), ("0E+3", "0"),
            ("123E-10", "0.0000000123"), ("+7", "7"), (".5", "0.5"), ("5.", "5"),
            ("00012.3400", "12.3400"), ("123456789012345678901234567890.5", "123456789012345678901234567890.5"),
        ]
        for (input, expected) in cases {
            XCTAssertEqual(try dec(input).description, expected, input)
        }
    }

    /// The one-pass reading of plain text gives the value, exponent and sign the general
    /// scanner gives, and leaves every other form to it.
    func testPlainTextAgreesWithTheScanner() throws {
        func assertSame(_ text: String, file: StaticString = #filePath, line: UInt = #line) throws {
            let plain = try XCTUnwrap(Dec(plainText: text), text, file: file, line: line)
            let scanned = try Dec(scanning: text)
            XCTAssertEqual(plain, scanned, text, file: file, line: line)
            XCTAssertEqual(plain.description, scanned.description, text, file: file, line: line)
            XCTAssertEqual(plain.isSignMinus, scanned.isSignMinus, text, file: file, line: line)
        }
        for text in ["10", "10.00", "+10.5", "-10.5", ".5", "5.", "-0", "0.000", "007.0700", "18446744073709551615",
                     "1844674407370955161.5"] {
            try assertSame(text)
        }
        for text in ["1e5", "1E+1", "1_000", "18446744073709551616", "", ".", "-", "+-1", "1.2.3", "1-", " 1", "NaN"] {
            XCTAssertNil(Dec(plainText: text), text)
        }
        // Random plain texts: digits of every length to 20, a point anywhere or none, a sign.
        var random = SplitMix64(seed: 11)
        for _ in 0..<20_000 {
            let digits = String(random.next() >> random.below(64))
            var text = digits
            if random.below(3) > 0 { text.insert(".", at: text.index(text.startIndex, offsetBy: random.below(digits.count + 1))) }
            if random.below(4) == 0 { text = "-" + text }
            try assertSame(text)
        }
    }

    func testRejectsMalformedLiterals() {
        for bad in ["", "-", ".", "1..2", "1e", "1e+", "_1", "1_", "1__0", "1._5", "abc", "NaN", "Infinity", " 1", "1 ", "0x10", "1.2.3"] {
            XCTAssertThrowsError(try Dec(parsing: bad), bad) { error in
                XCTAssertEqual(error as? DecimalError, .invalidLiteral(bad))
            }
        }
    }

    func testScientificString() throws {
        let cases: [(String, String)] = [
            ("1E+3", "1E+3"), ("123E-10", "1.23E-8"), ("0.001", "0.001"), ("0.0000001", "1E-7"),
            ("-0E+3", "-0E+3"), ("12.50", "12.50"),
        ]
        for (input, expected) in cases {
            XCTAssertEqual(try dec(input).scientificString, expected, input)
        }
    }

    /// A plain form has at most `Dec.maxDigits` zeros besides the coefficient's digits,
    /// after them or between the point and them; past that, `description` falls back to
    /// scientific notation rather than build a string that long.
    func testPlainFormBoundary() throws {
        let limit = Dec.maxDigits
        let cases: [(String, Bool)] = [
            ("1E+\(limit)", true), ("1E+\(limit + 1)", false), ("0E+\(limit + 5)", true),
            ("1E-\(limit + 1)", true), ("1E-\(limit + 2)", false), ("12E-\(limit + 2)", true),
            ("-1E-\(limit + 2)", false),
        ]
        for (text, plain) in cases {
            let value = try dec(text)
            XCTAssertEqual(value.hasPlainForm, plain, text)
            XCTAssertEqual(value.description.contains("E"), !plain, text)
        }
        XCTAssertEqual(try dec("12E-\(limit + 2)").description.count, limit + 4)
    }

    func testExactAddSubtractMultiply() throws {
        XCTAssertEqual(try dec("1.25").adding(dec("1.25")).description, "2.50")
        XCTAssertEqual(try dec("12.50").adding(dec("0.005")).description, "12.505")
        XCTAssertEqual(try dec("1").subtracting(dec("1")).description, "0")
        XCTAssertEqual(try dec("-0").adding(dec("-0")).description, "-0")
        XCTAssertEqual(try dec("0.1").adding(dec("0.2")).description, "0.3")
        XCTAssertEqual(try dec("2.50").multiplying(Dec(4)).description, "10.00")
        XCTAssertEqual(try dec("-1.5").multiplying(dec("0.20")).description, "-0.300")
        XCTAssertEqual(try dec("18446744073709551615").adding(Dec(1)).description, "18446744073709551616")
        XCTAssertEqual(try dec("99999999999999999999").multiplying(dec("99999999999999999999")).description,
                       "9999999999999999999800000000000000000001")
        XCTAssertEqual(try dec("1E+30").subtracting(dec("1E-5")).description, "999999999999999999999999999999.99999")
    }

    func testDivisionIdealExponent() throws {
        XCTAssertEqual(try dec("10.00").divided(by: dec("2.5")).description, "4.0")
        XCTAssertEqual(try Dec(1).divided(by: Dec(4)).description, "0.25")
        XCTAssertEqual(try Dec(1).divided(by: Dec(3)).description, "0.3333333333333333333333333333333333")
        XCTAssertEqual(try Dec(2).divided(by: Dec(3)).description, "0.6666666666666666666666666666666667")
        XCTAssertEqual(try dec("1E+3").divided(by: Dec(1)).scientificString, "1E+3")
        XCTAssertEqual(try Dec(0).divided(by: dec("0.5")).description, "0")
        XCTAssertThrowsError(try Dec(1).divided(by: Dec(0))) { XCTAssertEqual($0 as? DecimalError, .divisionByZero) }
        XCTAssertThrowsError(try Dec(0).divided(by: dec("0.0"))) { XCTAssertEqual($0 as? DecimalError, .divisionUndefined) }
    }

    func testNumericEqualityAndHashing() throws {
        XCTAssertEqual(try dec("1.0"), try dec("1.00"))
        XCTAssertEqual(try dec("1.0").hashValue, try dec("1.00").hashValue)
        XCTAssertEqual(try dec("0.00"), try dec("-0E+5"))
        XCTAssertEqual(try dec("0.00").hashValue, try dec("-0E+5").hashValue)
        XCTAssertEqual(try dec("1E+25"), try dec("10000000000000000000000000.000"))
        XCTAssertEqual(try dec("1E+25").hashValue, try dec("10000000000000000000000000.000").hashValue)
        XCTAssertLessThan(try dec("-2"), try dec("-1.99"))
        XCTAssertLessThan(try dec("0.999"), Dec(1))
        XCTAssertLessThan(try dec("-0.001"), try dec("-0"))
        XCTAssertEqual(Set([try dec("2.50"), try dec("2.5"), try dec("2.500")]).count, 1)
    }

    func testPredicates() throws {
        XCTAssertTrue(try dec("1.00").isInteger)
        XCTAssertFalse(try dec("1.01").isInteger)
        XCTAssertTrue(try dec("1E+3").isInteger)
        XCTAssertTrue(try dec("-0.000").isZero)
        XCTAssertFalse(try dec("-0.000").isNegative)
        XCTAssertTrue(try dec("-0.001").isNegative)
        XCTAssertEqual(try dec("12.50").exponent, -2)
    }

    func testIntConversion() throws {
        XCTAssertEqual(try dec("42.000").toInt(), 42)
        XCTAssertEqual(try dec("-1E+3").toInt(), -1000)
        XCTAssertEqual(try dec("-9223372036854775808").toInt(), Int.min)
        XCTAssertEqual(try dec("9223372036854775807").toInt(), Int.max)
        XCTAssertThrowsError(try dec("2.5").toInt()) { error in
            XCTAssertEqual(error as? DecimalError, .notIntegral("2.5"))
            XCTAssertEqual("\(error)", "cannot convert 2.5 to Int: not integral")
        }
        XCTAssertThrowsError(try dec("9223372036854775808").toInt()) {
            XCTAssertEqual($0 as? DecimalError, .overflow("9223372036854775808"))
        }
        XCTAssertThrowsError(try dec("1E+30").toInt())
    }

    func testDoubleConversion() throws {
        XCTAssertEqual(try dec("0.1").toDouble(), 0.1)
        XCTAssertEqual(try dec("-2.5E+3").toDouble(), -2500)
    }

    func testNegateAndAbs() throws {
        XCTAssertEqual(try dec("1.50").negated().description, "-1.50")
        XCTAssertEqual(try dec("-0.0").negated().description, "0.0")
        XCTAssertEqual(try dec("0.0").negated().description, "0.0")
        XCTAssertEqual(try dec("-3.25").abs().description, "3.25")
    }

    func testInlineMoneyPathStaysInline() throws {
        let a = try dec("12.34"), b = try dec("0.66")
        XCTAssertTrue(a.isInline && b.isInline)
        XCTAssertTrue(try a.adding(b).isInline)
        XCTAssertTrue(try a.subtracting(b).isInline)
        XCTAssertTrue(try a.multiplying(b).isInline)
        let big = try dec("18446744073709551615").adding(Dec(1))
        XCTAssertFalse(big.isInline)
        XCTAssertTrue(try big.subtracting(Dec(1)).isInline, "results that shrink move back inline")
    }

    func testSizeLimits() throws {
        XCTAssertThrowsError(try dec("1E+1000000001")) { XCTAssertEqual($0 as? DecimalError, .tooLarge("exponent of '1E+1000000001' exceeds 1000000000")) }
        XCTAssertThrowsError(try dec("1E+999999999").adding(dec("1E-999999999"))) {
            guard case .tooLarge = $0 as? DecimalError else { return XCTFail("\($0)") }
        }
        XCTAssertThrowsError(try dec("1E+600000000").multiplying(dec("1E+600000000")))
        XCTAssertEqual("\(DecimalError.tooLarge("result exceeds 1000000 digits"))", "result exceeds 1000000 digits")
    }
}
