/// Multi-leg transfers, cross-unit transfers at a named rate, reversals, and posting a split plan.

public struct Leg: Equatable, Sendable {
    public enum Side: Equatable, Sendable { case debit, credit }
    public var account: AccountID
    public var side: Side
    public var amount: UInt128

    public static func debit(_ account: AccountID, _ amount: UInt128) -> Leg {
        Leg(account: account, side: .debit, amount: amount)
    }

    public static func credit(_ account: AccountID, _ amount: UInt128) -> Leg {
        Leg(account: account, side: .credit, amount: amount)
    }
}

/// A conversion between two ledgers (units): `amount(to) × denominator == amount(from) × numerator`,
/// booked through an exchange account in each ledger so that every unit still balances.
public struct Rate: Equatable, Sendable {
    public var name: String
    public var numerator: UInt128
    public var denominator: UInt128
    /// The exchange account in the `from` ledger (credited with what the legs send).
    public var fromExchange: AccountID
    /// The exchange account in the `to` ledger (debited with what the legs receive).
    public var toExchange: AccountID

    public init(name: String, numerator: UInt128, denominator: UInt128, fromExchange: AccountID, toExchange: AccountID) {
        self.name = name
        self.numerator = numerator
        self.denominator = denominator
        self.fromExchange = fromExchange
        self.toExchange = toExchange
    }
}

extension Ledger {
    /// A transfer with any number of legs. Per ledger, debits must equal credits
    /// (`legsMustBalance`), unless `rate` converts between exactly two ledgers. The legs
    /// become 2-sided entries sharing `id` (leg index 0, 1, …), applied all or nothing.
    /// The receipt describes the first entry. With `pending`, every leg becomes a hold and
    /// the group is posted (in full) or voided by one `Transfer` naming `id` as its
    /// `pendingID`, or expires as a whole after `timeout` seconds.
    public func transfer(id: UInt128, legs: [Leg], code: UInt16 = 1, userData: UInt64 = 0, rate: Rate? = nil,
                         pending: Bool = false, timeout: UInt32 = 0) throws(LedgerError) -> TransferResult {
        try ensureUsable()
        beginBatch()
        let result: TransferResult
        switch plan(id: id, legs: legs, code: code, userData: userData, rate: rate, pending: pending, timeout: timeout) {
        case .failure(let code):
            result = .failed(code)
        case .success(let postings):
            result = write(id: id, postings, mark: nil)
        }
        noteFailure(id, result)
        if case .created = result, let rate {
            rates[id] = rate
            newRates.append((id, rate))
        }
        try seal()
        return result
    }

    /// Writes the mirror of a posted transfer (all its legs) under `newID`, once.
    public func reverse(_ id: UInt128, as newID: UInt128) throws(LedgerError) -> TransferResult {
        try ensureUsable()
        beginBatch()
        let result: TransferResult
        switch mirror(of: id, retry: ids[newID] != nil) {
        case .failure(let code):
            result = .failed(code)
        case .success(let (first, postings)):
            result = write(id: newID, postings, mark: first)
        }
        noteFailure(newID, result)
        try seal()
        return result
    }

    /// The rate a cross-unit transfer was booked at (stored beside the journal, not hashed:
    /// the chain records the two converted amounts on the exchange accounts).
    public func rate(of id: UInt128) -> Rate? { rates[id] }

    /// Legs for the postings of a split plan, by account name (`Posting.source` is debited).
    public func legs(for postings: [Posting]) throws(LedgerError) -> [Leg] {
        var legs: [Leg] = []
        for p in postings {
            guard let from = names[p.source] else { throw .unknownAccountName(p.source) }
            guard let to = names[p.destination] else { throw .unknownAccountName(p.destination) }
            guard p.amount >= 0 else { throw .assetMismatch(p.asset) }
            for account in [from, to] {
                let unit = accounts[account.index].unit
                guard p.asset == unit.code || p.asset == "\(unit.code)/\(unit.minorUnits)" else {
                    throw .assetMismatch(p.asset)
                }
            }
            legs.append(.debit(from, UInt128(p.amount)))
            legs.append(.credit(to, UInt128(p.amount)))
        }
        return legs
    }

    /// Working balances for a split plan: each account's available amount under its unit code.
    public func splitPlan() -> SplitPlan {
        var balances: [String: [String: Int128]] = [:]
        for (i, a) in accounts.enumerated() {
            balances[a.name] = [a.unit.code: self.balances[i].available]
        }
        return SplitPlan(balances: balances)
    }

