import XCTest
@testable import Ledger
import Money

final class ReconcileTests: XCTestCase {
    func testMatchesByReferenceAmountAndDateTolerance() throws {
        let day: UInt64 = 86_400_000_000_000
        let start = UInt64(daysSinceEpoch("2026-11-02")!) * day + 3_600_000_000_000
        let l = Ledger(options: .init(clock: .manual(start: start)))
        let usd = Currency.iso("USD")!
        let bank = try l.createAccount(Account(name: "assets:bank", unit: usd, ledger: 1))
        let sales = try l.createAccount(Account(name: "income:sales", unit: usd, ledger: 1))
        for (id, amount) in [(1, 1_230), (2, 500), (3, 999), (4, 42)] as [(UInt128, UInt128)] {
            _ = try l.submit(Transfer(id: id, debit: bank, credit: sales, amount: amount, ledger: 1))
            try l.advance(seconds: 86_400)
        }
        let csv = """
            reference,amount,date
            1,12.3,2026-11-03
            2,5.00,2026-11-10
            3,9.98,2026-11-04
            9,1.00,2026-11-04
            """
        let statement = try StatementLine.parse(csv: csv, unit: usd)
        let report = l.reconcile(bank, against: statement, toleranceDays: 2, normal: .debit)
        XCTAssertEqual(report.matched.map(\.reference), ["1"])
        XCTAssertEqual(report.mismatched.map(\.reference), ["2", "3"])
        XCTAssertEqual(report.missingFromStatement, ["4"])
        XCTAssertEqual(report.missingFromLedger, [3])
        XCTAssertThrowsError(try StatementLine.parse(csv: "a,b,c\n1,1.001,2026-01-01", unit: usd))
        XCTAssertEqual(parseMinorUnits("0.00000001", scale: 8), 1)
        XCTAssertEqual(parseMinorUnits("-3", scale: 2), -300)
        XCTAssertEqual(parseMinorUnits("12.300", scale: 2), 1_230)
        let eth = Currency(code: "ETH", minorUnits: 18)
        XCTAssertEqual(eth.minorUnits(of: try Dec(parsing: "1.000000000000000001")), 1_000_000_000_000_000_001)
        XCTAssertEqual(eth.decimal(minorUnits: 5), try Dec(parsing: "0.000000000000000005"))
        XCTAssertEqual(usd.decimal(minorUnits: -1_230).description, "-12.30")
        XCTAssertNil(usd.minorUnits(of: try Dec(parsing: "0.001")))
        XCTAssertEqual(daysSinceEpoch("1970-01-01"), 0)
        XCTAssertEqual(daysSinceEpoch("2000-03-01"), 11_017)
    }
}
