import XCTest
import Syntax
@testable import Types

/// The checker on its own: inferred types, resolutions and the wording of its errors.
final class CheckerTests: XCTestCase {
    func check(_ text: String) -> (Checker, Program) {
        var host = HostEnvironment()
        host.isCurrency = { ["USD", "EUR", "JPY"].contains($0) }
        let checker = Checker(host: host)
        let (program, _, diags) = Parser.parse(SourceFile(name: "t", text: text))
        XCTAssertTrue(diags.isEmpty, "\(diags)")
        checker.check(program)
        return (checker, program)
    }

    func typeOfLast(_ text: String) -> KType? {
        let (c, p) = check(text)
        XCTAssertTrue(c.diagnostics.isEmpty, "\(c.diagnostics)")
        guard case .expr(let e)? = p.stmts.last?.kind else { return nil }
        return c.result.types[e.id]
    }

    func errors(_ text: String) -> [String] { check(text).0.diagnostics.map(\.message) }

    func testInference() {
        XCTAssertEqual(typeOfLast("7 / 2"), .dec)
        XCTAssertEqual(typeOfLast("div(7, 2)"), .int)
        XCTAssertEqual(typeOfLast("[1, 2].map(fn(x) => x * 1.5)"), .list(.dec))
        XCTAssertEqual(typeOfLast("{\"a\": 1}.get(\"a\")"), .optional(.int))
        XCTAssertEqual(typeOfLast("2.50 USD * 3"), .money("USD"))
        XCTAssertEqual(typeOfLast("[1, 2.5]"), .list(.dec))
        XCTAssertEqual(typeOfLast("let o: Int? = none\no ?? 3"), .int)
        XCTAssertEqual(typeOfLast("[1, 2].fold(0, fn(a, x) => a + x)"), .int)
    }

    func testMessagesNameBothTypes() {
        XCTAssertEqual(errors("let x = 1 USD + 2 EUR"), ["cannot add Money[USD] and Money[EUR]"])
        XCTAssertEqual(errors("let x: Int = \"s\""), ["expected Int, found String"])
        XCTAssertEqual(errors("let x = 1.5e0 + 2.5"), ["cannot add Float and Dec"])
    }

    func testDidYouMean() {
        XCTAssertEqual(errors("let total = 1\nprint(totl)"), ["unknown name 'totl'; did you mean 'total'?"])
    }

    func testExhaustiveness() {
        XCTAssertEqual(errors("enum S { a, b, c }\nlet x = match S.a { a => 1, b => 2 }"), ["match is not exhaustive: missing c"])
        XCTAssertTrue(errors("enum S { a, b }\nlet x = match S.a { a => 1, b => 2 }").isEmpty)
        XCTAssertEqual(errors("let o: Int? = none\nlet x = match o { some(v) => v }"), ["match is not exhaustive: missing none"])
    }

    func testCapturedVariablesAreMarked() {
        let (c, _) = check("fn f() -> fn() -> Int {\n var n = 0\n fn() => n\n}")
        XCTAssertTrue(c.diagnostics.isEmpty)
        let n = c.result.variables.first { $0.name == "n" }
        XCTAssertEqual(n?.captured, true)
        XCTAssertEqual(c.result.functions.last?.captures.count, 1)
    }

    func testLetIsImmutable() {
        XCTAssertEqual(errors("let x = 1\nx = 2"), ["cannot assign to 'x': it is declared with 'let'; use 'var' to make it mutable"])
    }
}
