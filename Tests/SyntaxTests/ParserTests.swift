import XCTest
@testable import Syntax

final class ParserTests: XCTestCase {
    func parse(_ text: String) -> (Program, [Diagnostic]) {
        let (p, _, ds) = Parser.parse(SourceFile(name: "t", text: text))
        return (p, ds)
    }

    func testPrecedence() {
        let (p, ds) = parse("1 + 2 * 3 == 7 and not false")
        XCTAssertTrue(ds.isEmpty)
        guard case .expr(let e) = p.stmts[0].kind, case .binary(.and, let l, _) = e.kind,
              case .binary(.eq, let sum, _) = l.kind, case .binary(.add, _, let product) = sum.kind,
              case .binary(.mul, _, _) = product.kind else { return XCTFail("wrong tree") }
    }

    func testRecoversAndReportsSeveralErrors() {
        let (p, ds) = parse("let = 1\nlet ok = 2\nprint(1 +)\nlet also = 3\n")
        XCTAssertEqual(ds.map(\.line), [1, 3])
        XCTAssertEqual(p.stmts.count, 2)
    }

    func testChainedComparisonIsRejected() {
        let (_, ds) = parse("let x = 1 < 2 < 3")
        XCTAssertTrue(ds.first?.message.contains("cannot be chained") ?? false)
    }

    func testDeepNestingIsAnErrorNotACrash() {
        let (_, ds) = parse(String(repeating: "(", count: 100_000))
        XCTAssertEqual(ds.count, 1)
        XCTAssertTrue(ds[0].message.contains("nesting too deep"))
        let (_, ds2) = parse(String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000))
        XCTAssertTrue(ds2[0].message.contains("nesting too deep"))
    }

    func testLongOperatorChainsAreBounded() {
        let (_, ds) = parse("let x = " + Array(repeating: "1", count: 20_000).joined(separator: "+"))
        XCTAssertTrue(ds.first?.message.contains("expression too long") ?? false)
    }

    func testCallDoesNotContinueOnANewLine() {
        let (p, ds) = parse("let f = g\n(1)")
        XCTAssertTrue(ds.isEmpty)
        XCTAssertEqual(p.stmts.count, 2)
    }

    func testRecordLiteralIsNotParsedInAnIfHead() {
        let (_, ds) = parse("if x == Point { print(1) }")
        XCTAssertTrue(ds.isEmpty, "\(ds)")
    }
}
