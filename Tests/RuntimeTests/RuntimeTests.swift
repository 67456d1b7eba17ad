import XCTest
import Money
import Syntax
import Types
@testable import Runtime

/// The compiler and VM without the Keel engine: checked programs run against a fresh VM.
final class RuntimeTests: XCTestCase {
    func run(_ text: String, limits: Limits = Limits()) throws -> (String, Value) {
        let checker = Checker(host: HostEnvironment())
        let (program, _, diags) = Parser.parse(SourceFile(name: "t", text: text))
        XCTAssertTrue(diags.isEmpty)
        checker.check(program)
        XCTAssertTrue(checker.diagnostics.isEmpty, "\(checker.diagnostics)")
        var out: [UInt8] = []
        let vm = VM(limits: limits, output: OutputBuffer { out += $0 })
        let code = Compiler(checked: checker.result, host: [:], shapes: .init()).compile(program, keepingLastValue: true)
        vm.ensureGlobals(checker.result.globalCount)
        _ = try code(vm)
        vm.output.flush()
        return (String(decoding: out, as: UTF8.self), vm.returnValue)
    }

    /// Every built-in the checker accepts has its run-time case (calls are resolved once,
    /// when compiled, so a name missing here would fail every call of it).
    func testEveryCheckedBuiltinHasItsRuntimeCase() {
        let compiledApart: Set<String> = ["len", "div", "fx"]
        for name in Checker.builtinFunctions where !compiledApart.contains(name) {
            XCTAssertNotNil(BuiltinFunction(rawValue: name), name)
        }
        for (module, functions) in Checker.moduleFunctions {
            for f in functions { XCTAssertNotNil(BuiltinFunction(rawValue: module + "." + f), module + "." + f) }
        }
        let receivers: [KType] = [.list(.int), .map(.string, .int), .string, .money(nil), .bytes, .dec]
        for receiver in receivers {
            let names = Checker.methodNames(for: receiver)
            XCTAssertFalse(names.isEmpty, "\(receiver)")
            for name in names { XCTAssertNotNil(BuiltinMethod(rawValue: name), "\(receiver).\(name)") }
        }
    }

    /// Built-in calls reuse argument arrays by nesting depth: a call whose argument runs the
    /// same call site again (deeper than the 16 kept depths), or whose callback does, still
    /// sees its own arguments.
    func testNestedBuiltinCallsKeepTheirArguments() throws {
        let (out, _) = try run("""
            fn deepest(n: Int) -> Int { if n == 0 { 0 } else { max(n * 2 - 100, deepest(n - 1)) } }
            print(deepest(40))
            fn joined(n: Int) -> String { if n == 0 { "." } else { str(n) + "," + joined(n - 1) } }
            print(joined(20))
            let xs = [1, 2, 3]
            print(xs.map(fn(x: Int) -> Int { [x, x * 10, deepest(x)].map(fn(y: Int) -> Int { y + 1 }).sum() }))
            var ys: List[Int] = []
            for i in 0..3 { ys.push(max(i, [i, 7].map(fn(z: Int) -> Int { min(z, 5) }).sum())) }
            print(ys)
            """)
        XCTAssertEqual(out, """
            0
            20,19,18,17,16,15,14,13,12,11,10,9,8,7,6,5,4,3,2,1,.
            [14, 25, 36]
            [5, 6, 7]

            """)
    }

    /// Function values called with one, two and three arguments (the first two straight
    /// into the frame, the third through an argument array), nested through their own
    /// arguments, with captures.
    func testFunctionValuesGetTheirArguments() throws {
        let (out, _) = try run("""
            fn compose(f: fn(Int) -> Int, g: fn(Int) -> Int) -> fn(Int) -> Int { fn(x: Int) -> Int { g(f(x)) } }
            let h = compose(fn(x: Int) -> Int { x + 1 }, fn(x: Int) -> Int { x * 2 })
            print(h(h(3)))
            let sub = fn(a: Int, b: Int) -> Int { a - b }
            print(sub(sub(10, 3), sub(2, 1)))
            let k = 100
            let mix = fn(a: Int, b: Int, c: Int) -> Int { a * 100 + b * 10 + c + k }
            print(mix(1, sub(9, 7), mix(0, 0, 3)))
            """)
        XCTAssertEqual(out, "18\n6\n323\n")
    }

    func testIntArithmeticStaysUnboxedAndExact() throws {
        let (_, v) = try run("fn f(n: Int) -> Int { if n < 2 { n } else { f(n - 1) + f(n - 2) } }\nf(20)")
        guard case .int(6765) = v else { return XCTFail("\(v)") }
    }

    func testOverflowIsAPositionedError() {
        XCTAssertThrowsError(try run("let a = 9223372036854775807\nlet b = a + 1")) { error in
            guard case Unwind.failure(let e) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(e.message.contains("integer overflow"))
            XCTAssertEqual(e.diagnostic().line, 2)
        }
    }

    func testValueSemanticsOfCollections() throws {
        let (out, _) = try run("var a = [1, 2]\nvar b = a\nb.push(3)\nb[0] = 9\nprint(a)\nprint(b)")
        XCTAssertEqual(out, "[1, 2]\n[9, 2, 3]\n")
    }

    func testClosuresCaptureByReference() throws {
        let (out, _) = try run("var n = 0\nlet inc = fn() { n += 1 }\ninc()\ninc()\nprint(n)")
        XCTAssertEqual(out, "2\n")
    }

    func testStepLimit() {
        XCTAssertThrowsError(try run("var i = 0\nwhile true { i += 1 }", limits: Limits(steps: 1000))) { error in
            guard case Unwind.failure(let e) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(e.isLimit)
        }
    }

    func testDisplayForms() {
        XCTAssertEqual(Display.duration(5_400_000), "1h30min")
        XCTAssertEqual(Display.duration(1500), "1s500ms")
        XCTAssertEqual(Display.literal(.list([.string("a\"b"), .none])), "[\"a\\\"b\", none]")
        let usd = CurrencyTable.shared.id("USD")!
        XCTAssertEqual(Display.money(try! Dec(parsing: "2.5"), usd), "2.50 USD")
        XCTAssertEqual(Display.money(try! Dec(parsing: "1.2345"), usd), "1.2345 USD")
    }
}
