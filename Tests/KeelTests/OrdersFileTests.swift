import Foundation
import XCTest
import Keel
import Orders

/// `orders.open_book`: a book kept in a journal file inside the folder the host grants.
/// Reopening replays the file into the same events and book; a torn tail is dropped with
/// a warning, damage elsewhere is an error naming its offset.
final class OrdersFileTests: ScriptFolderTestCase {
    let trading = """
        use orders
        let r = orders.open_book("ACME", "acme.journal", tick: 0.01, lot: 1)
        let book = r.book
        print(r.events.len())
        for e in book.submit(orders.limit(1, Side.sell, 10.05, 300)) { print(e) }
        for e in book.run([orders.limit(2, Side.sell, 10.10, 100), orders.ioc(3, Side.buy, 10.07, 500), orders.limit(4, Side.buy, 9.999, 1)]) { print(e) }
        print(book.orders())
        """

    let reopening = """
        use orders
        let r = orders.open_book("ACME", "acme.journal", tick: 0.01, lot: 1)
        for e in r.events { print(e) }
        print(r.book.orders())
        print(r.warnings)
        """

    func testReopeningReplaysTheSameEventsAndBook() throws {
        let first = try run(trading)
        XCTAssertEqual(first.first, "0", "a new file is an empty journal")
        let events = Array(first.dropFirst().dropLast())
        XCTAssertTrue(events.contains("Event.rejected(4, \"off_tick\")"), "\(events)")
        XCTAssertTrue(events.contains { $0.hasPrefix("Event.trade(Trade { seq: 1, taker: 3, maker: 1, price: 10.05, qty: 300") }, "\(events)")
        let second = try run(reopening)
        XCTAssertEqual(Array(second.prefix(events.count)), events, "replay gives the same events")
        XCTAssertEqual(second[events.count], first.last, "and the same resting orders")
        XCTAssertEqual(second.last, "[]")
        // The replayed book goes on appending: a third run sees all of it and more.
        let third = try run(trading.replacingOccurrences(of: "orders.limit(1,", with: "orders.limit(11,")
            .replacingOccurrences(of: "orders.limit(2,", with: "orders.limit(12,")
            .replacingOccurrences(of: "orders.ioc(3,", with: "orders.ioc(13,")
            .replacingOccurrences(of: "orders.limit(4,", with: "orders.limit(14,"))
        XCTAssertEqual(third.first, String(events.count))
    }

    /// A journal file's writer holds 8.5 MB (its ring of commands and its encoding space),
    /// charged to the script before the file is opened: a script opening book after book
    /// meets its memory limit, and the file it could not open is not left locked.
    func testOpeningAJournalFileCountsAgainstTheMemoryLimit() throws {
        XCTAssertGreaterThan(JournalWriter.memoryBytes, 4 << 20)
        func assertMemoryLimit(_ source: String, limit bytes: Int) {
            do {
                let engine = try Engine(limits: Limits(memory: bytes))
                engine.files = FileAccess(root: folder)
                XCTAssertThrowsError(try engine.load(source: source, name: "script.keel")) { error in
                    guard case KeelError.runtime(let d, let limit) = error else { return XCTFail("\(error)") }
                    XCTAssertEqual(limit, .memory, d.message)
                }
            } catch {
                XCTFail("\(error)")
            }
        }
        assertMemoryLimit(reopening, limit: 4 << 20)
        let many = """
            use orders
            for i in 0..1000 { orders.open_book("B${i}", "b${i}.journal", tick: 0.01, lot: 1) }
            """
        assertMemoryLimit(many, limit: 64 << 20)
        XCTAssertEqual(try run(trading).first, "0", "the file is not locked")
    }

