import Foundation
import XCTest
@testable import Ledger

/// The 14 cases of `numscript/numscript_cases.json`: postings in order, or `missing_funds`.
/// The JSON trees are read into `Statement`s; variables, metadata lookups and the one
/// `$limit - balance(@acct, ASSET)` expression are resolved here, as a script front end would.
final class NumscriptTests: XCTestCase {
    func testAllCases() throws {
        let root = try XCTUnwrap(fixture("numscript_cases.json") as? [String: Any])
        let cases = try XCTUnwrap(root["cases"] as? [[String: Any]])
        XCTAssertEqual(cases.count, 14)
        var passed = 0
        for c in cases {
            let before = testRun?.failureCount ?? 0
            let runs = c["runs"] as? [[String: Any]] ?? [c]
            for (r, run) in runs.enumerated() {
                let variables = (c["variables"] as? [String: Any] ?? [:])
                    .merging(run["variables"] as? [String: Any] ?? [:]) { $1 }
                let balances = (run["balances"] ?? c["balances"]) as? [String: [String: Any]] ?? [:]
                let context = Context(variables: variables, balances: balances,
                                      metadata: c["account_metadata"] as? [String: [String: String]] ?? [:])
                let name = "\(c["name"] ?? "?") run \(r)"
                let statements = try (c["program"] as? [[String: Any]] ?? []).map { try context.statement($0) }
                var plan = SplitPlan(balances: context.intBalances)
                let expect = try XCTUnwrap(run["expect"] as? [String: Any], name)
                do {
                    let postings = try plan.run(statements)
                    let want = (expect["postings"] as? [[String: Any]] ?? []).map {
                        Posting(source: $0["source"] as? String ?? "", destination: $0["destination"] as? String ?? "",
                                amount: Int128(int($0["amount"])), asset: $0["asset"] as? String ?? "")
                    }
                    XCTAssertNil(expect["error"], "\(name): expected an error, got \(postings)")
                    XCTAssertEqual(postings, want, name)
                } catch {
                    guard case .missingFunds = error else { return XCTFail("\(name): \(error)") }
                    XCTAssertEqual(expect["error"] as? String, "missing_funds", name)
                }
            }
            if testRun?.failureCount == before { passed += 1 }
        }
        print("Numscript cases passed: \(passed)/\(cases.count)")
    }

    func testRoundingHandsLeftoverInDeclarationOrder() throws {
        XCTAssertEqual(try allocate(15, [.portion(Portion("80%")!), .portion(Portion("8%")!), .portion(Portion("12%")!)]),
                       [13, 1, 1])
        XCTAssertEqual(try allocate(100, [.remaining, .portion(Portion("1/3")!)]), [67, 33])
        XCTAssertEqual(try allocate(2, [.portion(Portion("1/3")!), .portion(Portion("1/3")!), .portion(Portion("1/3")!)]),
                       [1, 1, 0])
        XCTAssertThrowsError(try allocate(10, [.portion(Portion("50%")!), .portion(Portion("40%")!)]))
        // Extreme amounts are errors, not traps.
        var plan = SplitPlan(balances: ["a": ["X": .max]])
        XCTAssertThrowsError(try plan.run([.send(asset: "X", amount: .exactly(.max), from: .account("world"),
                                                 to: .account("a"))])) { XCTAssertEqual($0 as? SplitError, .overflow) }
        XCTAssertThrowsError(try allocate(.max, [.portion(Portion("1/3")!), .remaining]))
    }

    struct Context {
        var variables: [String: Any]
        var balances: [String: [String: Any]]
        var metadata: [String: [String: String]]

        var intBalances: [String: [String: Int128]] {
            balances.mapValues { $0.mapValues { Int128(int($0)) } }
        }

        struct Bad: Error { let what: String }

        func value(_ any: Any?) throws -> Any? {
            if let s = any as? String, s.hasPrefix("$") {
                guard let v = variables[String(s.dropFirst())] else { throw Bad(what: s) }
                if let pair = v as? [Any], pair.count == 2 { return pair[1] }
                return v
            }
            return any
        }

