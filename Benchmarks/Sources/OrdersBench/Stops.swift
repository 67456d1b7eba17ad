import Money
import Orders
import SeededRandom

// Not part of W2: a book with many pending stops. S stop or stop-limit orders (seeded
// splitmix64, 2027) wait 100-5,100 ticks either side of the mid; then 20,000 orders trade
// near the mid (a third of them crossing IOCs, every tenth message a cancel of a random
// stop), none reaching a stop; then a walk up the book fires the buy stops in waves.
// Pending stops are indexed by trigger price, so the near-mid trading should cost about
// what it costs with no stops at all.

func stopWorkload(stops count: Int) {
    var rand = SplitMix64(seed: 2027)
    let mid: Int64 = 1_000_000
    var id: UInt64 = 0
    func next() -> UInt64 { id += 1; return id }
    var stops: [Command] = []
    for _ in 0..<count {
        let buy = rand.below(2) == 0, distance = Int64(100 + rand.below(5_000))
        let trigger = buy ? mid + distance : mid - distance
        stops.append(.new(NewOrder(id: next(), side: buy ? .buy : .sell, type: rand.below(2) == 0 ? .stop : .stopLimit,
                                   price: buy ? trigger + 2 : trigger - 2, quantity: Int64(1 + rand.below(10)), stopPrice: trigger)))
    }
    var trading: [Command] = []
    for i in 0..<20_000 {
        if i % 10 == 9 { trading.append(.cancel(id: UInt64(1 + rand.below(max(count, 1))))); continue }
        let buy = rand.below(2) == 0, crossing = rand.below(3) == 0, k = Int64(1 + rand.below(5))
        let price = crossing ? (buy ? mid + k : mid - k) : (buy ? mid - k : mid + k)
        trading.append(.new(NewOrder(id: next(), side: buy ? .buy : .sell, type: crossing ? .ioc : .limit, price: price,
                                     quantity: Int64(1 + rand.below(50)))))
    }
    var walk: [Command] = []
    for price in stride(from: mid, through: mid + 5_200, by: 10) {
        walk.append(.new(NewOrder(id: next(), side: .sell, price: price + 12, quantity: 40)))
        walk.append(.new(NewOrder(id: next(), side: .sell, price: price, quantity: 1)))
        walk.append(.new(NewOrder(id: next(), side: .buy, type: .ioc, price: price, quantity: 1_000_000)))
    }
    guard let book = try? OrderBook(tick: Dec(1), lot: Dec(1), capacity: 1 << 20) else { return }
    var events: [Event] = []
    func perCommand(_ commands: [Command]) -> Double {
        guard !commands.isEmpty else { return 0 }
        let start = now()
        for c in commands {
            book.submit(c, into: &events)
            events.removeAll(keepingCapacity: true)
        }
        return Double(now() - start) / Double(commands.count)
    }
    let submit = perCommand(stops), near = perCommand(trading), fire = perCommand(walk)
    print("stops (\(count) pending): submit \(Int(submit)) ns/stop; trading near the mid \(Int(near)) ns/command;",
          "walk firing \(count - book.pendingStops.count) stops \(Int(fire)) ns/command")
}
