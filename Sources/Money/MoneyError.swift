/// Errors raised by `Money` operations.
public enum MoneyError: Error, Equatable, CustomStringConvertible, Sendable {
    case currencyMismatch(Currency, Currency)
    case invalidCurrency(String)
    case invalidAllocation(String)
    case invalidRate(String)
    case decimal(DecimalError)

    public var description: String {
        switch self {
        case .currencyMismatch(let lhs, let rhs): return "currency mismatch: \(lhs.code) and \(rhs.code)"
        case .invalidCurrency(let detail), .invalidAllocation(let detail), .invalidRate(let detail): return detail
        case .decimal(let error): return error.description
        }
    }
}

/// Runs a `Dec` computation, wrapping its error for `Money`'s typed throws.
func decimal<T>(_ body: () throws(DecimalError) -> T) throws(MoneyError) -> T {
    do { return try body() } catch { throw .decimal(error) }
}
