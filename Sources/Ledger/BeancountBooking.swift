// Booking one transaction the way beancount does: reductions matched to lots by the account's
// method, the auto-posting filled with the residual, tolerances inferred from the numbers'
// precision. All arithmetic is exact `Dec`.

import Money

/// A posting with every number known: units, the lot it adds to or reduces, its price.
struct BookedPosting: Sendable {
    var line: Int
    var account: String
    var units: Dec
    var currency: String
    var cost: BeancountCost?
    var price: PriceSpec?
    /// Filled in from the residual; its precision does not count towards tolerances.
    var isInterpolated = false

    /// What the posting contributes to the balance of the transaction: its cost when held at
    /// cost, else its price, else its units. A total price (`@@`) counts exactly, with the
    /// sign of the units (beancount divides it into a per-unit price first).
    func weight() throws(DecimalError) -> (number: Dec, currency: String) {
        if let cost { return (try units.multiplying(cost.number), cost.currency) }
        guard let price else { return (units, currency) }
        if !price.isTotal { return (try units.multiplying(price.number), price.currency) }
        if units.isZero { return (Dec(0), price.currency) }
        return (units.isNegative ? price.number.negated() : price.number, price.currency)
    }
}

/// Per-currency sums in first-seen order, dropping a currency whose sum reaches zero (as
/// beancount's inventory does, which decides how a later sum is written: `0.5`, not `0.50`).
struct CurrencySums: Sendable {
    private(set) var entries: [(currency: String, number: Dec)] = []

    mutating func add(_ number: Dec, _ currency: String) throws(DecimalError) {
        if number.isZero { return }
        guard let index = entries.firstIndex(where: { $0.currency == currency }) else {
            entries.append((currency, number))
            return
        }
        let sum = try entries[index].number.adding(number)
        if sum.isZero { entries.remove(at: index) } else { entries[index].number = sum }
    }

    /// Beancount's inventory rendering: `(1.00 USD, 2 EUR)`, major currencies first.
    var text: String {
        let majors = ["USD", "EUR", "JPY", "CAD", "GBP", "AUD", "NZD", "CHF"]
        func rank(_ currency: String) -> Int { majors.firstIndex(of: currency) ?? majors.count + currency.count }
        let sorted = entries.enumerated().sorted { a, b in
            let (ra, rb) = (rank(a.element.currency), rank(b.element.currency))
            if ra != rb { return ra < rb }
            if a.element.number != b.element.number { return a.element.number < b.element.number }
            return a.offset < b.offset
        }
        return "(" + sorted.map { amountText($0.element.number, $0.element.currency) }.joined(separator: ", ") + ")"
    }
}

/// Beancount's inferred tolerances: half of the last digit of the most precise number posted
/// in each currency (`10.004` → 0.0005); integers and absent currencies tolerate nothing.
struct Tolerances: Sendable {
    private(set) var byCurrency: [String: Dec] = [:]

    init(_ postings: [PostingSyntax]) {
        for posting in postings {
            guard let units = posting.units, let currency = posting.currency, units.exponent < 0 else { continue }
            let half = Dec(units: 5, scale: 1 - units.exponent)
            if let known = byCurrency[currency], known >= half { continue }
            byCurrency[currency] = half
        }
    }

    func tolerance(of currency: String) -> Dec { byCurrency[currency] ?? Dec(0) }

    /// Every residual within its currency's tolerance (inclusive).
    func accept(_ residual: CurrencySums) -> Bool {
        residual.entries.allSatisfy { $0.number.abs() <= tolerance(of: $0.currency) }
    }

    /// An interpolated number rounded to twice its currency's tolerance (the number's implied
    /// precision), as beancount does; unchanged when nothing was inferred for the currency.
    func quantize(_ number: Dec, _ currency: String) throws(DecimalError) -> Dec {
        guard let tolerance = byCurrency[currency] else { return number }
        let quantum = try tolerance.multiplying(Dec(2)).reduced()
        return try number.quantized(like: quantum)
    }
}

