import CGMP
import Synchronization

/// An exact decimal number: `(-1)^sign × coefficient × 10^exponent`.
///
/// Arithmetic follows the General Decimal Arithmetic specification (Python's
/// `decimal` module) with unlimited precision for `+ - *` and a `DecContext`
/// for anything that must round. Finite values only: no NaN or Infinity.
/// Trailing zeros are kept (`1.50` stays `1.50`) but do not affect equality
/// or hashing (`1.5 == 1.50`).
public struct Dec: Sendable {
    var coefficient: Magnitude
    public private(set) var exponent: Int
    /// The sign bit; can be set on a zero (`-0.00`), unlike `isNegative`.
    public private(set) var isSignMinus: Bool

    /// Largest coefficient size (in decimal digits) any result may have.
    public static var maxDigits: Int {
        get { maxDigitsStorage.load(ordering: .relaxed) }
        set { maxDigitsStorage.store(Swift.max(1, newValue), ordering: .relaxed) }
    }
    private static let maxDigitsStorage = Atomic<Int>(1_000_000)

    /// Largest `|exponent|` any value may have.
    public static let maxExponentMagnitude = 1_000_000_000

    /// Unchecked memberwise init: callers guarantee the limits hold.
    init(negative: Bool, coefficient: Magnitude, exponent: Int) {
        self.coefficient = coefficient
        self.exponent = exponent
        self.isSignMinus = negative
    }

    /// Builds a result after enforcing the size limits.
    static func checked(negative: Bool, coefficient: Magnitude, exponent: Int) throws(DecimalError) -> Dec {
        try checkExponent(exponent)
        if case .big(let value) = coefficient {
            try checkDigits(value.approximateDigitCount, exact: { value.decimalDigitCount })
        }
        return Dec(negative: negative, coefficient: coefficient, exponent: exponent)
    }

    static func checkExponent(_ exponent: Int) throws(DecimalError) {
        if exponent > maxExponentMagnitude || exponent < -maxExponentMagnitude {
            throw .tooLarge("result exponent exceeds \(maxExponentMagnitude)")
        }
    }

    /// Throws when a coefficient of (at least) `digits` digits is over the limit.
    /// `exact` refines an upper-bound estimate only when it matters.
    static func checkDigits(_ digits: Int, exact: () -> Int = { -1 }) throws(DecimalError) {
        let limit = maxDigits
        guard digits > limit else { return }
        let refined = exact()
        if refined < 0 || refined > limit {
            throw .tooLarge("result exceeds \(limit) digits")
        }
    }

    /// The coefficient and exponent when the coefficient fits a word, for callers with a
    /// fast integer path (scaling prices to ticks); nil for GMP-backed values.
    public var wordParts: (coefficient: UInt64, exponent: Int)? {
        guard case .small(let c) = coefficient else { return nil }
        return (c, exponent)
    }

    /// The value whose `wordParts` and `isSignMinus` these are. `exponent` must be within
    /// `±maxExponentMagnitude`, as every `Dec`'s is.
    public init(wordCoefficient coefficient: UInt64, exponent: Int, signMinus: Bool) {
        precondition(exponent >= -Self.maxExponentMagnitude && exponent <= Self.maxExponentMagnitude, "exponent out of range")
        self.init(negative: signMinus, coefficient: .small(coefficient), exponent: exponent)
    }

    public init(_ value: Int) {
        self.init(negative: value < 0, coefficient: .small(UInt64(value.magnitude)), exponent: 0)
    }

    static let one = Dec(1)

    public var isZero: Bool { coefficient.isZero }
    /// True when the value is below zero (`-0` is not negative).
    public var isNegative: Bool { isSignMinus && !isZero }
    /// True when the coefficient is held inline (no heap allocation).
    var isInline: Bool {
        if case .small = coefficient { return true }
        return false
    }
    /// Number of digits in the coefficient (1 for zero).
    public var digitCount: Int { coefficient.digitCount }
    /// Exponent of the most significant digit (the spec's "adjusted exponent").
    public var adjustedExponent: Int { exponent + digitCount - 1 }

