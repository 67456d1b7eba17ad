#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Money

public enum LedgerError: Error, Equatable, Sendable {
    case accountNameTaken(String)
    case accountLedgerMustNotBeZero
    /// One ledger number, one unit: this account names another unit for an existing ledger.
    case unitConflict(ledger: UInt32)
    case unknownAccountName(String)
    /// A posting's asset is not the unit of its accounts.
    case assetMismatch(String)
    /// The journal's hash chain (or a stored entry) is wrong from this entry index on.
    case chainBroken(entry: Int)
    case storage(String)
    /// A commit failed earlier; reopen the ledger from its file.
    case unusable
    /// The clock would pass the largest nanosecond count (in the year 2554).
    case clockOverflow
}

/// A double-entry ledger: accounts, transfers, two-phase holds, a hash-chained journal.
/// In memory unless opened on a file (see `Ledger(path:)`), where every write is
/// committed to SQLite before it is acknowledged.
public final class Ledger {
    public enum Clock: Sendable {
        /// Wall-clock nanoseconds (plus whatever `advance(seconds:)` added).
        case system
        /// Starts at the given nanosecond count and moves only with `advance(seconds:)`.
        case manual(start: UInt64)
    }

    public struct Options: Sendable {
        /// Hash every entry into the chain (off only for measuring the raw engine).
        public var chain: Bool
        public var clock: Clock
        public init(chain: Bool = true, clock: Clock = .system) {
            self.chain = chain
            self.clock = clock
        }
    }

    let options: Options
    // Accounts, indexed by `AccountID.index`.
    public internal(set) var accounts: [Account] = []
    var balances: [Balance] = []
    var floors: [Int128] = []     // Int128.min: no lower limit
    var caps: [Int128] = []       // Int128.max: no upper limit
    var closed: [Bool] = []
    var ledgers: [UInt32] = []
    var names: [String: AccountID] = [:]
    var units: [UInt32: Currency] = [:]
    // The journal.
    public internal(set) var entries: [Entry] = []
    var hashes: [Digest] = []
    var holds: [Hold] = []        // per entry: the state of a hold, and whether it was reversed
    var ids = IDIndex()
    var failed: [UInt128: ResultCode] = [:]
    var newFailures: [(UInt128, ResultCode)] = []
    var rates: [UInt128: Rate] = [:]
    var newRates: [(UInt128, Rate)] = []
    var expiries = DeadlineHeap()
    var history = History()
    var sealedCount = 0
    // Clock.
    var clockOffset: UInt64 = 0
    var lastTimestamp: UInt64 = 0
    var batchNow: UInt64 = 0
    // Rollback for linked chains (nil outside one).
    var undo: [Undo]?
    var store: Store?
    var usable = true

    struct Hold: Equatable {
        var state: State = .none
        var reversed = false
        enum State: UInt8 { case none, open, posted, voided, expired }
    }

    enum Undo {
        case balance(Int, Balance)
        case hold(Int, Hold)
        case closed(Int, Bool)
    }

    public init(options: Options = Options()) {
        self.options = options
    }

    // MARK: Accounts

    public func createAccount(_ account: Account) throws(LedgerError) -> AccountID {
        try ensureUsable()
        try checkNew(account)
        let id = AccountID(UInt32(accounts.count + 1))
        do {
            try store?.insertAccount(account, id: id)
        } catch {
            throw .storage("\(error)")
        }
        addAccount(account)
        return id
    }

    func checkNew(_ account: Account) throws(LedgerError) {
        guard names[account.name] == nil else { throw .accountNameTaken(account.name) }
        guard account.ledger != 0 else { throw .accountLedgerMustNotBeZero }
        if let unit = units[account.ledger], unit != account.unit { throw .unitConflict(ledger: account.ledger) }
    }

    func addAccount(_ account: Account) {
        let id = AccountID(UInt32(accounts.count + 1))
        accounts.append(account)
        balances.append(Balance())
        var floor = Int128.min
        var cap = Int128.max
        for limit in account.limits {
            switch limit {
            case .noOverdraft: floor = max(floor, 0)
            case .overdraftUpTo(let x): floor = max(floor, x > UInt128(Int128.max) ? .min : -Int128(x))
            case .minBalance(let x): floor = max(floor, x)
            case .maxBalance(let x): cap = min(cap, max(x, -Int128.max))   // keeps -cap representable
            }
        }
        floors.append(floor)
        caps.append(cap)
        closed.append(false)
        ledgers.append(account.ledger)
        names[account.name] = id
        units[account.ledger] = account.unit
        history.addAccount()
    }

    public func account(named name: String) -> AccountID? { names[name] }

    public func balance(_ id: AccountID) -> Balance? {
        id.raw >= 1 && id.index < balances.count ? balances[id.index] : nil
    }

    public func isClosed(_ id: AccountID) -> Bool {
        id.raw >= 1 && id.index < closed.count && closed[id.index]
    }

