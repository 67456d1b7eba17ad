import ArgumentParser
import Foundation
import Keel
import Orders

struct OrdersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "orders",
        abstract: "Order book tools on the native matching engine.",
        subcommands: [Replay.self])
}

/// `keel orders replay FILE`: runs a CSV command stream through one book and prints the
/// fills, the rejections and the resting book.
struct Replay: ExitCodeCommand {
    static let configuration = CommandConfiguration(
        abstract: "Replay CSV order commands through one book.",
        discussion: """
            One command per line: limit,ID,SIDE,PRICE,QTY[,TIF] (SIDE buy|sell, TIF gtc|ioc|fok|post), \
            market,ID,SIDE,QTY, cancel,ID, modify,ID,PRICE,QTY; blank lines and # comments are skipped. \
            Prints trade,TAKER,MAKER,PRICE,QTY per fill and reject,ID,REASON per rejected command, in order, \
            then rest,ID,SIDE,PRICE,QTY for the resting orders: bids best first, then asks best first, \
            FIFO within a level. A malformed line is reported on stderr and skipped.
            """)
    @Argument(help: "The command file.") var file: String
    // Unconditional, so that a negative value reaches the check below instead of reading as an option.
    @Option(parsing: .unconditional, help: "Price increment.") var tick: String = "0.01"
    @Option(parsing: .unconditional, help: "Quantity increment.") var lot: String = "1"
    @Option(help: "Most orders resting at once; an order that would rest past it is rejected as book_full.")
    var capacity: Int = Limits.maxCapacity

    mutating func execute() -> Int32 {
        let reporter = Reporter()
        guard let bytes = Engine.readFile(file) else {
            reporter.emit("\(file):1:1: error: cannot read file: \(String(cString: strerror(errno)))")
            return 1
        }
        let book: OrderBook
        do {
            book = try OrderBook(tick: try Dec(parsing: tick), lot: try Dec(parsing: lot), capacity: capacity,
                                 reserved: min(capacity, OrderBook.startingRoom))
        } catch {
            reporter.emit("keel: error: bad --tick, --lot or --capacity: \(error)")
            return 1
        }
        // A file of bad lines makes a message per line: written in blocks, not a write each
        // (flushed at exit, as stdout is).
        setvbuf(stderr, nil, _IOFBF, 1 << 16)
        var replay = CSVReplay(book: book, file: file, reporter: reporter)
        // Lines are read in place, one after another: an array of a million slices would
        // take a third of a large replay's memory.
        let newline = UInt8(ascii: "\n")
        replay.expectedNames = min(bytes.reduce(1) { $0 + ($1 == newline ? 1 : 0) }, 1 << 24)
        // A byte order mark is no part of the first command.
        var lineNumber = 0, start = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? bytes.startIndex + 3 : bytes.startIndex
        while replay.writeFailure == 0 {
            let end = bytes[start...].firstIndex(of: newline) ?? bytes.endIndex
            lineNumber += 1
            replay.line(bytes[start..<end], number: lineNumber)
            guard end < bytes.endIndex else { break }
            start = end + 1
        }
        replay.finish()
        guard replay.writeFailure == 0 else {
            reporter.emit("keel: error: cannot write the replay's output: \(String(cString: strerror(replay.writeFailure)))")
            return 1
        }
        return 0
    }
}

/// The replay's state: the book, order names as written in the file, and buffered output.
struct CSVReplay {
    let book: OrderBook
    let file: String
    let reporter: Reporter
    /// Names that are not plain numbers, by the id each got, and the way back.
    var ids: [String: UInt64] = [:]
    var names: [String] = []
    /// At most one new order name per line: sized for that at the first such name, the
    /// table never rehashes as it fills.
    var expectedNames = 0
    var events: [Orders.Event] = []
    var out = ""
    /// errno of a failed write to standard output (a full disk, a closed pipe); the replay
    /// stops there, and exits 1.
    var writeFailure: Int32 = 0

    init(book: OrderBook, file: String, reporter: Reporter) {
        self.book = book
        self.file = file
        self.reporter = reporter
    }

    /// The current line's comma-separated fields, trimmed of blanks (space, tab, CR), and
    /// the index of each one's first byte; kept between lines so reading one allocates
    /// nothing but long fields. (Foundation's trimming took most of a replay's time.)
    var fields: [String] = []
    var fieldStarts: [Int] = []

