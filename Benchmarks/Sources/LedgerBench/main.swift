// Ledger engine throughput, all figures in one run:
//   swift run -c release --package-path Benchmarks ledger-bench
// Targets: in memory ≥1M transfers/s (chain off), ≥500k/s (chain on); SQLite, one commit
// per batch, ≥50k/s; verify() ≥2M entries/s; an as-of balance on a 1M-entry ledger < 10 µs;
// through a Keel loop (`book.transfer` per transfer, chain on) ≥200k/s.
#if canImport(Glibc)
import Glibc
#endif
import Foundation
import Keel
import Ledger
import Money

func seconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

var rng: UInt64 = 0x2545_F491_4F6C_DD1D
func next(_ n: Int) -> Int {
    rng ^= rng << 13
    rng ^= rng >> 7
    rng ^= rng << 17
    return Int(rng % UInt64(n))
}

let accountCount = 10_000
let batchSize = 1_000
let usd = Currency.iso("USD")!

func makeAccounts(_ ledger: Ledger) throws {
    for i in 0..<accountCount { _ = try ledger.createAccount(Account(name: "acct:\(i)", unit: usd, ledger: 1)) }
}

/// Random 2-leg transfers, generated before timing starts.
func makeBatches(count: Int, firstID: UInt128) -> [[Transfer]] {
    var id = firstID
    return (0..<(count / batchSize)).map { _ in
        (0..<batchSize).map { _ in
            let d = 1 + next(accountCount)
            var c = 1 + next(accountCount)
            if c == d { c = d % accountCount + 1 }
            id += 1
            return Transfer(id: id, debit: AccountID(UInt32(d)), credit: AccountID(UInt32(c)),
                            amount: UInt128(1 + next(100_000)), ledger: 1)
        }
    }
}

func run(_ ledger: Ledger, _ batches: [[Transfer]]) throws -> Double {
    let start = seconds()
    var created = 0
    for batch in batches {
        for result in try ledger.submit(batch) {
            if case .created = result { created += 1 }
        }
    }
    let elapsed = seconds() - start
    precondition(created == batches.count * batchSize, "some transfers failed")
    return Double(created) / elapsed
}

func format(_ perSecond: Double) -> String {
    perSecond >= 1e6 ? String(format: "%.2fM", perSecond / 1e6) : String(format: "%.0fk", perSecond / 1e3)
}

func report(_ name: String, _ value: String, target: String, ok: Bool) {
    print(name.padding(toLength: 50, withPad: " ", startingAt: 0), value.padding(toLength: 20, withPad: " ", startingAt: 0),
          "target \(target)", ok ? "ok" : "MISSED")
}

/// The same 2-leg transfers written one at a time from a Keel loop: the binding's per-call
/// cost (arguments, the engine's single-transfer batch, the `Posted` result) included.
let keelLoop = """
    use ledger
    let book = ledger.new()
    var accounts: List[Account[USD]] = []
    fn open(n: Int) -> Int {
      for i in 0..n { accounts.push(book.account("acct:${i}", USD)) }
      accounts.len()
    }
    fn transfers(first: Int, n: Int, seed: Int) -> Int {
      var x = seed
      var created = 0
      let count = accounts.len()
      for i in 0..n {
        x = (x * 1103515245 + 12345) % 2147483648
        let d = x % count
        let c = (d + 1 + div(x, count) % (count - 1)) % count
        match book.transfer(first + i, from: accounts[d], to: accounts[c], 12.34 USD) {
          created(_) => { created += 1 },
          _ => {},
        }
      }
      created
    }
    """

func keelLoopRate(_ count: Int) throws -> Double {
    let engine = try Engine()
    try engine.load(source: keelLoop, name: "ledger-loop.keel")
    _ = try engine.call("open", [.int(accountCount)])
    let start = seconds()
    let created = try engine.call("transfers", [.int(1), .int(count), .int(7)])
    let elapsed = seconds() - start
    precondition(created.intValue == count, "some transfers failed")
    return Double(count) / elapsed
}

let total = 1_000_000
do {
    let plain = Ledger(options: .init(chain: false))
    try makeAccounts(plain)
    let off = try run(plain, makeBatches(count: total, firstID: 0))
    report("in memory, chain off (2-leg, batches of 1000)", "\(format(off))/s", target: "≥1M/s", ok: off >= 1e6)

    let chained = Ledger()
    try makeAccounts(chained)
    let on = try run(chained, makeBatches(count: total, firstID: 0))
    report("in memory, chain on", "\(format(on))/s", target: "≥500k/s", ok: on >= 5e5)

    let start = seconds()
    try chained.verify()
    let verifyRate = Double(chained.entries.count) / (seconds() - start)
    report("verify()", "\(format(verifyRate)) entries/s", target: "≥2M/s", ok: verifyRate >= 2e6)

    let queries = 200_000
    let picks = (0..<queries).map { _ in (AccountID(UInt32(1 + next(accountCount))), next(total)) }
    // The first query indexes the whole journal; report it apart from the steady state.
    let catchUpStart = seconds()
    var sink: UInt128 = chained.balance(AccountID(1), asOfEntry: 0)?.creditsPosted ?? 0
    let catchUp = (seconds() - catchUpStart) * 1e3
    report("as-of index catch-up (first query, 1M entries)", String(format: "%.0f ms", catchUp), target: "-", ok: true)
    let asOfStart = seconds()
    for (account, index) in picks { sink &+= chained.balance(account, asOfEntry: index)?.creditsPosted ?? 0 }
    let asOf = (seconds() - asOfStart) / Double(queries) * 1e9
    report("as-of balance, 1M-entry ledger", String(format: "%.0f ns", asOf), target: "<10 µs", ok: asOf < 10_000)

    let path = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-bench-\(getpid()).db").path
    defer {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }
    let durable = try Ledger(path: path)
    try makeAccounts(durable)
    let stored = try run(durable, makeBatches(count: 200_000, firstID: 0))
    report("SQLite (WAL, synchronous=FULL), 1 commit/batch", "\(format(stored))/s", target: "≥50k/s", ok: stored >= 5e4)
    let keel = try keelLoopRate(500_000)
    report("through a Keel loop (book.transfer, chain on)", "\(format(keel))/s", target: "≥200k/s", ok: keel >= 2e5)
    print("(checksum \(sink % 10))")
} catch {
    print("ledger-bench failed: \(error)")
    exit(1)
}
