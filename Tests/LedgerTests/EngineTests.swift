import Foundation
import XCTest
@testable import Ledger
import Money

/// Multi-leg transfers, rates, reversals, splits posted to the ledger, as-of balances,
/// and bad input that must fail with a specific code and write nothing.
final class EngineTests: XCTestCase {
    let usd = Currency.iso("USD")!
    let eur = Currency.iso("EUR")!

    func makeLedger() throws -> (Ledger, [AccountID]) {
        let ledger = Ledger(options: .init(clock: .manual(start: 1_000)))
        var ids: [AccountID] = []
        ids.append(try ledger.createAccount(Account(name: "equity", unit: usd, ledger: 1)))
        ids.append(try ledger.createAccount(Account(name: "alice", unit: usd, ledger: 1, limits: [.noOverdraft])))
        ids.append(try ledger.createAccount(Account(name: "bob", unit: usd, ledger: 1, limits: [.overdraftUpTo(50)])))
        ids.append(try ledger.createAccount(Account(name: "fees", unit: usd, ledger: 1, limits: [.maxBalance(30)])))
        ids.append(try ledger.createAccount(Account(name: "eur:carol", unit: eur, ledger: 2)))
        ids.append(try ledger.createAccount(Account(name: "fx:usd", unit: usd, ledger: 1)))
        ids.append(try ledger.createAccount(Account(name: "fx:eur", unit: eur, ledger: 2)))
        return (ledger, ids)
    }

    /// Snapshot of everything observable, to check that failures write nothing.
    func state(_ l: Ledger) -> String {
        "\(l.entries.count) \(l.chainHead) \((1...l.accounts.count).map { l.balance(AccountID(UInt32($0)))! })"
    }

    func testMultiLegBalancesPerUnitAndIsAtomic() throws {
        let (l, a) = try makeLedger()
        let r = try l.transfer(id: 1, legs: [.debit(a[0], 100), .credit(a[1], 70), .credit(a[3], 30)])
        guard case .created = r else { return XCTFail("\(r)") }
        XCTAssertEqual(l.balance(a[1])!.posted, 70)
        XCTAssertEqual(l.entries.map(\.leg), [0, 1])
        XCTAssertEqual(try l.transfer(id: 1, legs: [.debit(a[0], 100), .credit(a[1], 70), .credit(a[3], 30)]),
                       .exists(entry: 0))
        XCTAssertEqual(try l.transfer(id: 1, legs: [.debit(a[0], 100), .credit(a[1], 60), .credit(a[3], 40)]).code,
                       .existsWithDifferentAmount)
        let before = state(l)
        XCTAssertEqual(try l.transfer(id: 2, legs: [.debit(a[0], 10), .credit(a[1], 9)]).code, .legsMustBalance)
        // The second posting breaks the fee account's cap: the first must not stay written.
        XCTAssertEqual(try l.transfer(id: 3, legs: [.debit(a[0], 20), .credit(a[1], 10), .credit(a[3], 10)]).code,
                       .exceedsDebits)
        XCTAssertEqual(try l.transfer(id: 4, legs: [.debit(a[0], 10), .credit(AccountID(99), 10)]).code,
                       .creditAccountNotFound)
        XCTAssertEqual(try l.transfer(id: 5, legs: [.debit(a[0], 10), .credit(a[4], 10)]).code, .legsMustBalance)
        XCTAssertEqual(state(l), before)
        XCTAssertEqual(try l.transfer(id: 3, legs: [.debit(a[0], 1), .credit(a[1], 1)]).code, .idAlreadyFailed)
        assertInvariants(l)
    }

