// Loads a beancount journal: parses it, runs its directives in beancount's order, and reports
// the errors and every account's final inventory. Keel's own rule where beancount differs: a
// transaction with any error (unbalanced, unknown/closed account, wrong currency, booking) is
// rejected whole, so it changes no balance.

import Money

/// One problem in a journal: the line of the entry (or posting) and beancount's message.
public struct BeancountError: Error, Equatable, Sendable {
    public enum Kind: String, Sendable {
        /// Malformed text: the line's entry is dropped.
        case syntax
        /// Valid beancount outside the subset Keel reads (`include`, `{{…}}`, …).
        case unsupported
        case balanceFailed
        case unbalanced
        case unknownAccount
        case inactiveAccount
        case invalidCurrency
        case autoPosting
        case noMatchingLot
        case ambiguousMatch
        case notEnoughLots
        case unusedPad
        case padAtCost
        case openClose
        case duplicateBalance
        case duplicateCommodity
        /// A number beyond `Dec`'s limits.
        case arithmetic
    }

    public let line: Int
    public let kind: Kind
    public let message: String

    public init(line: Int, kind: Kind, message: String) {
        self.line = line
        self.kind = kind
        self.message = message
    }
}

/// A `price` directive: one unit of `commodity` was worth `number currency` on `date`.
public struct BeancountPrice: Sendable {
    public let date: BeancountDate
    public let commodity: String
    public let number: Dec
    public let currency: String
}

public struct BeancountReport: Sendable {
    /// Sorted by line; on one line, booking errors before balance/pad errors before validation
    /// errors, as beancount reports them.
    public let errors: [BeancountError]
    /// Every account holding something at the end, by name.
    public let accounts: [String: BeancountHoldings]
    public let prices: [BeancountPrice]
}

public enum BeancountJournal {
    /// Never traps: malformed or unsupported input becomes errors with line numbers.
    public static func load(text: String) -> BeancountReport {
        let (directives, parseErrors) = BeancountParser.parse(text)
        // Beancount's order: by date, then opens, balances, others, documents, closes; file order within.
        let ordered = directives.enumerated().sorted { a, b in
            let (x, y) = (a.element, b.element)
            if x.date != y.date { return x.date < y.date }
            if x.orderWithinDay != y.orderWithinDay { return x.orderWithinDay < y.orderWithinDay }
            return a.offset < b.offset
        }.map(\.element)
        // A pad's amount is only known at the assertion it serves, but beancount dates the
        // padding at the pad: the first run finds the amounts, the second books them in place.
        let discovery = run(ordered, parseErrors, padding: [:])
        guard !discovery.discoveredPadding.isEmpty else { return discovery.report() }
        return run(ordered, parseErrors, padding: discovery.discoveredPadding).report()
    }

    private static func run(_ directives: [Directive], _ parseErrors: [BeancountError],
                            padding: [Int: [PadAmount]]) -> JournalRun {
        var run = JournalRun(directives: directives, plannedPadding: padding)
        for error in parseErrors { run.record(error, .parsing) }
        for directive in directives { run.run(directive) }
        return run
    }
}

/// What a pad inserts in one currency.
private struct PadAmount {
    var currency: String
    var units: Dec
}

/// The state of the journal as its directives run in order.
private struct JournalRun {
    /// When an error arises, which decides the order of errors on one line.
    enum Stage: Int, Comparable {
        case parsing, booking, checks, validation
        static func < (a: Stage, b: Stage) -> Bool { a.rawValue < b.rawValue }
    }

    struct Opening {
        var currencies: Set<String>
        var booking: BeancountBooking
    }

    /// A `pad` waiting for the balance assertions that will say how much to insert.
    struct PendingPad {
        var line: Int
        var source: String
        /// Currencies already asserted since the pad: each is padded at most once.
        var settled: Set<String> = []
        /// Problems the padding transaction would have (accounts not open on the pad's date).
        var accountProblems: [BeancountError]
    }

