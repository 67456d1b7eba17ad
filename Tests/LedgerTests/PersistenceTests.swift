import CSQLite
import Foundation
import XCTest
@testable import Ledger
import Money

/// SQLite persistence: reopening gives identical balances, chain head and idempotency state;
/// a tampered file is rejected naming the entry; a writer killed at random loses no
/// acknowledged transfer.
final class PersistenceTests: XCTestCase {
    var directory: URL!

    override func setUpWithError() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(at: directory)
    }

    func snapshot(_ l: Ledger) -> [String] {
        (1...l.accounts.count).map { "\(l.balance(AccountID(UInt32($0)))!) \(l.isClosed(AccountID(UInt32($0))))" }
            + ["\(l.chainHead)", "\(l.entries.count)"]
    }

    func populate(_ path: String) throws -> [String] {
        let l = try Ledger(path: path, clock: .manual(start: 5_000_000_000))
        let usd = Currency.iso("USD")!
        let a = try (0..<4).map { try l.createAccount(Account(name: "a\($0)", unit: usd, ledger: 1,
                                                              limits: $0 == 1 ? [.noOverdraft] : [])) }
        _ = try l.submit([
            Transfer(id: 1, debit: a[0], credit: a[1], amount: 500, ledger: 1),
            Transfer(id: 2, debit: a[1], credit: a[2], amount: 100, ledger: 1, flags: .pending),
            Transfer(id: 3, debit: a[1], credit: a[3], amount: 50, ledger: 1, flags: .pending, timeout: 2),
            Transfer(id: 4, debit: a[1], credit: a[2], amount: 9_999, ledger: 1),
            Transfer(id: 5, debit: a[3], credit: a[2], amount: 0, ledger: 1, flags: [.pending, .closingDebit]),
        ])
        _ = try l.submit(Transfer(id: 6, debit: .none, credit: .none, amount: 60, ledger: 0, code: 0,
                                  flags: .postPending, pendingID: 2))
        try l.advance(seconds: 3)
        _ = try l.transfer(id: 7, legs: [.debit(a[0], 30), .credit(a[2], 10), .credit(a[1], 20)])
        XCTAssertEqual(try l.reverse(7, as: 8).code, nil)
        let eur = try l.createAccount(Account(name: "eur", unit: Currency.iso("EUR")!, ledger: 2))
        let fx = try l.createAccount(Account(name: "fx:eur", unit: Currency.iso("EUR")!, ledger: 2))
        let rate = Rate(name: "fix-1", numerator: 9, denominator: 10, fromExchange: a[0], toExchange: fx)
        XCTAssertEqual(try l.transfer(id: 30, legs: [.debit(a[2], 10), .credit(eur, 9)], rate: rate).code, nil)
        _ = try l.transfer(id: 20, legs: [.debit(a[0], 9), .credit(a[2], 4), .credit(a[1], 5)], pending: true)
        _ = try l.transfer(id: 21, legs: [.debit(a[0], 9), .credit(a[2], 4), .credit(a[1], 5)], pending: true)
        _ = try l.submit(Transfer(id: 22, debit: .none, credit: .none, amount: Transfer.fullAmount, ledger: 0, code: 0,
                                  flags: .postPending, pendingID: 20))
        assertInvariants(l)
        return snapshot(l)
    }

    func testReopenGivesIdenticalState() throws {
        let path = directory.appendingPathComponent("l.db").path
        let before = try populate(path)
        let l = try Ledger(path: path, clock: .manual(start: 5_000_000_000))
        XCTAssertEqual(snapshot(l), before)
        assertInvariants(l)
        let a = (1...4).map { AccountID(UInt32($0)) }
        XCTAssertEqual(try l.submit(Transfer(id: 4, debit: a[1], credit: a[2], amount: 9_999, ledger: 1)).code,
                       .idAlreadyFailed)
        XCTAssertEqual(try l.submit(Transfer(id: 9, debit: .none, credit: .none, amount: 0, ledger: 0, code: 0,
                                             flags: .voidPending, pendingID: 2)).code, .pendingTransferAlreadyPosted)
        XCTAssertEqual(try l.submit(Transfer(id: 10, debit: .none, credit: .none, amount: 0, ledger: 0, code: 0,
                                             flags: .voidPending, pendingID: 3)).code, .pendingTransferExpired)
        XCTAssertEqual(try l.submit(Transfer(id: 11, debit: a[3], credit: a[0], amount: 1, ledger: 1)).code,
                       .debitAccountAlreadyClosed)
        XCTAssertEqual(try l.reverse(7, as: 12).code, .transferAlreadyReversed)
        XCTAssertEqual(l.rate(of: 30)?.name, "fix-1")
        XCTAssertEqual(try l.submit(Transfer(id: 23, debit: .none, credit: .none, amount: 0, ledger: 0, code: 0,
                                             flags: .voidPending, pendingID: 20)).code, .pendingTransferAlreadyPosted)
        XCTAssertEqual(try l.submit(Transfer(id: 24, debit: .none, credit: .none, amount: 0, ledger: 0, code: 0,
                                             flags: .voidPending, pendingID: 21)).code, nil)
        assertInvariants(l)
        XCTAssertEqual(try l.transfer(id: 7, legs: [.debit(a[0], 30), .credit(a[2], 10), .credit(a[1], 20)]),
                       .exists(entry: l.entries.firstIndex { $0.id == 7 }!))
    }

    /// A third party with only CANONICAL.md (here: Python's sqlite3 and hashlib) re-verifies
    /// the chain from the file and decodes the documented fields.
    func testChainVerifiesIndependentlyFromTheDocumentedEncoding() throws {
        let path = directory.appendingPathComponent("v.db").path
        _ = try populate(path)
        let head = try Ledger(path: path).chainHead.description
        let script = """
            import sqlite3, hashlib, struct, sys
            h = hashlib.sha256(b"keel-ledger-v1").digest()
            rows = sqlite3.connect(sys.argv[1]).execute("SELECT idx, body, hash FROM entries ORDER BY idx")
            for idx, body, stored in rows:
                assert len(body) == 87
                h = hashlib.sha256(h + body).digest()
                assert h == stored, idx
                if idx == 0:
                    kind, = struct.unpack_from("<B", body, 0)
                    tid = int.from_bytes(body[3:19], "little")
                    debit, credit = struct.unpack_from("<II", body, 21)
                    amount = int.from_bytes(body[29:45], "little")
                    assert (kind, tid, debit, credit, amount) == (0, 1, 1, 2, 500), (kind, tid, debit, credit, amount)
            print(h.hex())
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, path]
        let pipe = Pipe()
        process.standardOutput = pipe
        do { try process.run() } catch { throw XCTSkip("python3 not available") }
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertEqual(output.trimmingCharacters(in: .whitespacesAndNewlines), head)
    }

    func testTamperedFileIsRejectedNamingTheEntry() throws {
        let path = directory.appendingPathComponent("t.db").path
        _ = try populate(path)
        var db: OpaquePointer?
        XCTAssertEqual(sqlite3_open(path, &db), SQLITE_OK)
        // Entry 0 moved 500; make it 900 (offset 29 is the amount's low byte; 900 = 0x0384).
        XCTAssertEqual(sqlite3_exec(db, """
            UPDATE entries SET body = substr(body, 1, 29) || x'8403' || substr(body, 32) WHERE idx = 0
            """, nil, nil, nil), SQLITE_OK)
        sqlite3_close(db)
        XCTAssertThrowsError(try Ledger(path: path)) { XCTAssertEqual($0 as? LedgerError, .chainBroken(entry: 0)) }
    }

    func testKilledWriterLosesNoAcknowledgedTransfer() throws {
        let writer = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("ledger-crash-writer")
        let path = directory.appendingPathComponent("crash.db").path
        var acknowledged: Set<UInt128> = []
        var rng = SystemRandomNumberGenerator()
        for round in 0..<6 {
            let process = Process()
            process.executableURL = writer
            process.arguments = [path, "\(round + 1)"]
            let pipe = Pipe()
            process.standardOutput = pipe
            try process.run()
            let deadline = Date().addingTimeInterval(Double.random(in: 0.05...0.4, using: &rng))
            var buffer = Data()
            let handle = pipe.fileHandleForReading
            while Date() < deadline {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                buffer.append(chunk)
            }
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            buffer.append(handle.readDataToEndOfFile())
            // Only complete lines were acknowledged.
            let text = String(decoding: buffer, as: UTF8.self)
            for line in text.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
                for id in line.split(separator: " ").dropFirst() { acknowledged.insert(UInt128(id)!) }
            }
            let l = try Ledger(path: path)
            XCTAssertNoThrow(try l.verify())
            let present = Set(l.entries.map(\.id))
            let lost = acknowledged.subtracting(present)
            XCTAssertTrue(lost.isEmpty, "round \(round): lost \(lost.count) acknowledged transfers")
            assertInvariants(l)
        }
        XCTAssertGreaterThan(acknowledged.count, 0)
        print("crash test: \(acknowledged.count) acknowledged transfers survived 6 SIGKILLs")
    }
}
