import Histogram
import Keel
import Orders

// The same W2 streams through the language: the batch call (`book.run_summary`, one host
// call for the whole list), a per-order loop written in Keel (`book.submit` per command),
// and the reference matcher written in Keel (`stdlib/orders.keel`), as ratios to native.
// Commands are built the way scripts build them, by the `orders.*` constructors; the
// batch call also runs on the same commands built as plain `Command` enum values (as a
// script writing `Command.place(Order { ... })` would), which take the general path.

let keelProgram = """
    use orders
    fn new_book(capacity: Int) -> Book { orders.book_with_capacity("W2", tick: 1, lot: 1, capacity: capacity) }
    var stream: List[Command] = []
    fn set_stream(commands: List[Command]) { stream = commands }
    fn batch(book: Book) -> Int { book.run_summary(stream).trades }
    fn per_order(book: Book) -> Int {
      var events = 0
      for c in stream { events += len(book.submit(c)) }
      events
    }
    fn one(book: Book, c: Command) -> Int { len(book.submit(c)) }
    fn reference(commands: List[Command]) -> Int { len(ref_run(commands, 1, 1)) }
    fn reference_one(c: Command) -> Int { len(ref_submit(c)) }
    fn make_limit(id: Int, side: Side, price: Dec, qty: Dec, ioc: Bool) -> Command {
      if ioc { orders.ioc(id, side, price, qty) } else { orders.limit(id, side, price, qty) }
    }
    fn make_cancel(id: Int) -> Command { orders.cancel(id) }
    fn make_modify(id: Int, price: Dec, qty: Dec) -> Command { orders.modify(id, price, qty) }
    """

struct KeelPaths {
    let engine: Engine

    init() throws {
        engine = try Engine()
        try engine.load(source: keelProgram)
    }

    /// A native command as the Keel `Command` value an `orders.*` constructor returns
    /// (tick and lot 1).
    func value(_ command: Command) throws -> Value {
        switch command {
        case .new(let o) where o.type == .limit || o.type == .ioc:
            return try engine.call("make_limit", [.int(Int(o.id)), try engine.variant("Side", o.side.name), .dec(Dec(Int(o.price))),
                                                  .dec(Dec(Int(o.quantity))), .bool(o.type == .ioc)])
        case .cancel(let id):
            return try engine.call("make_cancel", [.int(Int(id))])
        case .modify(let id, let price, let quantity):
            return try engine.call("make_modify", [.int(Int(id)), .dec(Dec(Int(price))), .dec(Dec(Int(quantity)))])
        case .new, .rejectAtEdge:
            fatalError("W2 has only limit, IOC, cancel and modify commands")
        }
    }

    /// The same command as a plain `Command` enum value, built field by field.
    func enumValue(_ command: Command) throws -> Value {
        switch command {
        case .new(let o):
            let kind = ["limit", "ioc", "fok", "post_only", "market", "stop", "stop_limit"][Int(o.type.rawValue)]
            let order = try engine.record("Order", [
                "id": .int(Int(o.id)), "side": try engine.variant("Side", o.side.name), "kind": try engine.variant("OrderKind", kind),
                "price": .dec(Dec(Int(o.price))), "qty": .dec(Dec(Int(o.quantity))), "stop_price": .dec(Dec(Int(o.stopPrice))),
                "display": .dec(Dec(Int(o.display))), "trader": .int(Int(o.trader)), "self_trade": try engine.variant("SelfTrade", "allow"),
            ])
            return try engine.variant("Command", "place", [order])
        case .cancel(let id):
            return try engine.variant("Command", "cancel", [.int(Int(id))])
        case .modify(let id, let price, let quantity):
            return try engine.variant("Command", "modify", [.int(Int(id)), .dec(Dec(Int(price))), .dec(Dec(Int(quantity)))])
        case .rejectAtEdge:
            fatalError("W2 has no edge rejections")
        }
    }

    func values(_ commands: [Command]) throws -> Value { .list(try commands.map(value)) }

    /// The same capacity as the native benchmark's book (`makeBook`).
    func prefilledBook(_ prefill: Value) throws -> Value {
        let target = prefill.listElements?.count ?? 0
        let book = try engine.call("new_book", [.int(target + target / 8 + 64)])
        _ = try engine.call("set_stream", [prefill])
        _ = try engine.call("batch", [book])
        return book
    }

    /// Seconds for `function` over the stream on a prefilled book (best of `runs`). The
    /// stream is handed to the script before the clock starts: the host's check of a
    /// call's arguments walks every element of a list, which is no part of the work.
    func seconds(_ function: String, prefill: Value, stream: Value, runs: Int = 3) throws -> Double {
        var best = Double.infinity
        for _ in 0..<runs {
            let book = try prefilledBook(prefill)
            _ = try engine.call("set_stream", [stream])
            let start = now()
            _ = try engine.call(function, [book])
            best = min(best, Double(now() - start) / 1e9)
        }
        return best
    }