    // MARK: Planning

    /// Turns legs into 2-sided postings: per ledger, debits are matched to credits in order.
    func plan(id: UInt128, legs: [Leg], code: UInt16, userData: UInt64, rate: Rate?, pending: Bool,
              timeout: UInt32) -> Result<[Entry], ResultCode> {
        if id == 0 { return .failure(.idMustNotBeZero) }
        if id == .max { return .failure(.idMustNotBeIntMax) }
        if timeout != 0 && !pending { return .failure(.timeoutReservedForPendingTransfer) }
        if code == 0 { return .failure(.codeMustNotBeZero) }
        for leg in legs where leg.account.raw == 0 || leg.account.index >= accounts.count {
            return .failure(leg.side == .debit ? .debitAccountNotFound : .creditAccountNotFound)
        }
        var all = legs
        if let code = addExchangeLegs(&all, rate) { return .failure(code) }
        var byLedger: [UInt32: (debits: [Leg], credits: [Leg])] = [:]
        var order: [UInt32] = []
        for leg in all {
            let ledger = ledgers[leg.account.index]
            if byLedger[ledger] == nil { order.append(ledger) }
            if leg.side == .debit { byLedger[ledger, default: ([], [])].debits.append(leg) }
            else { byLedger[ledger, default: ([], [])].credits.append(leg) }
        }
        var postings: [Entry] = []
        for ledger in order {
            guard let sides = byLedger[ledger], let matched = match(sides.debits, sides.credits) else {
                return .failure(legsMustBalanceOrRate(rate))
            }
            for (d, c, amount) in matched where d != c {
                postings.append(Entry(kind: pending ? .pending : .single, flags: pending ? .pending : [], id: id,
                                      leg: UInt16(truncatingIfNeeded: postings.count), debit: d, credit: c,
                                      amount: amount, pendingID: 0, ledger: ledger, code: code, timeout: timeout,
                                      timestamp: 0, userData: userData))
            }
        }
        guard !postings.isEmpty, postings.count <= Int(UInt16.max) else { return .failure(.legsMustBalance) }
        return .success(postings)
    }

    private func legsMustBalanceOrRate(_ rate: Rate?) -> ResultCode {
        rate == nil ? .legsMustBalance : .rateMismatch
    }

    /// With a rate, the legs must leave exactly two ledgers unbalanced, by amounts the rate
    /// relates exactly; each is then balanced against that ledger's exchange account.
    private func addExchangeLegs(_ legs: inout [Leg], _ rate: Rate?) -> ResultCode? {
        guard let rate else { return nil }
        let ex = [rate.fromExchange, rate.toExchange]
        guard ex.allSatisfy({ $0.raw != 0 && $0.index < accounts.count }), rate.denominator != 0, rate.numerator != 0
        else { return .rateMismatch }
        let from = ledgers[rate.fromExchange.index], to = ledgers[rate.toExchange.index]
        var net: [UInt32: (debits: UInt128, credits: UInt128)] = [:]
        for leg in legs {
            let ledger = ledgers[leg.account.index]
            var n = net[ledger] ?? (0, 0)
            let sum = (leg.side == .debit ? n.debits : n.credits).addingReportingOverflow(leg.amount)
            if sum.overflow { return .overflowsDebits }
            if leg.side == .debit { n.debits = sum.partialValue } else { n.credits = sum.partialValue }
            net[ledger] = n
        }
        guard from != to, net.keys.allSatisfy({ $0 == from || $0 == to }),
              let f = net[from], let t = net[to], f.debits >= f.credits, t.credits >= t.debits else {
            return .rateMismatch
        }
        let sent = f.debits - f.credits, received = t.credits - t.debits
        let lhs = received.multipliedReportingOverflow(by: rate.denominator)
        let rhs = sent.multipliedReportingOverflow(by: rate.numerator)
        guard !lhs.overflow, !rhs.overflow, lhs.partialValue == rhs.partialValue else { return .rateMismatch }
        legs.append(.credit(rate.fromExchange, sent))
        legs.append(.debit(rate.toExchange, received))
        return nil
    }

