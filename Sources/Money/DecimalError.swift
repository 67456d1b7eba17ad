/// Errors raised by `Dec` arithmetic. Each case carries enough detail to build
/// a short, lower-case message for script authors.
public enum DecimalError: Error, Equatable, CustomStringConvertible, Sendable {
    case divisionByZero
    /// 0 / 0 (and 0 // 0, 0 % 0).
    case divisionUndefined
    case invalidLiteral(String)
    case notIntegral(String)
    case overflow(String)
    case tooLarge(String)
    case invalidOperation(String)

    public var description: String {
        switch self {
        case .divisionByZero: return "division by zero"
        case .divisionUndefined: return "division undefined (0 / 0)"
        case .invalidLiteral(let text): return "invalid decimal literal '\(text)'"
        case .notIntegral(let value): return "cannot convert \(value) to Int: not integral"
        case .overflow(let value): return "cannot convert \(value) to Int: out of range"
        case .tooLarge(let detail): return detail
        case .invalidOperation(let detail): return detail
        }
    }
}
