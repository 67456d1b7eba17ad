/// An exact amount in a currency. Arithmetic never rounds silently: sums and
/// products keep every digit, and only `rounded`, `allocate` and FX
/// conversion round to the currency's minor units.
public struct Money: Hashable, Sendable, CustomStringConvertible {
    public let amount: Dec
    public let currency: Currency

    public init(_ amount: Dec, _ currency: Currency) {
        self.amount = amount
        self.currency = currency
    }

    public var isZero: Bool { amount.isZero }
    public var isNegative: Bool { amount.isNegative }

    public func adding(_ other: Money) throws(MoneyError) -> Money {
        try requireSameCurrency(other)
        return Money(try decimal { () throws(DecimalError) in try amount.adding(other.amount) }, currency)
    }

    public func subtracting(_ other: Money) throws(MoneyError) -> Money {
        try requireSameCurrency(other)
        return Money(try decimal { () throws(DecimalError) in try amount.subtracting(other.amount) }, currency)
    }

    public func multiplied(by factor: Dec) throws(MoneyError) -> Money {
        Money(try decimal { () throws(DecimalError) in try amount.multiplying(factor) }, currency)
    }

    public func multiplied(by factor: Int) throws(MoneyError) -> Money {
        try multiplied(by: Dec(factor))
    }

    /// Divides the amount under `context` (not yet rounded to minor units).
    public func divided(by divisor: Dec, context: DecContext = .division) throws(MoneyError) -> Money {
        Money(try decimal { () throws(DecimalError) in try amount.divided(by: divisor, context: context) }, currency)
    }

    /// The ratio of two amounts in the same currency (a plain number).
    public func divided(by other: Money, context: DecContext = .division) throws(MoneyError) -> Dec {
        try requireSameCurrency(other)
        return try decimal { () throws(DecimalError) in try amount.divided(by: other.amount, context: context) }
    }

    public func negated() -> Money { Money(amount.negated(), currency) }

    /// -1, 0 or 1; amounts in different currencies cannot be compared.
    public func compare(_ other: Money) throws(MoneyError) -> Int {
        try requireSameCurrency(other)
        return amount.compare(other.amount)
    }

    /// The amount rounded to the currency's minor units.
    public func rounded(mode: RoundingMode = .halfEven) throws(MoneyError) -> Money {
        Money(try decimal { () throws(DecimalError) in try amount.rounded(places: currency.minorUnits, rounding: mode) }, currency)
    }

    /// Amount with at least the currency's minor units, never dropping digits:
    /// "2.50 USD", "1.2345 USD", "5 JPY".
    public var description: String {
        let padded = amount.exponent > -currency.minorUnits
            ? (try? amount.rescaled(toExponent: -currency.minorUnits)) ?? amount
            : amount
        return "\(padded) \(currency.code)"
    }

    private func requireSameCurrency(_ other: Money) throws(MoneyError) {
        guard currency == other.currency else { throw .currencyMismatch(currency, other.currency) }
    }
}
