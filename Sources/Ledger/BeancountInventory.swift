// What an account holds: positions of units, each optionally held at a cost (a lot).

import Money

/// The cost a lot was acquired at: per-unit number and currency, acquisition date, optional label.
public struct BeancountCost: Hashable, Sendable, CustomStringConvertible {
    public let number: Dec
    public let currency: String
    public let date: BeancountDate
    public let label: String?

    /// Beancount's rendering inside braces: `100.00 USD, 2024-01-03`.
    public var description: String {
        var parts = [amountText(number, currency), date.description]
        if let label { parts.append("\"\(label)\"") }
        return parts.joined(separator: ", ")
    }
}

/// Some units of one commodity, at a cost when they form a lot.
public struct BeancountPosition: Sendable, CustomStringConvertible {
    public internal(set) var units: Dec
    public let currency: String
    public let cost: BeancountCost?

    /// `10 STK {100.00 USD, 2024-01-03}` or `5.00 USD`.
    public var description: String {
        let units = amountText(self.units, currency)
        guard let cost else { return units }
        return "\(units) {\(cost)}"
    }
}

/// An account's positions in the order beancount keeps them: a position is created where
/// its (currency, cost) first appears and disappears when its units reach zero.
public struct BeancountInventory: Sendable {
    public private(set) var positions: [BeancountPosition] = []

    /// The lots (positions held at cost), in inventory order.
    public var lots: [BeancountPosition] { positions.filter { $0.cost != nil } }

    var isEmpty: Bool { positions.isEmpty }

    mutating func add(_ units: Dec, _ currency: String, cost: BeancountCost?) throws(DecimalError) {
        if units.isZero { return }
        guard let index = positions.firstIndex(where: { $0.currency == currency && $0.cost == cost }) else {
            positions.append(BeancountPosition(units: units, currency: currency, cost: cost))
            return
        }
        let sum = try positions[index].units.adding(units)
        if sum.isZero {
            positions.remove(at: index)
        } else {
            positions[index].units = sum
        }
    }

    /// Total units of `currency` over all its positions; beancount starts the sum from 0.
    func units(of currency: String) throws(DecimalError) -> Dec {
        var total = Dec(0)
        for position in positions where position.currency == currency { total = try total.adding(position.units) }
        return total
    }

    /// Units per currency, summed over positions in order (so `5` + `10` is `15`).
    func unitsByCurrency() throws(DecimalError) -> [String: Dec] {
        var totals: [String: Dec] = [:]
        for position in positions {
            if let sum = totals[position.currency] {
                totals[position.currency] = try sum.adding(position.units)
            } else {
                totals[position.currency] = position.units
            }
        }
        return totals
    }

    /// True when adding these units would shrink an existing position of the currency, which
    /// makes a posting with a cost spec a reduction rather than a new lot.
    func isReduced(by units: Dec, _ currency: String) -> Bool {
        !units.isZero && positions.contains { $0.currency == currency && $0.units.isNegative != units.isNegative }
    }
}

/// The inventory of one account at the end of the journal, as reported.
public struct BeancountHoldings: Sendable {
    /// Units per commodity (lots summed).
    public let units: [String: Dec]
    /// Lots in inventory order; empty for accounts holding no units at cost.
    public let lots: [BeancountPosition]
}