/// Books the postings of one transaction against the inventories as they stand before it.
struct TransactionBooker {
    let date: BeancountDate
    let entryLine: Int
    /// Working copies of the inventories the transaction touches, reductions applied.
    var inventories: [String: BeancountInventory]
    let method: (String) -> BeancountBooking

    /// The booked postings (reductions split per lot, the auto-posting one per currency), or
    /// the booking error that makes beancount drop the transaction.
    mutating func book(_ postings: [PostingSyntax]) throws(BeancountError) -> [BookedPosting] {
        let autoPostings = postings.filter { $0.units == nil }
        if autoPostings.count > 1, let last = autoPostings.last {
            throw BeancountError(line: last.line, kind: .autoPosting,
                                 message: "You may not have more than one auto-posting per currency")
        }
        do {
            var booked: [BookedPosting] = []
            for posting in postings {
                guard let units = posting.units, let currency = posting.currency else { continue }
                booked += try bookPosting(posting, units, currency)
            }
            if let auto = autoPostings.first {
                booked += try interpolate(auto, from: booked, tolerances: Tolerances(postings))
            }
            return booked
        } catch let failure as BeancountFailure {
            throw BeancountError(line: entryLine, kind: failure.kind, message: failure.message)
        } catch {
            throw BeancountError(line: entryLine, kind: .arithmetic, message: "arithmetic error: \(error)")
        }
    }

    /// A plain posting as is; one with a cost spec augments a new lot or reduces existing ones.
    private mutating func bookPosting(_ posting: PostingSyntax, _ units: Dec, _ currency: String) throws -> [BookedPosting] {
        let plain = BookedPosting(line: posting.line, account: posting.account, units: units, currency: currency,
                                  price: posting.price)
        guard let spec = posting.cost else { return [plain] }
        let inventory = inventories[posting.account] ?? BeancountInventory()
        guard inventory.isReduced(by: units, currency) else { return [try augmentation(plain, spec)] }
        let reductions = try reduce(plain, spec, in: inventory)
        var updated = inventory
        for reduction in reductions { try updated.add(reduction.units, reduction.currency, cost: reduction.cost) }
        inventories[posting.account] = updated
        return reductions
    }

    /// A new lot: the spec must name its cost; the date defaults to the transaction's.
    private func augmentation(_ posting: BookedPosting, _ spec: CostSpec) throws(BeancountFailure) -> BookedPosting {
        guard let number = spec.number, let currency = spec.currency else {
            throw BeancountFailure(kind: .unsupported,
                                   message: "a cost to be inferred ('{}' on an augmentation) is not supported")
        }
        guard !number.isNegative else {
            throw BeancountFailure(kind: .autoPosting, message: "Cost is negative: \"\(spec.text)\"")
        }
        var lot = posting
        lot.cost = BeancountCost(number: number, currency: currency, date: spec.date ?? date, label: spec.label)
        return lot
    }

    /// The lots a reduction takes, chosen by the account's booking method.
    private func reduce(_ posting: BookedPosting, _ spec: CostSpec, in inventory: BeancountInventory) throws -> [BookedPosting] {
        let matches = inventory.positions.filter { position in
            guard let cost = position.cost, position.currency == posting.currency else { return false }
            return (spec.number.map { $0 == cost.number } ?? true) && (spec.currency.map { $0 == cost.currency } ?? true)
                && (spec.date.map { $0 == cost.date } ?? true) && (spec.label.map { $0 == cost.label } ?? true)
        }
        let wanted = "\(amountText(posting.units, posting.currency)) {\(spec.text)}"
        let listed = matches.map(\.description).joined(separator: ", ")
        guard !matches.isEmpty else {
            throw BeancountFailure(kind: .noMatchingLot, message: "No position matches \"\(wanted)\" against balance \(inventoryText(inventory))")
        }
        let lots: [BookedPosting]
        let method = method(posting.account)
        switch method {
        case .strict, .strictWithSize:
            guard let chosen = try strictChoice(posting, matches, allowingSize: method == .strictWithSize) else {
                throw BeancountFailure(kind: .ambiguousMatch, message: "Ambiguous matches for \"\(wanted)\": \(listed)")
            }
            lots = chosen
        case .fifo: lots = try firstInFirstOut(posting, ordered(matches, by: { $0.date < $1.date }))
        case .lifo: lots = try firstInFirstOut(posting, ordered(matches, by: { $0.date > $1.date }))
        case .hifo: lots = try firstInFirstOut(posting, ordered(matches, by: { $0.number > $1.number }))
        }
        guard try sum(lots.map(\.units)) == posting.units else {
            throw BeancountFailure(kind: .notEnoughLots, message: "Not enough lots to reduce \"\(wanted)\": \(listed)")
        }
        return lots
    }

