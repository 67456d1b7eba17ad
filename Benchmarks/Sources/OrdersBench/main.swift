#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import DecBenchAllocCounter
import Foundation
import Histogram
import Money
import Orders
import Keel

// orders-bench: the native order book on workload W2.
//
// W2 (copy this exactly to reproduce the stream elsewhere):
//   PRNG: splitmix64 (`SeededRandom`, as in scripts' `random`), seeded with 2026; `rand()` is its next output, `rand(n)` is
//   `rand() % n`. Integer prices (tick 1, lot 1) around the fixed mid M = 1,000,000. Ids
//   count up from 1 in order of use.
//   Prefill: T GTC limits: side = buy if rand(2) == 0 else sell, d = 1 + rand(B),
//     price = M - d (buy) or M + d (sell), qty = 1 + rand(100).
//   Then N messages, each drawing r = rand(1000):
//     r < 100: IOC: side = rand(2), k = rand(5), price = M + k (buy) or M - k (sell), qty = 1 + rand(100).
//     r < 200 and a live order exists: replace: id = live[rand(live.count)], d = 1 + rand(B),
//       price = M - d if that order is a buy else M + d, qty = 1 + rand(100) (modify).
//     else if more than T orders are live: cancel live[rand(live.count)].
//     else GTC limit: side = rand(2); if rand(8) == 0 (12.5%) it crosses: k = rand(5),
//       price = M + k (buy) or M - k (sell); else d = 1 + rand(B), price = M - d (buy) or
//       M + d (sell); qty = 1 + rand(100).
//   "live" = ids resting in the book after the previous message, kept in an array with
//   swap-remove (order matters: a removed id's slot gets the array's last id). A new
//   GTC id joins at the end when it rests; ids leave when filled, cancelled, or a
//   modify fills them.
//   W2-1k: T = 1,000, B = 50; W2-100k: T = 100,000, B = 500; N = 2,000,000 each.
//
// The stream is generated once against a scratch book (the live set needs its answers),
// then replayed into fresh books, so the timings hold engine work only.


struct W2 {
    static let mid: Int64 = 1_000_000
    let target: Int, band: Int
    var rand = SplitMix64(seed: 2026)
    var nextId: UInt64 = 1
    var live: [UInt64] = []
    /// id → index in `live`, or -1.
    var position: [Int32]
    var isBuy: [Bool]

    init(target: Int, band: Int, messages: Int) {
        self.target = target
        self.band = band
        position = Array(repeating: -1, count: target + messages + 2)
        isBuy = Array(repeating: false, count: target + messages + 2)
    }

    mutating func limit(type: OrderType, crossing: Bool) -> Command {
        let buy = rand.below(2) == 0
        let price: Int64
        if crossing {
            let k = Int64(rand.below(5))
            price = buy ? Self.mid + k : Self.mid - k
        } else {
            let d = Int64(1 + rand.below(band))
            price = buy ? Self.mid - d : Self.mid + d
        }
        let id = nextId
        nextId += 1
        isBuy[Int(id)] = buy
        return .new(NewOrder(id: id, side: buy ? .buy : .sell, type: type, price: price, quantity: Int64(1 + rand.below(100))))
    }

    mutating func prefill() -> Command { limit(type: .limit, crossing: false) }

    mutating func next() -> Command {
        let r = rand.below(1000)
        if r < 100 { return limit(type: .ioc, crossing: true) }
        if r < 200 && !live.isEmpty {
            let id = live[rand.below(live.count)]
            let d = Int64(1 + rand.below(band))
            return .modify(id: id, price: isBuy[Int(id)] ? Self.mid - d : Self.mid + d, quantity: Int64(1 + rand.below(100)))
        }
        if live.count > target { return .cancel(id: live[rand.below(live.count)]) }
        return limit(type: .limit, crossing: rand.below(8) == 0)
    }

    /// Updates the live set from what `command` did to `book`.
    mutating func observe(_ command: Command, _ events: [Event], _ book: OrderBook) {
        switch command {
        case .new(let order): if book.isResting(order.id) { add(order.id) }
        case .cancel(let id): remove(id)
        case .modify(let id, _, _): if !book.isResting(id) { remove(id) }
        case .rejectAtEdge: break
        }
        for event in events where event.kind == .trade && !book.isResting(event.maker) { remove(event.maker) }
    }

    mutating func add(_ id: UInt64) {
        position[Int(id)] = Int32(live.count)
        live.append(id)
    }

