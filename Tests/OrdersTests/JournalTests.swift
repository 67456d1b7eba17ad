import Foundation
import Money
@testable import Orders
import XCTest
import SeededRandom

final class JournalTests: XCTestCase {
    var directory = ""

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "orders-journal-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: directory)
    }

    func testCRC32CMatchesTheStandardCheckValueAndItsBytewiseDefinition() {
        for crc in [CRC32C.checksum(_:continuing:) as ([UInt8], UInt32) -> UInt32, CRC32C.tableChecksum] {
            XCTAssertEqual(crc(Array("123456789".utf8), 0), 0xE306_9283)
            XCTAssertEqual(crc([], 0), 0)
            XCTAssertEqual(crc([UInt8](repeating: 0, count: 32), 0), 0x8A91_36AA)  // RFC 3720 B.4
            XCTAssertEqual(crc([UInt8](repeating: 0xFF, count: 32), 0), 0x62A8_AB43)
            XCTAssertEqual(crc(Array(0...31), 0), 0x46DD_794E)
        }
        // Slice-by-8 against the one-bit-at-a-time definition, at every length and split.
        var random = SplitMix64(seed: 9)
        let bytes = (0..<300).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        func bitwise(_ data: ArraySlice<UInt8>) -> UInt32 {
            var crc: UInt32 = 0xFFFF_FFFF
            for byte in data {
                crc ^= UInt32(byte)
                for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
            }
            return ~crc
        }
        for length in 0...bytes.count {
            let data = Array(bytes[0..<length])
            XCTAssertEqual(CRC32C.checksum(data), bitwise(bytes[0..<length]), "length \(length)")
            XCTAssertEqual(CRC32C.tableChecksum(data), bitwise(bytes[0..<length]), "length \(length)")
            let split = length / 3
            XCTAssertEqual(CRC32C.checksum(Array(data[split...]), continuing: CRC32C.checksum(Array(data[..<split]))),
                           bitwise(bytes[0..<length]))
        }
    }

    /// Journals a random stream, snapshots halfway, and checks that snapshot + tail
    /// recovery reproduces the second half's events exactly, and the final book.
    func testSnapshotPlusJournalTailReproducesTheEventStream() throws {
        for policy in [FsyncPolicy.none, .every(1000), .always] {
            let journalPath = directory + "/j-\(policy)", snapshotPath = directory + "/s-\(policy)"
            let book = try OrderBook(tick: try Dec(parsing: "0.01"), lot: Dec(1), capacity: 500)
            let journaled = JournaledBook(book: book, writer: try JournalWriter(path: journalPath, policy: policy))
            var generator = CommandGenerator(seed: 77)
            var events: [Event] = [], secondHalf: [Event] = []
            let total = policy == .always ? 400 : 6_000
            for step in 0..<total {
                if step == total / 2 { try book.writeSnapshot(to: snapshotPath) }
                let command = generator.next()
                events.removeAll(keepingCapacity: true)
                try journaled.submit(command, into: &events)
                if step >= total / 2 { secondHalf.append(contentsOf: events) }
            }
            try journaled.writer.sync()
            XCTAssertFalse(secondHalf.isEmpty)
            let recovered = try Recovery.run(snapshotPath: snapshotPath, journalPath: journalPath) {
                try OrderBook(tick: Dec(1), lot: Dec(1), capacity: 1)
            }
            XCTAssertEqual(recovered.events, secondHalf, "\(policy)")
            XCTAssertEqual(recovered.book.restingOrders(), book.restingOrders())
            XCTAssertEqual(recovered.book.pendingStops, book.pendingStops)
            XCTAssertEqual(recovered.book.snapshot(), book.snapshot())
            XCTAssertEqual(recovered.journal.entries.count, total)
            XCTAssertTrue(recovered.journal.warnings.isEmpty)
            // Without a snapshot the whole journal replays to the same book.
            let full = try Recovery.run(snapshotPath: directory + "/none", journalPath: journalPath) {
                try OrderBook(tick: try Dec(parsing: "0.01"), lot: Dec(1), capacity: 500)
            }
            XCTAssertEqual(full.book.snapshot(), book.snapshot())
        }
    }

    /// A restored book reserves the orders its snapshot holds and grows from there like
    /// any other, giving the events the book it was taken from gives.
    func testARestoredBookGrowsFromTheOrdersItHolds() throws {
        let book = try OrderBook(tick: Dec(1), lot: Dec(1), capacity: 20_000)
        var events: [Event] = []
        for id in 1...1_500 {
            book.submit(.new(NewOrder(id: UInt64(id), side: id % 2 == 0 ? .buy : .sell,
                                      price: id % 2 == 0 ? Int64(1_000 - id % 300) : Int64(1_001 + id % 300), quantity: 5)),
                        into: &events)
        }
        let restored = try OrderBook.restore(snapshot: book.snapshot())
        XCTAssertEqual(restored.room, 1_500)
        XCTAssertEqual(restored.restingOrders(), book.restingOrders())
        var generator = CommandGenerator(seed: 78, band: 3_000)
        var expected: [Event] = [], got: [Event] = []
        for _ in 0..<8_000 {
            var command = generator.next()
            // The generator's ids start at 1; keep them clear of the prefilled ones.
            if case .new(var order) = command { order.id += 10_000; command = .new(order) }
            book.submit(command, into: &expected)
            restored.submit(command, into: &got)
        }
        XCTAssertEqual(got, expected)
        XCTAssertEqual(restored.restingOrders(), book.restingOrders())
        XCTAssertGreaterThan(restored.room, 1_500)
        XCTAssertGreaterThan(restored.restingCount, 1_500)
    }

    func journalBytes(_ commands: [Command]) throws -> [UInt8] {
        let path = directory + "/bytes"
        try? FileManager.default.removeItem(atPath: path)
        let writer = try JournalWriter(path: path, policy: .none)
        for (index, command) in commands.enumerated() { try writer.append(command, sequence: UInt64(index + 1)) }
        try writer.flush()
        return [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    let sample: [Command] = [
        .new(NewOrder(id: 1, side: .buy, price: 100, quantity: 5)),
        .cancel(id: 1),
        .modify(id: 2, price: 7, quantity: 0),
        .new(NewOrder(id: 5, side: .sell, type: .postOnly, price: 3, quantity: 9, display: 2)),
        .new(NewOrder(id: 6, side: .buy, type: .stop, price: 0, quantity: 1, stopPrice: 4)),
        .new(NewOrder(id: 7, side: .buy, type: .fok, price: 1, quantity: 1, selfTrade: .cancelTaker)),
        .new(NewOrder(id: 3, side: .sell, type: .stopLimit, price: 9, quantity: 1, stopPrice: 8, trader: 4,
                      selfTrade: .cancelBoth)),
    ]

    func testATornLastRecordIsDroppedWithAWarning() throws {
        let lastStart = try journalBytes(Array(sample.dropLast())).count
        let bytes = try journalBytes(sample)
        let whole = try Journal.decode(bytes)
        XCTAssertEqual(whole.entries.map(\.command), sample)
        XCTAssertEqual(whole.validLength, bytes.count)
        for cut in [bytes.count - 1, bytes.count - 30, lastStart + 3] {
            let torn = try Journal.decode(Array(bytes[..<cut]))
            XCTAssertEqual(torn.entries.map(\.command), Array(sample.dropLast()), "cut at \(cut)")
            XCTAssertEqual(torn.validLength, lastStart)
            XCTAssertEqual(torn.warnings.count, 1)
        }
        // Complete length but garbage payload at the very end: also torn.
        var garbled = bytes
        garbled[bytes.count - 2] ^= 0xFF
        XCTAssertEqual(try Journal.decode(garbled).entries.count, sample.count - 1)
        // A zero-filled tail (extended, never written) is torn too.
        XCTAssertEqual(try Journal.decode(bytes + [UInt8](repeating: 0, count: 40)).entries.count, sample.count)
    }

    func testCorruptionInTheMiddleIsAnErrorNamingTheByteOffset() throws {
        let second = try journalBytes([sample[0]]).count
        XCTAssertEqual(second, 8 + 8 + 26)  // a plain limit order's compact record
        let bytes = try journalBytes(sample)
        var flipped = bytes
        flipped[second + 12] ^= 0x01
        XCTAssertThrowsError(try Journal.decode(flipped)) { error in
            XCTAssertEqual(error as? JournalError, .corrupt(offset: second, "checksum mismatch"))
            XCTAssertTrue("\(error)".contains("byte \(second)"))
        }
        var badLength = bytes
        badLength[second] = 0xFF
        XCTAssertThrowsError(try Journal.decode(badLength)) { error in
            XCTAssertEqual(error as? JournalError, .corrupt(offset: second, "bad record length 255"))
        }
        // Records out of sequence (a spliced journal).
        let spliced = Array(bytes[0..<second]) + Array(bytes[0..<second])
        XCTAssertThrowsError(try Journal.decode(spliced)) { error in
            XCTAssertEqual(error as? JournalError, .corrupt(offset: second, "sequence 1 follows 1"))
        }
    }

    /// A crash after the file grew but before its data reached the disk leaves zeros from
    /// a page boundary on, usually inside a record: the records from there are torn, not
    /// corrupt, or the journal could never be opened again.
    func testAZeroFilledTailStartingInsideARecordIsTorn() throws {
        let starts = try (0..<sample.count).map { try journalBytes(Array(sample.prefix($0))).count }
        let bytes = try journalBytes(sample)
        let ends = Array(starts.dropFirst()) + [bytes.count]
        for (record, start) in starts.enumerated().dropFirst() {
            // Zeros over bytes that were zero already leave the record whole.
            for zeroFrom in [start + 2, start + 8, start + 20] where bytes[zeroFrom..<ends[record]].contains(where: { $0 != 0 }) {
                let damaged = Array(bytes[..<zeroFrom]) + [UInt8](repeating: 0, count: 4096 - zeroFrom % 4096)
                let contents = try Journal.decode(damaged)
                XCTAssertEqual(contents.entries.map(\.command), Array(sample.prefix(record)), "zeros from \(zeroFrom)")
                XCTAssertEqual(contents.validLength, start)
                XCTAssertEqual(contents.warnings, ["dropped a torn last record: \(damaged.count - start) bytes at offset \(start)"])
            }
        }
        // Zeros inside a record with good data after them are damage, not a torn tail.
        var holed = bytes
        for i in (starts[2] + 8)..<(starts[2] + 12) { holed[i] = 0 }
        XCTAssertThrowsError(try Journal.decode(holed)) { error in
            XCTAssertEqual(error as? JournalError, .corrupt(offset: starts[2], "checksum mismatch"))
        }
    }

    /// A record cut short is torn only if nothing whole follows it: a damaged length that
    /// points past the end must not take the complete records after it along.
    func testALengthPointingPastTheEndBeforeAWholeRecordIsCorruption() throws {
        // Two cancels' records: short enough for a possible length of the first to reach
        // past the end of the second.
        let commands: [Command] = [.cancel(id: 1), .cancel(id: 2)]
        let bytes = try journalBytes(commands)
        let damagedAt = 0, last = try journalBytes([commands[0]]).count
        var damaged = bytes
        let pastTheEnd = bytes.count - damagedAt - JournalWriter.headerSize + 1
        XCTAssertLessThanOrEqual(pastTheEnd, 8 + CommandCodec.maxSize, "still a possible length")
        damaged[damagedAt] = UInt8(pastTheEnd)
        XCTAssertThrowsError(try Journal.decode(damaged)) { error in
            XCTAssertEqual(error as? JournalError,
                           .corrupt(offset: damagedAt, "bad record length \(pastTheEnd): a whole record follows at byte \(last)"))
        }
        // Without the last record, the same length is an ordinary torn tail.
        let torn = try Journal.decode(Array(damaged[..<last]))
        XCTAssertEqual(torn.entries.count, 0)
        XCTAssertEqual(torn.warnings, ["dropped a torn last record: \(last) bytes at offset 0"])
    }

    func testResumingAfterATornRecordAppendsAfterTheLastGoodOne() throws {
        let path = directory + "/resume"
        let bytes = try journalBytes(sample)
        try Data(bytes[..<(bytes.count - 5)]).write(to: URL(fileURLWithPath: path))
        let contents = try Journal.read(path: path)
        let writer = try JournalWriter(path: path, policy: .always, validLength: contents.validLength)
        try writer.append(.cancel(id: 42), sequence: UInt64(sample.count))
        let again = try Journal.read(path: path)
        XCTAssertEqual(again.entries.map(\.command), Array(sample.dropLast()) + [.cancel(id: 42)])
        XCTAssertTrue(again.warnings.isEmpty)
    }

    func testACorruptSnapshotIsATypedErrorAndNeverACrash() throws {
        let book = try OrderBook(tick: Dec(1), lot: Dec(1), capacity: 10)
        _ = book.process([.new(NewOrder(id: 1, side: .buy, price: 5, quantity: 3, display: 1))])
        let bytes = book.snapshot()
        XCTAssertEqual(try OrderBook.restore(snapshot: bytes).restingOrders(), book.restingOrders())
        for index in stride(from: 0, to: bytes.count, by: 3) {
            var damaged = bytes
            damaged[index] ^= 0x5A
            XCTAssertThrowsError(try OrderBook.restore(snapshot: damaged))
        }
        XCTAssertThrowsError(try OrderBook.restore(snapshot: Array(bytes.dropLast(9))))
        XCTAssertThrowsError(try OrderBook.restore(snapshot: []))
    }

    /// Damaged inputs never crash: random byte flips and cuts of a journal either decode
    /// or throw, and snapshots damaged *behind a recomputed CRC* (so the field checks,
    /// not the checksum, must catch them) either restore a consistent book or throw.
    func testRandomDamageNeverCrashes() throws {
        var generator = CommandGenerator(seed: 3)
        let commands = (0..<200).map { _ in generator.next() }
        let journal = try journalBytes(commands)
        let book = try OrderBook(tick: Dec(1), lot: Dec(1), capacity: 300)
        _ = book.process(commands)
        let snapshot = book.snapshot()
        var random = SplitMix64(seed: 11)
        var restored = 0
        for _ in 0..<3_000 {
            var bytes = journal
            for _ in 0...random.below(3) { bytes[random.below(bytes.count)] = UInt8(truncatingIfNeeded: random.next()) }
            _ = try? Journal.decode(Array(bytes.prefix(random.below(bytes.count + 1))))

            var body = Array(snapshot.dropLast(4))
            body[random.below(body.count)] = UInt8(truncatingIfNeeded: random.next())
            let crc = CRC32C.checksum(body)
            body += [0, 8, 16, 24].map { UInt8(truncatingIfNeeded: crc >> $0) }
            if let copy = try? OrderBook.restore(snapshot: body) {
                restored += 1
                _ = copy.process(commands)  // A restored book must still run.
            }
        }
        XCTAssertGreaterThan(restored, 0)
    }

    /// The batch path journals a whole batch before applying it; recovery reproduces it.
    func testJournaledBatchesRecoverToTheSameEventsAndBook() throws {
        let path = directory + "/batches"
        let book = try OrderBook(tick: Dec(1), lot: Dec(1), capacity: 20_000)
        let journaled = JournaledBook(book: book, writer: try JournalWriter(path: path, policy: .every(100)))
        var generator = CommandGenerator(seed: 8)
        let commands = (0..<5_000).map { _ in generator.next() }
        var events: [Event] = []
        for start in stride(from: 0, to: commands.count, by: 333) {
            let batch = Array(commands[start..<min(start + 333, commands.count)])
            try batch.withUnsafeBufferPointer { buffer throws(JournalError) in
                try journaled.submit(contentsOf: buffer, into: &events)
            }
        }
        try journaled.writer.sync()
        XCTAssertEqual(journaled.writer.durableSequence, 5_000)
        let recovered = try Recovery.run(snapshotPath: nil, journalPath: path) {
            try OrderBook(tick: Dec(1), lot: Dec(1), capacity: 20_000)
        }
        XCTAssertEqual(recovered.journal.entries.map(\.command), commands)
        XCTAssertEqual(recovered.events, events)
        XCTAssertEqual(recovered.book.snapshot(), book.snapshot())
    }

    /// Records go round the writer's ring more than once, under the policies that leave
    /// the writing to the writer thread; what is read back is every record in order, and
    /// `durableSequence` reaches the last one once `sync` returns.
    func testRecordsSpanningManyWriterBuffersComeBackInOrder() throws {
        var generator = CommandGenerator(seed: 21)
        let commands = (0..<160_000).map { _ in generator.next() }
        let ring = JournalWriter.ringCapacity
        for (name, policy) in [("none", FsyncPolicy.none), ("every7", .every(7))] {
            let path = directory + "/span-" + name
            let writer = try JournalWriter(path: path, policy: policy)
            // Single appends and batches of odd sizes, so buffer ends fall everywhere.
            var sequence: UInt64 = 1, start = 0
            while start < commands.count {
                let size = start % 2 == 0 ? 1 : 777
                let end = min(start + size, commands.count)
                try Array(commands[start..<end]).withUnsafeBufferPointer { batch throws(JournalError) in
                    try writer.append(contentsOf: batch, firstSequence: sequence)
                }
                sequence += UInt64(end - start)
                start = end
            }
            try writer.sync()
            XCTAssertEqual(writer.durableSequence, UInt64(commands.count), name)
            let contents = try Journal.read(path: path)
            XCTAssertGreaterThan(contents.entries.count, ring, "\(name): the records should go round the ring")
            XCTAssertEqual(contents.entries.map(\.command), commands, name)
            XCTAssertEqual(contents.entries.map(\.sequence), Array(1...UInt64(commands.count)), name)
            XCTAssertEqual(contents.warnings, [], name)
        }
    }

    /// The writer thread writes, and under `every(n)` fsyncs, what is appended without
    /// being asked, also after it has parked for want of records (which takes it about a
    /// millisecond): `durableSequence` gets there with no `flush` or `sync`.
    func testTheWriterThreadWritesAppendedRecordsUnasked() throws {
        func waitForDurable(_ writer: JournalWriter, _ sequence: UInt64) -> UInt64 {
            for _ in 0..<2_000 where writer.durableSequence < sequence { usleep(1_000) }
            return writer.durableSequence
        }
        let none = try JournalWriter(path: directory + "/unasked-none", policy: .none)
        try none.append(.cancel(id: 1), sequence: 1)
        XCTAssertEqual(waitForDurable(none, 1), 1)
        usleep(20_000)  // Parked by now.
        try none.append(.cancel(id: 2), sequence: 2)
        XCTAssertEqual(waitForDurable(none, 2), 2)

        let every = try JournalWriter(path: directory + "/unasked-every", policy: .every(10))
        let commands = (1...25).map { Command.cancel(id: UInt64($0)) }
        try commands.withUnsafeBufferPointer { all throws(JournalError) in try every.append(contentsOf: all, firstSequence: 1) }
        let durable = waitForDurable(every, 20)
        XCTAssertGreaterThanOrEqual(durable, 20)
        XCTAssertLessThanOrEqual(durable, 25)
        usleep(20_000)
        try every.append(.cancel(id: 26), sequence: 26)
        try every.sync()
        XCTAssertEqual(every.durableSequence, 26)
        XCTAssertEqual(try Journal.read(path: directory + "/unasked-every").entries.map(\.sequence), Array(1...26))
    }

    /// Under `every(n)` every record is fsynced in the end without being asked, even when
    /// the writer wrote more while an fsync was running and then had nothing more to
    /// write: the records after the fsync's target must not wait for more records.
    func testEveryRecordIsFsyncedUnaskedAfterABurst() throws {
        for round in 0..<5 {
            let writer = try JournalWriter(path: directory + "/burst-\(round)", policy: .every(100))
            let commands = (1...50_000).map { Command.cancel(id: UInt64($0)) }
            try commands.withUnsafeBufferPointer { all throws(JournalError) in try writer.append(contentsOf: all, firstSequence: 1) }
            for _ in 0..<3_000 where writer.durableSequence < 50_000 { usleep(1_000) }
            XCTAssertEqual(writer.durableSequence, 50_000, "round \(round)")
        }
    }

    #if os(Linux)
    /// A write the disk refuses (ENOSPC from /dev/full) reaches the caller as an error from
    /// `flush`, `sync` and the next `append`: the writer thread stops writing but goes on
    /// answering, so nobody waits for it forever, and the writer can still be let go of.
    func testAWriteTheDiskRefusesIsReportedAndWaitsForNothing() throws {
        guard FileManager.default.isWritableFile(atPath: "/dev/full") else { throw XCTSkip("no /dev/full") }
        for policy in [FsyncPolicy.none, .every(10)] {
            let writer = try JournalWriter(path: "/dev/full", policy: policy)
            try writer.append(.cancel(id: 1), sequence: 1)
            XCTAssertThrowsError(try writer.flush()) { error in
                XCTAssertTrue("\(error)".contains("No space left on device"), "\(error)")
            }
            XCTAssertThrowsError(try writer.sync())
            XCTAssertThrowsError(try writer.append(.cancel(id: 2), sequence: 2))
            XCTAssertEqual(writer.durableSequence, 0)
        }
        let always = try JournalWriter(path: "/dev/full", policy: .always)
        XCTAssertThrowsError(try always.append(.cancel(id: 1), sequence: 1))
    }

    /// A new writer's ring is touched when it is made, so the thread that appends takes
    /// no page faults going round it the first time (2,048 with an untouched ring).
    func testAppendingToANewWriterTakesNoPageFaults() throws {
        let commands = (0..<JournalWriter.ringCapacity).map {
            Command.cancel(id: UInt64($0 + 1))
        }
        let writer = try JournalWriter(path: directory + "/faults", policy: .none)
        var before = rusage(), after = rusage()
        let thread = __rusage_who_t(1)  // RUSAGE_THREAD, which Swift's Glibc does not name
        try commands.withUnsafeBufferPointer { all throws(JournalError) in
            getrusage(thread, &before)
            try writer.append(contentsOf: all, firstSequence: 1)
            getrusage(thread, &after)
        }
        XCTAssertLessThan(after.ru_minflt - before.ru_minflt, 64)
        try writer.flush()
    }
    #endif
}