    /// The first field of the line that is not valid UTF-8, or -1.
    var invalidField = -1

    mutating func split(_ line: ArraySlice<UInt8>) {
        func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0D }
        fields.removeAll(keepingCapacity: true)
        fieldStarts.removeAll(keepingCapacity: true)
        invalidField = -1
        var start = line.startIndex
        while true {
            let end = line[start...].firstIndex(of: UInt8(ascii: ",")) ?? line.endIndex
            var first = start, last = end
            while first < last && isBlank(line[first]) { first += 1 }
            while last > first && isBlank(line[last - 1]) { last -= 1 }
            // Invalid bytes are kept as U+FFFD here, so the line can be shown; `apply`
            // refuses such a field, since two names that differ only there would be one.
            fields.append(String(decoding: line[first..<last], as: UTF8.self))
            fieldStarts.append(first)
            if invalidField < 0 && line[first..<last].contains(where: { $0 >= 0x80 })
                && String(validating: line[first..<last], as: UTF8.self) == nil {
                invalidField = fields.count - 1
            }
            guard end < line.endIndex else { return }
            start = end + 1
        }
    }

    /// Order ids may be any token. A plain number (digits, no leading zero) below 2^62 has
    /// the even id twice itself, so the common file, numbered orders, needs no name table;
    /// any other name gets the next odd id. Both stay small, where the book's duplicate
    /// check is a bitmap.
    mutating func id(_ name: String) -> UInt64 {
        if let number = Self.plainNumber(name) { return number << 1 }
        if let id = ids[name] { return id }
        if ids.isEmpty { ids.reserveCapacity(expectedNames) }
        let id = UInt64(names.count) << 1 | 1
        ids[name] = id
        names.append(name)
        return id
    }

    /// The number `name` writes when it is its own canonical decimal below 2^62.
    static func plainNumber(_ name: String) -> UInt64? {
        name.utf8.withContiguousStorageIfAvailable { bytes -> UInt64? in
            guard let first = bytes.first, first != UInt8(ascii: "0") || bytes.count == 1, bytes.count <= 19 else { return nil }
            var value: UInt64 = 0
            for byte in bytes {
                let digit = byte &- UInt8(ascii: "0")
                guard digit < 10 else { return nil }
                value = value * 10 + UInt64(digit)
            }
            return value < 1 << 62 ? value : nil
        } ?? nil
    }

    /// The name `id` was written as.
    func name(_ id: UInt64) -> String {
        id & 1 == 0 ? String(id >> 1) : names[Int(id >> 1)]
    }

    mutating func line(_ bytes: ArraySlice<UInt8>, number: Int) {
        guard let first = bytes.first(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }), first != UInt8(ascii: "#") else { return }
        split(bytes)
        events.removeAll(keepingCapacity: true)
        do {
            try apply(fields)
        } catch {
            flush()
            // Columns count Unicode scalars, as in every diagnostic (invalid bytes shown as U+FFFD).
            // A missing field is pointed at where it would start: the end of the line.
            let end = bytes.lastIndex(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }).map { $0 + 1 } ?? bytes.endIndex
            let before = bytes[bytes.startIndex..<(error.field < fieldStarts.count ? fieldStarts[error.field] : end)]
            let column = String(decoding: before, as: UTF8.self).unicodeScalars.count + 1
            let raw = String(decoding: bytes, as: UTF8.self)
            reporter.emit(Diagnostic(fileName: file, line: number, column: column, sourceLine: raw, message: error.message)
                .render(color: reporter.color))
            return
        }
        for e in events {
            switch e.kind {
            case .trade:
                out += "trade,\(name(e.id)),\(name(e.maker)),\(priceText(e.price)),\(quantityText(e.quantity))\n"
            case .rejected:
                out += "reject,\(name(e.id)),\(e.reason.name)\n"
            case .cancelled where e.reason == .bookFull:
                // The order traded what it could but cannot rest: the rest of it is refused.
                out += "reject,\(name(e.id)),\(e.reason.name)\n"
            default: break
            }
        }
        if out.utf8.count > 1 << 16 { flush() }
    }

    func priceText(_ ticks: Int64) -> String { book.grid.priceText(ofTicks: ticks) ?? book.price(ofTicks: ticks).description }

    func quantityText(_ lots: Int64) -> String { book.grid.quantityText(ofLots: lots) ?? book.quantity(ofLots: lots).description }

    /// What is wrong with a line, and the field (0 the command) it is wrong in.
    struct Malformed: Error {
        let message: String
        var field = 0
    }

    mutating func apply(_ f: [String]) throws(Malformed) {
        if invalidField >= 0 { throw Malformed(message: "field \(invalidField + 1) is not valid UTF-8", field: invalidField) }
        func need(_ count: ClosedRange<Int>) throws(Malformed) {
            guard count.contains(f.count) else {
                let expected = "\(count.lowerBound - 1)\(count.count > 1 ? " or \(count.upperBound - 1)" : "")"
                throw Malformed(message: "'\(f[0])' takes \(expected) field\(count.upperBound == 2 ? "" : "s"), found \(f.count - 1)",
                                field: f.count > count.upperBound ? count.upperBound : f.count)
            }
        }
        func name(_ i: Int) throws(Malformed) -> String {
            guard !f[i].isEmpty else { throw Malformed(message: "field \(i + 1) is an empty order id", field: i) }
            return f[i]
        }
        func side(_ i: Int) throws(Malformed) -> Side {
            switch f[i] {
            case "buy": return .buy
            case "sell": return .sell
            default: throw Malformed(message: "unknown side '\(f[i])'; expected buy or sell", field: i)
            }
        }
        func number(_ i: Int, _ what: String) throws(Malformed) -> Dec {
            // Keel's digit separators are no part of a CSV number.
            let notANumber = Malformed(message: "\(what) '\(f[i])' is not a decimal number", field: i)
            guard !f[i].utf8.contains(UInt8(ascii: "_")) else { throw notANumber }
            do {
                return try Dec(parsing: f[i])
            } catch .tooLarge(let detail) {
                throw Malformed(message: "\(what) is out of range: \(detail)", field: i)
            } catch {
                throw notANumber
            }
        }
        switch f[0] {
        case "limit":
            try need(5...6)
            let type: OrderType
            switch f.count == 6 ? f[5] : "gtc" {
            case "gtc": type = .limit
            case "ioc": type = .ioc
            case "fok": type = .fok
            case "post": type = .postOnly
            default: throw Malformed(message: "unknown time in force '\(f[5])'; expected gtc, ioc, fok or post", field: 5)
            }
            let (n, s, p, q) = (try name(1), try side(2), try number(3, "price"), try number(4, "quantity"))
            submitNew(id(n), s, type, price: p, quantity: q)
        case "market":
            try need(4...4)
            let (n, s, q) = (try name(1), try side(2), try number(3, "quantity"))
            submitNew(id(n), s, .market, price: nil, quantity: q)
        case "cancel":
            try need(2...2)
            book.submit(.cancel(id: id(try name(1))), into: &events)
        case "modify":
            try need(4...4)
            let (n, p, q) = (try name(1), try number(2, "price"), try number(3, "quantity"))
            let order = id(n)
            let command: Command
            do throws(Reason) {
                command = try book.modifyCommand(id: order, price: p, quantity: q)
            } catch {
                command = .rejectAtEdge(id: order, reason: error, modifying: true)
            }
            book.submit(command, into: &events)
        default:
            throw Malformed(message: "unknown command '\(f[0])'; expected limit, market, cancel or modify")
        }
    }

    mutating func submitNew(_ order: UInt64, _ side: Side, _ type: OrderType, price: Dec?, quantity: Dec) {
        let command: Command
        do throws(Reason) {
            command = .new(try book.newOrder(id: order, side: side, type: type, price: price, quantity: quantity))
        } catch {
            command = .rejectAtEdge(id: order, reason: error, modifying: false)
        }
        book.submit(command, into: &events)
    }

    mutating func finish() {
        for o in book.restingOrders() {
            out += "rest,\(name(o.id)),\(o.side.name),\(priceText(o.price)),\(quantityText(o.quantity))\n"
        }
        flush()
    }

    mutating func flush() {
        if writeFailure == 0 {
            writeFailure = out.withUTF8 { bytes in
                var written = 0
                while written < bytes.count {
                    guard let base = bytes.baseAddress else { break }
                    let n = write(STDOUT_FILENO, base + written, bytes.count - written)
                    if n < 0 && errno == EINTR { continue }
                    if n <= 0 { return n < 0 ? errno : EIO }
                    written += n
                }
                return 0
            }
        }
        out = ""
    }
}
