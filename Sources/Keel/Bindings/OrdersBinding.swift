import COrdersSupport
import Orders
import Synchronization

/// The `orders` module: limit order books on the native `Orders` engine. Commands and
/// events are Keel values (enums and records); prices and quantities are exact `Dec`
/// converted to ticks and lots once, at admission.
enum OrdersBinding {
    static let source = """
        enum Side { buy, sell }
        enum OrderKind { limit, ioc, fok, post_only, market, stop, stop_limit }
        enum SelfTrade { allow, cancel_taker, cancel_maker, cancel_both }
        type Order = { id: Int, side: Side, kind: OrderKind, price: Dec, qty: Dec, stop_price: Dec,
                       display: Dec, trader: Int, self_trade: SelfTrade }
        enum Command { place(Order), cancel(Int), modify(Int, Dec, Dec) }
        type Trade = { seq: Int, taker: Int, maker: Int, price: Dec, qty: Dec }
        enum Event { accepted(Int), rejected(Int, String), trade(Trade), cancelled(Int, Dec, String),
                     triggered(Int), modified(Int, Dec, Dec) }
        type Level = { price: Dec, qty: Dec, orders: Int }
        type Depth = { bids: List[Level], asks: List[Level] }
        type Resting = { id: Int, side: Side, price: Dec, qty: Dec }
        type BatchSummary = { commands: Int, trades: Int, rejected: Int, cancelled: Int, volume: Dec }
        type Recovered = { book: Book, events: List[Event], warnings: List[String] }
        """

    static let bookType = KType.host("Book")
    static let commandType = KType.enumeration("Command")
    static let sideType = KType.enumeration("Side")
    static let eventsType = KType.list(.enumeration("Event"))

    /// A book, the reusable buffer its events land in, the Keel shapes of its events, and,
    /// when journaled, its journal in memory (every command recorded before it is applied).
    final class Book: CustomStringConvertible {
        let engine: OrderBook
        /// The engine's table bytes charged to scripts so far: what the book grows by
        /// beyond them counts against the memory limit of the call that grew it.
        private var chargedBytes: Int
        private var chargedGrowths: Int
        let symbol: String
        let values: EventValues
        var events: [Orders.Event] = []
        /// What `Book.submit` returned last, for reuse.
        var submitted = ReusedEvents()
        let journaled: Bool
        private(set) var journal: [UInt8] = []
        /// A journal file (`orders.open_book`): each command is appended before it is
        /// applied, and every call that submits returns only after an fsync, unless the
        /// book groups its fsyncs (`orders.open_book_with`).
        var file: JournalWriter?
        /// False for a book whose journal's writer fsyncs every n commands on its own.
        var syncsEachCall = true
        /// The journal file's recorded grid, locked for as long as this book writes it.
        var grid: JournalGrid?
        /// Where `checkpoint()` saves the book, beside its journal file.
        var snapshotPath: String?
        /// False after `close()`: the book can still be read, no longer changed.
        private(set) var isOpen = true

        /// What `print(book)` shows: the top of the book and how much is in it.
        var description: String {
            let top = engine.depth(levels: 1)
            func best(_ levels: [DepthLevel]) -> String {
                guard let level = levels.first else { return "-" }
                return "\(engine.quantity(ofLots: level.quantity)) @ \(engine.price(ofTicks: level.price))"
            }
            return "Book(\(symbol): bid \(best(top.bids)) | ask \(best(top.asks)), \(engine.restingCount) resting, "
                + "\(engine.pendingStopCount) stops, \(engine.tradeSequence) trades)"
        }

        init(engine: OrderBook, symbol: String, values: EventValues, journaled: Bool) {
            self.engine = engine
            self.symbol = symbol
            self.values = values
            self.journaled = journaled
            chargedBytes = engine.memoryFootprint
            chargedGrowths = engine.storageGrowths
        }

        /// Charges what the engine's tables grew by since the last charge to the running
        /// script's memory limit.
        func chargeGrowth() throws {
            guard engine.storageGrowths != chargedGrowths else { return }
            chargedGrowths = engine.storageGrowths
            let footprint = engine.memoryFootprint
            guard footprint > chargedBytes else { return }
            let grown = footprint - chargedBytes
            chargedBytes = footprint
            try VM.hostCaller?.hostAllocated(grown)
        }

        /// Ends the book's changes: its journal file, if it has one, is fsynced, closed and
        /// unlocked, so that another book (in this process or another) may open it. Closing
        /// a closed book does nothing.
        func close() throws {
            guard isOpen else { return }
            try syncJournal()
            file = nil
            grid = nil
            isOpen = false
        }

        func checkOpen() throws {
            guard isOpen else { throw HostError("book \(symbol) is closed") }
        }

        func submit(_ command: Command) throws {
            try checkOpen()
            if journaled {
                try reserveJournal(records: 1)
                Journal.appendRecord(command, sequence: engine.commandCount &+ 1, to: &journal)
            }
            if let file { try withUnsafePointer(to: command) { try record(UnsafeBufferPointer(start: $0, count: 1), in: file) } }
            engine.submit(command, into: &events)
        }