    func testHoldGroupsResolveAsAWhole() throws {
        let (l, a) = try makeLedger()
        _ = try l.transfer(id: 1, legs: [.debit(a[0], 1_000), .credit(a[1], 1_000)])
        let legs: [Leg] = [.debit(a[1], 100), .credit(a[2], 60), .credit(a[0], 40)]
        let hold = try l.transfer(id: 10, legs: legs, pending: true)
        guard case .created = hold else { return XCTFail("\(hold)") }
        XCTAssertEqual(l.balance(a[1])!.debitsPending, 100)
        XCTAssertEqual(l.balance(a[1])!.available, 900)
        func resolve(_ id: UInt128, _ hold: UInt128, _ flags: TransferFlags, _ amount: UInt128) throws -> TransferResult {
            try l.submit(Transfer(id: id, debit: .none, credit: .none, amount: amount, ledger: 0, code: 0, flags: flags,
                                  pendingID: hold))
        }
        XCTAssertEqual(try resolve(11, 10, .postPending, 50).code, .pendingTransferHasDifferentAmount)
        XCTAssertEqual(try resolve(11, 10, .postPending, 101).code, .exceedsPendingTransferAmount)
        guard case .created = try resolve(12, 10, .postPending, Transfer.fullAmount) else { return XCTFail() }
        XCTAssertEqual(l.balance(a[1])!.debitsPending, 0)
        XCTAssertEqual(l.balance(a[2])!.creditsPosted, 60)
        XCTAssertEqual(l.balance(a[0])!.creditsPosted, 40)
        XCTAssertEqual(try resolve(12, 10, .postPending, Transfer.fullAmount), .exists(entry: 3))
        XCTAssertEqual(try resolve(13, 10, .voidPending, 0).code, .pendingTransferAlreadyPosted)
        // A second group voided, a third expiring as a whole.
        _ = try l.transfer(id: 20, legs: legs, pending: true)
        guard case .created = try resolve(21, 20, .voidPending, 100) else { return XCTFail() }
        _ = try l.transfer(id: 30, legs: legs, pending: true, timeout: 5)
        XCTAssertEqual(l.balance(a[1])!.debitsPending, 100)
        try l.advance(seconds: 4)
        XCTAssertEqual(l.balance(a[1])!.debitsPending, 100)
        try l.advance(seconds: 2)
        XCTAssertEqual(l.balance(a[1])!.debitsPending, 0)
        XCTAssertEqual(l.entries.suffix(2).map(\.kind), [.expire, .expire])
        XCTAssertEqual(try resolve(31, 30, .postPending, Transfer.fullAmount).code, .pendingTransferExpired)
        XCTAssertEqual(try l.reverse(12, as: 40).code, nil)
        XCTAssertEqual(l.balance(a[2])!.posted, 0)
        assertInvariants(l)
    }

    func testAtomicGroupIsAllOrNothing() throws {
        let (l, a) = try makeLedger()
        _ = try l.submit(Transfer(id: 1, debit: a[0], credit: a[1], amount: 50, ledger: 1))
        let before = state(l)
        let group = [Transfer(id: 2, debit: a[1], credit: a[2], amount: 30, ledger: 1),
                     Transfer(id: 3, debit: a[1], credit: a[2], amount: 30, ledger: 1),
                     Transfer(id: 4, debit: a[0], credit: a[2], amount: 1, ledger: 1)]
        XCTAssertEqual(try l.submit(atomically: group).map(\.code),
                       [.linkedEventFailed, .exceedsCredits, .linkedEventFailed])
        XCTAssertEqual(state(l), before)
        let ok = try l.submit(atomically: [group[0], group[2]])
        XCTAssertEqual(ok.map(\.code), [nil, nil])
        XCTAssertEqual(l.entries.last?.flags, [])
        assertInvariants(l)
    }

    func testCrossUnitNeedsAnExactNamedRate() throws {
        let (l, a) = try makeLedger()
        _ = try l.transfer(id: 1, legs: [.debit(a[0], 1_000), .credit(a[1], 1_000)])
        let rate = Rate(name: "ecb-2026-11-20", numerator: 9, denominator: 10, fromExchange: a[5], toExchange: a[6])
        let before = state(l)
        XCTAssertEqual(try l.transfer(id: 2, legs: [.debit(a[1], 100), .credit(a[4], 91)], rate: rate).code, .rateMismatch)
        XCTAssertEqual(state(l), before)
        let r = try l.transfer(id: 3, legs: [.debit(a[1], 100), .credit(a[4], 90)], rate: rate)
        guard case .created = r else { return XCTFail("\(r)") }
        XCTAssertEqual(l.balance(a[4])!.posted, 90)
        XCTAssertEqual(l.balance(a[5])!.posted, 100)
        XCTAssertEqual(l.balance(a[6])!.posted, -90)
        XCTAssertEqual(l.rate(of: 3)?.name, "ecb-2026-11-20")
        assertInvariants(l)
    }