    // MARK: Writes

    /// Submits a batch. Transfers flagged `linked` form a chain with the next one: all of
    /// the chain is applied or none, and the first failure is reported (its partners
    /// answer `linkedEventFailed`). Returns one result per transfer, in order, after
    /// the batch is durable.
    public func submit(_ batch: [Transfer]) throws(LedgerError) -> [TransferResult] {
        try ensureUsable()
        beginBatch()
        var results: [TransferResult] = []
        results.reserveCapacity(batch.count)
        var i = 0
        while i < batch.count {
            if batch[i].flags.contains(.linked) {
                i = submitChain(batch, from: i, into: &results)
            } else {
                let result = attempt(batch[i])
                noteFailure(batch[i].id, result)
                results.append(result)
                i += 1
            }
        }
        try seal()
        return results
    }

    /// Submits `transfers` as one all-or-nothing group (a linked chain): either every
    /// transfer is created, or none is and the first failure is reported.
    public func submit(atomically transfers: [Transfer]) throws(LedgerError) -> [TransferResult] {
        var chain = transfers
        for i in chain.indices { chain[i].flags.formUnion(.linked) }
        if !chain.isEmpty { chain[chain.count - 1].flags.remove(.linked) }
        return try submit(chain)
    }

    public func submit(_ transfer: Transfer) throws(LedgerError) -> TransferResult {
        let results = try submit([transfer])
        return results[0]
    }

    /// Moves the clock forward; holds whose timeout has passed are released (as `expire` entries).
    /// Throws `clockOverflow`, moving nothing, when the clock would pass 2^64 ns (year 2554).
    public func advance(seconds: UInt64) throws(LedgerError) {
        try ensureUsable()
        let (span, spanOverflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        let (offset, offsetOverflow) = clockOffset.addingReportingOverflow(span)
        guard !spanOverflow, !offsetOverflow, !now().addingReportingOverflow(span).overflow else { throw .clockOverflow }
        clockOffset = offset
        beginBatch()
        try seal()
    }

    func beginBatch() {
        batchNow = now()
        expireHolds()
    }

    func submitChain(_ batch: [Transfer], from start: Int, into results: inout [TransferResult]) -> Int {
        var end = start
        while end < batch.count && batch[end].flags.contains(.linked) { end += 1 }
        guard end < batch.count else {
            for _ in start..<(batch.count - 1) { results.append(.failed(.linkedEventFailed)) }
            results.append(.failed(.linkedEventChainOpen))
            return batch.count
        }
        var chain: [TransferResult] = []
        let outcome = atomically { () -> (Int, ResultCode)? in
            for k in start...end {
                let result = attempt(batch[k])
                if case .failed(let code) = result { return (k, code) }
                chain.append(result)
            }
            return nil
        }
        if let (k, code) = outcome {
            if code.isTransient { recordFailure(batch[k].id, code) }
            for j in start...end { results.append(j == k ? .failed(code) : .failed(.linkedEventFailed)) }
        } else {
            results.append(contentsOf: chain)
        }
        return end + 1
    }

    /// Runs `body`; if it reports a failure, every change it made is rolled back.
    func atomically<T>(_ body: () -> T?) -> T? {
        let outer = undo
        let entryMark = entries.count
        let timeMark = lastTimestamp
        undo = []
        let failure = body()
        let log = undo ?? []
        undo = outer
        guard failure != nil else {
            undo?.append(contentsOf: log)
            return nil
        }
        for change in log.reversed() {
            switch change {
            case .balance(let i, let b): balances[i] = b
            case .hold(let i, let h): holds[i] = h
            case .closed(let i, let c): closed[i] = c
            }
        }
        for e in entries[entryMark...] where e.kind != .expire && e.leg == 0 { ids[e.id] = nil }
        entries.removeSubrange(entryMark...)
        holds.removeSubrange(entryMark...)
        lastTimestamp = timeMark
        return failure
    }

    func noteFailure(_ id: UInt128, _ result: TransferResult) {
        if case .failed(let code) = result, code.isTransient { recordFailure(id, code) }
    }

    func recordFailure(_ id: UInt128, _ code: ResultCode) {
        guard failed[id] == nil, ids[id] == nil, id != 0, id != .max else { return }
        failed[id] = code
        newFailures.append((id, code))
    }

    // MARK: Clock

    func now() -> UInt64 {
        switch options.clock {
        case .manual(let start):
            return start &+ clockOffset
        case .system:
            var ts = timespec()
            clock_gettime(CLOCK_REALTIME, &ts)
            return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec) &+ clockOffset
        }
    }

    /// The ledger's clock now, in nanoseconds since 1970.
    public var currentTime: UInt64 { now() }

    func nextTimestamp() -> UInt64 {
        lastTimestamp = max(lastTimestamp &+ 1, batchNow)
        return lastTimestamp
    }

    func ensureUsable() throws(LedgerError) {
        guard usable else { throw .unusable }
    }
}