        func submit(batch commands: UnsafeBufferPointer<Command>) throws {
            try checkOpen()
            if journaled {
                try reserveJournal(records: commands.count)
                for (i, c) in commands.enumerated() {
                    Journal.appendRecord(c, sequence: engine.commandCount &+ UInt64(i + 1), to: &journal)
                }
            }
            if let file { try record(commands, in: file) }
            engine.submit(contentsOf: commands, into: &events)
        }

        /// Appends `commands` to the journal file as the records after the last applied one.
        private func record(_ commands: UnsafeBufferPointer<Command>, in file: JournalWriter) throws {
            do throws(JournalError) {
                try file.append(contentsOf: commands, firstSequence: engine.commandCount &+ 1)
            } catch {
                throw HostError("\(symbol): \(error)")
            }
        }

        /// What a call that submits promises before it returns: everything it applied is
        /// fsynced, unless the book groups its fsyncs (then `durable()` says how far).
        func acknowledge() throws {
            if syncsEachCall { try syncJournal() }
        }

        /// Writes and fsyncs everything submitted so far.
        func syncJournal() throws {
            guard let file else { return }
            do throws(JournalError) { try file.sync() } catch { throw HostError("\(symbol): \(error)") }
        }

        /// The number of the book's commands that are on disk, for a file-kept book.
        func durableCommands() throws -> Int {
            if let file { return Int(file.durableSequence) }
            guard snapshotPath != nil else {
                throw HostError("book \(symbol) is not kept in a file; only books from orders.open_book have a durable count")
            }
            return Int(engine.commandCount)  // Closed: closing fsynced all of it.
        }

        /// A journal in memory is bounded; past the bound the command is refused before
        /// anything is journaled or applied.
        private func reserveJournal(records: Int) throws {
            guard journal.count + records * Journal.maxRecordSize <= Self.maxJournal else {
                throw HostError("the journal of \(symbol) passed \(Self.maxJournal) bytes")
            }
        }

        static let maxJournal = 1 << 30
    }

    static func install(into engine: Engine) {
        engine.defineModuleSource("orders", source)
        engine.defineType("Book")
        installConstructors(engine)
        installBook(engine)
    }

    // MARK: commands

    /// The shapes a command's Keel payload is built from, looked up once (after
    /// `use orders` declares them), so building a command in a Keel loop hashes no names.
    final class CommandShapes {
        let command: EnumShape, order: RecordShape, side: EnumShape, kind: EnumShape, selfTrade: EnumShape

        init(_ engine: Engine) throws {
            let shapes = engine.shapes
            guard let command = shapes.enums["Command"], let order = shapes.records["Order"], let side = shapes.enums["Side"],
                  let kind = shapes.enums["OrderKind"], let selfTrade = shapes.enums["SelfTrade"] else {
                throw HostError("the orders module's types are not loaded")
            }
            self.command = command
            self.order = order
            self.side = side
            self.kind = kind
            self.selfTrade = selfTrade
        }

        /// `Command.place(Order { ... })`.
        func place(_ f: OrderFields) -> Value {
            let side: Side = f.side.tag == 0 ? .buy : .sell
            guard let native = DecimalOrder(id: UInt64(f.id), side: side, type: f.kind, price: f.price, quantity: f.qty,
                                            stopPrice: f.stop, display: f.display) else {
                let order = RecordBox(shape: self.order, fields: [
                    .int(f.id), .variant(f.side), constant(kind, f.kind.rawValue), .dec(f.price), .dec(f.qty), .dec(f.stop),
                    .dec(f.display), .int(0), constant(selfTrade, 0),
                ])
                return .variant(VariantBox(shape: command, tag: 0, payload: [.record(order)]))
            }
            return box(.place(native))
        }

        /// `Command.cancel(id)`.
        func cancel(_ id: Int) -> Value { box(.cancel(UInt64(id))) }

        /// `Command.modify(id, price, qty)`.
        func modify(_ id: Int, price: Dec, qty: Dec) -> Value {
            guard let p = DecimalWord(price), let q = DecimalWord(qty) else {
                return .variant(VariantBox(shape: command, tag: 2, payload: [.int(id), .dec(price), .dec(qty)]))
            }
            return box(.modify(UInt64(id), p, q))
        }

        /// The command's value: prepared when it can be, kept as decimals otherwise.
        func box(_ decimal: DecimalCommand) -> Value {
            let tag: Int
            switch decimal {
            case .place: tag = 0
            case .cancel: tag = 1
            case .modify: tag = 2
            }
            if let prepared = PreparedCommand(decimal) { return .variant(PreparedCommandBox(self, prepared, tag: tag)) }
            return .variant(CommandBox(self, decimal, tag: tag))
        }

        /// The Keel payload of a command held natively: the values its constructor was given.
        func payload(of native: DecimalCommand) -> [Value] {
            switch native {
            case .place(let o):
                let order = RecordBox(shape: self.order, fields: [
                    .int(Int(o.id)), constant(side, o.side.rawValue), constant(kind, o.type.rawValue), .dec(o.price.dec),
                    .dec(o.quantity.dec), .dec(o.stopPrice.dec), .dec(o.display.dec), .int(Int(o.trader)),
                    constant(selfTrade, o.selfTrade.rawValue),
                ])
                return [.record(order)]
            case .cancel(let id): return [.int(Int(id))]
            case .modify(let id, let price, let qty): return [.int(Int(id)), .dec(price.dec), .dec(qty.dec)]
            }
        }

