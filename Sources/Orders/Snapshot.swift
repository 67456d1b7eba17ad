#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Money

// Snapshot layout (little-endian): magic "KOBS", version, tick, lot, capacity, the
// sequence it covers (command count), trade sequence, last trade price, resting orders
// in L3 order (so FIFO rebuilds by appending), pending stops, seen ids, CRC32C of all
// of the above.

extension OrderBook {
    static let snapshotMagic: UInt32 = 0x5342_4F4B
    static let snapshotVersion: UInt8 = 1

    /// The book's full state; restoring it and replaying the journal after
    /// `commandCount` gives the same events as the original run.
    public func snapshot() -> [UInt8] {
        var writer = ByteWriter()
        writer.u32(Self.snapshotMagic)
        writer.u8(Self.snapshotVersion)
        writer.string(tick.description)
        writer.string(lot.description)
        writer.u64(UInt64(capacity))
        writer.u64(commandCount)
        writer.u64(tradeSequence)
        writer.i64(lastTradePrice)
        let resting = restingOrders()
        writer.u64(UInt64(resting.count))
        for order in resting {
            writer.u64(order.id)
            writer.u8(order.side.rawValue)
            writer.i64(order.price)
            writer.i64(order.quantity)
            writer.i64(order.visible)
            writer.i64(order.display)
            writer.u32(order.trader)
            writer.u8(order.selfTrade.rawValue)
        }
        writer.u64(UInt64(stops.count))
        for stop in stops.inArrivalOrder { writer.command(.new(stop)) }
        writer.u64(UInt64(seen.bits.count))
        for word in seen.bits { writer.u64(word) }
        let sparse = seen.sparseIds
        writer.u64(UInt64(sparse.count))
        for id in sparse { writer.u64(id) }
        writer.u32(CRC32C.checksum(writer.bytes))
        return writer.bytes
    }

    /// Rebuilds a book from `snapshot()` bytes, checking every field.
    public static func restore(snapshot bytes: [UInt8]) throws(JournalError) -> OrderBook {
        guard bytes.count >= 4 else { throw .badSnapshot("too short") }
        let body = Array(bytes[..<(bytes.count - 4)])
        let stored = bytes[(bytes.count - 4)...].reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        guard CRC32C.checksum(body) == stored else { throw .badSnapshot("checksum mismatch") }
        let result: Result<OrderBook, JournalError> = body.withUnsafeBytes { raw in
            do throws(JournalError) {
                var reader = ByteReader(raw)
                return .success(try restore(&reader))
            } catch {
                if case .corrupt(let offset, let detail) = error { return .failure(.badSnapshot("\(detail) at byte \(offset)")) }
                return .failure(error)
            }
        }
        return try result.get()
    }

    private static func restore(_ reader: inout ByteReader) throws(JournalError) -> OrderBook {
        guard try reader.u32() == snapshotMagic, try reader.u8() == snapshotVersion else {
            throw .badSnapshot("not an order book snapshot (or another version)")
        }
        let tick = try reader.string(), lot = try reader.string(), capacity = Int(clamping: try reader.u64())
        let commandCount = try reader.u64(), tradeSequence = try reader.u64(), lastTradePrice = try reader.i64()
        let restingCount = try reader.u64()
        guard restingCount <= UInt64(max(capacity, 0)) else { throw .badSnapshot("more orders than capacity") }
        // Room for the orders there are; the table grows from there like any other.
        let reserved = min(capacity, max(Int(restingCount), OrderBook.startingRoom))
        let book: OrderBook
        do {
            book = try OrderBook(tick: try Dec(parsing: tick), lot: try Dec(parsing: lot), capacity: capacity, reserved: reserved)
        } catch {
            throw .badSnapshot("bad configuration: \(error)")
        }
        book.commandCount = commandCount
        book.tradeSequence = tradeSequence
        book.lastTradePrice = lastTradePrice
        for _ in 0..<restingCount {
            let id = try reader.u64(), side = try reader.side(), price = try reader.i64()
            let open = try reader.i64(), visible = try reader.i64(), display = try reader.i64()
            let order = NewOrder(id: id, side: side, price: price, quantity: open, display: display,
                                 trader: try reader.u32(), selfTrade: try reader.selfTrade())
            guard book.invalidity(of: order) == nil, visible > 0, visible <= open,
                  display == 0 ? visible == open : visible <= display, book.orders.find(id) < 0 else {
                throw .badSnapshot("inconsistent resting order \(id)")
            }
            book.shrinkVisible(book.rest(order, quantity: open), to: visible)
        }
        let stopCount = try reader.u64()
        guard stopCount <= UInt64(book.capacity) else { throw .badSnapshot("more stops than capacity") }
        for _ in 0..<stopCount {
            guard case .new(let stop) = try reader.command(), stop.type == .stop || stop.type == .stopLimit,
                  book.invalidity(of: stop) == nil,
                  book.stops.insert(stop) else { throw .badSnapshot("bad pending stop") }  // Or a repeated id.
        }
        let wordCount = try reader.u64()
        guard wordCount <= SeenIds.denseLimit / 64, wordCount <= UInt64(reader.remaining / 8) else {
            throw .badSnapshot("bad seen-id bitmap size")
        }
        var words: [UInt64] = []
        for _ in 0..<wordCount { words.append(try reader.u64()) }
        let sparseCount = try reader.u64()
        guard sparseCount <= UInt64(reader.remaining / 8) else { throw .badSnapshot("bad seen-id count") }
        var sparse: [UInt64] = []
        for _ in 0..<sparseCount { sparse.append(try reader.u64()) }
        guard reader.remaining == 0 else { throw .badSnapshot("trailing bytes") }
        book.seen = SeenIds(bits: words, sparseIds: sparse, key: book.orders.key)
        return book
    }

