import Foundation
import XCTest
@testable import Ledger
import Money

/// The five journals of `beancount/` against beancount 3.2.3's verdicts (errors by line, kind
/// and message; final units and lots), plus hand-written edge cases.
final class BeancountTests: XCTestCase {
    // MARK: conformance journals

    func testBalanceAssertionsJournal() throws {
        let report = try Self.load("01_balance_assertions")
        try assertErrorsMatch(report, "01_balance_assertions")
        try assertHoldingsMatch(report, "01_balance_assertions")
    }

    /// Beancount reports these errors but still applies the transactions; Keel rejects each
    /// erroneous transaction whole, so only the opening and the within-tolerance one remain.
    func testUnbalancedAndAccountsJournal() throws {
        let report = try Self.load("02_unbalanced_and_accounts")
        try assertErrorsMatch(report, "02_unbalanced_and_accounts")
        XCTAssertEqual(Self.units(report), [
            "Assets:Cash": ["USD": "90.00"],
            "Expenses:Misc": ["USD": "10.004"],
            "Equity:Opening": ["USD": "-100.00"],
        ])
    }

    /// Beancount drops transactions with booking errors, as Keel does, so the whole final
    /// state (lots included) must agree here too.
    func testLotsBookingJournal() throws {
        let report = try Self.load("03_lots_booking")
        try assertErrorsMatch(report, "03_lots_booking")
        try assertHoldingsMatch(report, "03_lots_booking")
    }

    func testFxAndPadJournal() throws {
        let report = try Self.load("04_fx_and_pad")
        try assertErrorsMatch(report, "04_fx_and_pad")
        try assertHoldingsMatch(report, "04_fx_and_pad")
        XCTAssertEqual(report.prices.map { "\($0.date) \($0.commodity) \($0.number) \($0.currency)" },
                       ["2024-01-02 EUR 1.0850 USD"])
    }

    func testBeanExampleJournal() throws {
        let report = try Self.load("05_bean_example_seed42_2023_2024")
        try assertErrorsMatch(report, "05_bean_example_seed42_2023_2024")
        try assertHoldingsMatch(report, "05_bean_example_seed42_2023_2024")
        XCTAssertEqual(report.prices.count, 624)
    }

    // MARK: hand-written cases

    /// A transaction tolerates half the last digit of its most precise number, inclusive.
    func testTransactionToleranceBoundary() {
        let report = BeancountJournal.load(text: """
            2024-01-01 open Assets:Cash
            2024-01-01 open Expenses:Misc
            2024-01-02 * "residual 0.005 = tolerance: balances"
              Expenses:Misc   10.005 USD
              Assets:Cash    -10.00 USD
            2024-01-03 * "residual 0.006 > 0.005: rejected"
              Expenses:Misc   10.006 USD
              Assets:Cash    -10.00 USD
            2024-01-04 * "integers tolerate nothing"
              Expenses:Misc   3 STK
              Assets:Cash    -2 STK
            """)
        XCTAssertEqual(Self.errors(report), [
            "6 unbalanced Transaction does not balance: (0.006 USD)",
            "9 unbalanced Transaction does not balance: (1 STK)",
        ])
        XCTAssertEqual(Self.units(report), ["Assets:Cash": ["USD": "-10.00"], "Expenses:Misc": ["USD": "10.005"]])
    }

    /// A balance assertion tolerates one unit of its last digit, inclusive; sub-accounts count;
    /// two assertions of one account, currency and day must agree.
    func testBalanceToleranceBoundaryAndSubaccounts() {
        let report = BeancountJournal.load(text: """
            2024-01-01 open Assets:Bank
            2024-01-01 open Assets:Bank:A
            2024-01-01 open Assets:Bank:B
            2024-01-01 open Equity:Opening
            2024-01-02 * "fund"
              Assets:Bank:A    100.01 USD
              Assets:Bank:B      0.001 USD
              Equity:Opening
            2024-01-03 balance Assets:Bank:A   100.00 USD
            2024-01-03 balance Assets:Bank     100.00 USD
            2024-01-03 balance Assets:Bank     100.011 USD
            """)
        XCTAssertEqual(Self.errors(report), [
            "10 balanceFailed Balance failed for 'Assets:Bank': expected 100.00 USD != accumulated 100.011 USD (0.011 too much)",
            "11 duplicateBalance Duplicate balance assertion with different amounts",
        ])
        // The elided amount is rounded to the 0.01 its 2-decimal sibling implies.
        XCTAssertEqual(Self.units(report)["Equity:Opening"], ["USD": "-100.01"])
    }