        private func constant(_ shape: EnumShape, _ tag: UInt8) -> Value { .variant(shape.constants[Int(tag)]) }
    }

    /// `CommandShapes`, looked up on first use: the constructors are installed before a
    /// script's `use orders` declares the types.
    final class CommandShapesCache {
        unowned let engine: Engine
        /// The resolved shapes' retained address, 0 until then. Atomic: a compiled script's
        /// instances call the constructors on any thread. (An `AtomicLazyReference` here
        /// looked up its generic metadata on every constructor call.)
        private let resolved = Atomic<UInt>(0)

        init(_ engine: Engine) { self.engine = engine }

        deinit {
            if let address = UnsafeRawPointer(bitPattern: resolved.load(ordering: .acquiring)) {
                Unmanaged<CommandShapes>.fromOpaque(address).release()
            }
        }

        func get() throws -> CommandShapes {
            if let address = UnsafeRawPointer(bitPattern: resolved.load(ordering: .acquiring)) {
                return Unmanaged<CommandShapes>.fromOpaque(address).takeUnretainedValue()
            }
            let shapes = Unmanaged.passRetained(try CommandShapes(engine))
            let address = UInt(bitPattern: shapes.toOpaque())
            let (won, winner) = resolved.compareExchange(expected: 0, desired: address, ordering: .acquiringAndReleasing)
            if won { return shapes.takeUnretainedValue() }
            shapes.release()
            guard let winning = UnsafeRawPointer(bitPattern: winner) else { throw HostError("orders: command shapes lost") }
            return Unmanaged<CommandShapes>.fromOpaque(winning).takeUnretainedValue()
        }
    }

    /// A command value built by an `orders.*` constructor: to scripts an ordinary
    /// `Command` (its payload is all they see, match on, compare and print); to the engine
    /// the same fields already out of their Keel values, so admission reads none of them.
    /// The payload is built only when a script reads it, so a command is one allocation,
    /// and a list of them lies close together in memory for the batch call to stream.
    class ConstructedCommandBox: VariantBox {
        let shapes: CommandShapes

        init(_ shapes: CommandShapes, tag: Int) {
            self.shapes = shapes
            super.init(deferredPayloadOf: shapes.command, tag: tag)
        }
    }

    /// A constructed command in one of the prepared shapes: on a book whose grid it was
    /// prepared for, admission is a compare and a copy. Most commands are these.
    final class PreparedCommandBox: ConstructedCommandBox {
        let prepared: PreparedCommand

        init(_ shapes: CommandShapes, _ prepared: PreparedCommand, tag: Int) {
            self.prepared = prepared
            super.init(shapes, tag: tag)
        }

        override func buildPayload() -> [Value] { shapes.payload(of: prepared.decimal) }
    }

    /// Any other constructed command, kept as decimals.
    final class CommandBox: ConstructedCommandBox {
        let native: DecimalCommand

        init(_ shapes: CommandShapes, _ native: DecimalCommand, tag: Int) {
            self.native = native
            super.init(shapes, tag: tag)
        }

        override func buildPayload() -> [Value] { shapes.payload(of: native) }
    }

    /// The decimals of a command an `orders.*` constructor built; nil for any other value.
    static func decimalCommand(of box: VariantBox) -> DecimalCommand? {
        if let prepared = box as? PreparedCommandBox { return prepared.prepared.decimal }
        return (box as? CommandBox)?.native
    }

    static func installConstructors(_ engine: Engine) {
        let dec = KType.dec, int = KType.int
        let shapes = CommandShapesCache(engine)
        func order(_ name: String, _ params: [KType], _ build: @escaping ([Value]) throws -> OrderFields) {
            engine.define("orders." + name, params: params, result: commandType) { args in
                try shapes.get().place(try build(args))
            }
        }
        order("limit", [int, sideType, dec, dec]) { try OrderFields(args: $0, kind: .limit, price: 2, qty: 3) }
        order("ioc", [int, sideType, dec, dec]) { try OrderFields(args: $0, kind: .ioc, price: 2, qty: 3) }
        order("fok", [int, sideType, dec, dec]) { try OrderFields(args: $0, kind: .fok, price: 2, qty: 3) }
        order("post_only", [int, sideType, dec, dec]) { try OrderFields(args: $0, kind: .postOnly, price: 2, qty: 3) }
        order("market", [int, sideType, dec]) { try OrderFields(args: $0, kind: .market, qty: 2) }
        order("stop", [int, sideType, dec, dec]) { try OrderFields(args: $0, kind: .stop, qty: 3, stop: 2) }
        order("stop_limit", [int, sideType, dec, dec, dec]) { try OrderFields(args: $0, kind: .stopLimit, price: 3, qty: 4, stop: 2) }
        engine.define("orders.iceberg", params: [int, sideType, dec, dec, dec], labels: [nil, nil, nil, nil, "display"],
                      result: commandType) { args in
            var fields = try OrderFields(args: args, kind: .limit, price: 2, qty: 3)
            fields.display = try Arguments.dec(args, 4)
            return try shapes.get().place(fields)
        }
        engine.define("orders.cancel", params: [int], result: commandType) { args in
            try shapes.get().cancel(try orderID(args, 0))
        }
        engine.define("orders.modify", params: [int, dec, dec], result: commandType) { args in
            try shapes.get().modify(try orderID(args, 0), price: try Arguments.dec(args, 1), qty: try Arguments.dec(args, 2))
        }
        engine.define("orders.with_trader", params: [commandType, int, .enumeration("SelfTrade")], result: commandType) { [unowned engine] args in
            guard case .variant(let v) = args[0], v.shape.variants[v.tag] == "place", case .record(let r) = v.payload[0] else {
                throw HostError("only a new order carries a trader")
            }
            let trader = try Arguments.int(args, 1)
            guard trader > 0, trader <= Int(UInt32.max) else { throw HostError("trader id must be in 1...\(UInt32.max), got \(trader)") }
            guard case .variant(let mode) = args[2], let selfTrade = SelfTradePrevention(rawValue: UInt8(truncatingIfNeeded: mode.tag)) else {
                throw HostError("not a SelfTrade")
            }
            guard case .place(var native) = decimalCommand(of: v) else {
                var fields = r.fields
                fields[7] = .int(trader)
                fields[8] = args[2]
                return try engine.variant("Command", "place", [.record(RecordBox(shape: r.shape, fields: fields))])
            }
            native.trader = UInt32(trader)
            native.selfTrade = selfTrade
            return try shapes.get().box(.place(native))
        }
    }

