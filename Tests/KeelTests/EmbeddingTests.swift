import XCTest
import Keel

final class EmbeddingTests: XCTestCase {
    func testHostFunctionsAndCallingScriptFunctions() throws {
        var printed: [UInt8] = []
        let engine = try Engine(output: OutputBuffer { printed += $0 })
        try engine.define("now_ms", "fn() -> Int") { _ in .int(1_700_000_000_000) }
        try engine.load(source: """
            fn score(amount: Money, tag: String) -> Int {
              var s = if amount > 100.00 USD { 50 } else { 10 }
              if tag == "new-device" { s += 25 }
              s
            }
            print(now_ms() > 0)
            """)
        XCTAssertEqual(String(decoding: printed, as: UTF8.self), "true\n")
        let usd = try XCTUnwrap(CurrencyTable.shared.id("USD"))
        let verdict = try engine.call("score", [.money(try Dec(parsing: "250.00"), usd), .string("new-device")])
        guard case .int(75) = verdict else { return XCTFail("got \(verdict)") }
    }

    func testStepLimitStopsAnInfiniteLoop() throws {
        let engine = try Engine(limits: Limits(steps: 10_000))
        XCTAssertThrowsError(try engine.load(source: "var i = 0\nwhile true { i += 1 }")) { error in
            guard case KeelError.runtime(let d, let limit) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(limit, .steps)
            XCTAssertTrue(d.message.contains("step limit"))
        }
    }

    func testTypeErrorsRunNothing() throws {
        var printed: [UInt8] = []
        let engine = try Engine(output: OutputBuffer { printed += $0 })
        XCTAssertThrowsError(try engine.load(source: "print(1)\nlet x: Int = \"no\"")) { error in
            XCTAssertEqual((error as? KeelError)?.exitCode, 1)
        }
        XCTAssertTrue(printed.isEmpty)
    }

    func testDefinitionsSurviveAFailedInput() throws {
        let engine = try Engine()
        try engine.load(source: "let a = 40")
        XCTAssertThrowsError(try engine.load(source: "let b = a + \"x\""))
        let result = try engine.evaluate(file: SourceFile(name: "r", text: "a + 2"))
        guard case .int(42)? = result?.0 else { return XCTFail("\(String(describing: result))") }
        XCTAssertEqual(result?.1, .int)
    }
}