    /// Beancount resolves opens over the whole file: a later `open` makes an early posting
    /// "inactive" rather than "unknown", and fixes the account's constraints and booking.
    let openings: [String: Opening]
    var active: Set<String> = []
    /// The date each account was first opened, for the opens run so far.
    var openDates: [String: BeancountDate] = [:]
    var declaredCommodities: Set<String> = []
    var closed: Set<String> = []
    var inventories: [String: BeancountInventory] = [:]
    var pads: [String: PendingPad] = [:]
    var usedPadLines: Set<Int> = []
    var padLines: [Int] = []
    var assertedBalances: [String: Dec] = [:]
    var prices: [BeancountPrice] = []
    /// Padding to book at each pad (by line), found by an earlier run.
    let plannedPadding: [Int: [PadAmount]]
    /// Padding this run had to insert late, at the assertion that needed it.
    private(set) var discoveredPadding: [Int: [PadAmount]] = [:]
    private var errors: [(stage: Stage, error: BeancountError)] = []

    init(directives: [Directive], plannedPadding: [Int: [PadAmount]]) {
        self.plannedPadding = plannedPadding
        var openings: [String: Opening] = [:]
        for directive in directives {
            if case .open(let account, let currencies, let booking) = directive.body, openings[account] == nil {
                openings[account] = Opening(currencies: Set(currencies), booking: booking)
            }
        }
        self.openings = openings
    }

    mutating func record(_ error: BeancountError, _ stage: Stage) {
        errors.append((stage, error))
    }

    mutating func run(_ directive: Directive) {
        let line = directive.line
        switch directive.body {
        case .open(let account, _, _): open(account, directive.date, line)
        case .close(let account): close(account, directive.date, line)
        case .transaction(let postings): apply(postings, directive.date, line)
        case .balance(let account, let number, let currency, let tolerance):
            assertBalance(account, number, currency, tolerance, directive.date, line)
        case .pad(let account, let source): pad(account, from: source, line)
        case .price(let commodity, let number, let currency):
            prices.append(BeancountPrice(date: directive.date, commodity: commodity, number: number, currency: currency))
        case .accountReference(let account, _):
            for problem in accountProblems([account], line, allowedAfterClose: true) { record(problem, .validation) }
        case .commodity(let currency):
            if !declaredCommodities.insert(currency).inserted {
                record(BeancountError(line: line, kind: .duplicateCommodity,
                                      message: "Duplicate commodity directives for '\(currency)'"), .validation)
            }
        case .inert:
            break
        }
    }

    // MARK: accounts

    /// A second open is an error, yet (as in beancount) it reactivates a closed account.
    private mutating func open(_ account: String, _ date: BeancountDate, _ line: Int) {
        if openDates[account] == nil {
            openDates[account] = date
        } else {
            record(BeancountError(line: line, kind: .openClose, message: "Duplicate open directive for \(account)"), .validation)
        }
        active.insert(account)
    }

    private mutating func close(_ account: String, _ date: BeancountDate, _ line: Int) {
        if closed.contains(account) {
            record(BeancountError(line: line, kind: .openClose, message: "Duplicate close directive for \(account)"), .validation)
        } else if let opened = openDates[account] {
            if date <= opened {
                record(BeancountError(line: line, kind: .openClose,
                                      message: "Internal error: closing date for \(account) appears before opening date"), .validation)
            }
        } else {
            record(BeancountError(line: line, kind: .openClose, message: "Unopened account \(account) is being closed"), .validation)
        }
        closed.insert(account)
        active.remove(account)
    }

    /// One error per distinct account that is not open now, in the order given. Balance
    /// assertions, notes and documents may name an account after its close.
    private func accountProblems(_ accounts: [String], _ line: Int, allowedAfterClose: Bool = false) -> [BeancountError] {
        var seen: Set<String> = []
        return accounts.compactMap { account in
            guard !active.contains(account), !(allowedAfterClose && openDates[account] != nil),
                  seen.insert(account).inserted else { return nil }
            if openings[account] != nil {
                return BeancountError(line: line, kind: .inactiveAccount, message: "Invalid reference to inactive account '\(account)'")
            }
            return BeancountError(line: line, kind: .unknownAccount, message: "Invalid reference to unknown account '\(account)'")
        }
    }