    /// The fields of a new order, in the declared order of `Order`.
    struct OrderFields {
        var id: Int
        var side: VariantBox
        var kind: OrderType
        var price = Dec(0), qty = Dec(0), stop = Dec(0), display = Dec(0)

        init(args: [Value], kind: OrderType, price: Int? = nil, qty: Int, stop: Int? = nil) throws {
            id = try orderID(args, 0)
            guard case .variant(let side) = args[1] else { throw HostError("not a Side") }
            self.side = side
            self.kind = kind
            if let price { self.price = try Arguments.dec(args, price) }
            self.qty = try Arguments.dec(args, qty)
            if let stop { self.stop = try Arguments.dec(args, stop) }
        }
    }

    static func orderID(_ args: [Value], _ i: Int) throws -> Int {
        let id = try Arguments.int(args, i)
        guard id >= 0 else { throw HostError("order ids are non-negative, got \(id)") }
        return id
    }

    // MARK: books

    static func installBook(_ engine: Engine) {
        for (name, journaled) in [("orders.book", false), ("orders.journaled_book", true)] {
            engine.define(name, params: [.string, .dec, .dec], labels: [nil, "tick", "lot"], result: bookType) { [unowned engine] args in
                let symbol = try Arguments.string(args, 0)
                return .host(try makeBook(engine, symbol, tick: try Arguments.dec(args, 1), lot: try Arguments.dec(args, 2),
                                          journaled: journaled))
            }
        }
        // The default book holds up to 2^20 resting orders, starting small and growing as
        // orders rest. This one reserves all of its capacity up front, so no command ever
        // waits for the order table to grow; a small one keeps its table in cache, a larger
        // one (up to 2^22) takes more.
        engine.define("orders.book_with_capacity", params: [.string, .dec, .dec, .int], labels: [nil, "tick", "lot", "capacity"],
                      result: bookType) { [unowned engine] args in
            let symbol = try Arguments.string(args, 0)
            let capacity = try Arguments.int(args, 3)
            return .host(try makeBook(engine, symbol, tick: try Arguments.dec(args, 1), lot: try Arguments.dec(args, 2), journaled: false,
                                      capacity: capacity, reserved: capacity))
        }
        engine.define("Book.journal", params: [bookType], result: .bytes) { args in
            let book = try Arguments.object(args, 0, as: Book.self)
            guard book.journaled else { throw HostError("book \(book.symbol) is not journaled; open it with orders.journaled_book") }
            return .bytes(book.journal)
        }
        // Rebuilds a book from its journal: a torn last record is dropped with a warning,
        // damage anywhere else is an error naming its byte offset.
        engine.define("orders.recover", params: [.string, .bytes, .dec, .dec], labels: [nil, nil, "tick", "lot"],
                      result: .record("Recovered")) { [unowned engine] args in
            let symbol = try Arguments.string(args, 0), bytes = try Arguments.bytes(args, 1)
            try VM.hostCaller?.hostWork(bytes.count >> 4)
            let book = try makeBook(engine, symbol, tick: try Arguments.dec(args, 2), lot: try Arguments.dec(args, 3), journaled: true)
            let contents: JournalContents
            do { contents = try Journal.decode(bytes) } catch { throw HostError("\(symbol): \(error)") }
            try replay(contents, on: book)
            return try engine.record("Recovered", ["book": .host(book), "events": try book.values.list(book.events),
                                                   "warnings": .list(contents.warnings.map(Value.string))])
        }
        // A book kept in a journal file; each call that submits returns after an fsync.
        engine.define("orders.open_book", params: [.string, .string, .dec, .dec], labels: [nil, nil, "tick", "lot"],
                      result: .record("Recovered")) { [unowned engine] args in
            try openBook(engine, args, policy: .none, syncsEachCall: true)
        }
        // The same, with the fsyncs grouped: the journal's writer thread fsyncs every n
        // commands on its own (0: never; what is written survives the process, not the
        // machine), a call returns once its commands are appended, and `durable()` and
        // `sync()` tell and settle how much is on disk.
        engine.define("orders.open_book_with", params: [.string, .string, .dec, .dec, .int],
                      labels: [nil, nil, "tick", "lot", "fsync_every"], result: .record("Recovered")) { [unowned engine] args in
            let every = try Arguments.int(args, 4)
            guard every >= 0 else { throw HostError("fsync_every takes a number of commands, 0 or more; got \(every)") }
            return try openBook(engine, args, policy: every == 0 ? .none : .every(every), syncsEachCall: false)
        }
        engine.define("Book.durable", params: [bookType], result: .int) { args in
            .int(try Arguments.object(args, 0, as: Book.self).durableCommands())
        }
        engine.define("Book.sync", params: [bookType], result: .int) { args in
            let book = try Arguments.object(args, 0, as: Book.self)
            try book.checkOpen()
            try book.syncJournal()
            return .int(try book.durableCommands())
        }
        // Saves a file-kept book beside its journal (after an fsync of the journal, so the
        // journal always reaches what the snapshot covers): reopening restores it and
        // replays only the journal after it. Gives the number of commands it covers.
        engine.define("Book.checkpoint", params: [bookType], result: .int) { args in
            let book = try Arguments.object(args, 0, as: Book.self)
            guard let path = book.snapshotPath else {
                throw HostError("book \(book.symbol) is not kept in a file; only books from orders.open_book take checkpoints")
            }
            try book.checkOpen()
            try book.syncJournal()
            do throws(JournalError) { try book.engine.writeSnapshot(to: path) } catch { throw HostError("\(book.symbol): \(error)") }
            return .int(Int(book.engine.commandCount))
        }
        engine.define("Book.close", params: [bookType], result: .unit) { args in
            try Arguments.object(args, 0, as: Book.self).close()
            return .unit
        }
        engine.define("Book.submit", params: [bookType, commandType], result: eventsType) { args in
            let book = try Arguments.object(args, 0, as: Book.self)
            book.events.removeAllKeepingCapacity()
            try book.submit(try command(args[1], for: book.engine))
            try book.chargeGrowth()
            try book.acknowledge()
            return try book.submitted.value(book.events, book.values)
        }
        engine.define("Book.run", params: [bookType, .list(commandType)], result: eventsType) { args in
            let book = try Arguments.object(args, 0, as: Book.self)
            let commands = try Arguments.list(args, 1)
            try VM.hostCaller?.hostWork(commands.count)
            var events: [Value] = []
            try runBatch(commands, on: book) { events.append(contentsOf: try $0.map(book.values.value)) }
            return .list(events)
        }
        engine.define("Book.run_summary", params: [bookType, .list(commandType)], result: .record("BatchSummary")) { [unowned engine] args in
            let book = try Arguments.object(args, 0, as: Book.self)
            let commands = try Arguments.list(args, 1)
            try VM.hostCaller?.hostWork(commands.count)
            // The engine keeps the counts (lots summed exactly in 128 bits: a fill is below
            // 2^63 and there are fewer than 2^64 of them), so the summary is their change.
            let orderBook = book.engine
            let trades0 = orderBook.tradeSequence, rejections0 = orderBook.rejections, cancellations0 = orderBook.cancellations
            let lots0 = orderBook.tradedLots
            try runBatch(commands, on: book) { _ in }
            let trades = Int(orderBook.tradeSequence &- trades0), rejected = Int(orderBook.rejections &- rejections0)
            let cancelled = Int(orderBook.cancellations &- cancellations0)
            let tradedLots = orderBook.tradedLots &- lots0
            let lotsHigh = UInt64(tradedLots >> 64), lotsLow = UInt64(truncatingIfNeeded: tradedLots)
            let lots = try Dec(words: lotsHigh, lotsLow)
            return try engine.record("BatchSummary", ["commands": .int(commands.count), "trades": .int(trades), "rejected": .int(rejected),
                                                      "cancelled": .int(cancelled), "volume": .dec(try lots.multiplying(book.engine.lot))])
        }
        engine.define("Book.depth", params: [bookType, .int], result: .record("Depth")) { [unowned engine] args in
            let book = try Arguments.object(args, 0, as: Book.self)
            let levels = try Arguments.int(args, 1)
            guard levels >= 0 else { throw HostError("depth takes a non-negative number of levels") }
            let depth = book.engine.depth(levels: levels)
            func side(_ ls: [DepthLevel]) throws -> Value {
                .list(try ls.map { l in
                    try engine.record("Level", ["price": .dec(book.engine.price(ofTicks: l.price)),
                                                "qty": .dec(book.engine.quantity(ofLots: l.quantity)), "orders": .int(l.orders)])
                })
            }
            return try engine.record("Depth", ["bids": try side(depth.bids), "asks": try side(depth.asks)])
        }
        engine.define("Book.orders", params: [bookType], result: .list(.record("Resting"))) { [unowned engine] args in
            let book = try Arguments.object(args, 0, as: Book.self)
            return .list(try book.engine.restingOrders().map { o in
                try engine.record("Resting", ["id": .int(try keelID(o.id)), "side": try engine.variant("Side", o.side.name),
                                              "price": .dec(book.engine.price(ofTicks: o.price)),
                                              "qty": .dec(book.engine.quantity(ofLots: o.quantity))])
            })
        }
        engine.define("Book.symbol", params: [bookType], result: .string) { args in
            .string(try Arguments.object(args, 0, as: Book.self).symbol)
        }
        engine.define("Book.last_price", params: [bookType], result: .optional(.dec)) { args in
            let book = try Arguments.object(args, 0, as: Book.self)
            return book.engine.tradeSequence == 0 ? .none : .dec(book.engine.price(ofTicks: book.engine.lastTradePrice))
        }
    }