    /// The auto-posting takes the residual of every currency, rounded to the precision the
    /// other postings imply (4.345 → 4.34, half-even), which still balances within 0.005.
    func testElidedAmountsPerCurrencyAndQuantized() {
        let report = BeancountJournal.load(text: """
            2024-01-01 open Assets:Stock
            2024-01-01 open Assets:Cash
            2024-01-01 open Assets:Fx
            2024-01-01 open Expenses:Fees
            2024-01-02 * "stock at a price, a fee, cash elided"
              Assets:Stock     3 STK @ 1.115 USD
              Expenses:Fees    1.00 USD
              Assets:Cash
            2024-01-03 * "two currencies into one elided posting"
              Assets:Cash      10.00 USD
              Assets:Fx        5 EUR
              Assets:Stock
            2024-01-04 * "two elided postings"
              Assets:Cash      1.00 USD
              Assets:Fx
              Expenses:Fees
            """)
        XCTAssertEqual(Self.errors(report), ["16 autoPosting You may not have more than one auto-posting per currency"])
        XCTAssertEqual(Self.units(report), [
            "Assets:Stock": ["STK": "3", "USD": "-10.00", "EUR": "-5"],
            "Expenses:Fees": ["USD": "1.00"],
            "Assets:Cash": ["USD": "5.66"],
            "Assets:Fx": ["EUR": "5"],
        ])
    }

    /// STRICT takes all matching lots when the reduction is exactly their total; FIFO refuses
    /// to reduce more than is held and the refused transaction changes nothing.
    func testStrictTotalReductionAndInsufficientFifo() {
        let report = BeancountJournal.load(text: """
            2024-01-01 open Assets:Strict STK
            2024-01-01 open Assets:Fifo STK "FIFO"
            2024-01-01 open Assets:Cash USD
            2024-01-02 * "two lots each"
              Assets:Strict   1 STK {10 USD}
              Assets:Fifo     1 STK {10 USD}
              Assets:Cash
            2024-01-03 * "two more lots each"
              Assets:Strict   2 STK {11 USD}
              Assets:Fifo     2 STK {11 USD}
              Assets:Cash
            2024-01-04 * "all of STRICT's lots"
              Assets:Strict  -3 STK {}
              Assets:Cash    32 USD
            2024-01-05 * "more than FIFO holds"
              Assets:Fifo    -4 STK {}
              Assets:Cash    43 USD
            2024-01-06 * "no lot at that cost"
              Assets:Fifo    -1 STK {12 USD}
              Assets:Cash    12 USD
            """)
        XCTAssertEqual(Self.errors(report), [
            "15 notEnoughLots Not enough lots to reduce \"-4 STK {}\": 1 STK {10 USD, 2024-01-02}, 2 STK {11 USD, 2024-01-03}",
            "18 noMatchingLot No position matches \"-1 STK {12 USD}\" against balance (1 STK {10 USD, 2024-01-02}, 2 STK {11 USD, 2024-01-03})",
        ])
        XCTAssertNil(report.accounts["Assets:Strict"])
        XCTAssertEqual(report.accounts["Assets:Fifo"]?.lots.map(\.description),
                       ["1 STK {10 USD, 2024-01-02}", "2 STK {11 USD, 2024-01-03}"])
        XCTAssertEqual(Self.units(report)["Assets:Cash"], ["USD": "-32"])
    }

    /// Malformed lines are errors with their line numbers; the entry they belong to is
    /// dropped and the rest of the journal still loads.
    func testMalformedLinesAreErrors() {
        let hugeNumber = String(repeating: "9", count: 1_000_000)
        let invalidUTF8 = String(decoding: [0x41, 0x73, 0x73, 0x65, 0x74, 0x73, 0x3A, 0xFF, 0xFE], as: UTF8.self)
        let report = BeancountJournal.load(text: """
            2024-01-01 open Assets:Cash
            2024-01-01 open Equity:Opening
            this is not beancount
            2024-02-30 open Assets:Nope
            2024-01-02 * "bad number"
              Assets:Cash   12.3.4 USD
              Equity:Opening
            2024-01-03 * "unterminated
            2024-01-04 * "huge"
              Assets:Cash   \(hugeNumber) USD
              Equity:Opening
            2024-01-05 open \(invalidUTF8)
            2024-01-06 * "fine"
              Assets:Cash    1.00 USD
              Equity:Opening
            2024-01-07 balance Assets:Cash 1.00 USD
            """)
        XCTAssertEqual(report.errors.map(\.line), [3, 4, 6, 8, 10, 12])
        XCTAssertTrue(report.errors.allSatisfy { $0.kind == .syntax }, "\(report.errors)")
        XCTAssertEqual(Self.units(report), ["Assets:Cash": ["USD": "1.00"], "Equity:Opening": ["USD": "-1.00"]])
        // A huge token is quoted short in its message.
        let huge = BeancountJournal.load(text: String(repeating: "x", count: 1_000_000))
        XCTAssertEqual(huge.errors.map(\.message), ["unknown directive '\(String(repeating: "x", count: 40))…'"])
    }

