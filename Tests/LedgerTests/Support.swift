import Foundation
import XCTest
@testable import Ledger
import Money

func fixture(_ name: String) throws -> Any {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/\(name)")
    return try JSONSerialization.jsonObject(with: Data(contentsOf: url))
}

func int(_ any: Any?) -> Int {
    (any as? NSNumber)?.intValue ?? 0
}

/// Asserts the double-entry invariants over the whole ledger: per ledger number the sum of
/// debits equals the sum of credits (posted and pending), every balance equals the fold of
/// the journal, pending counters are consistent, and the chain verifies.
func assertInvariants(_ ledger: Ledger, file: StaticString = #filePath, line: UInt = #line) {
    var folded = [Balance](repeating: Balance(), count: ledger.accounts.count)
    let middle = ledger.entries.count / 2
    for (i, e) in ledger.entries.enumerated() {
        let held = ledger.held(by: e)
        e.apply(held: held, toDebitSide: &folded[e.debit.index])
        e.apply(held: held, toCreditSide: &folded[e.credit.index])
        if i == middle {
            // As-of balances must equal the fold of the journal's prefix.
            for (a, b) in folded.enumerated() {
                XCTAssertEqual(ledger.balance(AccountID(UInt32(a + 1)), asOfEntry: i), b, "as of \(i)", file: file, line: line)
            }
        }
    }
    var sums: [UInt32: (UInt128, UInt128, UInt128, UInt128)] = [:]
    for (i, account) in ledger.accounts.enumerated() {
        let b = ledger.balance(AccountID(UInt32(i + 1)))!
        XCTAssertEqual(b, folded[i], "balance \(account.name) is not the fold of the journal", file: file, line: line)
        var s = sums[account.ledger] ?? (0, 0, 0, 0)
        s.0 += b.debitsPosted; s.1 += b.creditsPosted; s.2 += b.debitsPending; s.3 += b.creditsPending
        sums[account.ledger] = s
    }
    // Pending counters are exactly the open holds (so never negative, never stale).
    var open = [(UInt128, UInt128)](repeating: (0, 0), count: ledger.accounts.count)
    for (i, e) in ledger.entries.enumerated() where ledger.holds[i].state == .open {
        open[e.debit.index].0 += e.amount
        open[e.credit.index].1 += e.amount
    }
    for (i, b) in folded.enumerated() {
        XCTAssertTrue(b.debitsPending == open[i].0 && b.creditsPending == open[i].1, "pending of #\(i + 1)",
                      file: file, line: line)
    }
    for (ledgerNumber, s) in sums {
        XCTAssertEqual(s.0, s.1, "posted debits != credits on ledger \(ledgerNumber)", file: file, line: line)
        XCTAssertEqual(s.2, s.3, "pending debits != credits on ledger \(ledgerNumber)", file: file, line: line)
    }
    XCTAssertNoThrow(try ledger.verify(), file: file, line: line)
}