    /// `open_book_with(..., fsync_every: n)` leaves the fsyncs to the journal's writer
    /// thread: a call returns once its commands are appended, `durable()` never claims more
    /// than was submitted, and `sync()` (as `close()`) makes all of it durable. Reopened,
    /// the journal replays to the same events and book as a book that never left memory.
    func testAGroupedJournalSyncsOnAskingAndReplaysTheSame() throws {
        let stream = """
            var commands: List[Command] = []
            for i in 0..3000 {
              let side = if i % 2 == 0 { Side.buy } else { Side.sell }
              commands.push(orders.limit(i + 1, side, dec(1000 + (i * 7919) % 11) / 100, 1 + i % 5))
              if i % 7 == 6 { commands.push(orders.cancel(i - 3)) }
            }
            """
        let grouped = try run("""
            use orders
            \(stream)
            let r = orders.open_book_with("G", "g.journal", tick: 0.01, lot: 1, fsync_every: 500)
            let book = r.book
            var events = 0
            for c in commands { events += len(book.submit(c)) }
            print(book.durable() <= len(commands))
            print(book.sync() == len(commands))
            print(book.durable() == len(commands))
            print(events)
            book.close()
            print(book.durable() == len(commands))
            """)
        XCTAssertEqual(Array(grouped.prefix(3)), ["true", "true", "true"])
        XCTAssertEqual(grouped.last, "true", "a closed book's count is all of it")
        let reopened = try run("""
            use orders
            \(stream)
            let memory = orders.book("M", tick: 0.01, lot: 1)
            var expected: List[Event] = []
            for c in commands { expected = expected + memory.submit(c) }
            let r = orders.open_book("G", "g.journal", tick: 0.01, lot: 1)
            print(len(r.events))
            print(r.events == expected)
            print(r.book.orders() == memory.orders())
            """)
        XCTAssertEqual(reopened, [grouped[3], "true", "true"])
        XCTAssertGreaterThan(Int(grouped[3]) ?? 0, 3000)
    }

    func testGroupingNeedsACountAndDurableNeedsAFile() throws {
        XCTAssertThrowsError(try run("""
            use orders
            let r = orders.open_book_with("G", "n.journal", tick: 0.01, lot: 1, fsync_every: -1)
            """)) { error in
            XCTAssertTrue("\(error)".contains("fsync_every takes a number of commands, 0 or more; got -1"), "\(error)")
        }
        XCTAssertEqual(try run("""
            use orders
            let r = orders.open_book_with("G", "z.journal", tick: 0.01, lot: 1, fsync_every: 0)
            r.book.submit(orders.limit(1, Side.buy, 10.00, 5))
            print(r.book.sync())
            """), ["1"])
        XCTAssertThrowsError(try run("""
            use orders
            print(orders.book("M", tick: 0.01, lot: 1).durable())
            """)) { error in
            XCTAssertTrue("\(error)".contains("book M is not kept in a file"), "\(error)")
        }
    }

