// The parsed form of a beancount journal: dates, amounts, cost and price specs, directives.

import Money

/// A calendar date as beancount writes it (`2024-01-31`).
public struct BeancountDate: Comparable, Hashable, Sendable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    /// Nil unless the triple names a real day of the proleptic Gregorian calendar.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
              (1...BeancountDate.days(inMonth: month, of: year)).contains(day) else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    private static func days(inMonth month: Int, of year: Int) -> Int {
        switch month {
        case 2: return year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    public static func < (lhs: BeancountDate, rhs: BeancountDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    public var description: String {
        func padded(_ value: Int, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        return "\(padded(year, 4))-\(padded(month, 2))-\(padded(day, 2))"
    }
}

/// `number currency`, printed the way beancount prints it (Python's `str` of the decimal).
func amountText(_ number: Dec, _ currency: String) -> String {
    "\(number.scientificString) \(currency)"
}

/// The braces after a posting's units: every part optional (`{}` matches any lot on a reduction).
struct CostSpec: Sendable {
    var number: Dec?
    var currency: String?
    var date: BeancountDate?
    var label: String?

    /// Beancount's rendering inside the braces, as its error messages show it.
    var text: String {
        var parts: [String] = []
        if let number { parts.append([number.scientificString, currency].compactMap { $0 }.joined(separator: " ")) }
        if let date { parts.append(date.description) }
        if let label { parts.append("\"\(label)\"") }
        return parts.joined(separator: ", ")
    }
}

/// `@ per-unit` or `@@ total` price of a posting.
struct PriceSpec: Sendable {
    var number: Dec
    var currency: String
    var isTotal: Bool
}

/// One posting line. `units == nil` is an auto-posting that absorbs the residual.
struct PostingSyntax: Sendable {
    var line: Int
    var account: String
    var units: Dec?
    var currency: String?
    var cost: CostSpec?
    var price: PriceSpec?
}

/// How reductions pick lots (`open Assets:Stock STK "FIFO"`); beancount's default is STRICT.
public enum BeancountBooking: String, Sendable {
    case strict = "STRICT"
    /// STRICT, but an ambiguous reduction takes the oldest lot of exactly its size.
    case strictWithSize = "STRICT_WITH_SIZE"
    case fifo = "FIFO"
    case lifo = "LIFO"
    case hifo = "HIFO"
}

enum DirectiveBody: Sendable {
    case open(account: String, currencies: [String], booking: BeancountBooking)
    case close(account: String)
    case balance(account: String, number: Dec, currency: String, tolerance: Dec?)
    case pad(account: String, source: String)
    case price(commodity: String, number: Dec, currency: String)
    case transaction([PostingSyntax])
    /// `note` and `document`: they only reference an account, and may follow its close.
    case accountReference(account: String, isDocument: Bool)
    /// Declares a commodity (once).
    case commodity(String)
    /// `event`, `query`, `custom`: no effect on balances.
    case inert
}

struct Directive: Sendable {
    var line: Int
    var date: BeancountDate
    var body: DirectiveBody

    /// Beancount's order within one day: opens, then balance assertions (so they check the
    /// start of the day), then everything else in file order, documents, and closes last.
    var orderWithinDay: Int {
        switch body {
        case .open: return -2
        case .balance: return -1
        case .accountReference(_, isDocument: true): return 1
        case .close: return 2
        default: return 0
        }
    }
}