    /// Per-command service times inside the batch call (conversion of each chunk of
    /// commands included, on the chunk's first command).
    func batchServiceTimes(prefill: Value, stream: Value, count: Int) throws -> Histogram<UInt64> {
        let book = try prefilledBook(prefill)
        guard let engineBook = book.orderBook else { fatalError("a Keel book has no engine") }
        _ = try engine.call("set_stream", [stream])
        let times = ServiceTimes(capacity: count)
        engineBook.serviceTimes = times
        times.start()
        _ = try engine.call("batch", [book])
        return histogram(of: times)
    }

    /// Per-command latency of the reference matcher over a prefilled book (host-to-script
    /// call included).
    func referenceLatency(prefill: Value, stream: [Value]) throws -> Histogram<UInt64> {
        var histogram = nanosecondHistogram()
        _ = try engine.call("reference", [prefill])
        for c in stream {
            let start = now()
            _ = try engine.call("reference_one", [c])
            _ = histogram.record(now() - start)
        }
        return histogram
    }

    /// Per-command latency of a Keel-level submit (host-to-script call included).
    func latency(prefill: Value, stream: [Value]) throws -> Histogram<UInt64> {
        var histogram = nanosecondHistogram()
        let book = try prefilledBook(prefill)
        for c in stream {
            let start = now()
            _ = try engine.call("one", [book, c])
            _ = histogram.record(now() - start)
        }
        return histogram
    }
}

func reportKeel(_ workload: Workload, nativeSeconds: Double, batchOnly: Bool = false) {
    do {
        let keel = try KeelPaths()
        let prefill = try keel.values(workload.prefill)
        let streamValues = try workload.stream.map(keel.value)
        let stream = Value.list(streamValues)
        let n = Double(workload.stream.count)
        func line(_ label: String, _ seconds: Double, _ note: String) {
            print("  \(label)" + String(format: " %6.2f M ops/s  (%.2fx the native time) ", n / seconds / 1e6, seconds / nativeSeconds) + note)
        }
        let pairs = 10
        let (batchBest, ratio) = try alternating(workload, pairs: pairs) {
            try keel.seconds("batch", prefill: prefill, stream: stream, runs: 1)
        }
        line("Keel batch:   ", batchBest, String(format: "target within 1.2x; %.2fx median of %d alternating pairs", ratio, pairs))
        if batchOnly { return }
        let (batchTimes, p99s) = try medianPass({
            try keel.batchServiceTimes(prefill: prefill, stream: stream, count: workload.stream.count)
        }, p99: { $0.valueAtPercentile(99) })
        print("    latency in the batch call; p99 of three passes: \(p99s); the median pass: " + percentiles(batchTimes))
        let enumStream = Value.list(try workload.stream.map(keel.enumValue))
        line("  from enums: ", try keel.seconds("batch", prefill: prefill, stream: enumStream), "(the general path)")
        line("Keel loop:    ", try keel.seconds("per_order", prefill: prefill, stream: stream), "target >= 1 M ops/s")
        let h = try keel.latency(prefill: prefill, stream: Array(streamValues.prefix(200_000)))
        print("    per-order latency: p50 \(h.valueAtPercentile(50)) ns, p99 \(h.valueAtPercentile(99)) ns, "
              + "p99.99 \(h.valueAtPercentile(99.99)) ns (host call into the script included)")
        // The reference matcher is an interpreted model: a prefix is enough for its rate.
        let prefix = min(workload.stream.count, 20_000)
        let all = try keel.values(workload.prefill + workload.stream.prefix(prefix))
        let start = now()
        _ = try keel.engine.call("reference", [all])
        let refSeconds = Double(now() - start) / 1e9
        let refRate = Double(workload.prefill.count + prefix) / refSeconds
        print("  Keel reference matcher:" + String(format: " %.3f M ops/s over the prefill and %d messages (%.0fx the native time per command)",
                                                    refRate / 1e6, prefix, (n / nativeSeconds) / refRate))
        let r = try keel.referenceLatency(prefill: try keel.values(workload.prefill), stream: Array(streamValues.prefix(prefix)))
        print("    per-command latency: p50 \(r.valueAtPercentile(50)) ns, p99 \(r.valueAtPercentile(99)) ns, "
              + "p99.99 \(r.valueAtPercentile(99.99)) ns (host call into the script included)")
    } catch {
        print("  Keel paths failed: \(error)")
    }
}