    func testATornTailIsDroppedAndDamageIsNamed() throws {
        _ = try run(trading)
        let path = folder + "/acme.journal"
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        let whole = bytes.count
        try Data(bytes.prefix(whole - 3)).write(to: URL(fileURLWithPath: path))
        let torn = try run(reopening)
        XCTAssertTrue(torn.last?.contains("dropped a torn last record") ?? false, "\(torn.last ?? "")")
        // The torn record was cut off; the book resumes after the last good one.
        XCTAssertFalse(torn.contains { $0.contains("Event.rejected(4") }, "the torn last command is gone")
        bytes[12] ^= 0xff
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try run(reopening)) { error in
            XCTAssertTrue("\(error)".contains("journal corrupt at byte 0"), "\(error)")
        }
    }

    /// The journal holds ticks and lots: another grid would silently mean other prices, so
    /// the book file beside it decides; and one journal has one writer at a time.
    func testTheJournalKeepsItsGridAndOneWriter() throws {
        _ = try run(trading)
        XCTAssertEqual(try String(contentsOfFile: folder + "/acme.journal.book", encoding: .utf8), "ACME 0.01 1\n")
        XCTAssertThrowsError(try run(reopening.replacingOccurrences(of: "tick: 0.01", with: "tick: 0.05"))) { error in
            XCTAssertTrue("\(error)".contains("the journal was written for 'ACME 0.01 1', not 'ACME 0.05 1'"), "\(error)")
        }
        XCTAssertEqual(try run(reopening.replacingOccurrences(of: "tick: 0.01", with: "tick: 0.010")).last, "[]",
                       "the same tick written another way is the same grid")
        XCTAssertThrowsError(try run(reopening + "\nlet again = orders.open_book(\"ACME\", \"acme.journal\", tick: 0.01, lot: 1)")) { error in
            XCTAssertTrue("\(error)".contains("is open in another book"), "\(error)")
        }
        try FileManager.default.removeItem(atPath: folder + "/acme.journal.book")
        XCTAssertThrowsError(try run(reopening)) { error in
            XCTAssertTrue("\(error)".contains("is missing, so the journal's tick and lot are unknown"), "\(error)")
        }
    }

    /// `book.close()` fsyncs, closes and unlocks the journal: the same script (or REPL) can
    /// open it again, in a book that replays what the closed one wrote. A closed book can
    /// still be read, not changed; closing it again does nothing.
    func testAClosedBooksJournalCanBeReopened() throws {
        let lines = try run("""
            use orders
            let r = orders.open_book("ACME", "acme.journal", tick: 0.01, lot: 1)
            let events = r.book.submit(orders.limit(1, Side.sell, 10.05, 300))
            r.book.close()
            r.book.close()
            print(r.book.orders().len())
            let r = orders.open_book("ACME", "acme.journal", tick: 0.01, lot: 1)
            print(r.events.len())
            for e in r.book.submit(orders.ioc(2, Side.buy, 10.05, 100)) { print(e) }
            print(r.book.orders())
            """)
        XCTAssertEqual(lines.first, "1", "the closed book still reads")
        XCTAssertEqual(lines[1], "1", "the reopened book replayed the closed one's command")
        XCTAssertEqual(Array(lines[2...3]), ["Event.accepted(2)", "Event.trade(Trade { seq: 1, taker: 2, maker: 1, price: 10.05, qty: 100 })"])
        XCTAssertTrue(lines.last?.contains("qty: 200") ?? false, "\(lines)")
        for change in ["r.book.submit(orders.limit(2, Side.buy, 10.00, 1))", "r.book.run([])",
                       "r.book.run_summary([orders.cancel(1)])", "r.book.checkpoint()"] {
            XCTAssertThrowsError(try run("""
                use orders
                let r = orders.open_book("ACME", "acme.journal", tick: 0.01, lot: 1)
                r.book.close()
                let x = \(change)
                """)) { error in
                XCTAssertTrue("\(error)".contains("4:9: error: book ACME is closed"), "\(change): \(error)")
            }
        }
        let closedInMemory = try run("""
            use orders
            let book = orders.journaled_book("ACME", tick: 0.01, lot: 1)
            let events = book.submit(orders.limit(1, Side.sell, 10.05, 300))
            book.close()
            print(book.journal().len() > 0)
            """)
        XCTAssertEqual(closedInMemory, ["true"], "an in-memory journal still reads after close")
    }

    /// A book opened in a loop's body is released when the iteration ends, so the next
    /// iteration (of a `for` or a `while`) can open the same journal and sees what the
    /// last one appended.
    func testEachIterationOfALoopReopensTheJournal() throws {
        let lines = try run("""
            use orders
            for i in 1..=3 {
              let r = orders.open_book("ACME", "acme.journal", tick: 0.01, lot: 1)
              let seen = r.events.len()
              let events = r.book.submit(orders.limit(i, Side.buy, 10.00, i))
              print(str(seen) + " " + str(r.book.orders().len()))
            }
            var n = 0
            while n < 2 {
              n += 1
              if n > 0 {
                let r = orders.open_book("ACME", "acme.journal", tick: 0.01, lot: 1)
                print(r.book.orders().len())
              }
            }
            """)
        XCTAssertEqual(lines, ["0 1", "1 2", "2 3", "3", "3"])
    }

    /// A checkpoint saves the book beside its journal; reopening restores it and replays
    /// only the journal after it, to the same book as a full replay.
    func testACheckpointShortensTheReplayToTheJournalAfterIt() throws {
        func session(_ n: Int, checkpoint: Bool) -> String {
            """
            use orders
            let r = orders.open_book("ACME", "acme.journal", tick: 0.01, lot: 1)
            print(len(r.events))
            r.book.run([orders.limit(\(n)1, Side.sell, 10.05, 300), orders.limit(\(n)2, Side.buy, 10.00, 50),
                        orders.iceberg(\(n)3, Side.sell, 10.10, 500, display: 100), orders.ioc(\(n)4, Side.buy, 10.10, 150)])
            \(checkpoint ? "print(r.book.checkpoint())" : "")
            """
        }
        let reader = """
            use orders
            let r = orders.open_book("ACME", "acme.journal", tick: 0.01, lot: 1)
            print(len(r.events))
            print(r.book.orders())
            print(r.book)
            """
        XCTAssertEqual(try run(session(1, checkpoint: true)), ["0", "4"], "the checkpoint covers the four commands")
        XCTAssertEqual(try run(session(2, checkpoint: false)).first, "0", "nothing after the checkpoint yet")
        let restored = try run(reader)
        XCTAssertEqual(restored.first, "5", "only the four commands after the checkpoint are replayed (their 5 events): \(restored)")
        try FileManager.default.removeItem(atPath: folder + "/acme.journal.snapshot")
        let replayed = try run(reader)
        XCTAssertEqual(replayed[0], "10", "a full replay: 5 events, then 5: \(replayed)")
        XCTAssertEqual(Array(restored.dropFirst()), Array(replayed.dropFirst()), "the same book either way")
        XCTAssertThrowsError(try run("use orders\nlet b = orders.book(\"X\", tick: 1, lot: 1)\nprint(b.checkpoint())")) { error in
            XCTAssertTrue("\(error)".contains("only books from orders.open_book take checkpoints"), "\(error)")
        }
    }

    /// A snapshot that does not fit its journal is an error naming the problem.
    func testASnapshotAheadOfItsJournalIsAnError() throws {
        XCTAssertEqual(try run(trading + "\nprint(book.checkpoint())").last, "4")
        let journal = folder + "/acme.journal"
        let bytes = try Data(contentsOf: URL(fileURLWithPath: journal))
        try bytes.prefix(42).write(to: URL(fileURLWithPath: journal))  // the first record only
        XCTAssertThrowsError(try run(reopening)) { error in
            XCTAssertTrue("\(error)".contains("the journal ends at command 1, before the 4 its snapshot covers"), "\(error)")
        }
        var snapshot = try Data(contentsOf: URL(fileURLWithPath: journal + ".snapshot"))
        snapshot[snapshot.count / 2] ^= 0xFF
        try snapshot.write(to: URL(fileURLWithPath: journal + ".snapshot"))
        XCTAssertThrowsError(try run(reopening)) { error in
            XCTAssertTrue("\(error)".contains("acme.journal.snapshot: bad snapshot: checksum mismatch"), "\(error)")
        }
    }

    /// A symbol is any string: spaces, a newline or nothing at all still reopen their book.
    func testAnySymbolReopensItsJournal() throws {
        for (index, symbol) in ["AC ME", "", "A\\nB", " lead and trail "].enumerated() {
            let file = "s\(index).journal"
            let script = """
                use orders
                let r = orders.open_book("\(symbol)", "\(file)", tick: 0.01, lot: 1)
                print(len(r.events))
                r.book.submit(orders.limit(len(r.events) + 1, Side.buy, 10.00, 5))
                """
            XCTAssertEqual(try run(script), ["0"], "symbol \(symbol)")
            XCTAssertEqual(try run(script), ["1"], "symbol \(symbol)")
            XCTAssertEqual(try run(script), ["2"], "symbol \(symbol)")
            XCTAssertThrowsError(try run(script.replacingOccurrences(of: "\"\(symbol)\"", with: "\"\(symbol)x\""))) { error in
                XCTAssertTrue("\(error)".contains("the journal was written for"), "\(error)")
            }
        }
    }

    func testFilesNeedTheHostsGrant() throws {
        XCTAssertThrowsError(try run(trading, files: false)) { error in
            XCTAssertTrue("\(error)".contains("grants scripts no files"), "\(error)")
        }
        XCTAssertThrowsError(try run("use orders\nlet r = orders.open_book(\"X\", \"../x\", tick: 1, lot: 1)")) { error in
            XCTAssertTrue("\(error)".contains("is not a relative path"), "\(error)")
        }
    }

    /// A symbolic link inside the folder does not lead a script out of it: not through a
    /// linked folder, a linked file or a link to nothing; a link that stays inside is fine.
    func testLinksCannotLeadOutOfTheFolder() throws {
        let outside = folder + "-outside"
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: outside) }
        try FileManager.default.createSymbolicLink(atPath: folder + "/away", withDestinationPath: outside)
        try FileManager.default.createSymbolicLink(atPath: folder + "/file.journal", withDestinationPath: outside + "/file.journal")
        try FileManager.default.createDirectory(atPath: folder + "/sub", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: folder + "/here", withDestinationPath: folder + "/sub")
        func open(_ path: String) throws -> [String] {
            try run("use orders\nlet r = orders.open_book(\"X\", \"\(path)\", tick: 1, lot: 1)\nprint(len(r.events))")
        }
        for (path, reason) in [("away/x.journal", "leads outside the script's folder"), ("file.journal", "is a link to nothing"),
                               (".", "is not a relative path"), ("sub/", "is not a relative path")] {
            XCTAssertThrowsError(try open(path), path) { error in
                XCTAssertTrue("\(error)".contains(reason), "\(path): \(error)")
            }
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: outside), [], "nothing was written outside")
        XCTAssertEqual(try open("here/x.journal"), ["0"])
        XCTAssertTrue(FileManager.default.fileExists(atPath: folder + "/sub/x.journal"))
    }
}
