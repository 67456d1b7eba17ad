#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Keel
import Money
import Orders

/// The replay's state: the book, order names as written in the file, and buffered output.
///
/// A line in the common shape (numbered ids, plain decimals, no blanks, ASCII) is read
/// straight from its bytes into an engine command (`quickCommand`); any other line, and any
/// line that shape cannot settle, goes through fields as strings and `Dec` (`slowLine`), which
/// also words the diagnostics. Both give the same commands.
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
    /// Output not yet written, as UTF-8.
    var out: [UInt8] = []
    /// errno of a failed write to standard output (a full disk, a closed pipe); the replay
    /// stops there, and exits 1.
    var writeFailure: Int32 = 0

    /// Output is written in blocks of about this many bytes.
    static let outputBlock = 1 << 16

    init(book: OrderBook, file: String, reporter: Reporter) {
        self.book = book
        self.file = file
        self.reporter = reporter
        out.reserveCapacity(Self.outputBlock + 256)
    }

    /// Replays one line (without its newline).
    mutating func line(_ bytes: UnsafeBufferPointer<UInt8>, number: Int) {
        events.removeAll(keepingCapacity: true)
        if let command = Self.quickCommand(bytes, on: book.grid) {
            book.submit(command, into: &events)
        } else {
            guard let first = bytes.first(where: { !Self.isBlank($0) }), first != UInt8(ascii: "#") else { return }
            guard slowLine(ArraySlice(bytes), number: number) else { return }
        }
        report(events)
        if out.count > Self.outputBlock { flush() }
    }

    static func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0D }

    /// A limit line's optional sixth field, as written, and the order type each gives (a
    /// line without one is `gtc`).
    static let timesInForce: [(name: StaticString, type: OrderType)] = [("gtc", .limit), ("ioc", .ioc), ("fok", .fok), ("post", .postOnly)]

    // MARK: - Lines in the common shape

    /// The command a line in the common shape writes; nil for any other line, or when its
    /// numbers need `Dec` to decide.
    static func quickCommand(_ bytes: UnsafeBufferPointer<UInt8>, on grid: Grid) -> Command? {
        var fields = QuickFields()
        guard fields.split(bytes), fields.count >= 2, let id = fields.id(1, of: bytes) else { return nil }
        switch (fields.keyword(of: bytes), fields.count) {
        case (.cancel, 2):
            return .cancel(id: id)
        case (.limit, 5), (.limit, 6), (.market, 4):
            let isLimit = fields.count != 4
            var type = OrderType.market
            if isLimit {
                guard let tif = fields.count == 6 ? fields.timeInForce(5, of: bytes) : .limit else { return nil }
                type = tif
            }
            guard let side = fields.side(2, of: bytes),
                  let quantity = fields.decimal(isLimit ? 4 : 3, of: bytes) else { return nil }
            var price = DecimalWord.zero
            if isLimit {
                guard let limit = fields.decimal(3, of: bytes) else { return nil }
                price = limit
            }
            return grid.command(for: DecimalOrder(id: id, side: side, type: type, price: price, quantity: quantity))
        case (.modify, 4):
            guard let price = fields.decimal(2, of: bytes), let quantity = fields.decimal(3, of: bytes) else { return nil }
            return grid.modifyCommand(id: id, price: price, quantity: quantity)
        default:
            return nil
        }
    }

    /// Where the fields of a common-shape line lie: up to six, none empty, with no blank
    /// (space, tab, CR) and no byte outside ASCII in the line.
    struct QuickFields {
        enum Keyword { case limit, market, cancel, modify, other }

        /// Field `i` spans `starts[i] ..< starts[i + 1] - 1`.
        var starts = InlineArray<7, Int>(repeating: 0)
        var count = 0

        mutating func split(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
            count = 1
            for (index, byte) in bytes.enumerated() {
                if byte == UInt8(ascii: ",") {
                    guard count < 6, index > starts[count - 1] else { return false }
                    starts[count] = index + 1
                    count += 1
                } else if byte >= 0x80 || byte <= 0x20 {
                    return false
                }
            }
            starts[count] = bytes.count + 1
            return bytes.count >= starts[count - 1] + 1
        }

        func field(_ i: Int, of bytes: UnsafeBufferPointer<UInt8>) -> UnsafeBufferPointer<UInt8> {
            UnsafeBufferPointer(rebasing: bytes[starts[i] ..< starts[i + 1] - 1])
        }

        func keyword(of bytes: UnsafeBufferPointer<UInt8>) -> Keyword {
            let word = field(0, of: bytes)
            if Self.word(word, is: "limit") { return .limit }
            if Self.word(word, is: "cancel") { return .cancel }
            if Self.word(word, is: "modify") { return .modify }
            if Self.word(word, is: "market") { return .market }
            return .other
        }

        static func word(_ word: UnsafeBufferPointer<UInt8>, is literal: StaticString) -> Bool {
            guard word.count == literal.utf8CodeUnitCount, let base = word.baseAddress else { return false }
            return memcmp(base, literal.utf8Start, word.count) == 0
        }

        /// A numbered id (`CSVReplay.plainNumber`) as the replay maps it; nil for a name.
        func id(_ i: Int, of bytes: UnsafeBufferPointer<UInt8>) -> UInt64? {
            CSVReplay.plainNumber(field(i, of: bytes)).map { $0 << 1 }
        }

        func side(_ i: Int, of bytes: UnsafeBufferPointer<UInt8>) -> Side? {
            let word = field(i, of: bytes)
            if Self.word(word, is: "buy") { return .buy }
            if Self.word(word, is: "sell") { return .sell }
            return nil
        }

        func timeInForce(_ i: Int, of bytes: UnsafeBufferPointer<UInt8>) -> OrderType? {
            let word = field(i, of: bytes)
            return CSVReplay.timesInForce.first { Self.word(word, is: $0.name) }?.type
        }

        /// `digits` or `digits.digits`, at most 18 digits in all, as `Dec(parsing:)` reads
        /// it (trailing zeros kept in the exponent); nil for any other form.
        func decimal(_ i: Int, of bytes: UnsafeBufferPointer<UInt8>) -> DecimalWord? {
            var coefficient: UInt64 = 0, digits = 0, fraction = -1
            for byte in field(i, of: bytes) {
                if byte == UInt8(ascii: ".") {
                    guard fraction < 0, digits > 0 else { return nil }
                    fraction = 0
                    continue
                }
                let digit = byte &- UInt8(ascii: "0")
                guard digit < 10, digits < 18 else { return nil }
                coefficient = coefficient * 10 + UInt64(digit)
                digits += 1
                if fraction >= 0 { fraction += 1 }
            }
            guard digits > 0, fraction != 0 else { return nil }
            return DecimalWord(coefficient: coefficient, exponent: Int32(max(fraction, 0)) * -1, negative: false)
        }
    }

    // MARK: - Any other line

    /// The current line's comma-separated fields, trimmed of blanks (space, tab, CR), and
    /// the index of each one's first byte; kept between lines so reading one allocates
    /// nothing but long fields. (Foundation's trimming took most of a replay's time.)
    var fields: [String] = []
    var fieldStarts: [Int] = []

    /// The first field of the line that is not valid UTF-8, or -1.
    var invalidField = -1

    mutating func split(_ line: ArraySlice<UInt8>) {
        fields.removeAll(keepingCapacity: true)
        fieldStarts.removeAll(keepingCapacity: true)
        invalidField = -1
        var start = line.startIndex
        while true {
            let end = line[start...].firstIndex(of: UInt8(ascii: ",")) ?? line.endIndex
            var first = start, last = end
            while first < last && Self.isBlank(line[first]) { first += 1 }
            while last > first && Self.isBlank(line[last - 1]) { last -= 1 }
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
        if let number = name.utf8.withContiguousStorageIfAvailable({ Self.plainNumber($0) }) ?? nil { return number << 1 }
        if let id = ids[name] { return id }
        if ids.isEmpty { ids.reserveCapacity(expectedNames) }
        let id = UInt64(names.count) << 1 | 1
        ids[name] = id
        names.append(name)
        return id
    }

    /// The number `bytes` write when they are its own canonical decimal below 2^62.
    static func plainNumber(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64? {
        guard let first = bytes.first, first != UInt8(ascii: "0") || bytes.count == 1, bytes.count <= 19 else { return nil }
        var value: UInt64 = 0
        for byte in bytes {
            let digit = byte &- UInt8(ascii: "0")
            guard digit < 10 else { return nil }
            value = value * 10 + UInt64(digit)
        }
        return value < 1 << 62 ? value : nil
    }

    /// Submits a line through its fields; false, with a diagnostic on stderr, for a
    /// malformed one.
    mutating func slowLine(_ bytes: ArraySlice<UInt8>, number: Int) -> Bool {
        split(bytes)
        do {
            try apply(fields)
            return true
        } catch {
            flush()
            // Columns count Unicode scalars, as in every diagnostic (invalid bytes shown as U+FFFD).
            // A missing field is pointed at where it would start: the end of the line.
            let end = bytes.lastIndex(where: { !Self.isBlank($0) }).map { $0 + 1 } ?? bytes.endIndex
            let before = bytes[bytes.startIndex..<(error.field < fieldStarts.count ? fieldStarts[error.field] : end)]
            let column = String(decoding: before, as: UTF8.self).unicodeScalars.count + 1
            let raw = String(decoding: bytes, as: UTF8.self)
            reporter.emit(Diagnostic(fileName: file, line: number, column: column, sourceLine: raw, message: error.message)
                .render(color: reporter.color))
            return false
        }
    }

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
            var type = OrderType.limit
            if f.count == 6 {
                guard let named = Self.timesInForce.first(where: { $0.name.description == f[5] }) else {
                    let names = Self.timesInForce.map(\.name.description)
                    throw Malformed(message: "unknown time in force '\(f[5])'; expected \(names.dropLast().joined(separator: ", ")) or \(names[names.count - 1])",
                                    field: 5)
                }
                type = named.type
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

    // MARK: - Output

    /// Writes a line per fill and per rejection.
    mutating func report(_ events: [Orders.Event]) {
        for e in events {
            switch e.kind {
            case .trade:
                begin("trade,", name: e.id)
                out.append(UInt8(ascii: ","))
                appendName(e.maker)
                appendAmounts(price: e.price, quantity: e.quantity)
            case .rejected:
                writeRejection(e)
            case .cancelled where e.reason == .bookFull:
                // The order traded what it could but cannot rest: the rest of it is refused.
                writeRejection(e)
            default: break
            }
        }
    }

    mutating func writeRejection(_ e: Orders.Event) {
        begin("reject,", name: e.id)
        out.append(UInt8(ascii: ","))
        out.append(contentsOf: e.reason.name.utf8)
        out.append(UInt8(ascii: "\n"))
    }

    /// Starts an output line: `prefix`, then the name of order `id`.
    mutating func begin(_ prefix: StaticString, name id: UInt64) {
        out.append(contentsOf: UnsafeBufferPointer(start: prefix.utf8Start, count: prefix.utf8CodeUnitCount))
        appendName(id)
    }

    /// The name `id` was written as.
    mutating func appendName(_ id: UInt64) {
        if id & 1 == 1 {
            out.append(contentsOf: names[Int(id >> 1)].utf8)
            return
        }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var value = id >> 1, start = 20
            repeat {
                start -= 1
                digits[start] = UInt8(ascii: "0") + UInt8(value % 10)
                value /= 10
            } while value > 0
            out.append(contentsOf: UnsafeMutableBufferPointer(rebasing: digits[start..<20]))
        }
    }

    /// `,PRICE,QTY\n`, the amounts as exact decimals.
    mutating func appendAmounts(price: Int64, quantity: Int64) {
        out.append(UInt8(ascii: ","))
        if !book.grid.appendPriceText(ofTicks: price, to: &out) { out.append(contentsOf: book.price(ofTicks: price).description.utf8) }
        out.append(UInt8(ascii: ","))
        if !book.grid.appendQuantityText(ofLots: quantity, to: &out) {
            out.append(contentsOf: book.quantity(ofLots: quantity).description.utf8)
        }
        out.append(UInt8(ascii: "\n"))
    }

    mutating func finish() {
        for o in book.restingOrders() {
            begin("rest,", name: o.id)
            out.append(UInt8(ascii: ","))
            out.append(contentsOf: o.side.name.utf8)
            appendAmounts(price: o.price, quantity: o.quantity)
            if out.count > Self.outputBlock { flush() }
        }
        flush()
    }

    mutating func flush() {
        if writeFailure == 0 {
            writeFailure = out.withUnsafeBytes { bytes in
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
        out.removeAll(keepingCapacity: true)
    }
}
