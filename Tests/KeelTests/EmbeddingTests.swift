import Dispatch
import XCTest
import Keel
import Orders

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

    /// A host type with methods and a module of its own, as the engine bindings use them.
    func testHostTypesWithMethodsAndModuleSource() throws {
        final class Counter { var n = 0 }
        var printed: [UInt8] = []
        let engine = try Engine(stdlibPath: nil, output: OutputBuffer { printed += $0 })
        engine.defineType("Counter")
        engine.defineModuleSource("tally", "type Reading = { count: Int, label: String }")
        engine.define("tally.counter", params: [], result: .host("Counter")) { _ in .host(Counter()) }
        engine.define("Counter.add", params: [.host("Counter"), .int], labels: [nil, "by"], result: .int) { args in
            guard case .host(let o) = args[0], let c = o as? Counter, case .int(let k) = args[1] else { throw HostError("bad") }
            c.n += k
            return .int(c.n)
        }
        engine.define("Counter.reading", params: [.host("Counter")], result: .record("Reading")) { [unowned engine] args in
            guard case .host(let o) = args[0], let c = o as? Counter else { throw HostError("bad") }
            return try engine.record("Reading", ["count": .int(c.n), "label": .string("n")])
        }
        try engine.load(source: """
            use tally
            let c = tally.counter()
            c.add(2)
            print(c.add(by: 3))
            let r: Reading = c.reading()
            print(r.count + 1)
            """)
        XCTAssertEqual(String(decoding: printed, as: UTF8.self), "5\n6\n")
        XCTAssertThrowsError(try engine.load(source: "tally.counter().ad(1)")) { error in
            XCTAssertTrue("\(error)".contains("Counter has no method 'ad'; did you mean 'add'"), "\(error)")
        }
    }

    func testStepLimitStopsAnInfiniteLoop() throws {
        let engine = try Engine(limits: Limits(steps: 10_000))
        XCTAssertThrowsError(try engine.load(source: "var i = 0\nwhile true { i += 1 }")) { error in
            guard case KeelError.runtime(let d, let limit) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(limit, .steps)
            XCTAssertTrue(d.message.contains("step limit"))
        }
    }

    /// Steps count the work a method does: a lookup in a large map or the first element of
    /// a large list costs one call, while a search through a list costs its length, and
    /// inserting or removing at the front the elements it moves.
    func testMethodsAreChargedForTheWorkTheyDo() throws {
        let lookups = """
            var m: Map[Int, Int] = {}
            var xs: List[Int] = []
            for i in 0..2000 {
              m[i] = i
              xs.push(i)
            }
            var t = 0
            for i in 0..2000 {
              if m.contains(i) { t += m.get(i) ?? 0 }
              t += xs.first() ?? 0
              t += xs.last() ?? 0
              if xs.is_empty() { t += 1 }
            }
            print(t)
            """
        var printed: [UInt8] = []
        let engine = try Engine(limits: Limits(steps: 40_000), output: OutputBuffer { printed += $0 })
        try engine.load(source: lookups)
        engine.vm.output.flush()
        XCTAssertEqual(String(decoding: printed, as: UTF8.self), "5997000\n")
        let searches = "var xs: List[Int] = []\nfor i in 0..2000 { xs.push(i) }\nvar n = 0\nfor i in 0..100 { if xs.contains(-1) { n += 1 } }"
        // Removing from the front moves every element; from the back, none.
        let fromTheBack = "var xs: List[Int] = []\nfor i in 0..2000 { xs.push(i) }\nfor i in 0..1000 { xs.remove(len(xs) - 1) }\nfor i in 0..1000 { xs.insert(len(xs), i) }"
        XCTAssertNoThrow(try Engine(limits: Limits(steps: 40_000)).load(source: fromTheBack))
        let fromTheFront = "var xs: List[Int] = []\nfor i in 0..2000 { xs.push(i) }\nfor i in 0..100 { xs.remove(0)\n xs.insert(0, i) }"
        XCTAssertThrowsError(try Engine(limits: Limits(steps: 40_000)).load(source: fromTheFront)) { error in
            guard case KeelError.runtime(_, let limit) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(limit, .steps)
        }
        XCTAssertThrowsError(try Engine(limits: Limits(steps: 40_000)).load(source: searches)) { error in
            guard case KeelError.runtime(_, let limit) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(limit, .steps)
        }
    }

    /// A map grown key by key is held to the collection size and memory limits, as lists
    /// and strings are.
    func testAGrowingMapIsHeldToTheSizeAndMemoryLimits() throws {
        let growth = "var m: Map[Int, Int] = {}\nfor i in 0..100000 { m[i] = i }"
        for (limits, expected) in [(Limits(collectionSize: 1_000), LimitKind.collectionSize),
                                   (Limits(memory: 1 << 20), LimitKind.memory)] {
            XCTAssertThrowsError(try Engine(limits: limits).load(source: growth)) { error in
                guard case KeelError.runtime(let d, let limit) = error else { return XCTFail("\(error)") }
                XCTAssertEqual(limit, expected, d.message)
                XCTAssertEqual(d.line, 2)
            }
        }
        XCTAssertNoThrow(try Engine(limits: Limits(collectionSize: 100_000)).load(source: growth))
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

    /// A definition whose value failed at run time leaves its name unset; reading it later
    /// at the top level says so by name, whatever its type.
    func testANameAFailedDefinitionLeftUnsetIsNamed() throws {
        let engine = try Engine()
        try engine.load(source: "type P = { x: Int }\nfn make(n: Int) -> P { P { x: [1][n] } }")
        XCTAssertThrowsError(try engine.load(source: "let p = make(5)"))
        for (source, column) in [("p.x", 1), ("print(p)", 7), ("let q = p", 9)] {
            XCTAssertThrowsError(try engine.load(source: source)) { error in
                guard case KeelError.runtime(let d, _) = error else { return XCTFail("\(error)") }
                XCTAssertEqual(d.message, "'p' is used before it is initialised", source)
                XCTAssertEqual(d.column, column, source)
            }
        }
    }
}

