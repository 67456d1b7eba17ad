/// Splitting money between accounts with exact rounding, following Numscript's semantics:
/// sources are drained in order (with `max` caps and bounded or unbounded overdraft),
/// destinations take shares by percentage, fraction or `remaining`, and each share is
/// `floor(total × portion)` computed exactly, the leftover minor units going one at a time
/// to the clauses in declaration order. A plan either covers every send or fails as a
/// whole (`missingFunds`), so nothing is posted partially.

/// An exact fraction of a total, `numerator / denominator`.
public struct Portion: Equatable, Sendable {
    public let numerator: Int128
    public let denominator: Int128

    public init?(numerator: Int128, denominator: Int128) {
        guard denominator > 0, numerator >= 0, numerator <= denominator else { return nil }
        let g = gcd(numerator, denominator)
        self.numerator = numerator / g
        self.denominator = denominator / g
    }

    /// `"12.5%"` or `"1/3"`.
    public init?(_ text: String) {
        if text.hasSuffix("%") {
            let digits = text.dropLast().split(separator: ".", omittingEmptySubsequences: false)
            guard digits.count <= 2, digits.allSatisfy({ $0.allSatisfy(\.isASCII) }), digits[0].count <= 30,
                  (digits.count == 1 ? 0 : digits[1].count) <= 30,
                  let whole = Int128(digits[0]) else { return nil }
            let fraction = digits.count == 2 ? digits[1] : ""
            guard fraction.isEmpty || Int128(fraction) != nil else { return nil }
            var scale: Int128 = 100
            for _ in 0..<fraction.count { scale *= 10 }
            let numerator = fraction.isEmpty ? whole : Int128(digits[0] + fraction)
            guard let numerator else { return nil }
            self.init(numerator: numerator, denominator: scale)
        } else {
            let parts = text.split(separator: "/")
            guard parts.count == 2, let a = Int128(parts[0]), let b = Int128(parts[1]) else { return nil }
            self.init(numerator: a, denominator: b)
        }
    }

    private init(reduced numerator: Int128, _ denominator: Int128) {
        self.numerator = numerator
        self.denominator = denominator
    }

    public static let whole = Portion(reduced: 1, 1)
}

private func gcd(_ a: Int128, _ b: Int128) -> Int128 {
    var (x, y) = (a.magnitude, b.magnitude)
    while y != 0 { (x, y) = (y, x % y) }
    return x == 0 ? 1 : Int128(x)
}

/// One clause of an allotment.
public enum Share: Equatable, Sendable {
    case portion(Portion)
    /// One minus the other clauses.
    case remaining
}

public enum Overdraft: Equatable, Sendable {
    case none
    case unbounded
    /// The account may go down to `-amount`.
    case upTo(Int128)
}

public indirect enum Source: Sendable {
    /// `world` is always unbounded (it issues money).
    case account(String, overdraft: Overdraft = .none)
    /// Each source gives as much as it can until the amount is covered.
    case inOrder([Source])
    /// Each source must give exactly its share.
    case allot([(Share, Source)])
    /// At most `max` from the inner source.
    case capped(max: Int128, Source)
}

public indirect enum Destination: Sendable {
    case account(String)
    /// The share stays with whoever gave it: no posting.
    case kept
    case allot([(Share, Destination)])
    /// Each clause takes up to its cap in order, the rest goes to `remaining`.
    case inOrder([(max: Int128, Destination)], remaining: Destination)
}

public enum SendAmount: Equatable, Sendable {
    case exactly(Int128)
    /// Everything the source can give.
    case all
}

public enum Statement: Sendable {
    case send(asset: String, amount: SendAmount, from: Source, to: Destination)
    /// Protects `amount` of the account's balance from the later sends of the plan.
    case save(asset: String, amount: Int128, from: String)
}

public struct Posting: Equatable, Sendable, CustomStringConvertible {
    public var source: String
    public var destination: String
    public var amount: Int128
    public var asset: String
    public init(source: String, destination: String, amount: Int128, asset: String) {
        self.source = source
        self.destination = destination
        self.amount = amount
        self.asset = asset
    }
    public var description: String { "\(source) -> \(destination) \(amount) \(asset)" }
}

