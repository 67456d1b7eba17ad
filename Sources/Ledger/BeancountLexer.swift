// Splits one line of a beancount journal into tokens. Works on the line's UTF-8 bytes so a huge
// line costs one linear pass; every malformed token is a `BeancountFailure`, never a trap.

import Money

enum BeancountToken: Sendable {
    case date(BeancountDate)
    case number(Dec)
    case account(String)
    case currency(String)
    case string(String)
    /// A lower-case word: a directive keyword (`open`, `txn`, `option`…).
    case word(String)
    /// `key:` starting a metadata line.
    case metadataKey(String)
    case tag(String)
    case link(String)
    /// `*` or `!` (transaction or posting flag).
    case flag
    case openBrace, closeBrace, openDoubleBrace, closeDoubleBrace
    case at, atAt, comma, tilde, hash
}

/// A problem with one line or entry, reported with its line number.
struct BeancountFailure: Error {
    var kind: BeancountError.Kind
    var message: String

    static func syntax(_ message: String) -> BeancountFailure { BeancountFailure(kind: .syntax, message: message) }
}

/// `'text'` for a message, cut to 40 characters so that a huge token makes a short error.
func quoted(_ text: String) -> String {
    text.utf8.count <= 40 ? "'\(text)'" : "'\(text.prefix(40))…'"
}

struct BeancountLexer {
    /// Numbers longer than this are refused: beancount journals never need them, and the cap
    /// keeps every sum and product far inside `Dec`'s digit limit.
    static let maxNumberLength = 120

    private let bytes: [UInt8]
    private var position = 0

    static func tokens(of line: [UInt8]) throws(BeancountFailure) -> [BeancountToken] {
        var lexer = BeancountLexer(bytes: line)
        var tokens: [BeancountToken] = []
        while let token = try lexer.next() { tokens.append(token) }
        return tokens
    }

    private init(bytes: [UInt8]) { self.bytes = bytes }

    private var current: UInt8? { position < bytes.count ? bytes[position] : nil }

    private func byte(at offset: Int) -> UInt8? {
        position + offset < bytes.count ? bytes[position + offset] : nil
    }