    /// Valid beancount that Keel does not read is `.unsupported` on its line, not a crash or
    /// a silent skip; one-digit months and days are dates.
    func testOutsideTheSubsetIsUnsupported() {
        let report = BeancountJournal.load(text: """
            include "other.beancount"
            plugin "beancount.plugins.auto_accounts"
            2024-1-1 open Assets:Cash
            2024-1-1 open Equity:Opening
            2024-01-02 * "expression"
              Assets:Cash    (1 + 2) USD
              Equity:Opening
            2024-01-03 * "total cost"
              Assets:Cash    2 STK {{20 USD}}
              Equity:Opening
            2024-01-04 * "fine"
              Assets:Cash    3 USD
              Equity:Opening
            """)
        XCTAssertEqual(report.errors.map { "\($0.line) \($0.kind.rawValue)" },
                       ["1 unsupported", "2 unsupported", "6 unsupported", "9 unsupported"])
        XCTAssertEqual(Self.units(report), ["Assets:Cash": ["USD": "3"], "Equity:Opening": ["USD": "-3"]])
    }

    /// A pad's amount comes from the assertion it serves but is booked on the pad's date, so an
    /// assertion on the source account in between already sees it; each currency pads once.
    func testPadIsBookedAtThePad() {
        let report = BeancountJournal.load(text: """
            2024-01-01 open Assets:Bank
            2024-01-01 open Equity:Opening
            2024-01-01 pad Assets:Bank Equity:Opening
            2024-01-02 balance Equity:Opening  -100.00 USD
            2024-01-02 balance Equity:Opening   -20 EUR
            2024-01-03 balance Assets:Bank      100.00 USD
            2024-01-03 balance Assets:Bank       20 EUR
            2024-01-04 balance Assets:Bank       30 EUR
            """)
        XCTAssertEqual(Self.errors(report), [
            "8 balanceFailed Balance failed for 'Assets:Bank': expected 30 EUR != accumulated 20 EUR (10 too little)",
        ])
        XCTAssertEqual(Self.units(report), ["Assets:Bank": ["USD": "100.00", "EUR": "20"],
                                            "Equity:Opening": ["USD": "-100.00", "EUR": "-20"]])
    }

    /// Account life cycle: opened twice, closed twice, closed unopened or on its opening day,
    /// asserted and noted after its close (allowed), a pad never used, a commodity declared twice,
    /// an assertion on an account never opened (reported by the check and by validation).
    func testAccountLifecycleAndUnusedPad() {
        let report = BeancountJournal.load(text: """
            2024-01-01 open Assets:Cash
            2024-01-01 open Assets:Cash
            2024-01-01 open Equity:Opening
            2024-01-02 pad Assets:Cash Equity:Opening
            2024-01-03 close Assets:Cash
            2024-01-04 close Assets:Cash
            2024-01-04 close Assets:Never
            2024-01-05 balance Assets:Cash 0 USD
            2024-01-05 note Assets:Cash "closed for good"
            2024-01-06 open Income:Once
            2024-01-06 close Income:Once
            2024-01-01 commodity USD
            2024-01-02 commodity USD
            2024-01-07 balance Assets:Nowhere 0 USD
            """)
        XCTAssertEqual(Self.errors(report), [
            "2 openClose Duplicate open directive for Assets:Cash",
            "4 unusedPad Unused Pad entry",
            "6 openClose Duplicate close directive for Assets:Cash",
            "7 openClose Unopened account Assets:Never is being closed",
            "11 openClose Internal error: closing date for Income:Once appears before opening date",
            "13 duplicateCommodity Duplicate commodity directives for 'USD'",
            "14 unknownAccount Invalid reference to unknown account 'Assets:Nowhere'",
            "14 unknownAccount Invalid reference to unknown account 'Assets:Nowhere'",
        ])
    }