public enum SplitError: Error, Equatable, Sendable {
    case missingFunds(asset: String, needed: Int128, available: Int128)
    /// Portions of an allotment that do not add up to one (or more than one `remaining`).
    case portionsDoNotSumToOne
    /// `all` from an unbounded source, or an allotment of `all`.
    case unboundedAmount
    case negativeAmount
    case overflow
}

/// Splits `total` by `shares`: floor of each exact share, leftover units one at a time in order.
public func allocate(_ total: Int128, _ shares: [Share]) throws(SplitError) -> [Int128] {
    guard total >= 0 else { throw .negativeAmount }
    let portions = try resolve(shares)
    var parts: [Int128] = []
    for p in portions {
        let product = total.multipliedReportingOverflow(by: p.numerator)
        guard !product.overflow else { throw .overflow }
        parts.append(product.partialValue / p.denominator)
    }
    var leftover = total - parts.reduce(0, +)
    var i = 0
    while leftover > 0 && !parts.isEmpty {
        parts[i % parts.count] += 1
        leftover -= 1
        i += 1
    }
    return parts
}

/// Turns `remaining` into an explicit portion and checks the clauses sum to exactly one.
private func resolve(_ shares: [Share]) throws(SplitError) -> [Portion] {
    var num: Int128 = 0, den: Int128 = 1
    for case .portion(let p) in shares {
        let n = num.multipliedReportingOverflow(by: p.denominator)
        let m = p.numerator.multipliedReportingOverflow(by: den)
        let d = den.multipliedReportingOverflow(by: p.denominator)
        guard !n.overflow, !m.overflow, !d.overflow else { throw .overflow }
        num = try checkedSum(n.partialValue, m.partialValue)
        den = d.partialValue
        let g = gcd(num, den)
        num /= g
        den /= g
    }
    let remainingCount = shares.filter { $0 == .remaining }.count
    guard remainingCount <= 1, num <= den, remainingCount == 1 || num == den else { throw .portionsDoNotSumToOne }
    let rest = Portion(numerator: den - num, denominator: den) ?? .whole
    return shares.map { share in
        if case .portion(let p) = share { return p }
        return rest
    }
}

private func checkedSum(_ a: Int128, _ b: Int128) throws(SplitError) -> Int128 {
    let r = a.addingReportingOverflow(b)
    guard !r.overflow else { throw .overflow }
    return r.partialValue
}

private func total(_ parts: [(account: String, amount: Int128)]) throws(SplitError) -> Int128 {
    var sum: Int128 = 0
    for part in parts { sum = try checkedSum(sum, part.amount) }
    return sum
}

/// Runs statements against balances (per account, per asset) and returns the postings they
/// produce, in order. The balances are a working copy: the caller posts the result.
public struct SplitPlan: Sendable {
    public private(set) var balances: [String: [String: Int128]]
    private var saved: [String: [String: Int128]] = [:]

    public init(balances: [String: [String: Int128]] = [:]) {
        self.balances = balances
    }

    public mutating func run(_ statements: [Statement]) throws(SplitError) -> [Posting] {
        var postings: [Posting] = []
        for statement in statements {
            switch statement {
            case .save(let asset, let amount, let account):
                guard amount >= 0 else { throw .negativeAmount }
                saved[account, default: [:]][asset] = try checkedSum(saved[account]?[asset] ?? 0, amount)
            case .send(let asset, let amount, let source, let destination):
                try send(asset, amount, source, destination, into: &postings)
            }
        }
        return postings
    }

    private mutating func send(_ asset: String, _ amount: SendAmount, _ source: Source, _ destination: Destination,
                               into postings: inout [Posting]) throws(SplitError) {
        let want: Int128?
        switch amount {
        case .exactly(let n):
            guard n >= 0 else { throw .negativeAmount }
            want = n
        case .all:
            want = nil
        }
        var stream = try take(source, want, asset)
        let sent = try total(stream)
        if let want, sent < want { throw .missingFunds(asset: asset, needed: want, available: sent) }
        var cursor = 0
        try give(destination, sent, asset, &stream, &cursor, &postings)
    }