        func amount(_ any: Any?) throws -> Int128 { Int128(int(try value(any))) }

        func statement(_ s: [String: Any]) throws -> Statement {
            if let save = s["save"] as? [Any], let from = s["from"] as? [String: Any] {
                return .save(asset: save[0] as? String ?? "", amount: try amount(save[1]),
                             from: from["account"] as? String ?? "")
            }
            let send = try XCTUnwrap(s["send"] as? [String: Any])
            let asset = send["asset"] as? String ?? ""
            let raw = try value(send["amount"])
            let amount: SendAmount = (raw as? String) == "all" ? .all : .exactly(Int128(int(raw)))
            return .send(asset: asset, amount: amount, from: try source(s["source"], asset),
                         to: try destination(s["destination"]))
        }

        func source(_ any: Any?, _ asset: String) throws -> Source {
            let s = try XCTUnwrap(any as? [String: Any])
            if let name = s["account"] as? String {
                if (s["overdraft"] as? String) == "unbounded" { return .account(name, overdraft: .unbounded) }
                if let bound = s["overdraft"] as? [Any] { return .account(name, overdraft: .upTo(try amount(bound[1]))) }
                return .account(name)
            }
            if let list = s["inorder"] as? [Any] { return .inOrder(try list.map { try source($0, asset) }) }
            if let clauses = s["allot"] as? [[Any]] {
                return .allot(try clauses.map { (try share($0[0]), try source($0[1], asset)) })
            }
            if let cap = s["max"] {
                return .capped(max: try capValue(cap, asset), try source(s["from"], asset))
            }
            throw Bad(what: "\(s)")
        }

        /// `[asset, amount]`, or `{expr: "$limit - balance(@acct, ASSET)"}`.
        func capValue(_ any: Any, _ asset: String) throws -> Int128 {
            if let pair = any as? [Any] { return try amount(pair[1]) }
            let expr = try XCTUnwrap((any as? [String: Any])?["expr"] as? String)
            let pattern = try NSRegularExpression(pattern: #"^\$(\w+) - balance\(@([\w:]+), ([\w/]+)\)$"#)
            let match = try XCTUnwrap(pattern.firstMatch(in: expr, range: NSRange(expr.startIndex..., in: expr)))
            let group = { (i: Int) in String(expr[Range(match.range(at: i), in: expr)!]) }
            return try amount("$" + group(1)) - Int128(int(balances[group(2)]?[group(3)]))
        }

        func share(_ any: Any) throws -> Share {
            if let text = try value(any) as? String {
                if text == "remaining" { return .remaining }
                return .portion(try XCTUnwrap(Portion(text), text))
            }
            let meta = try XCTUnwrap((any as? [String: Any])?["portion_from_meta"] as? [String])
            return .portion(try XCTUnwrap(metadata[meta[0]]?[meta[1]].flatMap(Portion.init)))
        }

        func destination(_ any: Any?) throws -> Destination {
            let d = try XCTUnwrap(any as? [String: Any])
            if let name = d["account"] as? String { return .account(name) }
            if let meta = d["account_from_meta"] as? [String] {
                return .account(try XCTUnwrap(metadata[meta[0]]?[meta[1]]))
            }
            if d["kept"] as? Bool == true { return .kept }
            if let clauses = d["allot"] as? [[Any]] {
                return .allot(try clauses.map { (try share($0[0]), try destination($0[1])) })
            }
            if let clauses = d["inorder"] as? [[Any]] {
                let capped = try clauses.map { clause -> (max: Int128, Destination) in
                    let cap = try XCTUnwrap((clause[0] as? [String: Any])?["max"] as? [Any])
                    return (try amount(cap[1]), try destination(clause[1]))
                }
                return .inOrder(capped, remaining: try destination(d["remaining"]))
            }
            throw Bad(what: "\(d)")
        }
    }
}
