import XCTest
@testable import Types
import Syntax

/// Host types that carry a unit (`Vault[USD]`), unit variables in host signatures, results
/// a statement may not drop, and host checks of literal arguments.
final class UnitVariableTests: XCTestCase {
    func host() -> HostEnvironment {
        var host = HostEnvironment()
        host.isCurrency = { ["USD", "EUR", "JPY"].contains($0) }
        host.hostTypes = ["Vault"]
        host.unitHostTypes = ["Vault"]
        host.mustUse = ["Outcome"]
        let vault = KType.host("Vault", unit: "$")
        host.functions["open"] = .init(params: [.unitCode("$")], result: vault)
        host.functions["Vault.put"] = .init(params: [vault, .money("$")], result: .enumeration("Outcome"))
        host.functions["Vault.total"] = .init(params: [vault], result: .money("$"))
        host.functions["swap"] = .init(params: [.host("Vault", unit: "$a"), .host("Vault", unit: "$b"), .money("$a")],
                                       result: .money("$b"))
        host.functions["halves"] = .init(params: [.list(.int)], result: .int, literalCheck: { args in
            guard case .list(let items) = args[0].value.kind, items.count != 2 else { return [] }
            return [(message: "halves takes two parts", span: args[0].value.span)]
        })
        return host
    }

    func check(_ text: String) -> Checker {
        let checker = Checker(host: host())
        let (program, _, diags) = Parser.parse(SourceFile(name: "t", text: "enum Outcome { ok, refused }\n" + text))
        XCTAssertTrue(diags.isEmpty, "\(diags)")
        checker.check(program)
        return checker
    }

    func errors(_ text: String) -> [String] { check(text).diagnostics.map(\.message) }

    func typeOf(_ name: String, in text: String) -> KType? {
        let c = check(text)
        XCTAssertTrue(c.diagnostics.isEmpty, "\(c.diagnostics)")
        return c.result.variables.last { $0.name == name }?.type
    }

    func testUnitCodeBindsTheResult() {
        XCTAssertEqual(typeOf("v", in: "let v = open(USD)"), .host("Vault", unit: "USD"))
        XCTAssertEqual(typeOf("t", in: "let v = open(EUR)\nlet t = v.total()"), .money("EUR"))
        XCTAssertEqual(typeOf("t", in: "fn f(v: Vault) -> Money { v.total() }\nlet t = f(open(USD))"), .money(nil))
        XCTAssertEqual(typeOf("r", in: "let a = open(USD)\nlet b = open(JPY)\nlet r = swap(a, b, 5 USD)"), .money("JPY"))
    }

    func testMixedUnitsAreTypeErrors() {
        XCTAssertEqual(errors("let v = open(USD)\nlet r = v.put(1 EUR)"), ["argument 1 of 'put' is in EUR, but the call is in USD"])
        XCTAssertEqual(errors("let a = open(USD)\nlet b = open(EUR)\nlet r = swap(a, b, 1 EUR)"),
                       ["argument 3 of 'swap' is in EUR, but the call is in USD"])
        XCTAssertEqual(errors("let v: Vault[EUR] = open(USD)"), ["expected Vault[EUR], found Vault[USD]"])
        XCTAssertEqual(errors("let v = open(XYZ)"), ["unknown currency 'XYZ'"])
        XCTAssertEqual(errors("let c = \"USD\"\nlet v = open(c)"), ["argument 1 of 'open' is a unit code, e.g. USD"])
    }

    func testUnknownUnitsAreAcceptedAndLeftToRunTime() {
        XCTAssertTrue(errors("fn f(v: Vault, m: Money) -> Outcome { v.put(m) }").isEmpty)
        XCTAssertTrue(errors("fn f(v: Vault) -> Outcome { v.put(1 USD) }").isEmpty)
        XCTAssertTrue(errors("fn f(v: Vault[USD], m: Money) -> Outcome { v.put(m) }").isEmpty)
    }

    func testResultsMustBeHandled() {
        XCTAssertEqual(errors("let v = open(USD)\nv.put(1 USD)"), ["this Outcome is dropped; match it, or bind it with 'let' to handle it later"])
        XCTAssertEqual(errors("let v = open(USD)\nfor i in 0..3 { v.put(1 USD) }"),
                       ["this Outcome is dropped; match it, or bind it with 'let' to handle it later"])
        XCTAssertTrue(errors("let v = open(USD)\nlet r = v.put(1 USD)").isEmpty)
        XCTAssertTrue(errors("let v = open(USD)\nfn f() -> Outcome { v.put(1 USD) }").isEmpty)
        XCTAssertTrue(errors("let v = open(USD)\nlet n = match v.put(1 USD) { ok => 1, refused => 0 }").isEmpty)
    }

    func testLiteralChecks() {
        XCTAssertEqual(errors("let n = halves([1, 2, 3])"), ["halves takes two parts"])
        XCTAssertTrue(errors("let n = halves([1, 2])").isEmpty)
    }
}