    private func currencyProblems(_ postings: [BookedPosting], _ line: Int) -> [BeancountError] {
        postings.compactMap { posting in
            guard let allowed = openings[posting.account]?.currencies, !allowed.isEmpty,
                  !allowed.contains(posting.currency) else { return nil }
            return BeancountError(line: line, kind: .invalidCurrency,
                                  message: "Invalid currency \(posting.currency) for account '\(posting.account)'")
        }
    }

    // MARK: transactions

    /// Books, validates, and applies the transaction only when nothing is wrong with it.
    private mutating func apply(_ postings: [PostingSyntax], _ date: BeancountDate, _ line: Int) {
        let openings = self.openings
        var booker = TransactionBooker(date: date, entryLine: line, inventories: inventories(of: postings.map(\.account)),
                                       method: { openings[$0]?.booking ?? .strict })
        let booked: [BookedPosting]
        do {
            booked = try booker.book(postings)
        } catch {
            record(error, .booking)
            return
        }
        var problems = accountProblems(booked.map(\.account), line) + currencyProblems(booked, line)
        do {
            let unbalanced = try residual(of: booked)
            if !Tolerances(postings).accept(unbalanced) {
                problems.append(BeancountError(line: line, kind: .unbalanced,
                                               message: "Transaction does not balance: \(unbalanced.text)"))
            }
            if problems.isEmpty { try commit(booked) }
        } catch {
            problems.append(BeancountError(line: line, kind: .arithmetic, message: "arithmetic error: \(error)"))
        }
        for problem in problems { record(problem, .validation) }
    }

    private func inventories(of accounts: [String]) -> [String: BeancountInventory] {
        var copies: [String: BeancountInventory] = [:]
        for account in accounts { copies[account] = inventories[account] }
        return copies
    }

    /// Applies every posting or none (on an arithmetic failure).
    private mutating func commit(_ postings: [BookedPosting]) throws(DecimalError) {
        var updated = inventories(of: postings.map(\.account))
        for posting in postings {
            try updated[posting.account, default: BeancountInventory()].add(posting.units, posting.currency, cost: posting.cost)
        }
        for (account, inventory) in updated { inventories[account] = inventory }
    }

    // MARK: balance assertions and pads

    /// Checks the account and its sub-accounts at the start of the day, padding first when a
    /// pad is pending; a failure is reported and changes nothing.
    private mutating func assertBalance(_ account: String, _ number: Dec, _ currency: String, _ explicitTolerance: Dec?,
                                        _ date: BeancountDate, _ line: Int) {
        let tolerance = explicitTolerance ?? Self.balanceTolerance(number)
        if let opening = openings[account] {
            if !opening.currencies.isEmpty && !opening.currencies.contains(currency) {
                record(BeancountError(line: line, kind: .invalidCurrency,
                                      message: "Invalid currency '\(currency)' for Balance directive: "), .checks)
            }
        } else {
            // Beancount's balance check says so, and then validation says it again.
            record(BeancountError(line: line, kind: .unknownAccount,
                                  message: "Invalid reference to unknown account '\(account)'"), .checks)
        }
        do {
            try padIfPending(account, number, currency, tolerance, line)
            try check(account, number, currency, tolerance, line)
        } catch {
            record(BeancountError(line: line, kind: .arithmetic, message: "arithmetic error: \(error)"), .checks)
        }
        for problem in accountProblems([account], line, allowedAfterClose: true) { record(problem, .validation) }
        let key = "\(account) \(currency) \(date)"
        if let previous = assertedBalances[key], previous != number {
            record(BeancountError(line: line, kind: .duplicateBalance,
                                  message: "Duplicate balance assertion with different amounts"), .validation)
        } else if assertedBalances[key] == nil {
            assertedBalances[key] = number
        }
    }

    /// Beancount's balance tolerance: one unit of the assertion's last digit (`987.66` → 0.01),
    /// none for an integer assertion.
    private static func balanceTolerance(_ number: Dec) -> Dec {
        number.exponent < 0 ? Dec(units: 1, scale: -number.exponent) : Dec(0)
    }