    /// Applies a journal's entries after the ones `book` already covers (a snapshot's);
    /// the first of them must follow on.
    static func replay(_ contents: JournalContents, on book: Book) throws {
        for entry in contents.entries where entry.sequence > book.engine.commandCount {
            guard entry.sequence == book.engine.commandCount &+ 1 else {
                throw HostError("\(book.symbol): journal entry \(entry.sequence) does not follow \(book.engine.commandCount)")
            }
            guard entry.command.id <= UInt64(Int.max) else {
                throw HostError("\(book.symbol): journal entry \(entry.sequence) holds order id \(entry.command.id), past the largest Int")
            }
            try book.submit(entry.command)
            try book.chargeGrowth()
        }
    }

    /// An engine order id as a Keel Int. Scripts cannot make larger ids; a host submitting
    /// to the engine behind a book can.
    static func keelID(_ id: UInt64) throws -> Int {
        guard let value = Int(exactly: id) else { throw HostError("order id \(id) is past the largest Int") }
        return value
    }

    static func makeBook(_ engine: Engine, _ symbol: String, tick: Dec, lot: Dec, journaled: Bool,
                         capacity: Int = 1 << 20, reserved: Int = OrderBook.startingRoom) throws -> Book {
        // Charged before it is made: a book reserving 2^22 orders takes 280 MiB.
        try VM.hostCaller?.hostAllocated(OrderBook.tableBytes(reserving: min(reserved, capacity)))
        do {
            let book = try OrderBook(tick: tick, lot: lot, capacity: capacity, reserved: min(reserved, capacity))
            return Book(engine: book, symbol: symbol, values: try EventValues(engine, book), journaled: journaled)
        } catch let error as HostError {
            throw error
        } catch {
            throw HostError("book \(symbol): \(error)")
        }
    }