    /// True when the value has no fractional part (`1.00` is integral).
    public var isInteger: Bool {
        if exponent >= 0 || isZero { return true }
        return coefficient.removingTrailingZeros(limit: -exponent).removed == -exponent
    }

    /// The coefficient and exponent with trailing zeros removed (zero → 0E0).
    var reducedParts: (coefficient: Magnitude, exponent: Int) {
        if isZero { return (.zero, 0) }
        let (rest, removed) = coefficient.removingTrailingZeros()
        return (rest, exponent + removed)
    }
}

extension BigNat {
    /// Upper bound on the digit count: exact or one too large.
    var approximateDigitCount: Int { Int(__gmpz_sizeinbase(ptr, 10)) }
}

// MARK: - Equality, ordering, hashing (numeric, ignoring trailing zeros)

extension Dec: Comparable, Hashable {
    public static func == (lhs: Dec, rhs: Dec) -> Bool { compareValues(lhs, rhs) == 0 }
    public static func < (lhs: Dec, rhs: Dec) -> Bool { compareValues(lhs, rhs) < 0 }

    /// -1, 0 or 1 as `lhs` is numerically below, equal to or above `rhs`.
    static func compareValues(_ lhs: Dec, _ rhs: Dec) -> Int {
        switch (lhs.isZero, rhs.isZero) {
        case (true, true): return 0
        case (true, false): return rhs.isSignMinus ? 1 : -1
        case (false, true): return lhs.isSignMinus ? -1 : 1
        case (false, false): break
        }
        if lhs.isSignMinus != rhs.isSignMinus { return lhs.isSignMinus ? -1 : 1 }
        let order = compareMagnitudes(lhs, rhs)
        return lhs.isSignMinus ? -order : order
    }

    /// Compares |lhs| and |rhs|, both non-zero.
    private static func compareMagnitudes(_ lhs: Dec, _ rhs: Dec) -> Int {
        if lhs.exponent == rhs.exponent { return Magnitude.compare(lhs.coefficient, rhs.coefficient) }
        let (lhsAdjusted, rhsAdjusted) = (lhs.adjustedExponent, rhs.adjustedExponent)
        if lhsAdjusted != rhsAdjusted { return lhsAdjusted < rhsAdjusted ? -1 : 1 }
        // Same leading position, so the exponent gap is below the digit count
        // and aligning cannot blow up.
        if lhs.exponent > rhs.exponent {
            return Magnitude.compare(lhs.coefficient.multiplied(byPowerOfTen: lhs.exponent - rhs.exponent), rhs.coefficient)
        }
        return Magnitude.compare(lhs.coefficient, rhs.coefficient.multiplied(byPowerOfTen: rhs.exponent - lhs.exponent))
    }

    public func hash(into hasher: inout Hasher) {
        let (reduced, reducedExponent) = reducedParts
        hasher.combine(isZero ? false : isSignMinus)
        hasher.combine(reducedExponent)
        switch reduced {
        case .small(let word): hasher.combine(word)
        case .big(let value): value.hash(into: &hasher)
        }
    }
}

extension BigNat {
    func hash(into hasher: inout Hasher) {
        let limbCount = Int(ptr.pointee._mp_size)
        guard let limbs = ptr.pointee._mp_d else { return }
        for index in 0..<limbCount { hasher.combine(limbs[index]) }
    }
}

extension Dec {
    /// `units × 10^-scale` (1230 at scale 2 is 12.30), built without text when the count
    /// fits a word: ledgers turn minor units into amounts on every read.
    public init(units: Int128, scale: Int) {
        if units.magnitude <= UInt128(UInt64.max) {
            self.init(negative: units < 0, coefficient: .small(UInt64(units.magnitude)), exponent: -scale)
            return
        }
        let digits = String(units.magnitude)
        let padded = String(repeating: "0", count: max(scale + 1 - digits.count, 0)) + digits
        let point = padded.index(padded.endIndex, offsetBy: -scale)
        let text = (units < 0 ? "-" : "") + padded[..<point] + (scale > 0 ? "." + padded[point...] : "")
        self = (try? Dec(parsing: text)) ?? Dec(0)
    }
}