    mutating func remove(_ id: UInt64) {
        let index = Int(position[Int(id)])
        guard index >= 0 else { return }
        let last = live.removeLast()
        if last != id {
            live[index] = last
            position[Int(last)] = Int32(index)
        }
        position[Int(id)] = -1
    }
}

struct Workload {
    let name: String
    let target: Int
    let prefill: [Command]
    let stream: [Command]
}

func generate(name: String, target: Int, band: Int, messages: Int) -> Workload {
    var generator = W2(target: target, band: band, messages: messages)
    let book = makeBook(target: target)
    var events: [Event] = []
    var prefill: [Command] = [], stream: [Command] = []
    prefill.reserveCapacity(target)
    stream.reserveCapacity(messages)
    // The generator's live set follows what the scratch book did with each command.
    func apply(_ command: Command) -> Command {
        events.removeAll(keepingCapacity: true)
        book.submit(command, into: &events)
        generator.observe(command, events, book)
        return command
    }
    for _ in 0..<target { prefill.append(apply(generator.prefill())) }
    for _ in 0..<messages { stream.append(apply(generator.next())) }
    return Workload(name: name, target: target, prefill: prefill, stream: stream)
}

func makeBook(target: Int) -> OrderBook {
    // Live orders stay near T (cancels start above T); the slack covers bursts of
    // crossing GTC remainders.
    guard let book = try? OrderBook(tick: Dec(1), lot: Dec(1), capacity: target + target / 8 + 64) else {
        fatalError("bad benchmark configuration")
    }
    return book
}

@inline(__always)
func now() -> UInt64 {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
}

func prefilled(_ workload: Workload) -> OrderBook {
    let book = makeBook(target: workload.target)
    var events: [Event] = []
    for command in workload.prefill {
        events.removeAll(keepingCapacity: true)
        book.submit(command, into: &events)
    }
    return book
}

/// Seconds to run the stream into a prefilled book (best of `runs`).
/// The batch entry point, 256 commands at a time (as an embedding would call it);
/// `counted` gets each chunk's number of events.
func submitInChunks(_ commands: [Command], to book: OrderBook, events: inout [Event], counted: (Int) -> Void) {
    commands.withUnsafeBufferPointer { stream in
        var position = 0
        while position < stream.count {
            let end = min(position + 256, stream.count)
            book.submit(contentsOf: UnsafeBufferPointer(rebasing: stream[position..<end]), into: &events)
            counted(events.count)
            events.removeAll(keepingCapacity: true)
            position = end
        }
    }
}

func throughput(_ workload: Workload, runs: Int = 3) -> (seconds: Double, book: OrderBook, events: Int) {
    var best = Double.infinity, last: OrderBook?, count = 0
    for _ in 0..<runs {
        let book = prefilled(workload)
        var events: [Event] = []
        events.reserveCapacity(1024)
        count = 0
        let start = now()
        submitInChunks(workload.stream, to: book, events: &events) { count &+= $0 }
        best = min(best, Double(now() - start) / 1e9)
        last = book
    }
    guard let book = last else { fatalError("no run") }
    return (best, book, count)
}

/// Heap allocations (and bytes) while the stream runs into a prefilled book: the
/// steady state should allocate nothing but the seen-id bitmap's occasional doubling.
func allocations(_ workload: Workload) -> (count: Int64, bytes: Int64) {
    let book = prefilled(workload)
    var events: [Event] = []
    events.reserveCapacity(1 << 16)
    decbench_alloc_start()
    submitInChunks(workload.stream, to: book, events: &events) { _ in }
    decbench_alloc_stop()
    return (decbench_alloc_count(), decbench_alloc_bytes())
}

/// What `latencies` measures when there is nothing between the two clock reads.
func timerOverhead() -> Histogram<UInt64> {
    var histogram = nanosecondHistogram()
    for _ in 0..<1_000_000 {
        let start = now()
        _ = histogram.record(now() - start)
    }
    return histogram
}

/// An empty histogram of nanoseconds up to a minute, to three significant digits.
func nanosecondHistogram() -> Histogram<UInt64> {
    Histogram<UInt64>(highestTrackableValue: 60_000_000_000, numberOfSignificantValueDigits: .three)
}

