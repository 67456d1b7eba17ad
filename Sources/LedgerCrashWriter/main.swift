// Crash-test writer: opens the ledger file given as the first argument and writes batches of
// transfers forever, printing `ack <id> <id> …` (flushed) for each batch once it is durable.
// The test kills it with SIGKILL at random moments and checks every acknowledged id survived.
#if canImport(Glibc)
import Glibc
#endif
import Ledger
import Money

let arguments = CommandLine.arguments
guard arguments.count >= 3, let seed = UInt64(arguments[2]) else {
    fputs("usage: ledger-crash-writer <file> <seed>\n", stderr)
    exit(2)
}
var rng = seed | 1
func next(_ bound: UInt64) -> UInt64 {
    rng ^= rng << 13
    rng ^= rng >> 7
    rng ^= rng << 17
    return rng % bound
}

do {
    let ledger = try Ledger(path: arguments[1])
    let usd = Currency.iso("USD")!
    while ledger.accounts.count < 8 {
        _ = try ledger.createAccount(Account(name: "acct:\(ledger.accounts.count)", unit: usd, ledger: 1))
    }
    var id = (ledger.entries.map(\.id).max() ?? 0) + 1
    var open: [UInt128] = []
    while true {
        var batch: [Transfer] = []
        for _ in 0..<(1 + next(20)) {
            let d = AccountID(UInt32(1 + next(8)))
            var c = AccountID(UInt32(1 + next(8)))
            if c == d { c = AccountID(d.raw % 8 + 1) }
            if let hold = open.last, next(4) == 0 {
                open.removeLast()
                batch.append(Transfer(id: id, debit: .none, credit: .none, amount: Transfer.fullAmount, ledger: 0,
                                      code: 0, flags: .postPending, pendingID: hold))
            } else {
                let pending = next(5) == 0
                if pending { open.append(id) }
                batch.append(Transfer(id: id, debit: d, credit: c, amount: UInt128(1 + next(1000)), ledger: 1,
                                      flags: pending ? .pending : []))
            }
            id += 1
        }
        let results = try ledger.submit(batch)
        var line = "ack"
        for (t, r) in zip(batch, results) {
            if case .created = r { line += " \(t.id)" }
        }
        print(line)
        fflush(stdout)
    }
} catch {
    fputs("writer: \(error)\n", stderr)
    exit(1)
}
