import Histogram
import Keel
import Orders

// The same W2 streams through the language: the batch call (`book.run_summary`, one host
// call for the whole list), a per-order loop written in Keel (`book.submit` per command),
// and the reference matcher written in Keel (`stdlib/orders.keel`), as ratios to native.

let keelProgram = """
    use orders
    fn new_book(capacity: Int) -> Book { orders.book_with_capacity("W2", tick: 1, lot: 1, capacity: capacity) }
    fn batch(book: Book, commands: List[Command]) -> Int { book.run_summary(commands).trades }
    fn per_order(book: Book, commands: List[Command]) -> Int {
      var events = 0
      for c in commands { events += len(book.submit(c)) }
      events
    }
    fn one(book: Book, c: Command) -> Int { len(book.submit(c)) }
    fn reference(commands: List[Command]) -> Int { len(ref_run(commands, 1, 1)) }
    """

struct KeelPaths {
    let engine: Engine

    init() throws {
        engine = try Engine()
        try engine.load(source: keelProgram)
    }

    /// A native command as the Keel `Command` value a script would build (tick and lot 1).
    func value(_ command: Command) throws -> Value {
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
        _ = try engine.call("batch", [book, prefill])
        return book
    }

    /// Seconds for `function` over the stream on a prefilled book (best of `runs`).
    func seconds(_ function: String, prefill: Value, stream: Value, runs: Int = 3) throws -> Double {
        var best = Double.infinity
        for _ in 0..<runs {
            let book = try prefilledBook(prefill)
            let start = now()
            _ = try engine.call(function, [book, stream])
            best = min(best, Double(now() - start) / 1e9)
        }
        return best
    }

    /// Per-command latency of a Keel-level submit (host-to-script call included).
    func latency(prefill: Value, stream: [Value]) throws -> Histogram<UInt64> {
        var histogram = Histogram<UInt64>(highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .three)
        let book = try prefilledBook(prefill)
        for c in stream {
            let start = now()
            _ = try engine.call("one", [book, c])
            _ = histogram.record(now() - start)
        }
        return histogram
    }
}

func reportKeel(_ workload: Workload, nativeSeconds: Double) {
    do {
        let keel = try KeelPaths()
        let prefill = try keel.values(workload.prefill)
        let streamValues = try workload.stream.map(keel.value)
        let stream = Value.list(streamValues)
        let n = Double(workload.stream.count)
        func line(_ label: String, _ seconds: Double, _ note: String) {
            print("  \(label)" + String(format: " %6.2f M ops/s  (%.2fx the native time) ", n / seconds / 1e6, seconds / nativeSeconds) + note)
        }
        line("Keel batch:   ", try keel.seconds("batch", prefill: prefill, stream: stream), "target within 1.2x")
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
    } catch {
        print("  Keel paths failed: \(error)")
    }
}