    /// A book kept in a journal file in the host's folder: what the file holds is replayed
    /// (a torn last record dropped with a warning, damage elsewhere an error naming its
    /// offset), then new commands are appended to it under `policy`.
    static func openBook(_ engine: Engine, _ args: [Value], policy: FsyncPolicy, syncsEachCall: Bool) throws -> Value {
        guard let files = engine.files else { throw HostError("this engine grants scripts no files; journaled_book keeps one in memory") }
        let symbol = try Arguments.string(args, 0), path = try files.resolve(try Arguments.string(args, 1))
        let tick = try Arguments.dec(args, 2), lot = try Arguments.dec(args, 3)
        // Charged before anything is opened: a script opening book after book must meet
        // its memory limit, not the machine's.
        try VM.hostCaller?.hostAllocated(JournalWriter.memoryBytes)
        let snapshotPath = path + ".snapshot"
        let book: Book
        let saved: OrderBook?
        do throws(JournalError) { saved = try OrderBook.readSnapshot(path: snapshotPath) } catch {
            throw HostError("\(symbol): \(snapshotPath): \(error)")
        }
        if let saved {
            guard saved.tick == tick && saved.lot == lot else {
                throw HostError("\(symbol): the snapshot \(snapshotPath) is of a book with tick \(saved.tick) and lot \(saved.lot)")
            }
            try VM.hostCaller?.hostAllocated(saved.memoryFootprint)
            book = Book(engine: saved, symbol: symbol, values: try EventValues(engine, saved), journaled: false)
        } else {
            book = try makeBook(engine, symbol, tick: tick, lot: lot, journaled: false)
        }
        let grid = try JournalGrid(journal: path, symbol: symbol)
        let contents: JournalContents
        do throws(JournalError) { contents = try Journal.read(path: path) } catch { throw HostError("\(symbol): \(error)") }
        try grid.check(tick: tick, lot: lot, journalIsEmpty: contents.entries.isEmpty && saved == nil)
        book.grid = grid
        book.snapshotPath = snapshotPath
        try VM.hostCaller?.hostWork(contents.entries.count)
        try replay(contents, on: book)
        let journalEnd = contents.entries.last?.sequence ?? 0
        guard journalEnd >= book.engine.commandCount else {
            throw HostError("\(symbol): the journal ends at command \(journalEnd), before the \(book.engine.commandCount) its snapshot covers")
        }
        do throws(JournalError) {
            book.file = try JournalWriter(path: path, policy: policy, validLength: contents.validLength)
            book.syncsEachCall = syncsEachCall
        } catch {
            throw HostError("\(symbol): \(error)")
        }
        return try engine.record("Recovered", ["book": .host(book), "events": try book.values.list(book.events),
                                               "warnings": .list(contents.warnings.map(Value.string))])
    }