/// Per-command latency in nanoseconds: all commands, then new orders, cancels, modifies.
/// The times go to a preallocated array first and into histograms after the run: a
/// histogram's counts (hundreds of KiB, touched at random) would otherwise compete with
/// the book for the cache between commands, and the harness would time itself.
func latencies(_ workload: Workload) -> [Histogram<UInt64>] {
    let book = prefilled(workload)
    var events: [Event] = []
    events.reserveCapacity(1024)
    var elapsed = [UInt64](repeating: 0, count: workload.stream.count)
    elapsed.withUnsafeMutableBufferPointer { elapsed in
        for (index, command) in workload.stream.enumerated() {
            let start = now()
            book.submit(command, into: &events)
            elapsed[index] = now() - start
            events.removeAll(keepingCapacity: true)
        }
    }
    return histogramsByKind(workload.stream, elapsed)
}

/// Histograms of `nanoseconds`, one time per command of `stream`: all commands, then
/// passive and crossing limits, IOCs and other new orders, cancels, modifies.
func histogramsByKind(_ stream: [Command], _ nanoseconds: [UInt64]) -> [Histogram<UInt64>] {
    let empty = nanosecondHistogram()
    var histograms = [empty, empty, empty, empty, empty]
    for (command, time) in zip(stream, nanoseconds) {
        _ = histograms[0].record(time)
        switch command {
        case .new(let order): _ = histograms[order.type == .limit ? 1 : 2].record(time)
        case .cancel: _ = histograms[3].record(time)
        case .modify: _ = histograms[4].record(time)
        case .rejectAtEdge: break
        }
    }
    return histograms
}

/// p99 of each kind of `histogramsByKind`, on one line.
func p99sByKind(_ histograms: [Histogram<UInt64>]) -> String {
    zip(["limits", "IOCs", "cancels", "modifies"], histograms.dropFirst())
        .map { "\($0) \($1.valueAtPercentile(99)) ns" }.joined(separator: ", ")
}

/// Per-command service times inside the native batch call (`ServiceTimes`), by kind as
/// `histogramsByKind` gives them.
func batchServiceTimes(_ workload: Workload, clock: ServiceTimes.Clock) -> [Histogram<UInt64>] {
    let book = prefilled(workload)
    var events: [Event] = []
    events.reserveCapacity(1024)
    let times = ServiceTimes(capacity: workload.stream.count, clock: clock)
    book.serviceTimes = times
    times.start()
    submitInChunks(workload.stream, to: book, events: &events) { _ in }
    return histogramsByKind(workload.stream, times.nanoseconds)
}

func histogram(of times: ServiceTimes) -> Histogram<UInt64> {
    var histogram = nanosecondHistogram()
    for t in times.nanoseconds { _ = histogram.record(t) }
    return histogram
}

/// "p50 …, p99 …, p99.99 …, max …" of `histogram`.
func percentiles(_ histogram: Histogram<UInt64>) -> String {
    "p50 \(histogram.valueAtPercentile(50)) ns, p99 \(histogram.valueAtPercentile(99)) ns, "
        + "p99.99 \(histogram.valueAtPercentile(99.99)) ns, max \(histogram.max) ns"
}

/// The median of three passes of `measure` by p99, and the three p99s: the machine's
/// memory latency moves by half between seconds.
func medianPass<T>(_ measure: () throws -> T, p99: (T) -> UInt64) rethrows -> (median: T, p99s: String) {
    let passes = try (0..<3).map { _ in try measure() }.sorted { p99($0) < p99($1) }
    return (passes[1], passes.map { "\(p99($0)) ns" }.joined(separator: ", "))
}

/// Seconds with every command journaled first (best of `runs`).
func journaled(_ workload: Workload, policy: FsyncPolicy, runs: Int = 3) -> Double {
    let path = "/tmp/orders-bench-\(getpid()).journal"
    var best = Double.infinity
    for _ in 0..<runs {
        unlink(path)
        let book = prefilled(workload)
        guard let writer = try? JournalWriter(path: path, policy: policy) else { fatalError("cannot open \(path)") }
        let journaledBook = JournaledBook(book: book, writer: writer)
        var events: [Event] = []
        events.reserveCapacity(1024)
        let start = now()
        do {
            try workload.stream.withUnsafeBufferPointer { stream throws(JournalError) in
                var position = 0
                while position < stream.count {
                    let end = min(position + 256, stream.count)
                    try journaledBook.submit(contentsOf: UnsafeBufferPointer(rebasing: stream[position..<end]),
                                             into: &events)
                    events.removeAll(keepingCapacity: true)
                    position = end
                }
            }
            try writer.flush()
        } catch {
            fatalError("journal: \(error)")
        }
        best = min(best, Double(now() - start) / 1e9)
    }
    unlink(path)
    return best
}