final class ScriptTests: XCTestCase {
    static let rules = """
        fn score(amount: Money, tag: String) -> Int {
          var s = if amount > 100.00 USD { 50 } else { 10 }
          if tag == "new-device" { s += 25 }
          s + bonus()
        }
        fn half(x: Dec) -> Dec { x / 2 }
        fn spin() -> Int { var i = 0\n while true { i += 1 }\n i }
        """

    func testCompileOnceRunManyAcrossThreads() throws {
        let script = try Script.compile(source: Self.rules + "\nfn bonus() -> Int { host_bonus() }", name: "rules.keel") { engine in
            try engine.define("host_bonus", "fn() -> Int") { _ in .int(1) }
        }
        XCTAssertTrue(script.functions.contains { $0.name == "score" })
        let usd = try Value.money("250.00", "USD")
        let results = UnsafeMutableBufferPointer<Int>.allocate(capacity: 8)
        defer { results.deallocate() }
        DispatchQueue.concurrentPerform(iterations: 8) { i in
            let instance = try? script.instantiate()
            results[i] = (try? instance?.call("score", [usd, .string(i % 2 == 0 ? "new-device" : "known")]))??.intValue ?? -1
        }
        XCTAssertEqual(Array(results), [76, 51, 76, 51, 76, 51, 76, 51])
    }

    func testArgumentsAreCheckedAndWidened() throws {
        let script = try Script.compile(source: Self.rules + "\nfn bonus() -> Int { 0 }")
        let instance = try script.instantiate()
        XCTAssertEqual(try instance.call("half", [.int(3)]).decValue, try Dec(parsing: "1.5"))
        XCTAssertThrowsError(try instance.call("half", [.string("3")])) { error in
            XCTAssertTrue("\(error)".contains("argument 1 of 'half' must be Dec"), "\(error)")
        }
        XCTAssertThrowsError(try instance.call("score", [.int(1)])) { error in
            XCTAssertTrue("\(error)".contains("'score' takes 2 arguments, given 1"), "\(error)")
        }
        XCTAssertThrowsError(try instance.call("missing", []))
    }

