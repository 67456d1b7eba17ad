import Money

/// One line of an external statement (a bank or custodian export).
public struct StatementLine: Equatable, Sendable {
    public var reference: String
    /// Minor units of the account's unit, positive on the account's normal side.
    public var amount: Int128
    /// Days since 1970-01-01.
    public var day: Int

    public init(reference: String, amount: Int128, day: Int) {
        self.reference = reference
        self.amount = amount
        self.day = day
    }

    /// Parses `reference,amount,date` lines (amount a decimal in the unit, date `YYYY-MM-DD`);
    /// a first line that does not parse as data is taken as a header.
    public static func parse(csv: String, unit: Currency) throws(ReconcileError) -> [StatementLine] {
        var lines: [StatementLine] = []
        for (n, raw) in csv.split(whereSeparator: \.isNewline).enumerated() {
            let fields = raw.split(separator: ",", omittingEmptySubsequences: false).map(trimmed)
            let parsed = fields.count == 3 ? parseMinorUnits(fields[1], scale: unit.minorUnits).flatMap { amount in
                daysSinceEpoch(fields[2]).map { StatementLine(reference: fields[0], amount: amount, day: $0) }
            } : nil
            if let parsed { lines.append(parsed) } else if n > 0 { throw .badLine(n + 1, String(raw)) }
        }
        return lines
    }
}

public enum ReconcileError: Error, Equatable, Sendable {
    case badLine(Int, String)
}

public struct Reconciliation: Equatable, Sendable {
    public struct Pair: Equatable, Sendable {
        public var reference: String
        public var ledgerAmount: Int128
        public var statementAmount: Int128
        public var ledgerDay: Int
        public var statementDay: Int
    }
    public var matched: [Pair] = []
    /// Same reference, but the amount differs or the dates are further apart than the tolerance.
    public var mismatched: [Pair] = []
    /// References posted in the ledger that the statement lacks.
    public var missingFromStatement: [String] = []
    /// Statement lines (by index) with no ledger transfer of that reference.
    public var missingFromLedger: [Int] = []
}

extension Ledger {
    /// Matches the posted movements of `account` against a statement by reference (the
    /// transfer id in decimal unless `reference` says otherwise), amount, and date within
    /// `days`. Legs of one transfer on the account are summed. `normal` is the side whose
    /// movements the statement shows as positive.
    public func reconcile(_ account: AccountID, against statement: [StatementLine], toleranceDays days: Int,
                          normal: Leg.Side = .credit,
                          reference: (Entry) -> String = { String($0.id) }) -> Reconciliation {
        var byReference: [String: (amount: Int128, day: Int)] = [:]
        var order: [String] = []
        for e in entries[..<sealedCount] where e.kind == .single || e.kind == .post || e.kind == .reversal {
            guard e.debit == account || e.credit == account else { continue }
            let signed = Int128(truncatingIfNeeded: e.amount)
            let amount = (e.credit == account) == (normal == .credit) ? signed : -signed
            let ref = reference(e)
            let day = Int(e.timestamp / 86_400_000_000_000)
            if let seen = byReference[ref] {
                byReference[ref] = (seen.amount &+ amount, seen.day)
            } else {
                byReference[ref] = (amount, day)
                order.append(ref)
            }
        }
        var report = Reconciliation()
        var used: Set<String> = []
        for (i, line) in statement.enumerated() {
            guard let ours = byReference[line.reference], !used.contains(line.reference) else {
                report.missingFromLedger.append(i)
                continue
            }
            used.insert(line.reference)
            let pair = Reconciliation.Pair(reference: line.reference, ledgerAmount: ours.amount,
                                           statementAmount: line.amount, ledgerDay: ours.day, statementDay: line.day)
            if ours.amount == line.amount && abs(ours.day - line.day) <= days {
                report.matched.append(pair)
            } else {
                report.mismatched.append(pair)
            }
        }
        report.missingFromStatement = order.filter { !used.contains($0) }
        return report
    }
}

private func trimmed(_ field: Substring) -> String {
    let junk: (Character) -> Bool = { $0 == " " || $0 == "\"" }
    return String(field.drop(while: junk).reversed().drop(while: junk).reversed())
}

/// `"12.3"` → 1230 for a scale of 2; nil when malformed or finer than the scale.
func parseMinorUnits(_ text: String, scale: Int) -> Int128? {
    var body = Substring(text)
    let negative = body.first == "-"
    if negative || body.first == "+" { body = body.dropFirst() }
    let parts = body.split(separator: ".", omittingEmptySubsequences: false)
    guard parts.count <= 2, !parts[0].isEmpty, parts.allSatisfy({ $0.allSatisfy { $0 >= "0" && $0 <= "9" } })
    else { return nil }
    var fraction = parts.count == 2 ? parts[1] : ""
    while fraction.count > scale && fraction.last == "0" { fraction = fraction.dropLast() }
    let padding = String(repeating: "0", count: max(scale - fraction.count, 0))
    guard fraction.count <= scale, let value = Int128(parts[0] + fraction + padding) else { return nil }
    return negative ? -value : value
}

/// Calendar days as days since 1970-01-01 (proleptic Gregorian, UTC).
public enum CalendarDay {
    /// `"2026-03-01"` → its day number; nil when malformed.
    public static func number(_ text: String) -> Int? { daysSinceEpoch(text) }

    /// A day number as `YYYY-MM-DD`.
    public static func text(_ days: Int) -> String {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(year)-\(two(month))-\(two(day))"
    }
}

/// Days since 1970-01-01 for `YYYY-MM-DD` (proleptic Gregorian).
func daysSinceEpoch(_ text: String) -> Int? {
    let parts = text.split(separator: "-").compactMap { Int($0) }
    guard parts.count == 3, (1...12).contains(parts[1]), (1...31).contains(parts[2]) else { return nil }
    let y = parts[0] - (parts[1] <= 2 ? 1 : 0)
    let era = (y >= 0 ? y : y - 399) / 400
    let yoe = y - era * 400
    let mp = (parts[1] + 9) % 12
    let doy = (153 * mp + 2) / 5 + parts[2] - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    return era * 146_097 + doe - 719_468
}
