/// Turns a range of a source file into tokens. Errors are collected, not thrown,
/// so one pass reports every bad token.
public struct Lexer {
    let file: SourceFile
    let s: [Unicode.Scalar]
    var i: Int
    let end: Int
    public private(set) var diagnostics: [Diagnostic] = []

    public init(file: SourceFile, range: Range<Int>? = nil) {
        self.file = file
        self.s = file.scalars
        self.i = range?.lowerBound ?? 0
        self.end = range?.upperBound ?? file.scalars.count
    }

    public static let durationUnits: [(String, Int)] = [("ms", 1), ("s", 1000), ("min", 60_000), ("h", 3_600_000), ("d", 86_400_000)]

    public mutating func tokenize() -> [Token] {
        var tokens: [Token] = []
        var newline = true
        while true {
            newline = skipTrivia() || newline
            guard i < end else {
                tokens.append(Token(kind: .eof, span: Span(end, end), newlineBefore: true))
                return tokens
            }
            let start = i
            if let kind = nextKind() {
                tokens.append(Token(kind: kind, span: Span(start, i), newlineBefore: newline))
                newline = false
            }
        }
    }

    mutating func error(_ message: String, at offset: Int) {
        diagnostics.append(Diagnostic(file: file, span: Span(offset, offset + 1), message: message))
    }

    func peek(_ k: Int = 0) -> Unicode.Scalar? { i + k < end ? s[i + k] : nil }

    /// Skips blanks and comments; returns whether a newline was crossed.
    mutating func skipTrivia() -> Bool {
        var sawNewline = false
        while let c = peek() {
            if c == "\n" { sawNewline = true; i += 1 }
            else if c == " " || c == "\t" || c == "\r" { i += 1 }
            else if c == "/" && peek(1) == "/" {
                while let d = peek(), d != "\n" { i += 1 }
            } else { break }
        }
        return sawNewline
    }

