import XCTest
@testable import Ledger
import Money

/// Model-based audit: random streams of transfers, holds, posts, voids, reversals, linked
/// pairs and retries run against the engine and against `Model`, a deliberately naive
/// reference (dictionaries, signed integers, no rollback machinery: it works on copies).
/// Every result and every balance must agree, and the invariants hold after every step.
final class AuditorTests: XCTestCase {
    struct Model {
        struct Account { var floor: Int128?; var cap: Int128?; var ledger: UInt32; var dp: Int128 = 0
            var dpend: Int128 = 0; var cp: Int128 = 0; var cpend: Int128 = 0 }
        enum Kind: Equatable { case single, pending, post, void, reversal, multi }
        struct Record { var request: Transfer; var kind: Kind; var debit: Int; var credit: Int; var amount: Int128
            var state = 0; var reversed = false; var reverses: UInt128 = 0; var postings: [(Int, Int, Int128)] = [] }
        var accounts: [Int: Account] = [:]
        var transfers: [UInt128: Record] = [:]
        var failed: Set<UInt128> = []

        static let transient: Set<ResultCode> = [.debitAccountNotFound, .creditAccountNotFound,
                                                  .pendingTransferNotFound, .exceedsCredits, .exceedsDebits]

        mutating func submit(_ batch: [Transfer]) -> [ResultCode?] {
            var out: [ResultCode?] = []
            var i = 0
            while i < batch.count {
                if batch[i].flags.contains(.linked) && i + 1 == batch.count {
                    out.append(.linkedEventChainOpen)
                    i += 1
                } else if batch[i].flags.contains(.linked) {
                    var copy = self
                    let first = copy.apply(batch[i]), second = first == nil ? copy.apply(batch[i + 1]) : nil
                    if let code = first ?? second {
                        let failingID = first != nil ? batch[i].id : batch[i + 1].id
                        if Self.transient.contains(code) { failed.insert(failingID) }
                        out += first != nil ? [code, .linkedEventFailed] : [.linkedEventFailed, code]
                    } else {
                        self = copy
                        out += [nil, nil]
                    }
                    i += 2
                } else {
                    let code = apply(batch[i])
                    if let code, Self.transient.contains(code) { failed.insert(batch[i].id) }
                    out.append(code)
                    i += 1
                }
            }
            return out
        }

        /// nil = created or exists.
        mutating func apply(_ t: Transfer) -> ResultCode? {
            if let r = transfers[t.id] {
                if r.kind == .reversal { return .existsWithDifferentFlags }
                return r.request == t ? nil : .existsWithDifferentAmount
            }
            if failed.contains(t.id) { return .idAlreadyFailed }
            if t.flags.contains(.postPending) || t.flags.contains(.voidPending) { return resolve(t) }
            let d = Int(t.debit.raw), c = Int(t.credit.raw)
            if d == c { return .accountsMustBeDifferent }
            guard let da = accounts[d] else { return .debitAccountNotFound }
            guard let ca = accounts[c] else { return .creditAccountNotFound }
            if da.ledger != ca.ledger { return .accountsMustHaveTheSameLedger }
            if t.ledger != da.ledger { return .transferMustHaveTheSameLedgerAsAccounts }
            let pending = t.flags.contains(.pending)
            if let code = funds(d, c, Int128(t.amount)) { return code }
            if pending { accounts[d]!.dpend += Int128(t.amount); accounts[c]!.cpend += Int128(t.amount) }
            else { accounts[d]!.dp += Int128(t.amount); accounts[c]!.cp += Int128(t.amount) }
            transfers[t.id] = Record(request: t, kind: pending ? .pending : .single, debit: d, credit: c,
                                     amount: Int128(t.amount))
            return nil
        }

        func funds(_ d: Int, _ c: Int, _ amount: Int128) -> ResultCode? {
            let da = accounts[d]!, ca = accounts[c]!
            if let f = da.floor, da.cp - da.dp - da.dpend - amount < f { return .exceedsCredits }
            if let cap = ca.cap, ca.cp + ca.cpend + amount - ca.dp > cap { return .exceedsDebits }
            return nil
        }

