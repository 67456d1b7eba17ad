/// A source file as an array of Unicode scalars. Columns count scalars, 1-based.
public struct SourceFile: Sendable {
    public let name: String
    public let scalars: [Unicode.Scalar]
    /// Offset of the first scalar of every line.
    public let lineStarts: [Int]

    public init(name: String, text: String) {
        self.name = name
        self.scalars = Array(text.unicodeScalars)
        var starts = [0]
        for (i, s) in scalars.enumerated() where s == "\n" { starts.append(i + 1) }
        self.lineStarts = starts
    }

    /// Decodes raw bytes; invalid UTF-8 is reported at the first bad byte.
    public static func decode(name: String, bytes: [UInt8]) -> Result<SourceFile, Diagnostic> {
        var line = 1, col = 1, i = 0
        while i < bytes.count {
            let b = bytes[i]
            let width = Self.utf8SequenceLength(bytes, at: i)
            if width == 0 {
                let hex = String(b, radix: 16, uppercase: true)
                let partial = SourceFile(name: name, text: String(decoding: bytes[0..<i], as: UTF8.self))
                return .failure(Diagnostic(file: partial, line: line, column: col,
                                           message: "invalid UTF-8 byte 0x\(hex.count == 1 ? "0" + hex : hex)"))
            }
            if b == 0x0A { line += 1; col = 1 } else { col += 1 }
            i += width
        }
        return .success(SourceFile(name: name, text: String(decoding: bytes, as: UTF8.self)))
    }

    /// Length of a valid UTF-8 sequence starting at `i`, or 0 when invalid.
    private static func utf8SequenceLength(_ b: [UInt8], at i: Int) -> Int {
        let c = b[i]
        func cont(_ k: Int) -> Bool { i + k < b.count && b[i + k] & 0xC0 == 0x80 }
        switch c {
        case 0x00...0x7F: return 1
        case 0xC2...0xDF: return cont(1) ? 2 : 0
        case 0xE0:
            return cont(1) && b[i + 1] >= 0xA0 && cont(2) ? 3 : 0
        case 0xED:
            return cont(1) && b[i + 1] < 0xA0 && cont(2) ? 3 : 0
        case 0xE1...0xEC, 0xEE...0xEF: return cont(1) && cont(2) ? 3 : 0
        case 0xF0:
            return cont(1) && b[i + 1] >= 0x90 && cont(2) && cont(3) ? 4 : 0
        case 0xF1...0xF3: return cont(1) && cont(2) && cont(3) ? 4 : 0
        case 0xF4:
            return cont(1) && b[i + 1] < 0x90 && cont(2) && cont(3) ? 4 : 0
        default: return 0
        }
    }

    /// 1-based line and column of a scalar offset.
    public func location(of offset: Int) -> (line: Int, column: Int) {
        var lo = 0, hi = lineStarts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if lineStarts[mid] <= offset { lo = mid } else { hi = mid - 1 }
        }
        return (lo + 1, offset - lineStarts[lo] + 1)
    }

    /// The text of a 1-based line, without its newline.
    public func lineText(_ line: Int) -> String {
        guard line >= 1, line <= lineStarts.count else { return "" }
        let start = lineStarts[line - 1]
        var end = line < lineStarts.count ? lineStarts[line] - 1 : scalars.count
        if end > start, end - 1 < scalars.count, scalars[end - 1] == "\r" { end -= 1 }
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars[start..<max(start, end)])
        return String(view)
    }

    public func text(_ span: Span) -> String {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars[span.start..<min(span.end, scalars.count)])
        return String(view)
    }
}

/// A half-open range of scalar offsets in one source file.
public struct Span: Hashable, Sendable {
    public var start: Int
    public var end: Int
    public init(_ start: Int, _ end: Int) { self.start = start; self.end = end }
    public func to(_ other: Span) -> Span { Span(start, max(end, other.end)) }
}

/// A positioned message in the format editors parse: `FILE:LINE:COL: error: MESSAGE`.
public struct Diagnostic: Error, Sendable, CustomStringConvertible {
    public let fileName: String
    public let line: Int
    public let column: Int
    public let message: String
    public let sourceLine: String
    public var notes: [String] = []

    public init(file: SourceFile, line: Int, column: Int, message: String) {
        self.fileName = file.name
        self.line = line
        self.column = column
        // Names quoted from hostile input can be megabytes long.
        self.message = message.count > 300 ? String(message.prefix(300)) + "..." : message
        self.sourceLine = file.lineText(line)
    }

    /// A diagnostic on one line of a file that is not Keel source (a data file's line).
    public init(fileName: String, line: Int, column: Int, sourceLine: String, message: String) {
        self.fileName = fileName
        self.line = line
        self.column = column
        self.message = message.count > 300 ? String(message.prefix(300)) + "..." : message
        self.sourceLine = sourceLine
    }

    public init(file: SourceFile, span: Span, message: String) {
        let loc = file.location(of: min(span.start, file.scalars.count))
        self.init(file: file, line: loc.line, column: loc.column, message: message)
    }

    public var description: String { render(color: false) }

    /// The header, the source line and a caret under the column; long lines are cut around the column.
    public func render(color: Bool) -> String {
        let bold = color ? "\u{1B}[1m" : "", red = color ? "\u{1B}[1;31m" : ""
        let green = color ? "\u{1B}[1;32m" : "", reset = color ? "\u{1B}[0m" : ""
        let (shown, caretCol) = Self.window(sourceLine, column: column)
        // Built as bytes in one buffer: a replay of a file of bad lines renders one per line.
        var out: [UInt8] = []
        out.reserveCapacity(fileName.utf8.count + message.utf8.count + 2 * shown.utf8.count + 64)
        for part in [bold, fileName, ":\(line):\(column): ", red, "error:", reset, bold, " ", message, reset, "\n", shown, "\n"] {
            out += part.utf8
        }
        out += repeatElement(UInt8(ascii: " "), count: max(0, caretCol - 1))
        out += green.utf8
        out.append(UInt8(ascii: "^"))
        out += reset.utf8
        for note in notes {
            out.append(UInt8(ascii: "\n"))
            out += note.utf8
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Cuts a long line to about 120 scalars around the column, showing control characters as spaces so the caret lines up.
    static func window(_ text: String, column: Int) -> (String, Int) {
        // The usual line, short printable ASCII, is shown as it is.
        if text.utf8.count <= 120, text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) { return (text, max(1, column)) }
        let scalars = Array(text.unicodeScalars)
        let limit = 120
        var start = 0
        if scalars.count > limit, column > limit / 2 { start = min(column - limit / 2, max(0, scalars.count - limit)) }
        let end = min(scalars.count, start + limit)
        var view = String.UnicodeScalarView()
        for s in scalars[start..<end] {
            view.append(s.value < 0x20 ? " " : s)
        }
        var caret = column - start
        var prefix = ""
        if start > 0 { prefix = "..."; caret += 3 }
        return (prefix + String(view) + (end < scalars.count ? "..." : ""), max(1, caret))
    }
}

/// Several diagnostics from one phase.
public struct DiagnosticList: Error, Sendable, CustomStringConvertible {
    public var items: [Diagnostic]
    public init(_ items: [Diagnostic]) { self.items = items }
    public var description: String { items.map(\.description).joined(separator: "\n") }
}