    func testLimitsNameWhatStoppedTheScriptAndTheInstanceStaysUsable() throws {
        let script = try Script.compile(source: Self.rules + "\nfn bonus() -> Int { 0 }")
        let timed = try script.instantiate(limits: Limits(milliseconds: 30))
        XCTAssertThrowsError(try timed.call("spin", [])) { error in
            guard case KeelError.runtime(_, let limit) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(limit, .time)
        }
        XCTAssertEqual(try timed.call("half", [.int(1)]).decValue, try Dec(parsing: "0.5"))

        let cancellable = try script.instantiate()
        DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(20)) { cancellable.vm.cancellation.cancel() }
        XCTAssertThrowsError(try cancellable.call("spin", [])) { error in
            guard case KeelError.runtime(_, let limit) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(limit, .cancelled)
        }
    }

    func testHostErrorsSurfaceAtTheCallSite() throws {
        let engine = try Engine(output: OutputBuffer { _ in })
        try engine.define("lookup", "fn(String) -> Int") { args in
            throw HostError("no account \(args[0].stringValue ?? "?")")
        }
        XCTAssertThrowsError(try engine.load(source: "let a = 1\nprint(lookup(\"x\"))")) { error in
            guard case KeelError.runtime(let d, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(d.message, "no account x")
            XCTAssertEqual(d.line, 2)
            XCTAssertEqual(d.column, 7)
        }
    }

    /// The example in README.md, verbatim.
    func testReadmeExample() throws {
        let rules = """
            fn score(amount: Money, device: String) -> Int {
              var s = if amount > 100.00 USD { 50 } else { 10 }
              if device == "new" { s += 25 }
              s + velocity_penalty()
            }
            """
        let script = try Script.compile(source: rules, name: "rules.keel") { engine in
            try engine.define("velocity_penalty", "fn() -> Int") { _ in .int(5) }
        }
        let instance = try script.instantiate(limits: Limits(steps: 100_000, milliseconds: 50))
        let verdict = try instance.call("score", [try .money("250.00", "USD"), .string("new")])
        XCTAssertEqual(verdict.intValue, 80)
    }

    func testMemoryLimitStopsRunawayAllocation() throws {
        let script = try Script.compile(source: """
            fn grow() -> Int {
              var xs: List[String] = []
              while true { xs.push("item ${len(xs)}") }
              len(xs)
            }
            fn small() -> Int { [1, 2, 3].sum() }
            """)
        let instance = try script.instantiate(limits: Limits(memory: 1 << 20))
        XCTAssertThrowsError(try instance.call("grow", [])) { error in
            guard case KeelError.runtime(let d, let limit) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(limit, .memory)
            XCTAssertTrue(d.message.contains("memory limit of 1048576 bytes exceeded"), d.message)
        }
        XCTAssertEqual(try instance.call("small", []).intValue, 6)
    }

    /// An order book's tables count against the memory limit: reserved up front before
    /// they are made, and grown as orders rest.
    func testOrderBooksCountAgainstTheMemoryLimit() throws {
        let script = try Script.compile(source: """
            use orders
            fn reserve() -> Int { len(orders.book_with_capacity("R", tick: 1, lot: 1, capacity: 1000000).orders()) }
            fn fill(n: Int) -> Int {
              let book = orders.book("F", tick: 1, lot: 1)
              for i in 0..n { book.submit(orders.limit(i + 1, Side.buy, dec(1 + i % 100), 1)) }
              len(book.orders())
            }
            """)
        let instance = try script.instantiate(limits: Limits(memory: 8 << 20))
        func assertMemoryLimit(_ body: () throws -> Value) {
            XCTAssertThrowsError(try body()) { error in
                guard case KeelError.runtime(let d, let limit) = error else { return XCTFail("\(error)") }
                XCTAssertEqual(limit, .memory, d.message)
            }
        }
        assertMemoryLimit { try instance.call("reserve", []) }
        // A capacity of 1,000,000 reserves a 56 MB table up front. Grown from 1,024 orders,
        // 20,000 take a table of 1.8 MB and 200,000 one of 14.7 MB (32-byte slots at a load
        // of at most 4/7), and what a table grows by is charged as it grows.
        XCTAssertEqual(try instance.call("fill", [.int(20_000)]).intValue, 20_000)
        assertMemoryLimit { try instance.call("fill", [.int(200_000)]) }
        let unlimited = try script.instantiate()
        XCTAssertEqual(try unlimited.call("fill", [.int(200_000)]).intValue, 200_000)
    }

    /// The bound modules' functions work from instances of a compiled script, on several
    /// threads at once (they used to reach back into the engine the script was compiled
    /// in, which was gone), and charge their work to the instance that calls them.
    func testBoundModulesServeScriptInstances() throws {
        let script = try Script.compile(source: """
            use orders
            use merkle
            use ledger
            fn trade() -> Int {
              let book = orders.book("S", tick: 0.01, lot: 1)
              let summary = book.run_summary([orders.limit(1, Side.sell, 10.00, 5), orders.ioc(2, Side.buy, 10.00, 3)])
              let journaled = orders.journaled_book("J", tick: 0.01, lot: 1)
              journaled.submit(orders.limit(3, Side.buy, 9.99, 2))
              let recovered = orders.recover("J", journaled.journal(), tick: 0.01, lot: 1)
              summary.trades * 100 + len(recovered.book.orders())
            }
            fn prove() -> Int { len(merkle.proof([hex("00"), hex("01"), hex("02")], 1).path) }
            fn audit() -> Bool {
              let book = ledger.new()
              let bank = book.account("bank", USD)
              let alice = book.account("alice", USD)
              let r = book.transfer(1, from: bank, to: alice, 5.00 USD)
              ledger.audit(book.export()) == book.verify()
            }
            fn commands(n: Int) -> List[Command] {
              var commands: List[Command] = []
              for i in 0..n { commands.push(orders.limit(i + 1, Side.buy, dec(1 + i % 50), 1)) }
              commands
            }
            fn summarize(commands: List[Command]) -> Int { orders.book("M", tick: 1, lot: 1).run_summary(commands).commands }
            """)
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            do {
                let instance = try script.instantiate()
                XCTAssertEqual(try instance.call("trade", []).intValue, 101)
                XCTAssertEqual(try instance.call("prove", []).intValue, 2)
                XCTAssertEqual(try instance.call("audit", []), .bool(true))
            } catch {
                XCTFail("\(error)")
            }
        }
        // The batch's host work (a step per command) counts against the calling instance's steps.
        let unlimited = try script.instantiate()
        let commands = try unlimited.call("commands", [.int(20_000)])
        let limited = try script.instantiate(limits: Limits(steps: 5_000))
        XCTAssertThrowsError(try limited.call("summarize", [commands])) { error in
            guard case KeelError.runtime(_, let limit) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(limit, .steps)
        }
        XCTAssertEqual(try limited.call("summarize", [.list(Array(commands.listElements?.prefix(1_000) ?? []))]).intValue, 1_000)
        XCTAssertEqual(try unlimited.call("summarize", [commands]).intValue, 20_000)
    }

    /// A host reaches the engine behind a script's book: it sees what the script did and can
    /// time each command of the script's batch calls; anything else has no book.
    func testAHostReachesTheEngineBehindABook() throws {
        let engine = try Engine()
        try engine.load(source: """
            use orders
            fn book() -> Book { orders.book("H", tick: 0.01, lot: 1) }
            fn run(book: Book) -> Int {
              book.run_summary([orders.limit(1, Side.sell, 10.00, 5), orders.limit(2, Side.sell, 10.01, 5),
                                orders.ioc(3, Side.buy, 10.00, 3)]).trades
            }
            """)
        let book = try engine.call("book", [])
        guard let native = book.orderBook else { return XCTFail("no engine behind a Book") }
        let times = ServiceTimes(capacity: 2)
        native.serviceTimes = times
        times.start()
        XCTAssertEqual(try engine.call("run", [book]).intValue, 1)
        // Two times kept, the third command only counted.
        XCTAssertEqual(times.nanoseconds.count, 2)
        XCTAssertEqual(times.dropped, 1)
        XCTAssertEqual(native.restingOrders().map(\.quantity), [2, 5])
        XCTAssertNil(Value.int(1).orderBook)
    }

    /// A batch of many chunks gives the events, the book and the journal that submitting
    /// its commands one by one gives, on a book large enough for the batch path to warm
    /// the cache ahead and on a journaled, growing one.
    func testABatchOfManyChunksMatchesOneByOne() throws {
        let engine = try Engine()
        try engine.load(source: """
            use orders
            use random
            fn stream(n: Int) -> List[Command] {
              random.seed(2026)
              var commands: List[Command] = []
              for i in 0..n {
                let id = i + 1
                let side = if random.int(0, 1) == 0 { Side.buy } else { Side.sell }
                let price = dec(1000 + random.int(-8, 8)) / 100
                let r = random.int(0, 9)
                let c = if r == 0 and i > 0 { orders.cancel(random.int(1, i)) }
                  else if r == 1 and i > 0 { orders.modify(random.int(1, i), price, dec(random.int(0, 9))) }
                  else if r == 2 { orders.ioc(id, side, price, dec(random.int(1, 30))) }
                  else { orders.limit(id, side, price, dec(random.int(1, 9))) }
                commands.push(c)
              }
              commands
            }
            fn large() -> Book { orders.book_with_capacity("L", tick: 0.01, lot: 1, capacity: 20000) }
            fn journaled() -> Book { orders.journaled_book("J", tick: 0.01, lot: 1) }
            fn batched(book: Book, n: Int) -> List[Event] { book.run(stream(n)) }
            fn one_by_one(book: Book, n: Int) -> List[Event] {
              var events: List[Event] = []
              for c in stream(n) {
                for e in book.submit(c) { events.push(e) }
              }
              events
            }
            fn journal(book: Book) -> Bytes { book.journal() }
            fn resting(book: Book) -> List[Resting] { book.orders() }
            """)
        for make in ["large", "journaled"] {
            for n in [255, 256, 257, 263, 264, 2_000] {
                let (batchBook, singleBook) = (try engine.call(make, []), try engine.call(make, []))
                let batched = try engine.call("batched", [batchBook, .int(n)])
                let single = try engine.call("one_by_one", [singleBook, .int(n)])
                XCTAssertGreaterThan(single.listElements?.count ?? 0, n, "\(make) \(n): the stream trades")
                XCTAssertEqual(batched, single, "\(make) \(n)")
                XCTAssertEqual(try engine.call("resting", [batchBook]), try engine.call("resting", [singleBook]), "\(make) \(n)")
                if make == "journaled" {
                    XCTAssertEqual(try engine.call("journal", [batchBook]), try engine.call("journal", [singleBook]), "\(n)")
                }
            }
        }
    }

    /// A batch stops at a command that is no engine command, as a loop of submits would:
    /// the commands before it are applied, none after it, wherever it falls in the list.
    func testABatchStopsAtAMalformedCommandWithTheOnesBeforeItApplied() throws {
        let engine = try Engine()
        try engine.load(source: """
            use orders
            fn book() -> Book { orders.book("B", tick: 0.01, lot: 1) }
            fn run(book: Book, n: Int, bad: Int) -> Int {
              var commands: List[Command] = []
              for i in 0..n { commands.push(orders.limit(i + 1, Side.buy, 1.00, 1)) }
              commands[bad] = Command.cancel(-5)
              len(book.run(commands))
            }
            fn resting(book: Book) -> Int { len(book.orders()) }
            """)
        for (n, bad) in [(300, 280), (300, 256), (300, 255), (300, 0), (3, 1), (600, 513), (600, 512)] {
            let book = try engine.call("book", [])
            XCTAssertThrowsError(try engine.call("run", [book, .int(n), .int(bad)])) { error in
                XCTAssertTrue("\(error)".contains("command \(bad) of the batch: order ids are non-negative, got -5"), "\(error)")
            }
            XCTAssertEqual(try engine.call("resting", [book]).intValue, bad, "\(bad) of \(n)")
        }
    }

    /// Scripts cannot make order ids past Int's range, but a host can, and a crafted
    /// journal can hold them: reading them is a runtime error, never a trap.
    func testOrderIdsPastIntAreErrorsNotTraps() throws {
        let engine = try Engine()
        try engine.load(source: """
            use orders
            fn book() -> Book { orders.book("H", tick: 1, lot: 1) }
            fn take(book: Book) -> Int { len(book.submit(orders.ioc(1, Side.buy, 10, 1))) }
            fn resting(book: Book) -> Int { len(book.orders()) }
            fn recover(journal: Bytes) -> Int { len(orders.recover("J", journal, tick: 1, lot: 1).events) }
            """)
        let book = try engine.call("book", [])
        guard let native = book.orderBook else { return XCTFail("no engine behind a Book") }
        let big = UInt64(1) << 63
        var events: [Orders.Event] = []
        native.submit(.new(NewOrder(id: big, side: .sell, price: 10, quantity: 5)), into: &events)
        XCTAssertThrowsError(try engine.call("resting", [book])) { error in
            XCTAssertTrue("\(error)".contains("order id 9223372036854775808 is past the largest Int"), "\(error)")
        }
        XCTAssertThrowsError(try engine.call("take", [book])) { error in
            XCTAssertTrue("\(error)".contains("order id 9223372036854775808 is past the largest Int"), "\(error)")
        }
        var journal: [UInt8] = []
        Journal.appendRecord(.new(NewOrder(id: big, side: .sell, price: 10, quantity: 5)), sequence: 1, to: &journal)
        XCTAssertThrowsError(try engine.call("recover", [.bytes(journal)])) { error in
            XCTAssertTrue("\(error)".contains("journal entry 1 holds order id 9223372036854775808, past the largest Int"), "\(error)")
        }
    }

    /// Work inside one built-in counts as steps, so a single huge call is stopped up front.
    func testBuiltinWorkCountsAgainstTheStepLimit() throws {
        let script = try Script.compile(source: """
            fn explode() -> Int {
              var s = "ab"
              for i in 0..22 { s = s + s }
              len(s.split("a"))
            }
            """)
        let instance = try script.instantiate(limits: Limits(steps: 100_000))
        XCTAssertThrowsError(try instance.call("explode", [])) { error in
            guard case KeelError.runtime(let d, let limit) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(limit, .steps)
            XCTAssertTrue(d.notes.contains("  in explode called by the host"), "\(d.notes)")
        }
    }

    func testHostBuildsRecordsAndEnums() throws {
        let script = try Script.compile(source: """
            enum Side { buy, sell }
            type Order = { side: Side, price: Dec, qty: Int }
            fn notional(o: Order) -> Dec { match o.side { buy => o.price * o.qty, sell => 0 - o.price * o.qty } }
            """)
        let order = try script.record("Order", ["side": script.variant("Side", "sell"), "price": .int(2), "qty": .int(3)])
        XCTAssertEqual(try script.instantiate().call("notional", [order]).decValue, Dec(-6))
        XCTAssertThrowsError(try script.record("Order", ["side": script.variant("Side", "buy"), "price": .int(2)]))
        XCTAssertThrowsError(try script.variant("Side", "hold"))
        XCTAssertEqual(order.recordFields?["qty"]?.intValue, 3)
    }

    /// A sink that fails stops the script at the `print` whose chunk it could not take,
    /// with a positioned runtime error; a failure on the last chunk is left for the host.
    /// Once reported, it is gone: when the sink takes output again, so does `print`.
    func testOutputThatCannotBeWrittenStopsThePrint() throws {
        struct DiskFull: Error, CustomStringConvertible { var description: String { "the disk is full" } }
        var taken = 0, room = 100_000
        let engine = try Engine(output: OutputBuffer { bytes in
            guard taken + bytes.count <= room else { throw DiskFull() }
            taken += bytes.count
        })
        XCTAssertThrowsError(try engine.load(source: "var i = 0\nwhile true {\n  print(\"0123456789\")\n  i += 1\n}\n")) { error in
            guard case KeelError.runtime(let d, _) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(d.line, 3)
            XCTAssertEqual(d.message, "print: the disk is full")
        }
        XCTAssertEqual(taken, 5_958 * 11, "the first chunk (64 KiB rounded up to whole lines) went out")
        XCTAssertNil(engine.vm.output.failure, "reported at the print")
        room = .max
        try engine.load(source: "print(\"after\")\n")
        XCTAssertEqual(taken, 5_958 * 11 + 6)

        var refused = false
        let quiet = try Engine(output: OutputBuffer { _ in refused = true; throw DiskFull() })
        try quiet.load(source: "print(1)\n")
        XCTAssertTrue(refused)
        XCTAssertEqual(quiet.vm.output.failure.map { "\($0)" }, "the disk is full")
    }
}
