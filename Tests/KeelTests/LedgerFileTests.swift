import CSQLite
import Foundation
import XCTest
import Keel

/// `ledger.open`: a script's ledger in SQLite, inside the folder the host grants. Reopening
/// gives the same accounts, balances and chain head; a changed file is refused by entry.
final class LedgerFileTests: ScriptFolderTestCase {
    let writer = """
        use ledger
        let book = ledger.open("books.db")
        let bank = book.account("assets:bank", USD)
        let alice = book.account_with("users:alice", USD, limits: [Limit.no_overdraft])
        currency GOLD(0)
        let vault = book.account("vault", GOLD)
        let mint = book.account("mint", GOLD)
        let a = book.transfer(1, from: bank, to: alice, 120.50 USD)
        let b = book.transfer(2, from: alice, to: bank, 20.25 USD)
        let c = book.transfer(3, from: mint, to: vault, 7 GOLD)
        let d = book.transfer(4, from: alice, to: bank, 1000.00 USD)
        print("${alice.posted()} ${vault.posted()} ${book.size()}")
        print(book.head().hex())
        """

    let reader = """
        use ledger
        let book = ledger.open("books.db")
        let alice = book.find("users:alice") ?? book.account("missing", USD)
        let vault = book.find("vault") ?? book.account("missing", USD)
        print("${alice.posted()} ${vault.posted()} ${book.size()}")
        print(book.head().hex())
        print(book.verify() == Audit.intact(3, book.head()))
        print(book.transfer(1, from: book.find("assets:bank") ?? alice, to: alice, 120.50 USD))
        print(book.transfer(4, from: alice, to: book.find("assets:bank") ?? alice, 1.00 USD))
        """

    func testReopeningGivesTheSameBooks() throws {
        let first = try run(writer)
        XCTAssertEqual(first.first, "100.25 USD 7 GOLD 3")
        let second = try run(reader)
        XCTAssertEqual(second[0], "100.25 USD 7 GOLD 3")
        XCTAssertEqual(second[1], first[1], "the chain head survives reopening")
        XCTAssertEqual(second[2], "true")
        XCTAssertEqual(second[3], "Posted.exists(0)", "ids are remembered across runs")
        XCTAssertEqual(second[4], "Posted.failed(Code.id_already_failed)", "so are failed ids")
    }

    func testAChangedFileIsRefusedNamingTheEntry() throws {
        _ = try run(writer)
        var db: OpaquePointer?
        XCTAssertEqual(sqlite3_open(folder + "/books.db", &db), SQLITE_OK)
        // Entry 1 moved 2025 cents (0x07e9, little-endian e9 07 at offset 29); make it 2026.
        XCTAssertEqual(sqlite3_exec(db, "UPDATE entries SET body = substr(body, 1, 29) || x'ea07' || substr(body, 32) WHERE idx = 1",
                                    nil, nil, nil), SQLITE_OK)
        sqlite3_close(db)
        XCTAssertThrowsError(try run(reader)) { error in
            XCTAssertTrue("\(error)".contains("the hash chain is broken at entry 1"), "\(error)")
        }
    }

    /// One ledger writes a file at a time: a second one on it would keep its own state.
    func testASecondWriterIsRefused() throws {
        _ = try run(writer)
        XCTAssertThrowsError(try run(reader + "\nlet again = ledger.open(\"books.db\")")) { error in
            XCTAssertTrue("\(error)".contains("database is locked"), "\(error)")
        }
        XCTAssertEqual(try run(reader).first, "100.25 USD 7 GOLD 3", "the lock goes with the ledger")
    }

    func testFilesNeedTheHostsGrant() throws {
        XCTAssertThrowsError(try run(writer, files: false)) { error in
            XCTAssertTrue("\(error)".contains("grants scripts no files"), "\(error)")
        }
        for path in ["../books.db", "/tmp/books.db", "a/../../b.db", ""] {
            XCTAssertThrowsError(try run("use ledger\nlet b = ledger.open(\"\(path)\")")) { error in
                XCTAssertTrue("\(error)".contains("is not a relative path"), "\(path): \(error)")
            }
        }
    }
}
