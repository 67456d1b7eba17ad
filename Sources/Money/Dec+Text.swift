// Conversions between `Dec` and text.

extension Dec {
    /// Parses `[+|-]digits[.digits][(e|E)[+|-]digits]`. Underscores may
    /// separate digits (`1_000.5`); the value is kept exactly, trailing zeros
    /// included.
    public init(parsing text: String) throws(DecimalError) {
        if let plain = Dec(plainText: text) {
            self = plain
            return
        }
        try self.init(scanning: text)
    }

    /// Plain text, `[+|-]digits[.digits]` with a coefficient that fits a word (prices and
    /// quantities in a file, mostly), read in one pass with no array; nil for any other
    /// text, which the scanner reads. It was half the time of `keel orders replay`.
    init?(plainText text: String) {
        var coefficient: UInt64 = 0, digits = 0, fraction = 0, negative = false
        var seenPoint = false, first = true
        for byte in text.utf8 {
            defer { first = false }
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                let (times10, overflow) = coefficient.multipliedReportingOverflow(by: 10)
                let (sum, carry) = times10.addingReportingOverflow(UInt64(byte &- UInt8(ascii: "0")))
                guard !overflow && !carry else { return nil }
                coefficient = sum
                digits += 1
                if seenPoint { fraction += 1 }
            case UInt8(ascii: "."):
                guard !seenPoint else { return nil }
                seenPoint = true
            case UInt8(ascii: "-"), UInt8(ascii: "+"):
                guard first else { return nil }
                negative = byte == UInt8(ascii: "-")
            default:
                return nil
            }
        }
        guard digits > 0 else { return nil }
        self.init(wordCoefficient: coefficient, exponent: -fraction, signMinus: negative)
    }

    /// Any literal `init(parsing:)` takes, through the general scanner.
    init(scanning text: String) throws(DecimalError) {
        var scanner = LiteralScanner(text.utf8[...])
        guard let literal = scanner.scan() else { throw .invalidLiteral(text) }
        let significant = literal.digits.drop { $0 == UInt8(ascii: "0") }
        try Dec.checkDigits(significant.count)
        guard let exponent = literal.exponent else {
            throw .tooLarge("exponent of '\(text)' exceeds \(Dec.maxExponentMagnitude)")
        }
        let digitText = Substring(decoding: significant, as: UTF8.self)
        self = try Dec.checked(
            negative: literal.negative,
            coefficient: significant.isEmpty ? .zero : Magnitude.parse(digits: digitText),
            exponent: exponent)
    }

    /// Plain notation, never an exponent (Python's `format(d, "f")`):
    /// `1.50` → "1.50", `1E+3` → "1000", `-0.00` → "-0.00".
    ///
    /// A value without a plain form of bounded size (`hasPlainForm`, e.g. `1E+999999999`)
    /// is shown in scientific notation instead, so printing can never exhaust memory.
    public var description: String {
        guard hasPlainForm else { return scientificString }
        let sign = isSignMinus ? "-" : ""
        let digits = coefficient.decimalString
        if exponent >= 0 {
            if isZero { return sign + "0" }
            return sign + digits + String(repeating: "0", count: exponent)
        }
        let pointPosition = digits.count + exponent
        if pointPosition > 0 {
            let split = digits.index(digits.startIndex, offsetBy: pointPosition)
            return sign + digits[..<split] + "." + digits[split...]
        }
        return sign + "0." + String(repeating: "0", count: -pointPosition) + digits
    }

    /// Whether the plain form needs at most `Dec.maxDigits` zeros besides the
    /// coefficient's digits: at most that many after them (a positive exponent) or
    /// between the point and them. A language that promises never to print an exponent
    /// refuses the others.
    public var hasPlainForm: Bool {
        if exponent >= 0 { return isZero || exponent <= Dec.maxDigits }
        return -exponent - digitCount <= Dec.maxDigits
    }

    /// The specification's to-scientific-string (Python's `str(d)`):
    /// `1E+3`, `1.23E-8`, `0.001`.
    public var scientificString: String {
        let adjusted = adjustedExponent
        if exponent <= 0 && adjusted >= -6 { return description }
        let digits = coefficient.decimalString
        var result = isSignMinus ? "-" : ""
        result += digits.prefix(1)
        if digits.count > 1 { result += "." + digits.dropFirst() }
        result += adjusted >= 0 ? "E+\(adjusted)" : "E\(adjusted)"
        return result
    }
}

extension Dec: CustomStringConvertible, LosslessStringConvertible {
    public init?(_ description: String) {
        guard let value = try? Dec(parsing: description) else { return nil }
        self = value
    }
}

/// The pieces of a numeric literal, before conversion.
private struct ParsedLiteral {
    var negative: Bool
    /// All coefficient digits, leading zeros included, underscores removed.
    var digits: [UInt8]
    /// Final exponent, or nil when it is beyond the allowed range.
    var exponent: Int?
}

/// A single-pass scanner over the UTF-8 bytes of a literal.
private struct LiteralScanner {
    private var bytes: Substring.UTF8View
    private let zero = UInt8(ascii: "0")

    init(_ bytes: Substring.UTF8View) { self.bytes = bytes }

    mutating func scan() -> ParsedLiteral? {
        let negative = scanSign() ?? false
        guard var digits = scanDigits() else { return nil }
        var fractionCount = 0
        if bytes.first == UInt8(ascii: ".") {
            bytes.removeFirst()
            guard let fraction = scanDigits() else { return nil }
            digits += fraction
            fractionCount = fraction.count
        }
        guard !digits.isEmpty else { return nil }
        var exponentValue = 0
        var exponentInRange = true
        if let marker = bytes.first, marker == UInt8(ascii: "e") || marker == UInt8(ascii: "E") {
            bytes.removeFirst()
            let exponentNegative = scanSign() ?? false
            guard let exponentDigits = scanDigits(), !exponentDigits.isEmpty else { return nil }
            (exponentValue, exponentInRange) = cappedValue(of: exponentDigits)
            if exponentNegative { exponentValue = -exponentValue }
        }
        guard bytes.isEmpty else { return nil }
        let exponent = exponentValue - fractionCount
        let inRange = exponentInRange && Swift.abs(exponent) <= Dec.maxExponentMagnitude
        return ParsedLiteral(negative: negative, digits: digits, exponent: inRange ? exponent : nil)
    }

    private mutating func scanSign() -> Bool? {
        switch bytes.first {
        case UInt8(ascii: "-"): bytes.removeFirst(); return true
        case UInt8(ascii: "+"): bytes.removeFirst(); return false
        default: return nil
        }
    }

    /// Digits with single underscores between them; nil on a misplaced `_`.
    private mutating func scanDigits() -> [UInt8]? {
        var digits: [UInt8] = []
        while let byte = bytes.first {
            if byte >= zero && byte <= zero + 9 {
                digits.append(byte)
            } else if byte == UInt8(ascii: "_") {
                let rest = bytes.dropFirst()
                guard !digits.isEmpty, let next = rest.first, next >= zero && next <= zero + 9 else { return nil }
            } else {
                break
            }
            bytes.removeFirst()
        }
        return digits
    }

    /// The digits' value, saturating well above the exponent limit.
    private func cappedValue(of digits: [UInt8]) -> (value: Int, inRange: Bool) {
        var value = 0
        for digit in digits {
            value = value * 10 + Int(digit - zero)
            if value > 10 * Dec.maxExponentMagnitude { return (value, false) }
        }
        return (value, true)
    }
}
