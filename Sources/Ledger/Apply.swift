/// Validation and application of one transfer. Checks run in the order of
/// `ResultCode`'s precedence and nothing is written until all of them pass.
extension Ledger {
    func attempt(_ t: Transfer) -> TransferResult {
        if t.id == 0 { return .failed(.idMustNotBeZero) }
        if t.id == .max { return .failed(.idMustNotBeIntMax) }
        if let index = ids[t.id] { return compareExisting(t, Int(index)) }
        if !failed.isEmpty && failed[t.id] != nil { return .failed(.idAlreadyFailed) }
        if let code = flagConflict(t.flags) { return .failed(code) }
        if t.flags.contains(.postPending) || t.flags.contains(.voidPending) {
            return resolve(t)
        }
        return create(t)
    }

    func flagConflict(_ f: TransferFlags) -> ResultCode? {
        let modes = f.intersection([.pending, .postPending, .voidPending]).rawValue.nonzeroBitCount
        let resolving = f.contains(.postPending) || f.contains(.voidPending)
        let special: TransferFlags = [.balancingDebit, .balancingCredit, .closingDebit, .closingCredit]
        if modes > 1 || (resolving && !f.isDisjoint(with: special)) { return .flagsAreMutuallyExclusive }
        return nil
    }

    /// An identical retry answers `exists`; any difference names the first differing field.
    func compareExisting(_ t: Transfer, _ index: Int) -> TransferResult {
        let e = entries[index]
        let resolving = t.flags.contains(.postPending) || t.flags.contains(.voidPending)
        let amountFree = t.flags.contains(.balancingDebit) || t.flags.contains(.balancingCredit)
            || (t.flags.contains(.postPending) && t.amount == Transfer.fullAmount)
            || (t.flags.contains(.voidPending) && t.amount == 0)
        let groupResolution = e.kind == .post || e.kind == .void
        if t.flags != e.flags || e.kind == .reversal || e.leg != 0 || (isMultiLeg(index) && !groupResolution) {
            return .failed(.existsWithDifferentFlags)
        }
        if t.pendingID != e.pendingID { return .failed(.existsWithDifferentPendingID) }
        if t.timeout != e.timeout { return .failed(.existsWithDifferentTimeout) }
        if !(resolving && t.debit == .none) && t.debit != e.debit { return .failed(.existsWithDifferentDebitAccountID) }
        if !(resolving && t.credit == .none) && t.credit != e.credit {
            return .failed(.existsWithDifferentCreditAccountID)
        }
        if !amountFree && t.amount != e.amount { return .failed(.existsWithDifferentAmount) }
        if t.userData != e.userData { return .failed(.existsWithDifferentUserData) }
        if !(resolving && t.ledger == 0) && t.ledger != e.ledger { return .failed(.existsWithDifferentLedger) }
        if !(resolving && t.code == 0) && t.code != e.code { return .failed(.existsWithDifferentCode) }
        return .exists(entry: index)
    }

    func isMultiLeg(_ index: Int) -> Bool {
        index + 1 < entries.count && entries[index + 1].leg != 0
    }

    /// A single-phase or pending transfer.
    func create(_ t: Transfer) -> TransferResult {
        if let code = checkShape(t) { return .failed(code) }
        let d = t.debit.index, c = t.credit.index
        if d >= accounts.count { return .failed(.debitAccountNotFound) }
        if c >= accounts.count { return .failed(.creditAccountNotFound) }
        if ledgers[d] != ledgers[c] { return .failed(.accountsMustHaveTheSameLedger) }
        if t.ledger != ledgers[d] { return .failed(.transferMustHaveTheSameLedgerAsAccounts) }
        if closed[d] { return .failed(.debitAccountAlreadyClosed) }
        if closed[c] { return .failed(.creditAccountAlreadyClosed) }
        let pending = t.flags.contains(.pending)
        let amount = clamp(t, d, c)
        if let code = checkFunds(d, c, amount, pending: pending, timeout: t.timeout) { return .failed(code) }
        let entry = Entry(kind: pending ? .pending : .single, flags: t.flags, id: t.id, leg: 0, debit: t.debit,
                          credit: t.credit, amount: amount, pendingID: 0, ledger: t.ledger, code: t.code,
                          timeout: t.timeout, timestamp: nextTimestamp(), userData: t.userData)
        let index = append(entry, held: 0)
        if pending {
            if t.flags.contains(.closingDebit) { setClosed(d, true) }
            if t.flags.contains(.closingCredit) { setClosed(c, true) }
        }
        return .created(receipt(index, amount, d, c))
    }