    static func isIdentStart(_ c: Unicode.Scalar) -> Bool {
        c == "_" || (c.value < 128 ? (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") : c.properties.isAlphabetic)
    }
    static func isIdentPart(_ c: Unicode.Scalar) -> Bool { isIdentStart(c) || isDigit(c) }
    static func isDigit(_ c: Unicode.Scalar) -> Bool { c >= "0" && c <= "9" }

    mutating func nextKind() -> TokenKind? {
        guard let c = peek() else { return nil }
        if Self.isDigit(c) { return number() }
        if c == "\"" { return string() }
        if Self.isIdentStart(c) {
            let start = i
            while let d = peek(), Self.isIdentPart(d) { i += 1 }
            let word = text(start, i)
            if word == "_" { return .punct(.underscore) }
            if let kw = Keyword(rawValue: word) { return .keyword(kw) }
            return .ident(word)
        }
        for len in [3, 2, 1] {
            guard i + len <= end else { continue }
            if let p = Punct(rawValue: text(i, i + len)), p != .underscore {
                i += len
                return .punct(p)
            }
        }
        let shown = c.value < 0x20 || c.value == 0x7F || c.value >= 0x80
            ? Self.codePoint(c) : "'\(Character(c))'"
        error("unexpected character \(shown)", at: i)
        i += 1
        return nil
    }

    static func codePoint(_ c: Unicode.Scalar) -> String {
        let hex = String(c.value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }

    func text(_ a: Int, _ b: Int) -> String {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: s[a..<b])
        return String(view)
    }

    mutating func digits() -> String {
        var out = ""
        while let c = peek() {
            if Self.isDigit(c) { out.unicodeScalars.append(c); i += 1 }
            else if c == "_", let n = peek(1), Self.isDigit(n), !out.isEmpty { i += 1 }
            else { break }
        }
        return out
    }

    mutating func number() -> TokenKind? {
        let start = i
        let whole = digits()
        var frac: String?
        if peek() == ".", let n = peek(1), Self.isDigit(n) {
            i += 1
            frac = digits()
        }
        if let e = peek(), e == "e" || e == "E" {
            var k = 1
            if let sign = peek(1), sign == "+" || sign == "-" { k = 2 }
            if let d = peek(k), Self.isDigit(d) {
                i += k
                let exp = digits()
                let literal = whole + (frac.map { "." + $0 } ?? "") + "e" + (k == 2 && s[i - exp.count - 1] == "-" ? "-" : "") + exp
                guard let v = Double(literal), v.isFinite else {
                    error("float literal out of range", at: start)
                    return .float(0)
                }
                return .float(v)
            }
        }
        let literal = whole + (frac.map { "." + $0 } ?? "")
        if let unit = durationSuffix() {
            return duration(literal, unitMs: unit, start: start)
        }
        if let code = moneySuffix() { return .money(amount: literal, code: code) }
        if let d = peek(), Self.isIdentStart(d) {
            error("invalid suffix on number literal", at: i)
            while let d = peek(), Self.isIdentPart(d) { i += 1 }
        }
        if frac != nil { return .dec(literal) }
        guard let v = Int(whole) else {
            error("integer literal \(whole) does not fit in 64 bits", at: start)
            return .int(0)
        }
        return .int(v)
    }

    mutating func durationSuffix() -> Int? {
        for (name, ms) in Self.durationUnits.sorted(by: { $0.0.count > $1.0.count }) {
            let scalars = Array(name.unicodeScalars)
            guard i + scalars.count <= end, Array(s[i..<i + scalars.count]) == scalars else { continue }
            if let after = peek(scalars.count), Self.isIdentPart(after) { continue }
            i += scalars.count
            return ms
        }
        return nil
    }

    mutating func duration(_ literal: String, unitMs: Int, start: Int) -> TokenKind {
        let parts = literal.split(separator: ".", omittingEmptySubsequences: false)
        let whole = Int(parts[0]) ?? -1
        var frac = 0, scale = 1
        if parts.count == 2 {
            for ch in parts[1] {
                guard scale <= 1_000_000_000_000 else { break }
                frac = frac * 10 + (ch.wholeNumberValue ?? 0)
                scale *= 10
            }
        }
        let (w, o1) = whole.multipliedReportingOverflow(by: unitMs)
        let (fracMs, o2) = frac.multipliedReportingOverflow(by: unitMs)
        let (total, o3) = w.addingReportingOverflow(o2 ? 0 : fracMs / scale)
        guard whole >= 0, !o1, !o2, !o3 else {
            error("duration literal too large", at: start)
            return .duration(ms: 0)
        }
        guard fracMs % scale == 0 else {
            error("duration literal is not a whole number of milliseconds", at: start)
            return .duration(ms: 0)
        }
        return .duration(ms: total)
    }

    /// A money literal is a number, exactly one space and an upper-case code.
    mutating func moneySuffix() -> String? {
        guard peek() == " ", let c = peek(1), c >= "A" && c <= "Z" else { return nil }
        var k = 1
        while let d = peek(k), (d >= "A" && d <= "Z") || Self.isDigit(d) { k += 1 }
        if let d = peek(k), Self.isIdentPart(d) { return nil }
        guard k - 1 >= 3 else { return nil }
        let code = text(i + 1, i + k)
        i += k
        return code
    }

    mutating func string() -> TokenKind? {
        let start = i
        i += 1
        var parts: [StringPart] = []
        var buf = ""
        while true {
            guard let c = peek(), c != "\n" else {
                error("unterminated string literal", at: start)
                return .string(parts + [.text(buf)])
            }
            i += 1
            if c == "\"" { break }
            if c == "\\" {
                escape(into: &buf)
            } else if c == "$" && peek() == "{" {
                if !buf.isEmpty { parts.append(.text(buf)); buf = "" }
                i += 1
                let codeStart = i
                guard skipInterpolation() else {
                    error("unterminated ${ in string", at: codeStart - 2)
                    return .string(parts)
                }
                parts.append(.code(Span(codeStart, i - 1)))
            } else {
                buf.unicodeScalars.append(c)
            }
        }
        if !buf.isEmpty || parts.isEmpty { parts.append(.text(buf)) }
        return .string(parts)
    }

    mutating func escape(into buf: inout String) {
        guard let e = peek() else { return }
        i += 1
        switch e {
        case "n": buf += "\n"
        case "t": buf += "\t"
        case "r": buf += "\r"
        case "0": buf += "\0"
        case "\\": buf += "\\"
        case "\"": buf += "\""
        case "$": buf += "$"
        case "u" where peek() == "{":
            let at = i - 2
            i += 1
            var hex = ""
            while let h = peek(), h != "}", h != "\"", hex.count <= 8 { hex.unicodeScalars.append(h); i += 1 }
            if peek() == "}" { i += 1 }
            if let v = UInt32(hex, radix: 16), let scalar = Unicode.Scalar(v) {
                buf.unicodeScalars.append(scalar)
            } else {
                error("invalid unicode escape \\u{\(hex)}", at: at)
            }
        default:
            error("unknown escape sequence \\\(Character(e))", at: i - 2)
        }
    }

    /// Moves past the `}` closing an interpolation, skipping nested braces and strings.
    mutating func skipInterpolation() -> Bool {
        var depth = 0
        while let c = peek() {
            if c == "\n" { return false }
            i += 1
            switch c {
            case "{": depth += 1
            case "}":
                if depth == 0 { return true }
                depth -= 1
            case "\"":
                while let d = peek(), d != "\"", d != "\n" {
                    i += 1
                    if d == "\\" { i += 1 } else if d == "$" && peek() == "{" {
                        i += 1
                        if !skipInterpolation() { return false }
                    }
                }
                if peek() == "\"" { i += 1 } else { return false }
            default: break
            }
        }
        return false
    }
}
