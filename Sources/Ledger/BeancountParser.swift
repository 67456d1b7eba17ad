// Turns journal text into dated directives. Line-oriented like beancount's own grammar: a dated
// line starts a directive, indented lines below it are its postings or metadata. A malformed
// line is an error with its line number and drops only the entry it belongs to.

import Money

struct BeancountParser {
    private(set) var directives: [Directive] = []
    private(set) var errors: [BeancountError] = []
    /// The transaction whose postings are being read, if any.
    private var openTransaction: (line: Int, date: BeancountDate, postings: [PostingSyntax])?
    /// What indented lines belong to right now.
    private var indentedContext: IndentedContext = .nothing

    private enum IndentedContext {
        case nothing
        case transaction
        /// A directive that takes metadata only.
        case metadataOnly
        /// The entry was malformed: its indented lines are dropped with it.
        case droppedEntry
    }

    /// Org-mode headings (`* Banking`) and the other line starts beancount's lexer skips.
    private static let skippedLineStarts = Set("*:#!&?%".utf8)

    static func parse(_ text: String) -> (directives: [Directive], errors: [BeancountError]) {
        var parser = BeancountParser()
        var lineNumber = 0
        for line in text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            parser.read(Array(line), at: lineNumber)
        }
        parser.finishTransaction()
        return (parser.directives, parser.errors)
    }

    private mutating func read(_ line: [UInt8], at number: Int) {
        guard let first = line.first(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D }) else { return }
        if first == UInt8(ascii: ";") { return }
        if line[0] == 0x20 || line[0] == 0x09 {
            readIndented(line, at: number)
            return
        }
        finishTransaction()
        if Self.skippedLineStarts.contains(line[0]) {
            indentedContext = .nothing
            return
        }
        do {
            try readTopLevel(BeancountLexer.tokens(of: line), at: number)
        } catch {
            fail(error, at: number)
            indentedContext = .droppedEntry
        }
    }

    private mutating func fail(_ failure: BeancountFailure, at line: Int) {
        errors.append(BeancountError(line: line, kind: failure.kind, message: failure.message))
    }

    private mutating func finishTransaction() {
        guard let transaction = openTransaction else { return }
        directives.append(Directive(line: transaction.line, date: transaction.date,
                                    body: .transaction(transaction.postings)))
        openTransaction = nil
    }

    // MARK: indented lines

    private mutating func readIndented(_ line: [UInt8], at number: Int) {
        if isMetadata(line) {
            if case .nothing = indentedContext {
                fail(.syntax("metadata outside of an entry"), at: number)
            }
            return
        }
        switch indentedContext {
        case .droppedEntry:
            return
        case .nothing, .metadataOnly:
            fail(.syntax("indented line outside of a transaction"), at: number)
        case .transaction:
            do {
                let posting = try Self.posting(BeancountLexer.tokens(of: line), at: number)
                openTransaction?.postings.append(posting)
            } catch {
                fail(error, at: number)
                openTransaction = nil
                indentedContext = .droppedEntry
            }
        }
    }

    /// `key: value` — the value may be any beancount value, so it is not tokenised.
    private func isMetadata(_ line: [UInt8]) -> Bool {
        guard let start = line.firstIndex(where: { $0 != 0x20 && $0 != 0x09 }),
              line[start] >= UInt8(ascii: "a"), line[start] <= UInt8(ascii: "z") else { return false }
        var i = start + 1
        while i < line.count {
            let c = line[i]
            if c == UInt8(ascii: ":") { return true }
            let isKeyByte = (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
                || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9")) || c == UInt8(ascii: "-") || c == UInt8(ascii: "_")
            guard isKeyByte else { return false }
            i += 1
        }
        return false
    }

    /// `[flag] Account [units currency [{cost}] [@ price | @@ total]]`
    private static func posting(_ tokens: [BeancountToken], at line: Int) throws(BeancountFailure) -> PostingSyntax {
        var reader = TokenReader(tokens)
        if case .flag = reader.peek { reader.skip() }
        let account = try reader.account("a posting's account")
        var posting = PostingSyntax(line: line, account: account)
        if reader.isAtEnd { return posting }
        posting.units = try reader.number("the posting's units")
        posting.currency = try reader.currency("the posting's currency")
        if reader.take(.openDoubleBrace) { throw .init(kind: .unsupported, message: "total cost '{{…}}' is not supported") }
        if reader.take(.openBrace) { posting.cost = try costSpec(&reader) }
        if reader.take(.at) || reader.take(.atAt) {
            let isTotal: Bool
            if case .atAt = reader.previous { isTotal = true } else { isTotal = false }
            posting.price = PriceSpec(number: try reader.number("the price"), currency: try reader.currency("the price's currency"),
                                      isTotal: isTotal)
        }
        try reader.expectEnd()
        return posting
    }

    /// The inside of `{…}` after the opening brace: a per-unit cost, a date and a label, each optional.
    private static func costSpec(_ reader: inout TokenReader) throws(BeancountFailure) -> CostSpec {
        var spec = CostSpec()
        if reader.take(.closeBrace) { return spec }
        repeat {
            switch reader.next() {
            case .number(let number)?:
                spec.number = number
                if case .hash = reader.peek {
                    throw .init(kind: .unsupported, message: "compound cost '{per # total}' is not supported")
                }
                spec.currency = try reader.currency("the cost's currency")
            case .date(let date)?: spec.date = date
            case .string(let label)?: spec.label = label
            case .flag?: throw .init(kind: .unsupported, message: "merge cost '{*}' is not supported")
            default: throw .syntax("expected a cost, a date or a label inside '{…}'")
            }
        } while reader.take(.comma)
        guard reader.take(.closeBrace) else { throw .syntax("expected '}' to close the cost") }
        return spec
    }

    // MARK: top-level lines

    private mutating func readTopLevel(_ tokens: [BeancountToken], at line: Int) throws(BeancountFailure) {
        var reader = TokenReader(tokens)
        switch reader.next() {
        case .date(let date)?:
            try readDated(date, &reader, at: line)
        case .word(let keyword)?:
            try readUndated(keyword, &reader)
            indentedContext = .metadataOnly
        default:
            throw .syntax("expected a date or a keyword at the start of the line")
        }
    }

    /// `option`, `plugin`, `include`, `pushtag`/`poptag`, `pushmeta`/`popmeta`.
    private func readUndated(_ keyword: String, _ reader: inout TokenReader) throws(BeancountFailure) {
        switch keyword {
        case "option":
            _ = try reader.string("the option's name")
            _ = try reader.string("the option's value")
        case "pushtag", "poptag":
            guard case .tag? = reader.next() else { throw .syntax("expected a tag after \(quoted(keyword))") }
        case "pushmeta", "popmeta":
            // the rest of the line is a metadata value of any shape
            return
        case "plugin", "include":
            throw .init(kind: .unsupported, message: "\(quoted(keyword)) is not supported")
        default:
            throw .syntax("unknown directive \(quoted(keyword))")
        }
        try reader.expectEnd()
    }

    private mutating func readDated(_ date: BeancountDate, _ reader: inout TokenReader, at line: Int) throws(BeancountFailure) {
        switch reader.next() {
        case .flag?:
            try startTransaction(date, &reader, at: line)
        case .word("txn")?:
            try startTransaction(date, &reader, at: line)
        case .word(let keyword)?:
            let body = try Self.directiveBody(keyword, &reader)
            try reader.expectEnd()
            directives.append(Directive(line: line, date: date, body: body))
            indentedContext = .metadataOnly
        default:
            throw .syntax("expected a flag or a directive after the date")
        }
    }

    /// `DATE flag ["payee"] ["narration"] #tags ^links`: the postings follow on indented lines.
    private mutating func startTransaction(_ date: BeancountDate, _ reader: inout TokenReader, at line: Int) throws(BeancountFailure) {
        var strings = 0
        while let token = reader.next() {
            switch token {
            case .string: strings += 1
            case .tag, .link: continue
            default: throw .syntax("unexpected token in a transaction's header")
            }
        }
        guard strings <= 2 else { throw .syntax("a transaction has at most a payee and a narration") }
        openTransaction = (line, date, [])
        indentedContext = .transaction
    }

    private static func directiveBody(_ keyword: String, _ reader: inout TokenReader) throws(BeancountFailure) -> DirectiveBody {
        switch keyword {
        case "open": return try openBody(&reader)
        case "close": return .close(account: try reader.account("the account to close"))
        case "balance": return try balanceBody(&reader)
        case "pad":
            return .pad(account: try reader.account("the account to pad"), source: try reader.account("the pad's source account"))
        case "price":
            return .price(commodity: try reader.currency("the priced commodity"), number: try reader.number("the price"),
                          currency: try reader.currency("the price's currency"))
        case "note", "document":
            let account = try reader.account("the \(keyword)'s account")
            _ = try reader.string("the \(keyword)'s text")
            return .accountReference(account: account, isDocument: keyword == "document")
        case "commodity":
            return .commodity(try reader.currency("the commodity"))
        case "event", "query":
            _ = try reader.string("the \(keyword)'s name")
            _ = try reader.string("the \(keyword)'s value")
            return .inert
        case "custom":
            _ = try reader.string("the custom directive's type")
            reader.skipRest()
            return .inert
        default:
            throw .syntax("unknown directive \(quoted(keyword))")
        }
    }

    /// `open Account [CUR, CUR…] ["BOOKING"]`
    private static func openBody(_ reader: inout TokenReader) throws(BeancountFailure) -> DirectiveBody {
        let account = try reader.account("the account to open")
        var currencies: [String] = []
        if case .currency = reader.peek {
            repeat { currencies.append(try reader.currency("a constraint currency")) } while reader.take(.comma)
        }
        var booking = BeancountBooking.strict
        if case .string(let name)? = reader.peek {
            reader.skip()
            guard let method = BeancountBooking(rawValue: name) else {
                throw .init(kind: .unsupported, message: "booking method \(quoted(name)) is not supported (STRICT, STRICT_WITH_SIZE, FIFO, LIFO, HIFO)")
            }
            booking = method
        }
        return .open(account: account, currencies: currencies, booking: booking)
    }

    /// `balance Account number [~ tolerance] CUR`
    private static func balanceBody(_ reader: inout TokenReader) throws(BeancountFailure) -> DirectiveBody {
        let account = try reader.account("the asserted account")
        let number = try reader.number("the asserted amount")
        var tolerance: Dec?
        if reader.take(.tilde) { tolerance = try reader.number("the tolerance") }
        return .balance(account: account, number: number, currency: try reader.currency("the asserted currency"),
                        tolerance: tolerance)
    }
}