    /// STRICT: one matching lot, or all of them when the reduction is exactly their total.
    /// STRICT_WITH_SIZE also accepts the oldest lot whose size is exactly the reduction.
    private func strictChoice(_ posting: BookedPosting, _ matches: [BeancountPosition],
                              allowingSize: Bool) throws(DecimalError) -> [BookedPosting]? {
        if matches.count == 1, let match = matches.first {
            let size = Swift.min(match.units.abs(), posting.units.abs())
            return [lot(posting, size: size, from: match)]
        }
        if try sum(matches.map(\.units)) == posting.units.negated() {
            return matches.map { lot(posting, size: $0.units.abs(), from: $0) }
        }
        guard allowingSize else { return nil }
        let sameSize = ordered(matches.filter { $0.units == posting.units.negated() }, by: { $0.date < $1.date })
        return sameSize.first.map { [lot(posting, size: $0.units.abs(), from: $0)] }
    }

    /// FIFO, LIFO and HIFO: take lots in the given order until the reduction is covered.
    private func firstInFirstOut(_ posting: BookedPosting, _ lots: [BeancountPosition]) throws(DecimalError) -> [BookedPosting] {
        var remaining = posting.units.abs()
        var taken: [BookedPosting] = []
        for match in lots where remaining > Dec(0) {
            // A lot of the reduction's own sign (a mixed inventory) cannot be reduced.
            if !match.units.isZero && match.units.isNegative == posting.units.isNegative { continue }
            let size = Swift.min(match.units.abs(), remaining)
            taken.append(lot(posting, size: size, from: match))
            remaining = try remaining.subtracting(size)
        }
        return taken
    }

    /// A stable sort of lots by their cost (equal keys keep inventory order, as Python's does).
    private func ordered(_ lots: [BeancountPosition], by before: (BeancountCost, BeancountCost) -> Bool) -> [BeancountPosition] {
        lots.enumerated().sorted { a, b in
            guard let ca = a.element.cost, let cb = b.element.cost else { return a.offset < b.offset }
            if before(ca, cb) { return true }
            if before(cb, ca) { return false }
            return a.offset < b.offset
        }.map(\.element)
    }

    private func lot(_ posting: BookedPosting, size: Dec, from match: BeancountPosition) -> BookedPosting {
        var reduction = posting
        reduction.units = posting.units.isNegative ? size.negated() : size
        reduction.cost = match.cost
        return reduction
    }

    private func inventoryText(_ inventory: BeancountInventory) -> String {
        "(" + inventory.positions.map(\.description).joined(separator: ", ") + ")"
    }

    /// The auto-posting takes the negated residual of each currency, rounded to that
    /// currency's inferred precision; a currency already balanced gets no posting.
    private func interpolate(_ auto: PostingSyntax, from booked: [BookedPosting], tolerances: Tolerances) throws(DecimalError) -> [BookedPosting] {
        try residual(of: booked).entries.map { entry throws(DecimalError) in
            BookedPosting(line: auto.line, account: auto.account,
                          units: try tolerances.quantize(entry.number.negated(), entry.currency),
                          currency: entry.currency, isInterpolated: true)
        }
    }
}

func sum(_ numbers: [Dec]) throws(DecimalError) -> Dec {
    var total = Dec(0)
    for number in numbers { total = try total.adding(number) }
    return total
}

/// The sum of the postings' weights per currency: what keeps the transaction from balancing.
func residual(of postings: [BookedPosting]) throws(DecimalError) -> CurrencySums {
    var sums = CurrencySums()
    for posting in postings {
        let weight = try posting.weight()
        try sums.add(weight.number, weight.currency)
    }
    return sums
}