    private mutating func check(_ account: String, _ number: Dec, _ currency: String, _ tolerance: Dec, _ line: Int) throws(DecimalError) {
        let accumulated = try subtree(of: account).units(of: currency)
        let difference = try accumulated.subtracting(number)
        guard difference.abs() > tolerance else { return }
        let direction = difference.isNegative ? "too little" : "too much"
        record(BeancountError(line: line, kind: .balanceFailed, message:
            "Balance failed for '\(account)': expected \(amountText(number, currency)) != accumulated "
            + "\(amountText(accumulated, currency)) (\(difference.abs().scientificString) \(direction))"), .checks)
    }

    /// The positions of an account and all its sub-accounts together.
    private func subtree(of account: String) throws(DecimalError) -> BeancountInventory {
        var combined = BeancountInventory()
        let prefix = account + ":"
        for name in inventories.keys.sorted() where name == account || name.hasPrefix(prefix) {
            for position in inventories[name]?.positions ?? [] {
                try combined.add(position.units, position.currency, cost: position.cost)
            }
        }
        return combined
    }

    private mutating func pad(_ account: String, from source: String, _ line: Int) {
        let problems = accountProblems([account, source], line)
        for problem in problems { record(problem, .validation) }
        padLines.append(line)
        let pending = PendingPad(line: line, source: source, accountProblems: problems)
        pads[account] = pending
        for amount in plannedPadding[line] ?? [] {
            bookPadding(pending, account, amount)
        }
    }

    /// Pads now if the assertion would fail and the pending pad has not served this currency.
    /// Only a first run gets here with a difference; the padding is then booked late, and
    /// remembered so that a second run books it at the pad.
    private mutating func padIfPending(_ account: String, _ number: Dec, _ currency: String, _ tolerance: Dec,
                                       _ line: Int) throws(DecimalError) {
        guard var pending = pads[account], !pending.settled.contains(currency) else { return }
        pending.settled.insert(currency)
        pads[account] = pending
        let held = try subtree(of: account)
        let missing = try number.subtracting(held.units(of: currency))
        guard missing.abs() > tolerance else { return }
        if held.positions.contains(where: { $0.currency == currency && $0.cost != nil }) {
            let inventory = "(" + held.positions.map(\.description).joined(separator: ", ") + ")"
            record(BeancountError(line: line, kind: .padAtCost,
                                  message: "Attempt to pad an entry with cost for balance: \(inventory)"), .checks)
            return
        }
        let amount = PadAmount(currency: currency, units: missing)
        discoveredPadding[pending.line, default: []].append(amount)
        bookPadding(pending, account, amount)
    }

    /// The padding transaction: `units` into the padded account, out of the pad's source.
    private mutating func bookPadding(_ pending: PendingPad, _ account: String, _ amount: PadAmount) {
        usedPadLines.insert(pending.line)
        let padding = [
            BookedPosting(line: pending.line, account: account, units: amount.units, currency: amount.currency),
            BookedPosting(line: pending.line, account: pending.source, units: amount.units.negated(), currency: amount.currency),
        ]
        var problems = pending.accountProblems + currencyProblems(padding, pending.line)
        if problems.isEmpty {
            do {
                try commit(padding)
            } catch {
                problems.append(BeancountError(line: pending.line, kind: .arithmetic, message: "arithmetic error: \(error)"))
            }
        }
        for problem in problems { record(problem, .validation) }
    }

    // MARK: report

    func report() -> BeancountReport {
        var all = errors
        for line in padLines where !usedPadLines.contains(line) {
            all.append((.checks, BeancountError(line: line, kind: .unusedPad, message: "Unused Pad entry")))
        }
        var accounts: [String: BeancountHoldings] = [:]
        for (name, inventory) in inventories where !inventory.isEmpty {
            do {
                accounts[name] = BeancountHoldings(units: try inventory.unitsByCurrency(), lots: inventory.lots)
            } catch {
                all.append((.checks, BeancountError(line: 0, kind: .arithmetic, message: "arithmetic error totalling \(name): \(error)")))
            }
        }
        let sorted = all.enumerated().sorted { a, b in
            let (x, y) = (a.element, b.element)
            if x.error.line != y.error.line { return x.error.line < y.error.line }
            if x.stage != y.stage { return x.stage < y.stage }
            return a.offset < b.offset
        }
        return BeancountReport(errors: sorted.map(\.element.error), accounts: accounts, prices: prices)
    }
}