    /// The next token, or nil at the end of the line or at a `;` comment.
    private mutating func next() throws(BeancountFailure) -> BeancountToken? {
        while let c = current, c == 0x20 || c == 0x09 || c == 0x0D { position += 1 }
        guard let c = current, c != UInt8(ascii: ";") else { return nil }
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return try dateOrNumber()
        case UInt8(ascii: "-"), UInt8(ascii: "+"):
            guard let d = byte(at: 1), isDigit(d) else { throw .syntax("unexpected '\(Character(Unicode.Scalar(c)))'") }
            return try number()
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return try capitalizedWord()
        case UInt8(ascii: "a")...UInt8(ascii: "z"): return lowercaseWord()
        case UInt8(ascii: "\""): return try string()
        case UInt8(ascii: "#"), UInt8(ascii: "^"): return tagOrLink(c)
        default: return try punctuation(c)
        }
    }

    private mutating func punctuation(_ c: UInt8) throws(BeancountFailure) -> BeancountToken {
        let doubled = byte(at: 1) == c
        position += 1
        switch c {
        case UInt8(ascii: "*"), UInt8(ascii: "!"): return .flag
        case UInt8(ascii: ","): return .comma
        case UInt8(ascii: "~"): return .tilde
        case UInt8(ascii: "{"): if doubled { position += 1; return .openDoubleBrace }; return .openBrace
        case UInt8(ascii: "}"): if doubled { position += 1; return .closeDoubleBrace }; return .closeBrace
        case UInt8(ascii: "@"): if doubled { position += 1; return .atAt }; return .at
        case UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "/"), UInt8(ascii: "|"):
            throw BeancountFailure(kind: .unsupported, message: "arithmetic expressions in amounts are not supported")
        default:
            let shown = c < 0x80 && c >= 0x20 ? "'\(Character(Unicode.Scalar(c)))'" : "byte 0x\(String(c, radix: 16))"
            throw .syntax("unexpected \(shown)")
        }
    }

    private func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }

    /// The value of the run of at most `maxLength` digits at `start`, and where it ends.
    private func digitRun(from start: Int, maxLength: Int) -> (value: Int, end: Int)? {
        var value = 0
        var end = start
        while end < bytes.count, end - start < maxLength, isDigit(bytes[end]) {
            value = value * 10 + Int(bytes[end] - UInt8(ascii: "0"))
            end += 1
        }
        return end > start ? (value, end) : nil
    }

    private func isDateSeparator(_ index: Int) -> Bool {
        index < bytes.count && (bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "/"))
    }

    /// `YYYY-MM-DD` (or `/`, one-digit month and day allowed) when the shape fits, else a number.
    private mutating func dateOrNumber() throws(BeancountFailure) -> BeancountToken {
        let p = position
        guard let year = digitRun(from: p, maxLength: 4), year.end == p + 4, isDateSeparator(year.end),
              let month = digitRun(from: year.end + 1, maxLength: 2), isDateSeparator(month.end),
              let day = digitRun(from: month.end + 1, maxLength: 2), !(day.end < bytes.count && isDigit(bytes[day.end]))
        else { return try number() }
        position = day.end
        guard let date = BeancountDate(year: year.value, month: month.value, day: day.value) else {
            throw .syntax("invalid date '\(String(decoding: bytes[p..<day.end], as: UTF8.self))'")
        }
        return .date(date)
    }

    /// `[-+]digits[,digits…][.digits]`, commas being thousands separators.
    private mutating func number() throws(BeancountFailure) -> BeancountToken {
        let start = position
        if current == UInt8(ascii: "-") || current == UInt8(ascii: "+") { position += 1 }
        var text: [UInt8] = bytes[start..<position].filter { $0 == UInt8(ascii: "-") }
        var seenPoint = false
        while let c = current {
            if isDigit(c) {
                text.append(c)
            } else if c == UInt8(ascii: ","), !seenPoint, let d = byte(at: 1), isDigit(d) {
                // a thousands separator: dropped
            } else if c == UInt8(ascii: "."), !seenPoint {
                seenPoint = true
                if let d = byte(at: 1), isDigit(d) { text.append(c) }
            } else {
                break
            }
            position += 1
            guard position - start <= BeancountLexer.maxNumberLength else {
                throw .syntax("number longer than \(BeancountLexer.maxNumberLength) characters")
            }
        }
        let literal = String(decoding: text, as: UTF8.self)
        guard let value = try? Dec(parsing: literal) else { throw .syntax("invalid number '\(literal)'") }
        return .number(value)
    }

    private func isWordByte(_ c: UInt8) -> Bool {
        switch c {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: ":"), UInt8(ascii: "-"), UInt8(ascii: "_"),
             UInt8(ascii: "'"), UInt8(ascii: "."), 0x80...0xFF:
            return true
        default:
            return false
        }
    }

    private mutating func word() -> String {
        let start = position
        while let c = current, isWordByte(c) { position += 1 }
        return String(decoding: bytes[start..<position], as: UTF8.self)
    }

    /// An account (`Assets:Cash`) when it has a colon, otherwise a currency (`USD`).
    private mutating func capitalizedWord() throws(BeancountFailure) -> BeancountToken {
        let text = word()
        if text.contains(":") {
            guard BeancountNames.isAccount(text) else { throw .syntax("invalid account name \(quoted(text))") }
            return .account(text)
        }
        guard BeancountNames.isCurrency(text) else { throw .syntax("invalid currency \(quoted(text))") }
        return .currency(text)
    }

    private mutating func lowercaseWord() -> BeancountToken {
        let text = word()
        if text.hasSuffix(":"), !text.dropLast().contains(":") { return .metadataKey(String(text.dropLast())) }
        return .word(text)
    }

    /// `"…"` with `\"` and `\\` escapes; beancount's multi-line strings are not supported.
    private mutating func string() throws(BeancountFailure) -> BeancountToken {
        position += 1
        var content: [UInt8] = []
        while let c = current {
            position += 1
            if c == UInt8(ascii: "\"") { return .string(String(decoding: content, as: UTF8.self)) }
            if c == UInt8(ascii: "\\"), let escaped = current {
                position += 1
                content.append(escaped)
            } else {
                content.append(c)
            }
        }
        throw .syntax("unterminated string (strings must end on their line)")
    }

    /// `#tag` or `^link`; a lone `#` is the separator of a compound cost.
    private mutating func tagOrLink(_ c: UInt8) -> BeancountToken {
        position += 1
        let start = position
        while let b = current, isWordByte(b) || b == UInt8(ascii: "/") { position += 1 }
        let name = String(decoding: bytes[start..<position], as: UTF8.self)
        if name.isEmpty { return .hash }
        return c == UInt8(ascii: "#") ? .tag(name) : .link(name)
    }
}

/// Beancount's naming rules for accounts and currencies.
enum BeancountNames {
    static let rootAccounts: Set<Substring> = ["Assets", "Liabilities", "Equity", "Income", "Expenses"]

    /// `Root:Component…`: a standard root, then components of letters, digits and `-`, each
    /// starting with a capital or a digit (beancount allows Unicode letters too).
    static func isAccount(_ text: String) -> Bool {
        let components = text.split(separator: ":", omittingEmptySubsequences: false)
        guard components.count >= 2, let root = components.first, rootAccounts.contains(root) else { return false }
        return components.dropFirst().allSatisfy { component in
            guard let first = component.unicodeScalars.first,
                  first.properties.isUppercase || ("0"..."9").contains(first) else { return false }
            return component.unicodeScalars.allSatisfy { scalar in
                scalar == "-" || scalar.properties.isAlphabetic || scalar.properties.numericType != nil
            }
        }
    }

    /// Up to 24 characters: a capital, then capitals, digits or `'._-`, ending in a capital or digit.
    static func isCurrency(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard let first = bytes.first, let last = bytes.last, bytes.count <= 24,
              first >= UInt8(ascii: "A"), first <= UInt8(ascii: "Z") else { return false }
        func isCapitalOrDigit(_ c: UInt8) -> Bool {
            (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z")) || (c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9"))
        }
        return isCapitalOrDigit(last) && bytes.allSatisfy { c in
            isCapitalOrDigit(c) || c == UInt8(ascii: "'") || c == UInt8(ascii: ".") || c == UInt8(ascii: "_")
                || c == UInt8(ascii: "-")
        }
    }
}
