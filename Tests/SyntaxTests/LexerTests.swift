import XCTest
@testable import Syntax

final class LexerTests: XCTestCase {
    func kinds(_ text: String) -> [TokenKind] {
        var lexer = Lexer(file: SourceFile(name: "t", text: text))
        return lexer.tokenize().map(\.kind).dropLast()
    }

    func testNumbersOfEveryKind() {
        XCTAssertEqual(kinds("1_000 12.50 1.5e3 2E-2"), [.int(1000), .dec("12.50"), .float(1500), .float(0.02)])
        XCTAssertEqual(kinds("12.50 USD"), [.money(amount: "12.50", code: "USD")])
        XCTAssertEqual(kinds("50ms 30s 10min 24h 7d 1.5s"),
                       [.duration(ms: 50), .duration(ms: 30_000), .duration(ms: 600_000), .duration(ms: 86_400_000),
                        .duration(ms: 604_800_000), .duration(ms: 1500)])
    }

    func testMoneyNeedsExactlyOneSpaceAndUpperCase() {
        XCTAssertEqual(kinds("5  USD"), [.int(5), .ident("USD")])
        XCTAssertEqual(kinds("5 usd"), [.int(5), .ident("usd")])
    }

    func testRangeIsNotADecimalPoint() {
        XCTAssertEqual(kinds("0..10"), [.int(0), .punct(.dotDot), .int(10)])
    }

    func testStringEscapesAndInterpolation() {
        let k = kinds(#""a\n\"b\" \u{1F600} ${x + 1}!""#)
        guard case .string(let parts)? = k.first else { return XCTFail("not a string") }
        XCTAssertEqual(parts.count, 3)
        XCTAssertEqual(parts[0], .text("a\n\"b\" \u{1F600} "))
        XCTAssertEqual(parts[2], .text("!"))
    }

    func testErrorsArePositioned() {
        var lexer = Lexer(file: SourceFile(name: "t", text: "let x = 1\nlet y = 99999999999999999999\n\"open"))
        _ = lexer.tokenize()
        let ds = lexer.diagnostics
        XCTAssertEqual(ds.count, 2)
        XCTAssertEqual(ds[0].line, 2)
        XCTAssertEqual(ds[0].column, 9)
        XCTAssertTrue(ds[0].message.contains("does not fit in 64 bits"))
        XCTAssertEqual(ds[1].line, 3)
        XCTAssertTrue(ds[1].message.contains("unterminated string"))
    }

    func testColumnsCountCharactersNotBytes() {
        var lexer = Lexer(file: SourceFile(name: "t", text: "let é = \"ü\" @"))
        _ = lexer.tokenize()
        XCTAssertEqual(lexer.diagnostics.first?.column, 13)
    }

    func testInvalidUTF8IsReportedAtTheBadByte() {
        let bytes: [UInt8] = Array("ok\nab".utf8) + [0xFF] + Array("c".utf8)
        guard case .failure(let d) = SourceFile.decode(name: "t", bytes: bytes) else { return XCTFail("accepted") }
        XCTAssertEqual(d.line, 2)
        XCTAssertEqual(d.column, 3)
        XCTAssertEqual(d.message, "invalid UTF-8 byte 0xFF")
    }
}