    func testReversalWritesTheMirrorOnce() throws {
        let (l, a) = try makeLedger()
        _ = try l.transfer(id: 1, legs: [.debit(a[0], 100), .credit(a[1], 70), .credit(a[3], 30)])
        let r = try l.reverse(1, as: 2)
        guard case .created = r else { return XCTFail("\(r)") }
        XCTAssertEqual(l.balance(a[1])!.posted, 0)
        XCTAssertEqual(l.balance(a[0])!.posted, 0)
        XCTAssertEqual(l.entries.count, 4)
        XCTAssertEqual(try l.reverse(1, as: 2), .exists(entry: 2))
        XCTAssertEqual(try l.reverse(1, as: 3).code, .transferAlreadyReversed)
        XCTAssertEqual(try l.reverse(77, as: 4).code, .transferNotReversible)
        _ = try l.submit(Transfer(id: 10, debit: a[0], credit: a[2], amount: 5, ledger: 1, flags: .pending))
        XCTAssertEqual(try l.reverse(10, as: 11).code, .transferNotReversible)
        assertInvariants(l)
    }

    func testSplitPlanPostsThroughTheLedger() throws {
        let (l, a) = try makeLedger()
        _ = try l.transfer(id: 1, legs: [.debit(a[0], 15), .credit(a[1], 15)])
        var plan = l.splitPlan()
        let postings = try plan.run([.send(asset: "USD", amount: .exactly(15), from: .account("alice"),
                                           to: .allot([(.portion(Portion("80%")!), .account("bob")),
                                                       (.portion(Portion("8%")!), .account("fees")),
                                                       (.portion(Portion("12%")!), .account("equity"))]))])
        XCTAssertEqual(postings.map(\.amount), [13, 1, 1])
        let r = try l.transfer(id: 2, legs: l.legs(for: postings))
        guard case .created = r else { return XCTFail("\(r)") }
        XCTAssertEqual(l.balance(a[2])!.posted, 13)
        XCTAssertEqual(l.balance(a[1])!.posted, 0)
        var broke = l.splitPlan()
        XCTAssertThrowsError(try broke.run([.send(asset: "USD", amount: .exactly(1), from: .account("alice"),
                                                  to: .account("bob"))]))
        assertInvariants(l)
    }

