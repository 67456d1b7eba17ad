/// A currency conversion with its audit trail: the source amount, the rate
/// used, the exact (unrounded) product and the result rounded to the target
/// currency's minor units.
public struct FxConversion: Hashable, Sendable {
    public let source: Money
    /// Units of the target currency per one unit of the source currency.
    public let rate: Dec
    public let rounding: RoundingMode
    /// `source.amount × rate`, exact.
    public let exactAmount: Dec
    /// `exactAmount` rounded to the target currency's minor units.
    public let converted: Money

    /// Converts `amount` at `rate` (which must be positive).
    public static func convert(_ amount: Money, to currency: Currency, rate: Dec,
                               rounding: RoundingMode = .halfEven) throws(MoneyError) -> FxConversion {
        guard !rate.isNegative && !rate.isZero else { throw .invalidRate("exchange rate must be positive, got \(rate)") }
        let exact = try decimal { () throws(DecimalError) in try amount.amount.multiplying(rate) }
        let converted = try Money(exact, currency).rounded(mode: rounding)
        return FxConversion(source: amount, rate: rate, rounding: rounding, exactAmount: exact, converted: converted)
    }
}