        mutating func resolve(_ t: Transfer) -> ResultCode? {
            guard var p = transfers[t.pendingID] else { return .pendingTransferNotFound }
            if p.kind != .pending { return .pendingTransferNotPending }
            let post = t.flags.contains(.postPending)
            let amount = post && t.amount == Transfer.fullAmount ? p.amount : Int128(t.amount)
            if post && amount > p.amount { return .exceedsPendingTransferAmount }
            if !post && amount != 0 && amount != p.amount { return .pendingTransferHasDifferentAmount }
            if p.state == 1 { return .pendingTransferAlreadyPosted }
            if p.state == 2 { return .pendingTransferAlreadyVoided }
            if p.state == 3 { return .pendingTransferExpired }
            accounts[p.debit]!.dpend -= p.amount
            accounts[p.credit]!.cpend -= p.amount
            if post { accounts[p.debit]!.dp += amount; accounts[p.credit]!.cp += amount }
            p.state = post ? 1 : 2
            transfers[t.pendingID] = p
            transfers[t.id] = Record(request: t, kind: post ? .post : .void, debit: p.debit, credit: p.credit,
                                     amount: post ? amount : p.amount)
            return nil
        }

        /// The clock moved past every timeout in use: all open timed holds expire.
        mutating func expireTimedHolds() {
            for (id, var p) in transfers where p.kind == .pending && p.state == 0 && p.request.timeout != 0 {
                accounts[p.debit]!.dpend -= p.amount
                accounts[p.credit]!.cpend -= p.amount
                p.state = 3
                transfers[id] = p
            }
        }

        /// Legs `debit d x, credit c1 y, credit c2 (x - y + skew)`, applied posting by posting.
        mutating func multi(_ id: UInt128, _ d: Int, _ c1: Int, _ c2: Int, _ x: Int128, _ y: Int128,
                            _ skew: Int128) -> ResultCode? {
            for (account, code) in [(d, ResultCode.debitAccountNotFound), (c1, .creditAccountNotFound),
                                    (c2, .creditAccountNotFound)] where accounts[account] == nil {
                failed.insert(id)
                return code
            }
            if skew != 0 { return .legsMustBalance }
            let postings = [(d, c1, y), (d, c2, x - y)].filter { $0.2 > 0 && $0.0 != $0.1 }
            if postings.isEmpty { return .legsMustBalance }
            if transfers[id] != nil { return nil }
            if failed.contains(id) { return .idAlreadyFailed }
            if let code = applyAll(postings) {
                if Self.transient.contains(code) { failed.insert(id) }
                return code
            }
            transfers[id] = Record(request: Transfer(id: id, debit: .none, credit: .none, amount: 0, ledger: 0),
                                   kind: .multi, debit: d, credit: c1, amount: x, postings: postings)
            return nil
        }

        /// Posts each (debit, credit, amount) in turn, or nothing if one fails its limits.
        mutating func applyAll(_ postings: [(Int, Int, Int128)]) -> ResultCode? {
            var copy = self
            for (d, c, amount) in postings {
                if let code = copy.funds(d, c, amount) { return code }
                copy.accounts[d]!.dp += amount
                copy.accounts[c]!.cp += amount
            }
            self = copy
            return nil
        }

        mutating func reverse(_ id: UInt128, as newID: UInt128) -> ResultCode? {
            guard var r = transfers[id], [.single, .post, .multi].contains(r.kind) else { return .transferNotReversible }
            let retry = transfers[newID] != nil
            if r.reversed && !retry { return .transferAlreadyReversed }
            if let existing = transfers[newID] {
                if existing.kind != .reversal { return .existsWithDifferentFlags }
                return existing.reverses == id ? nil : .existsWithDifferentPendingID
            }
            if failed.contains(newID) { return .idAlreadyFailed }
            let postings = r.kind == .multi ? r.postings : [(r.debit, r.credit, r.amount)]
            if let code = applyAll(postings.map { ($0.1, $0.0, $0.2) }) {
                if Self.transient.contains(code) { failed.insert(newID) }
                return code
            }
            r.reversed = true
            transfers[id] = r
            transfers[newID] = Record(request: r.request, kind: .reversal, debit: r.credit, credit: r.debit,
                                      amount: r.amount, reverses: id)
            return nil
        }
    }

    func testRandomStreamsAgreeWithTheModel() throws {
        for seed in 1...8 { try audit(seed: UInt64(seed), steps: 1_000) }
    }