    func testBadInputFailsWithASpecificCodeAndWritesNothing() throws {
        let (l, a) = try makeLedger()
        _ = try l.submit(Transfer(id: 1, debit: a[0], credit: a[1], amount: 100, ledger: 1))
        let before = state(l)
        let cases: [(Transfer, ResultCode)] = [
            (Transfer(id: 2, debit: AccountID(50), credit: a[1], amount: 1, ledger: 1), .debitAccountNotFound),
            (Transfer(id: 3, debit: a[0], credit: a[4], amount: 1, ledger: 1), .accountsMustHaveTheSameLedger),
            (Transfer(id: 4, debit: a[1], credit: a[0], amount: 101, ledger: 1), .exceedsCredits),
            (Transfer(id: 5, debit: a[2], credit: a[0], amount: 51, ledger: 1), .exceedsCredits),
            (Transfer(id: 6, debit: a[0], credit: a[3], amount: 31, ledger: 1), .exceedsDebits),
            (Transfer(id: 1, debit: a[0], credit: a[1], amount: 99, ledger: 1), .existsWithDifferentAmount),
            (Transfer(id: 7, debit: a[0], credit: a[1], amount: UInt128.max - 10, ledger: 1), .overflowsDebitsPosted),
        ]
        for (t, code) in cases { XCTAssertEqual(try l.submit(t).code, code, "\(t.id)") }
        XCTAssertEqual(state(l), before)
        // Holds: more than held, and twice.
        _ = try l.submit(Transfer(id: 20, debit: a[1], credit: a[2], amount: 40, ledger: 1, flags: .pending))
        XCTAssertEqual(l.balance(a[1])!.available, 60)
        XCTAssertEqual(try l.submit(Transfer(id: 21, debit: a[1], credit: a[2], amount: 61, ledger: 1)).code,
                       .exceedsCredits)
        XCTAssertEqual(try l.submit(Transfer(id: 22, debit: .none, credit: .none, amount: 41, ledger: 0, code: 0,
                                             flags: .postPending, pendingID: 20)).code, .exceedsPendingTransferAmount)
        let post = Transfer(id: 23, debit: .none, credit: .none, amount: 25, ledger: 0, code: 0, flags: .postPending,
                            pendingID: 20)
        guard case .created(let receipt) = try l.submit(post) else { return XCTFail() }
        XCTAssertEqual(receipt.debit.debitsPosted, 25)
        XCTAssertEqual(receipt.debit.debitsPending, 0)
        XCTAssertEqual(try l.submit(post), .exists(entry: receipt.entry))
        XCTAssertEqual(try l.submit(Transfer(id: 24, debit: .none, credit: .none, amount: 0, ledger: 0, code: 0,
                                             flags: .voidPending, pendingID: 20)).code, .pendingTransferAlreadyPosted)
        XCTAssertThrowsError(try l.createAccount(Account(name: "alice", unit: usd, ledger: 1)))
        XCTAssertThrowsError(try l.createAccount(Account(name: "x", unit: eur, ledger: 1)))
        assertInvariants(l)
    }

    func testBalancesAsOfEntryAndTime() throws {
        let (l, a) = try makeLedger()
        var seen: [(entry: Int, balance: Balance)] = []
        for i in 1...100 {
            _ = try l.submit(Transfer(id: UInt128(i), debit: a[0], credit: a[2], amount: UInt128(i), ledger: 1,
                                      flags: i % 7 == 0 ? .pending : []))
            seen.append((l.entries.count - 1, l.balance(a[2])!))
            if i % 14 == 0 {
                _ = try l.submit(Transfer(id: UInt128(1000 + i), debit: .none, credit: .none, amount: 1, ledger: 0,
                                          code: 0, flags: .postPending, pendingID: UInt128(i)))
                seen.append((l.entries.count - 1, l.balance(a[2])!))
            }
        }
        for (entry, balance) in seen { XCTAssertEqual(l.balance(a[2], asOfEntry: entry), balance, "entry \(entry)") }
        XCTAssertEqual(l.balance(a[2], asOfEntry: -1), Balance())
        XCTAssertEqual(l.balance(a[2], asOfTime: l.entries[10].timestamp), l.balance(a[2], asOfEntry: 10))
        XCTAssertEqual(l.balance(a[2], asOfTime: 0), Balance())
    }

    func testVerifyNamesTheFirstTamperedEntry() throws {
        let (l, a) = try makeLedger()
        for i in 1...20 { _ = try l.submit(Transfer(id: UInt128(i), debit: a[0], credit: a[2], amount: 5, ledger: 1)) }
        XCTAssertNoThrow(try l.verify())
        l.entries[7].amount = 6
        XCTAssertThrowsError(try l.verify()) { XCTAssertEqual($0 as? LedgerError, .chainBroken(entry: 7)) }
    }
}

final class IDIndexTests: XCTestCase {
    func testMatchesADictionaryUnderInsertsAndRemovals() {
        var index = IDIndex()
        var reference: [UInt128: Int32] = [:]
        var rng = SystemRandomNumberGenerator()
        for step in 0..<50_000 {
            let key = UInt128(Int.random(in: 1...3_000, using: &rng)) << (step % 3 == 0 ? 64 : 0)
            if Bool.random(using: &rng) {
                index[key] = Int32(step)
                reference[key] = Int32(step)
            } else {
                index[key] = nil
                reference[key] = nil
            }
        }
        XCTAssertEqual(index.count, reference.count)
        for key in (1...3_000).flatMap({ [UInt128($0), UInt128($0) << 64] }) {
            XCTAssertEqual(index[key], reference[key])
        }
    }
}
