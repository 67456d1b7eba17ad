/// How to round a discarded fraction (the eight modes of the General Decimal
/// Arithmetic specification).
public enum RoundingMode: Sendable, CaseIterable {
    case halfEven, halfUp, halfDown, up, down, ceiling, floor, zeroFiveUp
}

/// Precision and rounding applied to the exact result of an operation.
public struct DecContext: Sendable, Hashable {
    /// Largest accepted precision; keeps exponent arithmetic far from overflow.
    public static let maxPrecision = 999_999_999_999

    /// Significant digits kept in a rounded result, clamped to 1...maxPrecision.
    public var precision: Int {
        didSet { precision = DecContext.clamped(precision) }
    }
    public var rounding: RoundingMode

    public init(precision: Int, rounding: RoundingMode = .halfEven) {
        self.precision = DecContext.clamped(precision)
        self.rounding = rounding
    }

    private static func clamped(_ precision: Int) -> Int { Swift.min(Swift.max(1, precision), maxPrecision) }

    /// 34 digits (decimal128) with banker's rounding: the default for `/`.
    public static let division = DecContext(precision: 34, rounding: .halfEven)
}

/// Where the discarded digits lie relative to half a unit of the last kept digit.
enum DiscardedFraction {
    case zero, belowHalf, half, aboveHalf
}

extension RoundingMode {
    /// Whether the kept coefficient must be incremented by one.
    func incrementsKept(lastKeptDigit: UInt64, discarded: DiscardedFraction, negative: Bool) -> Bool {
        if discarded == .zero { return false }
        switch self {
        case .down: return false
        case .up: return true
        case .ceiling: return !negative
        case .floor: return negative
        case .halfUp: return discarded != .belowHalf
        case .halfDown: return discarded == .aboveHalf
        case .halfEven: return discarded == .aboveHalf || (discarded == .half && lastKeptDigit % 2 == 1)
        case .zeroFiveUp: return lastKeptDigit == 0 || lastKeptDigit == 5
        }
    }
}