    func checkShape(_ t: Transfer) -> ResultCode? {
        if t.debit == .none { return .debitAccountIDMustNotBeZero }
        if t.debit.raw == .max { return .debitAccountIDMustNotBeIntMax }
        if t.credit == .none { return .creditAccountIDMustNotBeZero }
        if t.credit.raw == .max { return .creditAccountIDMustNotBeIntMax }
        if t.debit == t.credit { return .accountsMustBeDifferent }
        if t.pendingID != 0 { return .pendingIDMustBeZero }
        let pending = t.flags.contains(.pending)
        if t.timeout != 0 && !pending { return .timeoutReservedForPendingTransfer }
        if !pending && (t.flags.contains(.closingDebit) || t.flags.contains(.closingCredit)) {
            return .closingTransferMustBePending
        }
        if t.ledger == 0 { return .ledgerMustNotBeZero }
        if t.code == 0 { return .codeMustNotBeZero }
        return nil
    }

    /// Balancing transfers take at most what the account's limit (or, without one, its
    /// own balance) leaves room for.
    func clamp(_ t: Transfer, _ d: Int, _ c: Int) -> UInt128 {
        var amount = t.amount
        if t.flags.contains(.balancingDebit) {
            let b = balances[d]
            let top = Self.top(b.creditsPosted, floor: floors[d] == .min ? 0 : floors[d])
            let used = b.debitsPosted.addingReportingOverflow(b.debitsPending)
            amount = min(amount, used.overflow || used.partialValue >= top ? 0 : top - used.partialValue)
        }
        if t.flags.contains(.balancingCredit) {
            let b = balances[c]
            let top = Self.top(b.debitsPosted, floor: caps[c] == .max ? 0 : -caps[c])
            let used = b.creditsPosted.addingReportingOverflow(b.creditsPending)
            amount = min(amount, used.overflow || used.partialValue >= top ? 0 : top - used.partialValue)
        }
        return amount
    }

    /// The largest total `x` with `base - x >= floor`, saturating at the counter range.
    static func top(_ base: UInt128, floor: Int128) -> UInt128 {
        if floor >= 0 { return base >= UInt128(floor) ? base - UInt128(floor) : 0 }
        let room = base.addingReportingOverflow(floor.magnitude)
        return room.overflow ? .max : room.partialValue
    }

    /// Overflow of any counter, then the accounts' limits (posted plus pending).
    func checkFunds(_ d: Int, _ c: Int, _ amount: UInt128, pending: Bool, timeout: UInt32) -> ResultCode? {
        let db = balances[d], cb = balances[c]
        if pending {
            if db.debitsPending.addingReportingOverflow(amount).overflow { return .overflowsDebitsPending }
            if cb.creditsPending.addingReportingOverflow(amount).overflow { return .overflowsCreditsPending }
        } else {
            if db.debitsPosted.addingReportingOverflow(amount).overflow { return .overflowsDebitsPosted }
            if cb.creditsPosted.addingReportingOverflow(amount).overflow { return .overflowsCreditsPosted }
        }
        let debits = db.debitsPosted.addingReportingOverflow(db.debitsPending)
        let debitsAfter = debits.partialValue.addingReportingOverflow(amount)
        if debits.overflow || debitsAfter.overflow { return .overflowsDebits }
        let credits = cb.creditsPosted.addingReportingOverflow(cb.creditsPending)
        let creditsAfter = credits.partialValue.addingReportingOverflow(amount)
        if credits.overflow || creditsAfter.overflow { return .overflowsCredits }
        if pending && timeout != 0 && deadline(batchNow, timeout) == nil { return .overflowsTimeout }
        if floors[d] != .min && debitsAfter.partialValue > Self.top(db.creditsPosted, floor: floors[d]) {
            return .exceedsCredits
        }
        if caps[c] != .max && creditsAfter.partialValue > Self.top(cb.debitsPosted, floor: -caps[c]) {
            return .exceedsDebits
        }
        return nil
    }