/// Reads a line's tokens front to back, with messages naming what was expected.
private struct TokenReader {
    private let tokens: [BeancountToken]
    private var index = 0

    init(_ tokens: [BeancountToken]) { self.tokens = tokens }

    var isAtEnd: Bool { index >= tokens.count }
    var peek: BeancountToken? { isAtEnd ? nil : tokens[index] }
    var previous: BeancountToken? { index > 0 && index <= tokens.count ? tokens[index - 1] : nil }

    mutating func next() -> BeancountToken? {
        guard let token = peek else { return nil }
        index += 1
        return token
    }

    mutating func skip() { index += 1 }
    mutating func skipRest() { index = tokens.count }

    /// Consumes the token when it is the given punctuation.
    mutating func take(_ punctuation: BeancountToken) -> Bool {
        guard let token = peek, Self.samePunctuation(token, punctuation) else { return false }
        index += 1
        return true
    }

    private static func samePunctuation(_ a: BeancountToken, _ b: BeancountToken) -> Bool {
        switch (a, b) {
        case (.openBrace, .openBrace), (.closeBrace, .closeBrace), (.openDoubleBrace, .openDoubleBrace),
             (.closeDoubleBrace, .closeDoubleBrace), (.at, .at), (.atAt, .atAt), (.comma, .comma),
             (.tilde, .tilde), (.hash, .hash), (.flag, .flag):
            return true
        default:
            return false
        }
    }

    mutating func account(_ what: String) throws(BeancountFailure) -> String {
        guard case .account(let name)? = next() else { throw .syntax("expected an account for \(what)") }
        return name
    }

    mutating func currency(_ what: String) throws(BeancountFailure) -> String {
        guard case .currency(let name)? = next() else { throw .syntax("expected a currency for \(what)") }
        return name
    }

    mutating func number(_ what: String) throws(BeancountFailure) -> Dec {
        guard case .number(let value)? = next() else { throw .syntax("expected a number for \(what)") }
        return value
    }

    mutating func string(_ what: String) throws(BeancountFailure) -> String {
        guard case .string(let text)? = next() else { throw .syntax("expected a string for \(what)") }
        return text
    }

    func expectEnd() throws(BeancountFailure) {
        guard isAtEnd else { throw .syntax("unexpected text at the end of the line") }
    }
}
