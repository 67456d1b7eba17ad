import Foundation
import XCTest
@testable import Ledger
import Money

/// The 26 scenarios of `tigerbeetle/transfer_cases.json`: every result code and balance.
final class TigerBeetleTests: XCTestCase {
    /// Keel's codes are TigerBeetle's names (`ResultCode.rawValue`); this maps the flags.
    static let flagNames: [String: TransferFlags] = [
        "linked": .linked, "pending": .pending, "post_pending_transfer": .postPending,
        "void_pending_transfer": .voidPending, "balancing_debit": .balancingDebit,
        "balancing_credit": .balancingCredit, "closing_debit": .closingDebit, "closing_credit": .closingCredit,
    ]

    func testPrecedenceMatchesTigerBeetle() throws {
        let root = try XCTUnwrap(fixture("transfer_cases.json") as? [String: Any])
        let order = try XCTUnwrap(root["result_codes_in_precedence_order"] as? [String])
        let ours = ResultCode.allCases.filter { order.contains($0.rawValue) }.map(\.rawValue)
        XCTAssertEqual(ours, order.filter { name in ResultCode.allCases.contains { $0.rawValue == name } })
        let transient = try XCTUnwrap(root["transient_codes"] as? [String])
        XCTAssertEqual(Set(ResultCode.allCases.filter(\.isTransient).map(\.rawValue)), Set(transient))
    }

    func testAllScenarios() throws {
        let root = try XCTUnwrap(fixture("transfer_cases.json") as? [String: Any])
        let cases = try XCTUnwrap(root["cases"] as? [[String: Any]])
        XCTAssertEqual(cases.count, 26)
        var passed = 0
        for scenario in cases {
            let name = scenario["name"] as? String ?? "?"
            let failuresBefore = testRun?.failureCount ?? 0
            try run(scenario, name: name)
            if testRun?.failureCount == failuresBefore { passed += 1 }
        }
        print("TigerBeetle scenarios passed: \(passed)/\(cases.count)")
    }

    private func run(_ scenario: [String: Any], name: String) throws {
        let ledger = Ledger(options: .init(clock: .manual(start: 1_000_000_000)))
        var ids: [Int: AccountID] = [:]
        for a in scenario["accounts"] as? [[String: Any]] ?? [] {
            let flags = a["flags"] as? [String] ?? []
            var limits: [Limit] = []
            if flags.contains("debits_must_not_exceed_credits") { limits.append(.noOverdraft) }
            if flags.contains("credits_must_not_exceed_debits") { limits.append(.maxBalance(0)) }
            let id = int(a["id"])
            ids[id] = try ledger.createAccount(Account(
                name: "tb:\(id)", unit: Currency(code: "L\(int(a["ledger"]))", minorUnits: 0),
                ledger: UInt32(int(a["ledger"])), code: UInt16(int(a["code"])), limits: limits))
        }
        func account(_ any: Any?) -> AccountID {
            let n = int(any)
            return n == 0 ? .none : ids[n] ?? AccountID(UInt32(1_000_000 + n))
        }
        for (s, step) in (scenario["steps"] as? [[String: Any]] ?? []).enumerated() {
            if let batch = step["batch"] as? [[String: Any]] {
                let transfers = batch.map { t -> Transfer in
                    let amount: UInt128 = (t["amount"] as? String) == "max" ? .max : UInt128(int(t["amount"]))
                    var flags: TransferFlags = []
                    for f in t["flags"] as? [String] ?? [] { flags.formUnion(Self.flagNames[f] ?? []) }
                    return Transfer(id: UInt128(int(t["id"])), debit: account(t["debit"]), credit: account(t["credit"]),
                                    amount: amount, ledger: UInt32(int(t["ledger"])), code: UInt16(int(t["code"])),
                                    flags: flags, pendingID: UInt128(int(t["pending_id"])),
                                    timeout: UInt32(int(t["timeout"])))
                }
                let results = try ledger.submit(transfers)
                for (t, result) in zip(batch, results) {
                    let got: String
                    switch result {
                    case .created: got = "created"
                    case .exists: got = "exists"
                    case .failed(let code): got = code.rawValue
                    }
                    XCTAssertEqual(got, t["expect"] as? String, "\(name) step \(s) transfer \(int(t["id"]))")
                }
            } else if let balances = step["balances"] as? [String: [String: Any]] {
                for (key, expect) in balances {
                    let b = try XCTUnwrap(ledger.balance(account(Int(key))))
                    let got = [b.debitsPending, b.debitsPosted, b.creditsPending, b.creditsPosted]
                    let want = ["debits_pending", "debits_posted", "credits_pending", "credits_posted"]
                        .map { UInt128(int(expect[$0])) }
                    XCTAssertEqual(got, want, "\(name) step \(s) account \(key)")
                    if let isClosed = expect["closed"] as? Bool {
                        XCTAssertEqual(ledger.isClosed(account(Int(key))), isClosed, "\(name) step \(s) closed \(key)")
                    }
                }
            } else if let seconds = step["tick_seconds"] {
                try ledger.advance(seconds: UInt64(int(seconds)))
            }
            assertInvariants(ledger)
        }
    }
}