func report(_ workload: Workload, opsTarget: Double) {
    let (seconds, book, events) = throughput(workload, runs: mode.isEmpty ? 3 : 10)
    let rate = Double(workload.stream.count) / seconds
    print("\(workload.name): \(workload.stream.count) messages over \(workload.target) resting orders")
    print(String(format: "  native:        %6.2f M ops/s  (%.1f ns/op; target %.0f M)  %d events, %d trades so far",
                 rate / 1e6, seconds / Double(workload.stream.count) * 1e9, opsTarget / 1e6, events, book.tradeSequence))
    if mode == "native" { return }
    if mode == "batch" { return reportKeel(workload, nativeSeconds: seconds, batchOnly: true) }
    if mode == "journal" { return reportJournal(workload, nativeSeconds: seconds) }
    reportLatencies(workload)
    if mode == "latency" { return }
    let (allocationCount, allocationBytes) = allocations(workload)
    print("  allocations:   \(allocationCount) (\(allocationBytes / 1024) KiB) over the whole stream")
    let perOrder = Double(book.memoryFootprint) / Double(book.restingCount)
    print(String(format: "  memory:        %.1f bytes per resting order (%d resting, capacity %d; target 96)",
                 perOrder, book.restingCount, book.capacity)
          + ", plus \(book.seenIdBytes / 1024) KiB of seen-id bitmap for \(book.commandCount) commands")
    reportKeel(workload, nativeSeconds: seconds)
    reportJournal(workload, nativeSeconds: seconds)
}

/// Per-command latencies: each command submitted and timed alone, then each command's
/// service time inside the batch call.
func reportLatencies(_ workload: Workload) {
    let (alone, aloneP99s) = medianPass({ latencies(workload) }, p99: { $0[0].valueAtPercentile(99) })
    print("  latency, one submit per command; p99 of three passes: \(aloneP99s); the median pass:")
    for (label, histogram) in zip(["all:        ", "limits:     ", "IOCs, other:", "cancels:    ", "modifies:   "], alone) {
        print("    \(label) " + percentiles(histogram)
              + (label.hasPrefix("all") ? "  (target p99 < 500 ns)" : "  (\(histogram.totalCount) commands)"))
    }
    print("  latency in the batch call (service time per command: from the end of one command to the end of the next);")
    let untimed = (0..<3).map { _ in throughput(workload, runs: 1).seconds }.sorted()[1]
    print(String(format: "  untimed, the same stream takes %.1f ns a command (median of three); a clock's reads slow it by what its mean adds:",
                 untimed / Double(workload.stream.count) * 1e9))
    // Without an invariant counter the preferred clock is the monotonic one: timed once.
    let clocks: [ServiceTimes.Clock] = ServiceTimes.Clock.preferred == .timeStampCounter ? [.timeStampCounter, .monotonic] : [.monotonic]
    for clock in clocks {
        let (batch, p99s) = medianPass({ batchServiceTimes(workload, clock: clock) }, p99: { $0[0].valueAtPercentile(99) })
        let name = clock == .timeStampCounter ? "time-stamp counter (RDTSC)" : "monotonic clock (ordered) "
        print("    \(name): p99 of three passes: \(p99s); the median pass:")
        print("      " + percentiles(batch[0]) + String(format: ", mean %.1f ns  (target p99 < 500 ns)", batch[0].mean))
        print("      p99 by kind: " + p99sByKind(batch))
    }
    let timer = timerOverhead()
    print("    (the monotonic clock itself, read twice around nothing: p50 \(timer.valueAtPercentile(50)) ns, "
          + "p99 \(timer.valueAtPercentile(99)) ns; included above)")
    let bytes = prefilled(workload).memoryFootprint
    let (floor, floorP99s) = medianPass({ randomReads(bytes: bytes) }, p99: { $0.valueAtPercentile(99) })
    print("    (the memory itself, one read of a random line of \(bytes >= 1 << 20 ? "\(bytes >> 20) MiB" : "\(bytes >> 10) KiB") in huge pages, the book's size; "
          + "p99 of three passes: \(floorP99s); p50 \(floor.valueAtPercentile(50)) ns: a command that must reach one "
          + "order at random waits at least this)")
}