    /// Converts one Keel command at the edge; a price or quantity off the book's grid
    /// becomes a command the engine rejects by its own rules, without reaching the loop.
    static func command(_ value: Value, for engine: OrderBook) throws -> Command {
        guard case .variant(let v) = value else { throw HostError("not an orders Command") }
        if let box = v as? PreparedCommandBox, let command = box.prepared.command(for: engine.grid) { return command }
        if let box = v as? CommandBox, let command = box.native.command(for: engine.grid) { return command }
        switch v.tag {
        case 0:
            guard case .record(let r) = v.payload[0] else { throw HostError("not an Order") }
            let f = r.fields
            guard case .int(let id) = f[0], case .variant(let side) = f[1], case .variant(let kind) = f[2],
                  case .dec(let price) = f[3], case .dec(let qty) = f[4], case .dec(let stop) = f[5], case .dec(let display) = f[6],
                  case .int(let trader) = f[7], case .variant(let stp) = f[8],
                  let type = OrderType(rawValue: UInt8(truncatingIfNeeded: kind.tag)),
                  let selfTrade = SelfTradePrevention(rawValue: UInt8(truncatingIfNeeded: stp.tag)) else { throw HostError("malformed Order") }
            guard id >= 0, trader >= 0, trader <= Int(UInt32.max) else { throw HostError("order \(id): bad id or trader") }
            do throws(Reason) {
                return .new(try engine.newOrder(id: UInt64(id), side: side.tag == 0 ? .buy : .sell, type: type, price: price,
                                                quantity: qty, stopPrice: stop, display: display.isZero ? nil : display,
                                                trader: UInt32(trader), selfTrade: selfTrade))
            } catch {
                return .rejectAtEdge(id: UInt64(id), reason: error, modifying: false)
            }
        case 1:
            guard case .int(let id) = v.payload[0] else { throw HostError("malformed cancel") }
            guard id >= 0 else { throw HostError("order ids are non-negative, got \(id)") }
            return .cancel(id: UInt64(id))
        default:
            guard case .int(let id) = v.payload[0], case .dec(let price) = v.payload[1], case .dec(let qty) = v.payload[2] else {
                throw HostError("malformed modify")
            }
            guard id >= 0 else { throw HostError("order ids are non-negative, got \(id)") }
            do throws(Reason) {
                return try engine.modifyCommand(id: UInt64(id), price: price, quantity: qty)
            } catch {
                return .rejectAtEdge(id: UInt64(id), reason: error, modifying: true)
            }
        }
    }

    /// Runs a list of Keel commands through the engine's batch path, `chunk` at a time,
    /// handing each chunk's events to `consume` before the buffer is reused. A command
    /// that is no engine command stops the batch where it stands, as submitting the list
    /// one by one would: the commands before it are applied (and journaled), none after.
    static func runBatch(_ commands: [Value], on book: Book, consume: ([Orders.Event]) throws -> Void) throws {
        try book.checkOpen()
        let chunkSize = 256
        let chunk = UnsafeMutablePointer<Command>.allocate(capacity: chunkSize)
        defer { chunk.deallocate() }
        let engine = book.engine, grid = engine.grid
        func apply(_ count: Int) throws {
            book.events.removeAll(keepingCapacity: true)
            try book.submit(batch: UnsafeBufferPointer(start: chunk, count: count))
            try book.chargeGrowth()
            try consume(book.events)
        }
        try commands.withUnsafeBufferPointer { values in
            guard let base = values.baseAddress else { return }
            var position = 0
            while position < values.count {
                let end = min(position + chunkSize, values.count)
                for i in position..<end {
                    if i + prefetchDistance < values.count { prefetchBox(base + i + prefetchDistance) }
                    // The list's own elements further ahead still: reading element i + 16 to
                    // find its box otherwise waits on memory (a third of this loop's samples).
                    if i + 4 * prefetchDistance < values.count { orders_prefetch(base + i + 4 * prefetchDistance) }
                    let command: Command
                    if let converted = preparedCommand(base + i, on: grid) {
                        command = converted
                    } else {
                        do {
                            command = try generalCommand(base + i, for: engine)
                        } catch {
                            try apply(i - position)
                            try book.acknowledge()
                            let applied = i == 0 ? "none before it was applied" : "commands 0-\(i - 1) were applied"
                            throw HostError("command \(i) of the batch: \(error); \(applied)")
                        }
                    }
                    (chunk + (i - position)).initialize(to: command)
                }
                try apply(end - position)
                position = end
            }
        }
        try book.acknowledge()
    }

    /// `command(_:for:)` out of line, so the batch loop's fast path copies no `Value`.
    @inline(never)
    static func generalCommand(_ value: UnsafePointer<Value>, for engine: OrderBook) throws -> Command {
        try command(value.pointee, for: engine)
    }