    /// Thousands of seeded random edits of a journal (characters that matter to the grammar
    /// dropped, doubled or inserted) load without trapping, every error on a real line.
    func testMutatedJournalsNeverTrap() throws {
        let original = Array(try String(decoding: Data(contentsOf: Self.fixtureURL("03_lots_booking.beancount")),
                                        as: UTF8.self).utf8)
        let alphabet = Array("0123456789-.,:;{}@#^\"*! \n\tAZaz~\u{FF}".utf8)
        var state: UInt64 = 42
        func random(_ bound: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(bound))
        }
        for _ in 0..<1_000 {
            var bytes = original
            for _ in 0..<(1 + random(4)) {
                let at = random(bytes.count)
                switch random(3) {
                case 0: bytes.remove(at: at)
                case 1: bytes.insert(bytes[at], at: at)
                default: bytes.insert(alphabet[random(alphabet.count)], at: at)
                }
            }
            let text = String(decoding: bytes, as: UTF8.self)
            let lineCount = text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).count
            let report = BeancountJournal.load(text: text)
            XCTAssertTrue(report.errors.allSatisfy { (1...lineCount).contains($0.line) }, "\(report.errors)")
        }
    }

    // MARK: helpers

    /// The shared conformance folder (`../shared/conformance/ledger/beancount/` from the package
    /// root) when present, otherwise the copy in `Fixtures/beancount/`.
    static func fixtureURL(_ file: String) -> URL {
        let testsDir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        let shared = testsDir.deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("shared/conformance/ledger/beancount/\(file)")
        if FileManager.default.fileExists(atPath: shared.path) { return shared }
        return testsDir.appendingPathComponent("Fixtures/beancount/\(file)")
    }

    static func load(_ journal: String) throws -> BeancountReport {
        let data = try Data(contentsOf: fixtureURL("\(journal).beancount"))
        return BeancountJournal.load(text: String(decoding: data, as: UTF8.self))
    }

    static func expected(_ journal: String) throws -> [String: Any] {
        let data = try Data(contentsOf: fixtureURL("\(journal).expected.json"))
        return try XCTUnwrap(JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// The kind a beancount message stands for.
    static func kind(of message: String) -> BeancountError.Kind? {
        let prefixes: [(String, BeancountError.Kind)] = [
            ("Balance failed for", .balanceFailed), ("Transaction does not balance", .unbalanced),
            ("Invalid reference to unknown account", .unknownAccount),
            ("Invalid reference to inactive account", .inactiveAccount), ("Invalid currency", .invalidCurrency),
            ("You may not have more than one auto-posting", .autoPosting), ("Ambiguous matches", .ambiguousMatch),
            ("Not enough lots", .notEnoughLots), ("No position matches", .noMatchingLot), ("Unused Pad entry", .unusedPad),
        ]
        return prefixes.first { message.hasPrefix($0.0) }?.1
    }

    static func errors(_ report: BeancountReport) -> [String] {
        report.errors.map { "\($0.line) \($0.kind.rawValue) \($0.message)" }
    }

    /// Units per currency per account, as Python's `str` of each decimal.
    static func units(_ report: BeancountReport) -> [String: [String: String]] {
        report.accounts.mapValues { $0.units.mapValues(\.scientificString) }
    }

    func assertErrorsMatch(_ report: BeancountReport, _ journal: String, file: StaticString = #filePath,
                           line: UInt = #line) throws {
        let expected = try XCTUnwrap(Self.expected(journal)["errors"] as? [[String: Any]])
        let wanted = expected.map { error -> String in
            let message = error["message"] as? String ?? ""
            return "\(int(error["line"])) \(Self.kind(of: message)?.rawValue ?? "?") \(message)"
        }
        XCTAssertEqual(Self.errors(report), wanted, file: file, line: line)
    }

    func assertHoldingsMatch(_ report: BeancountReport, _ journal: String, file: StaticString = #filePath,
                             line: UInt = #line) throws {
        let final = try XCTUnwrap(Self.expected(journal)["final"] as? [String: [String: Any]])
        XCTAssertEqual(Self.units(report), final.mapValues { $0["units"] as? [String: String] ?? [:] }, file: file, line: line)
        for (account, holdings) in final {
            let lots = (holdings["lots"] as? [[String: String]] ?? []).map { lot in
                [lot["units"], lot["commodity"], lot["cost"], lot["cost_currency"], lot["date"]].map { $0 ?? "?" }
            }
            let ours = (report.accounts[account]?.lots ?? []).map { lot in
                [lot.units.scientificString, lot.currency, lot.cost?.number.scientificString ?? "-",
                 lot.cost?.currency ?? "-", lot.cost?.date.description ?? "-"]
            }
            XCTAssertEqual(ours, lots, "lots of \(account)", file: file, line: line)
        }
    }
}