    /// Pairs debits with credits in order; nil when the two sides' totals differ.
    private func match(_ debits: [Leg], _ credits: [Leg]) -> [(AccountID, AccountID, UInt128)]? {
        var out: [(AccountID, AccountID, UInt128)] = []
        var i = 0, j = 0
        var d = debits.first?.amount ?? 0, c = credits.first?.amount ?? 0
        while i < debits.count && j < credits.count {
            let n = min(d, c)
            if n > 0 { out.append((debits[i].account, credits[j].account, n)) }
            d -= n
            c -= n
            if d == 0 { i += 1; d = i < debits.count ? debits[i].amount : 0 }
            if c == 0 { j += 1; c = j < credits.count ? credits[j].amount : 0 }
        }
        let rest = debits[min(i, debits.count)...].contains { $0.amount > 0 } && d > 0
            || credits[min(j, credits.count)...].contains { $0.amount > 0 } && c > 0
        return rest ? nil : out
    }

    /// The mirror postings of transfer `id`, and the index of its first entry.
    /// On a `retry` (the new id exists) the reversed mark is expected and not an error.
    func mirror(of id: UInt128, retry: Bool) -> Result<(Int, [Entry]), ResultCode> {
        guard let found = ids[id].map(Int.init) else { return .failure(.transferNotReversible) }
        let first = entries[found]
        guard first.kind == .single || first.kind == .post else { return .failure(.transferNotReversible) }
        if holds[found].reversed && !retry { return .failure(.transferAlreadyReversed) }
        var postings: [Entry] = []
        var k = found
        repeat {
            var e = entries[k]
            (e.debit, e.credit) = (e.credit, e.debit)
            e.kind = .reversal
            e.flags = []
            e.pendingID = id
            e.timeout = 0
            postings.append(e)
            k += 1
        } while k < entries.count && entries[k].leg != 0 && entries[k].id == id
        return .success((found, postings))
    }

    /// Applies postings under one id, all or nothing. `mark` is the transfer a reversal reverses.
    func write(id: UInt128, _ postings: [Entry], mark: Int?) -> TransferResult {
        if id == 0 { return .failed(.idMustNotBeZero) }
        if id == .max { return .failed(.idMustNotBeIntMax) }
        if let index = ids[id].map(Int.init) { return compareGroup(postings, index) }
        if failed[id] != nil { return .failed(.idAlreadyFailed) }
        var firstIndex = 0
        let failure = atomically { () -> ResultCode? in
            for (k, var e) in postings.enumerated() {
                let d = e.debit.index, c = e.credit.index
                if closed[d] { return .debitAccountAlreadyClosed }
                if closed[c] { return .creditAccountAlreadyClosed }
                if let code = checkFunds(d, c, e.amount, pending: e.kind == .pending, timeout: e.timeout) { return code }
                e.id = id
                e.leg = UInt16(truncatingIfNeeded: k)
                e.timestamp = nextTimestamp()
                let index = append(e, held: 0)
                if k == 0 { firstIndex = index }
            }
            if let mark {
                undo?.append(.hold(mark, holds[mark]))
                holds[mark].reversed = true
            }
            return nil
        }
        if let failure { return .failed(failure) }
        return .created(receipt(firstIndex))
    }

    /// A retry of a multi-leg transfer or reversal: `exists` only if every posting matches.
    private func compareGroup(_ postings: [Entry], _ index: Int) -> TransferResult {
        for (k, p) in postings.enumerated() {
            let i = index + k
            guard i < entries.count, entries[i].leg == UInt16(truncatingIfNeeded: k),
                  k == 0 || entries[i].id == entries[index].id else { return .failed(.existsWithDifferentAmount) }
            let e = entries[i]
            if e.kind != p.kind { return .failed(.existsWithDifferentFlags) }
            if e.pendingID != p.pendingID { return .failed(.existsWithDifferentPendingID) }
            if e.debit != p.debit { return .failed(.existsWithDifferentDebitAccountID) }
            if e.credit != p.credit { return .failed(.existsWithDifferentCreditAccountID) }
            if e.amount != p.amount { return .failed(.existsWithDifferentAmount) }
            if e.userData != p.userData { return .failed(.existsWithDifferentUserData) }
            if e.ledger != p.ledger { return .failed(.existsWithDifferentLedger) }
            if e.code != p.code { return .failed(.existsWithDifferentCode) }
        }
        let next = index + postings.count
        if next < entries.count && entries[next].leg != 0 && entries[next].id == entries[index].id {
            return .failed(.existsWithDifferentAmount)
        }
        return .exists(entry: index)
    }
}