    /// The engine command for `value` when an `orders.*` constructor prepared it for
    /// `grid`; nil for any other value. The box is read in place, without reference
    /// counting: the list holds it for the whole call.
    @inline(__always)
    static func preparedCommand(_ value: UnsafePointer<Value>, on grid: Grid) -> Command? {
        guard case .variant(let variant) = value.pointee, let box = variant as? PreparedCommandBox else { return nil }
        return box.prepared.command(on: grid)
    }

    static let prefetchDistance = 16

    /// Asks for the box behind `value` ahead of use: each command's box sits in its
    /// own allocation, so reading them in turn would wait on memory at every command. A
    /// boxed `Value` keeps its reference in its first word; for any other case the word
    /// is not an address, which a prefetch ignores.
    @inline(__always)
    static func prefetchBox(_ value: UnsafePointer<Value>) {
        guard let box = UnsafeRawPointer(bitPattern: UnsafeRawPointer(value).load(as: UInt.self)) else { return }
        // The batch path reads a prepared box's first 112 bytes: two or three cache lines.
        orders_prefetch(box)
        orders_prefetch(box + 64)
        orders_prefetch(box + 111)
    }

    /// Engine events as Keel `Event` values, with shapes looked up once per book.
    final class EventValues {
        let book: OrderBook
        let event: EnumShape
        let trade: RecordShape

        init(_ engine: Engine, _ book: OrderBook) throws {
            guard let event = engine.shapes.enums["Event"], let trade = engine.shapes.records["Trade"] else {
                throw HostError("the orders module's types are not loaded")
            }
            self.book = book
            self.event = event
            self.trade = trade
        }

        func list(_ events: [Orders.Event]) throws -> Value { .list(try events.map(value)) }

        func value(_ e: Orders.Event) throws -> Value {
            try Self.checkIDs(e)
            return .variant(EventBox(e, self))
        }

        /// An event's payload is built when a script reads it, which cannot fail: its ids
        /// are checked when the event is handed over.
        static func checkIDs(_ e: Orders.Event) throws {
            _ = try keelID(e.id)
            _ = try keelID(e.maker)
        }

        /// The Keel payload of `e`'s variant.
        func payload(_ e: Orders.Event) -> [Value] {
            let id = Value.int(Int(e.id))
            switch e.kind {
            case .accepted: return [id]
            case .rejected: return [id, .string(e.reason.name)]
            case .trade:
                return [.record(RecordBox(shape: trade, fields: [.int(Int(e.sequence)), id, .int(Int(e.maker)),
                                                                 .dec(book.price(ofTicks: e.price)), .dec(book.quantity(ofLots: e.quantity))]))]
            case .cancelled: return [id, .dec(book.quantity(ofLots: e.quantity)), .string(e.reason.name)]
            case .triggered: return [id]
            case .modified: return [id, .dec(book.price(ofTicks: e.price)), .dec(book.quantity(ofLots: e.quantity))]
            }
        }
    }

    /// An engine event as a Keel `Event`: it keeps the native event and builds the Keel
    /// payload (ids, prices and quantities as values, a trade's record) only when a script
    /// first reads it; a loop that counts or passes on events never builds one.
    final class EventBox: VariantBox {
        private(set) var event: Orders.Event
        let values: EventValues

        init(_ event: Orders.Event, _ values: EventValues) {
            self.event = event
            self.values = values
            super.init(deferredPayloadOf: values.event, tag: Int(event.kind.rawValue))
        }

        override func buildPayload() -> [Value] { values.payload(event) }

        /// Only for a box its owner alone references (see `VariantBox.reuse`).
        func reuse(for event: Orders.Event) {
            self.event = event
            reuse(tag: Int(event.kind.rawValue))
        }
    }

    /// `Book.submit`'s last result list and its event boxes, kept for the next call: when
    /// the script has let go of the last list (as a loop over commands does), its storage
    /// and every box it alone held are refilled instead of allocated again.
    struct ReusedEvents {
        private var list: [Value] = []
        private var boxes: [EventBox] = []

        /// Results longer than this are built fresh, so what a book keeps stays small.
        static let keptLimit = 64

        mutating func value(_ events: [Orders.Event], _ values: EventValues) throws -> Value {
            // Drops the last list's references to its boxes first, so that a box the script
            // no longer holds is referenced by `boxes` alone. A list the script still holds
            // is left to it: emptying shared storage copies it first.
            list.removeAllKeepingCapacity()
            guard events.count <= Self.keptLimit else { return try values.list(events) }
            for (i, e) in events.enumerated() {
                try EventValues.checkIDs(e)
                if i == boxes.count {
                    boxes.append(EventBox(e, values))
                } else if isKnownUniquelyReferenced(&boxes[i]) {
                    boxes[i].reuse(for: e)
                } else {
                    boxes[i] = EventBox(e, values)
                }
                list.append(.variant(boxes[i]))
            }
            return .list(list)
        }
    }
}

extension Dec {
    /// The exact value of the unsigned 128-bit integer `high × 2^64 + low`.
    init(words high: UInt64, _ low: UInt64) throws {
        let halfWord = Dec(1 << 32)
        func word(_ w: UInt64) throws -> Dec { try Dec(Int(w >> 32)).multiplying(halfWord).adding(Dec(Int(w & 0xFFFF_FFFF))) }
        self = try word(high).multiplying(halfWord).multiplying(halfWord).adding(try word(low))
    }
}