/// Latencies of single reads of random cache lines of a `bytes` buffer laid out as the
/// order table is (2 MiB-aligned, huge pages): the floor under any command that has to
/// reach one of 100,000 orders at random, which moves with the machine's memory.
func randomReads(bytes: Int) -> Histogram<UInt64> {
    let lines = max(bytes / 64, 1)
    var raw: UnsafeMutableRawPointer?
    guard posix_memalign(&raw, 2 << 20, lines * 64) == 0, let raw else { fatalError("no memory") }
    defer { free(raw) }
    #if os(Linux)
    _ = madvise(raw, lines * 64, MADV_HUGEPAGE)
    #endif
    let words = raw.bindMemory(to: UInt64.self, capacity: lines * 8)
    for index in 0..<lines * 8 { words[index] = UInt64(index) }
    var generator = SplitMix64(seed: 7)
    var elapsed = [UInt64](repeating: 0, count: 1_000_000)
    var sum: UInt64 = 0
    for index in elapsed.indices {
        let line = Int(generator.next() % UInt64(lines))
        let start = now()
        sum &+= words[line * 8 + Int(sum & 1)]
        elapsed[index] = now() - start
    }
    var histogram = nanosecondHistogram()
    for nanoseconds in elapsed { _ = histogram.record(nanoseconds) }
    randomReadsChecksum = sum
    return histogram
}

/// Keeps the reads of `randomReads` from being optimised away.
nonisolated(unsafe) var randomReadsChecksum: UInt64 = 0

/// Seconds of `other` (best) and its time over native's as the median of `pairs`
/// alternating runs: the machine's speed drifts by a third between seconds, and a ratio
/// taken within each pair cancels the drift. Every other pair runs `other` first, so
/// whatever the first run of a pair leaves behind (the allocator's state, a warmer or
/// colder cache) is not charged to one side only.
func alternating(_ workload: Workload, pairs: Int, _ other: () throws -> Double) rethrows -> (best: Double, ratio: Double) {
    var best = Double.infinity, ratios: [Double] = []
    for pair in 0..<pairs {
        var native = 0.0, seconds = 0.0
        if pair % 2 == 0 {
            native = throughput(workload, runs: 1).seconds
            seconds = try other()
        } else {
            seconds = try other()
            native = throughput(workload, runs: 1).seconds
        }
        best = min(best, seconds)
        ratios.append(seconds / native)
    }
    ratios.sort()
    return (best, ratios[ratios.count / 2])
}

func reportJournal(_ workload: Workload, nativeSeconds: Double) {
    let pairs = 10
    for (label, policy) in [("journal none ", FsyncPolicy.none), ("journal 1000 ", .every(1000))] {
        let (best, ratio) = alternating(workload, pairs: pairs) { journaled(workload, policy: policy, runs: 1) }
        print("  \(label)" + String(format: " %6.2f M ops/s  (%.2fx the native time; target 1.3x; %.2fx median of %d alternating pairs)",
                     Double(workload.stream.count) / best / 1e6, best / nativeSeconds, ratio, pairs))
    }
}

// orders-bench [MESSAGES] [1k|100k|wide|stops] [native|latency|batch|journal]
// `native` stops after the native throughput line (best of 10 runs), for profiling;
// `latency` after the per-command latencies;
// `batch` and `journal` run only that comparison after it.
let arguments = CommandLine.arguments
let messages = arguments.count > 1 ? Int(arguments[1]) ?? 2_000_000 : 2_000_000
let only = arguments.count > 2 ? arguments[2] : ""
let mode = arguments.count > 3 ? arguments[3] : ""
if only != "100k" && only != "stops" { report(generate(name: "W2-1k", target: 1_000, band: 50, messages: messages), opsTarget: 10e6) }
if only != "1k" && only != "wide" && only != "stops" {
    report(generate(name: "W2-100k", target: 100_000, band: 500, messages: messages), opsTarget: 5e6)
}
// Not part of W2: the same generator over a band of 100,000 ticks, so nearly every order
// is alone at its price and levels come and go all the time (the price-level structure's
// hard case).
if only == "wide" { report(generate(name: "W2-100k-wide", target: 100_000, band: 100_000, messages: messages), opsTarget: 5e6) }
if only == "" || only == "stops" {
    stopWorkload(stops: 0)
    stopWorkload(stops: 50_000)
}