    func audit(seed: UInt64, steps: Int) throws {
        var rng = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        func next(_ n: Int) -> Int {
            rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17
            return Int(rng % UInt64(n))
        }
        let ledger = Ledger(options: .init(clock: .manual(start: 1)))
        var model = Model()
        let usd = Currency.iso("USD")!, eur = Currency.iso("EUR")!
        let specs: [([Limit], Int128?, Int128?, UInt32)] = [
            ([], nil, nil, 1), ([.noOverdraft], 0, nil, 1), ([.overdraftUpTo(100)], -100, nil, 1),
            ([.maxBalance(500)], nil, 500, 1), ([.noOverdraft], 0, nil, 1), ([], nil, nil, 2),
        ]
        for (i, spec) in specs.enumerated() {
            let id = try ledger.createAccount(Account(name: "m\(i)", unit: spec.3 == 1 ? usd : eur, ledger: spec.3,
                                                      limits: spec.0))
            model.accounts[Int(id.raw)] = .init(floor: spec.1, cap: spec.2, ledger: spec.3)
        }
        var nextID: UInt128 = 1
        var history: [Transfer] = []
        var holds: [UInt128] = []
        var posted: [UInt128] = []
        func randomTransfer(pending: Bool) -> Transfer {
            let d = AccountID(UInt32(1 + next(7))), c = AccountID(UInt32(1 + next(7)))
            nextID += 1
            return Transfer(id: nextID, debit: d, credit: c, amount: UInt128(next(4) == 0 ? next(400) : next(60)),
                            ledger: 1, flags: pending ? .pending : [], timeout: pending ? UInt32(next(2) * 5) : 0)
        }
        for step in 0..<steps {
            var batch: [Transfer] = []
            var reversal: (UInt128, UInt128)?
            if next(40) == 0 {
                try ledger.advance(seconds: 10)
                model.expireTimedHolds()
            }
            switch next(10) {
            case 0, 1, 2: batch = [randomTransfer(pending: false)]
            case 3: batch = [randomTransfer(pending: true)]
            case 4, 5:
                guard let hold = holds.isEmpty ? nil : holds[next(holds.count)] else { continue }
                nextID += 1
                let post = next(3) != 0
                let partial = UInt128(next(80))
                let amount: UInt128 = post ? (next(2) == 0 ? Transfer.fullAmount : partial) : UInt128(next(2) * next(50))
                let flags: TransferFlags = post ? .postPending : .voidPending
                batch = [Transfer(id: nextID, debit: .none, credit: .none, amount: amount, ledger: 0, code: 0,
                                  flags: flags, pendingID: hold)]
            case 6:
                guard let old = history.isEmpty ? nil : history[next(history.count)] else { continue }
                var retry = old
                if next(3) == 0 && !retry.flags.contains(.postPending) { retry.amount += 1 }
                batch = [retry]
            case 7:
                var first = randomTransfer(pending: next(2) == 0)
                first.flags.insert(.linked)
                batch = [first, randomTransfer(pending: false)]
            case 8 where next(2) == 0:
                nextID += 1
                let d = 1 + next(5), c1 = 1 + next(5), c2 = next(20) == 0 ? 9 : 1 + next(5)
                let x = Int128(next(120)), y = Int128(next(Int(x) + 1)), skew = Int128(next(8) == 0 ? 1 : 0)
                let legs: [Leg] = [.debit(AccountID(UInt32(d)), UInt128(x)), .credit(AccountID(UInt32(c1)), UInt128(y)),
                                   .credit(AccountID(UInt32(c2)), UInt128(x - y + skew))]
                let got = try ledger.transfer(id: nextID, legs: legs).code
                XCTAssertEqual(got, model.multi(nextID, d, c1, c2, x, y, skew), "seed \(seed) step \(step) \(legs)")
                if got == nil { posted.append(nextID) }
            default:
                guard let target = posted.isEmpty ? nil : posted[next(posted.count)] else { continue }
                nextID += 1
                reversal = (target, next(4) == 0 ? max(nextID - 1 - UInt128(next(3)), 1) : nextID)
            }
            let label = "seed \(seed) step \(step)"
            if batch.isEmpty && reversal == nil {
                // A multi-leg step, already compared.
            } else if let (target, newID) = reversal {
                let got = try ledger.reverse(target, as: newID).code
                let want = model.reverse(target, as: newID)
                XCTAssertEqual(got, want, "\(label) reverse \(target) as \(newID)")
            } else {
                let got = try ledger.submit(batch).map(\.code)
                let want = model.submit(batch)
                XCTAssertEqual(got, want, "\(label) \(batch)")
                for (t, code) in zip(batch, got) where code == nil {
                    history.append(t)
                    if t.flags.contains(.pending) { holds.append(t.id) }
                    if t.flags.isDisjoint(with: [.pending, .voidPending]) { posted.append(t.id) }
                }
            }
            for (raw, m) in model.accounts {
                let b = ledger.balance(AccountID(UInt32(raw)))!
                XCTAssertEqual([b.debitsPosted, b.debitsPending, b.creditsPosted, b.creditsPending].map { Int128($0) },
                               [m.dp, m.dpend, m.cp, m.cpend], "\(label) account \(raw)")
            }
            assertInvariants(ledger)
            if testRun?.failureCount ?? 0 > 0 { return }
        }
    }
}