    /// Sets a just-restored order's displayed part (an iceberg mid-slice).
    private func shrinkVisible(_ slot: Int32, to visible: Int64) {
        let order = pool + Int(slot)
        let level = ladders[Int(order.pointee.side.rawValue)].level(order.pointee.level)
        level.pointee.visible -= self.visible(order) - visible
        setSlice(order, visible)
    }

    /// Writes the snapshot atomically: a temporary file, fsync, rename.
    public func writeSnapshot(to path: String) throws(JournalError) {
        let bytes = snapshot()
        let temporary = path + ".tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .io("open \(temporary): \(JournalWriter.errorText())") }
        let result: Result<Void, JournalError> = bytes.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return .success(()) }
            do throws(JournalError) {
                try writeAll(descriptor, base, raw.count)
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        if case .failure(let error) = result {
            close(descriptor)
            throw error
        }
        let synced = fsync(descriptor) == 0
        close(descriptor)
        guard synced, rename(temporary, path) == 0 else { throw .io("save \(path): \(JournalWriter.errorText())") }
    }

    /// The book saved at `path`, or nil when there is no snapshot.
    public static func readSnapshot(path: String) throws(JournalError) -> OrderBook? {
        guard let bytes = try readFile(path) else { return nil }
        return try restore(snapshot: bytes)
    }
}

/// A book whose every command is journaled before it is applied.
public final class JournaledBook {
    public let book: OrderBook
    public let writer: JournalWriter

    public init(book: OrderBook, writer: JournalWriter) {
        self.book = book
        self.writer = writer
    }

    /// Journals `command` as the next sequence number, then applies it. A journal error
    /// leaves the book untouched.
    @inline(__always)
    public func submit(_ command: Command, into events: inout [Event]) throws(JournalError) {
        try writer.append(command, sequence: book.commandCount &+ 1)
        book.submit(command, into: &events)
    }

    /// Journals all of `commands`, then applies them as a batch. A journal error leaves
    /// the book untouched (some of the batch may be journaled: recovery replays those).
    public func submit(contentsOf commands: UnsafeBufferPointer<Command>, into events: inout [Event]) throws(JournalError) {
        try writer.append(contentsOf: commands, firstSequence: book.commandCount &+ 1)
        book.submit(contentsOf: commands, into: &events)
    }
}

/// A book rebuilt from the latest snapshot plus the journal after it.
public struct Recovery {
    public let book: OrderBook
    /// Events of the replayed journal tail, identical to those of the original run.
    public let events: [Event]
    public let journal: JournalContents

    /// - Parameter makeBook: builds the empty book when there is no snapshot yet.
    public static func run(snapshotPath: String?, journalPath: String,
                           makeBook: () throws -> OrderBook) throws -> Recovery {
        let book = try snapshotPath.flatMap { path throws(JournalError) in try OrderBook.readSnapshot(path: path) }
        return try replay(onto: book ?? makeBook(), journal: Journal.read(path: journalPath))
    }

    /// Applies the entries after `book.commandCount`, which must follow on without a gap.
    public static func replay(onto book: OrderBook, journal: JournalContents) throws(JournalError) -> Recovery {
        var events: [Event] = []
        for entry in journal.entries where entry.sequence > book.commandCount {
            guard entry.sequence == book.commandCount &+ 1 else {
                throw .badSnapshot("journal resumes at \(entry.sequence) but the book covers \(book.commandCount)")
            }
            book.submit(entry.command, into: &events)
        }
        return Recovery(book: book, events: events, journal: journal)
    }
}