    /// The start of the millisecond a timestamp falls in. Writes made at one clock reading get
    /// timestamps a nanosecond apart; their holds' timeouts run from that shared reading, so
    /// holds written together expire together.
    static func millisecond(of timestamp: UInt64) -> UInt64 { timestamp / 1_000_000 * 1_000_000 }

    func deadline(_ timestamp: UInt64, _ timeout: UInt32) -> UInt64? {
        let span = UInt64(timeout).multipliedReportingOverflow(by: 1_000_000_000)
        let end = timestamp.addingReportingOverflow(span.partialValue)
        return span.overflow || end.overflow ? nil : end.partialValue
    }

    /// Posts or voids a hold, exactly once. A multi-leg hold is resolved as a group: every
    /// leg is posted in full or voided together.
    func resolve(_ t: Transfer) -> TransferResult {
        if t.pendingID == 0 { return .failed(.pendingIDMustNotBeZero) }
        if t.pendingID == .max { return .failed(.pendingIDMustNotBeIntMax) }
        if t.pendingID == t.id { return .failed(.pendingIDMustBeDifferent) }
        if t.timeout != 0 { return .failed(.timeoutReservedForPendingTransfer) }
        guard let found = ids[t.pendingID].map(Int.init) else { return .failed(.pendingTransferNotFound) }
        let p = entries[found]
        if p.kind != .pending { return .failed(.pendingTransferNotPending) }
        if t.debit != .none && t.debit != p.debit { return .failed(.pendingTransferHasDifferentDebitAccountID) }
        if t.credit != .none && t.credit != p.credit { return .failed(.pendingTransferHasDifferentCreditAccountID) }
        if t.ledger != 0 && t.ledger != p.ledger { return .failed(.pendingTransferHasDifferentLedger) }
        if t.code != 0 && t.code != p.code { return .failed(.pendingTransferHasDifferentCode) }
        let group = legs(of: found)
        var held: UInt128 = 0
        for k in group {
            let sum = held.addingReportingOverflow(entries[k].amount)
            if sum.overflow { return .failed(.exceedsPendingTransferAmount) }
            held = sum.partialValue
        }
        let post = t.flags.contains(.postPending)
        let amount = post && t.amount == Transfer.fullAmount ? held : t.amount
        if post && amount > held { return .failed(.exceedsPendingTransferAmount) }
        if amount != held && (post ? group.count > 1 : amount != 0) {
            return .failed(.pendingTransferHasDifferentAmount)
        }
        switch holds[found].state {
        case .posted: return .failed(.pendingTransferAlreadyPosted)
        case .voided: return .failed(.pendingTransferAlreadyVoided)
        case .expired: return .failed(.pendingTransferExpired)
        case .none, .open: break
        }
        for k in group where post {
            let legAmount = group.count == 1 ? amount : entries[k].amount
            if balances[entries[k].debit.index].debitsPosted.addingReportingOverflow(legAmount).overflow {
                return .failed(.overflowsDebitsPosted)
            }
            if balances[entries[k].credit.index].creditsPosted.addingReportingOverflow(legAmount).overflow {
                return .failed(.overflowsCreditsPosted)
            }
        }
        var first = 0
        for k in group {
            let hold = entries[k]
            let legAmount = post && group.count == 1 ? amount : hold.amount
            let entry = Entry(kind: post ? .post : .void, flags: t.flags, id: t.id, leg: hold.leg, debit: hold.debit,
                              credit: hold.credit, amount: legAmount, pendingID: p.id, ledger: hold.ledger,
                              code: hold.code, timeout: 0, timestamp: nextTimestamp(), userData: t.userData)
            let index = append(entry, held: hold.amount)
            if k == found { first = index }
            settle(hold: k, as: post ? .posted : .voided)
        }
        return .created(receipt(first))
    }