    /// Takes up to `want` (or everything, for nil) from a source, debiting the working balances.
    private mutating func take(_ source: Source, _ want: Int128?, _ asset: String) throws(SplitError)
        -> [(account: String, amount: Int128)] {
        switch source {
        case .account(let name, let overdraft):
            let given = try available(name, overdraft, asset, want)
            try credit(name, asset, -given)
            return given > 0 ? [(name, given)] : []
        case .inOrder(let sources):
            var out: [(account: String, amount: Int128)] = []
            var left = want
            for s in sources {
                if let l = left, l == 0 { break }
                let part = try take(s, left, asset)
                out += part
                if let l = left { left = l - (try total(part)) }
            }
            return out
        case .capped(let cap, let inner):
            let limit = max(cap, 0)
            return try take(inner, want.map { min($0, limit) } ?? limit, asset)
        case .allot(let clauses):
            guard let want else { throw .unboundedAmount }
            let parts = try allocate(want, clauses.map(\.0))
            var out: [(account: String, amount: Int128)] = []
            for (clause, part) in zip(clauses, parts) {
                let got = try take(clause.1, part, asset)
                let sum = try total(got)
                if sum < part { throw .missingFunds(asset: asset, needed: part, available: sum) }
                out += got
            }
            return out
        }
    }

    private func available(_ name: String, _ overdraft: Overdraft, _ asset: String, _ want: Int128?)
        throws(SplitError) -> Int128 {
        let unbounded = name == "world" || overdraft == .unbounded
        if unbounded {
            guard let want else { throw .unboundedAmount }
            return want
        }
        var room = try checkedSum(balances[name]?[asset] ?? 0, -(saved[name]?[asset] ?? 0))
        if case .upTo(let x) = overdraft { room = try checkedSum(room, x) }
        room = max(room, 0)
        return want.map { min($0, room) } ?? room
    }

    /// Hands `amount` from the taken stream to a destination, producing postings in order.
    private mutating func give(_ destination: Destination, _ amount: Int128, _ asset: String,
                               _ stream: inout [(account: String, amount: Int128)], _ cursor: inout Int,
                               _ postings: inout [Posting]) throws(SplitError) {
        switch destination {
        case .account(let name):
            for (source, n) in consume(amount, &stream, &cursor) {
                postings.append(Posting(source: source, destination: name, amount: n, asset: asset))
                try credit(name, asset, n)
            }
        case .kept:
            for (source, n) in consume(amount, &stream, &cursor) { try credit(source, asset, n) }
        case .allot(let clauses):
            let parts = try allocate(amount, clauses.map(\.0))
            for (clause, part) in zip(clauses, parts) {
                try give(clause.1, part, asset, &stream, &cursor, &postings)
            }
        case .inOrder(let clauses, let remaining):
            var left = amount
            for clause in clauses {
                let n = min(max(clause.max, 0), left)
                try give(clause.1, n, asset, &stream, &cursor, &postings)
                left -= n
            }
            try give(remaining, left, asset, &stream, &cursor, &postings)
        }
    }

    private mutating func credit(_ account: String, _ asset: String, _ amount: Int128) throws(SplitError) {
        balances[account, default: [:]][asset] = try checkedSum(balances[account]?[asset] ?? 0, amount)
    }

    /// Takes `amount` off the front of the stream: who gave how much of it.
    private func consume(_ amount: Int128, _ stream: inout [(account: String, amount: Int128)], _ cursor: inout Int)
        -> [(String, Int128)] {
        var out: [(String, Int128)] = []
        var left = amount
        while left > 0 && cursor < stream.count {
            let n = min(stream[cursor].amount, left)
            out.append((stream[cursor].account, n))
            stream[cursor].amount -= n
            left -= n
            if stream[cursor].amount == 0 { cursor += 1 }
        }
        return out
    }
}