    /// The entries of the transfer whose first entry is `index` (one unless multi-leg).
    func legs(of index: Int) -> Range<Int> {
        var end = index + 1
        while end < entries.count && entries[end].leg != 0 && entries[end].id == entries[index].id { end += 1 }
        return index..<end
    }

    /// Marks a hold resolved; a closing hold that is voided or expires reopens its accounts.
    func settle(hold index: Int, as state: Hold.State) {
        var h = holds[index]
        undo?.append(.hold(index, h))
        h.state = state
        holds[index] = h
        guard state != .posted else { return }
        let p = entries[index]
        if p.flags.contains(.closingDebit) { setClosed(p.debit.index, false) }
        if p.flags.contains(.closingCredit) { setClosed(p.credit.index, false) }
    }

    func setClosed(_ i: Int, _ value: Bool) {
        undo?.append(.closed(i, closed[i]))
        closed[i] = value
    }

    /// Appends an entry and applies it to both balances.
    @discardableResult
    func append(_ e: Entry, held: UInt128) -> Int {
        let d = e.debit.index, c = e.credit.index
        if undo != nil {
            undo?.append(.balance(d, balances[d]))
            undo?.append(.balance(c, balances[c]))
        }
        let index = entries.count
        e.apply(held: held, toDebitSide: &balances[d])
        e.apply(held: held, toCreditSide: &balances[c])
        entries.append(e)
        holds.append(Hold(state: e.kind == .pending ? .open : .none))
        if e.kind != .expire && e.leg == 0 { ids[e.id] = Int32(index) }
        return index
    }

    func receipt(_ index: Int) -> Receipt {
        let e = entries[index]
        return Receipt(entry: index, amount: e.amount, debit: balances[e.debit.index], credit: balances[e.credit.index])
    }

    func receipt(_ index: Int, _ amount: UInt128, _ d: Int, _ c: Int) -> Receipt {
        Receipt(entry: index, amount: amount, debit: balances[d], credit: balances[c])
    }

    /// Releases every hold whose deadline has passed by `batchNow` (all legs of a group at once).
    func expireHolds() {
        while let (deadline, index) = expiries.min, deadline <= batchNow {
            expiries.removeMin()
            for k in legs(of: index - Int(entries[index].leg)) where holds[k].state == .open {
                let p = entries[k]
                let entry = Entry(kind: .expire, flags: [], id: 0, leg: p.leg, debit: p.debit, credit: p.credit,
                                  amount: p.amount, pendingID: p.id, ledger: p.ledger, code: p.code, timeout: 0,
                                  timestamp: nextTimestamp(), userData: 0)
                append(entry, held: p.amount)
                settle(hold: k, as: .expired)
            }
        }
    }

    /// The held amount a resolving entry releases: that of the same leg of the hold.
    func held(by e: Entry) -> UInt128 {
        guard e.resolvesHold, let index = ids[e.pendingID] else { return 0 }
        let k = Int(index) + Int(e.leg)
        return k < entries.count ? entries[k].amount : 0
    }

    /// Hashes and persists the entries written since the last seal.
    func seal() throws(LedgerError) {
        let start = sealedCount
        var head = hashes.last ?? .genesis
        for i in start..<entries.count {
            let e = entries[i]
            if options.chain {
                head = Canonical.chain(head, e)
                hashes.append(head)
            }
            if e.kind == .pending && e.timeout != 0, let end = deadline(Self.millisecond(of: e.timestamp), e.timeout) {
                expiries.insert(end, i)
            }
        }
        sealedCount = entries.count
        defer {
            newFailures.removeAll(keepingCapacity: true)
            newRates.removeAll()
        }
        guard let store else { return }
        do {
            try store.commit(entries: entries[start...], hashes: hashes[start...], failures: newFailures,
                             rates: newRates)
        } catch {
            usable = false
            throw .storage("\(error)")
        }
    }
}
