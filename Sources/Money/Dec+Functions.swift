// Comparison helpers, square root and integer powers.

extension Dec {
    /// -1, 0 or 1 as `self` is numerically below, equal to or above `other`.
    public func compare(_ other: Dec) -> Int { Dec.compareValues(self, other) }

    /// The spec's total order on equal values: -0 < +0, and for positives a
    /// lower exponent sorts first (negatives reversed). Used by min/max so the
    /// choice between `1` and `1.0` is deterministic.
    private func compareTotalWhenEqual(_ other: Dec) -> Int {
        if isSignMinus != other.isSignMinus { return isSignMinus ? -1 : 1 }
        if exponent == other.exponent { return 0 }
        let lowerExponentFirst = exponent < other.exponent ? -1 : 1
        return isSignMinus ? -lowerExponentFirst : lowerExponentFirst
    }

    private func orderForMinMax(_ other: Dec) -> Int {
        let order = compare(other)
        return order != 0 ? order : compareTotalWhenEqual(other)
    }

    /// The larger value (ties resolved by the spec's total order).
    public func maximum(_ other: Dec) -> Dec { orderForMinMax(other) == -1 ? other : self }

    /// The smaller value (ties resolved by the spec's total order).
    public func minimum(_ other: Dec) -> Dec { orderForMinMax(other) == -1 ? self : other }

    public func maximum(_ other: Dec, context: DecContext) throws(DecimalError) -> Dec {
        try maximum(other).rounded(to: context)
    }

    public func minimum(_ other: Dec, context: DecContext) throws(DecimalError) -> Dec {
        try minimum(other).rounded(to: context)
    }

    /// The square root rounded half-even to `context.precision` digits; an
    /// exact root takes the ideal exponent `floor(exponent / 2)` (sqrt(0.25) = 0.5).
    /// Negative input throws `.invalidOperation`.
    public func squareRoot(context: DecContext = .division) throws(DecimalError) -> Dec {
        let idealExponent = exponent >> 1  // floor division, also for negatives
        if isZero {
            return try Dec.checked(negative: isSignMinus, coefficient: .zero, exponent: idealExponent)
        }
        if isSignMinus { throw .invalidOperation("square root of a negative number") }
        let workingPrecision = context.precision + 1
        let isOddExponent = exponent & 1 != 0
        let digits = digitCount
        let scaled = isOddExponent ? coefficient * .small(10) : coefficient
        // Base-100 digits in `scaled`; shift it to exactly workingPrecision of them.
        let base100Digits = isOddExponent ? (digits >> 1) + 1 : (digits + 1) >> 1
        let shift = workingPrecision - base100Digits
        var radicand = scaled
        var exact = true
        if shift >= 0 {
            try Dec.checkDigits(digits + 1 + 2 * shift)
            radicand = radicand.multiplied(byPowerOfTen: 2 * shift)
        } else {
            let (quotient, remainder) = radicand.quotientAndRemainder(dividingBy: .powerOfTen(-2 * shift))
            radicand = quotient
            exact = remainder.isZero
        }
        let (integerRoot, rootRemainder) = radicand.squareRootAndRemainder
        var root = integerRoot
        var resultExponent = idealExponent - shift
        if exact && rootRemainder.isZero {
            // Exact: move back to the ideal exponent.
            root = shift >= 0 ? root.dividedExactly(byPowerOfTen: shift) : root.multiplied(byPowerOfTen: -shift)
            resultExponent = idealExponent
        } else if root.lastDigit % 5 == 0 {
            // Inexact: a 0 or 5 last digit would look like an exact tie to rounding.
            root = root + .small(1)
        }
        let halfEven = DecContext(precision: context.precision, rounding: .halfEven)
        return try Dec(negative: false, coefficient: root, exponent: resultExponent).rounded(to: halfEven).checkedSize()
    }

    /// `self` raised to an integer power. Non-negative powers are exact
    /// (`1.5^2 = 2.25`); negative powers divide 1 by the exact positive power
    /// under `.division`. `0^0` and `0^-n` throw.
    public func power(_ exponent: Int) throws(DecimalError) -> Dec {
        try exponent >= 0 ? exactPower(exponent) : power(exponent, context: .division)
    }

    /// The integer power correctly rounded to `context` (single rounding of
    /// the exact result).
    public func power(_ exponent: Int, context: DecContext) throws(DecimalError) -> Dec {
        if exponent >= 0 { return try exactPower(exponent).rounded(to: context) }
        if isZero { throw .divisionByZero }
        let denominator = try exactPower(exponent.magnitude)
        return try Dec.one.divided(by: denominator, context: context)
    }

    private func exactPower<T: BinaryInteger>(_ power: T) throws(DecimalError) -> Dec {
        if power == 0 {
            if isZero { throw .invalidOperation("zero to the power zero is undefined") }
            return Dec.one
        }
        guard let count = Int(exactly: power) else { throw .tooLarge("power \(power) is too large") }
        let negative = isSignMinus && count & 1 == 1
        // As in Python, a zero base gives a zero with exponent 0.
        if isZero { return Dec(negative: negative, coefficient: .zero, exponent: 0) }
        let (resultExponent, exponentOverflow) = exponent.multipliedReportingOverflow(by: count)
        if exponentOverflow { throw .tooLarge("result exponent exceeds \(Dec.maxExponentMagnitude)") }
        try Dec.checkExponent(resultExponent)
        try checkPowerSize(count)
        return try Dec.checked(negative: negative, coefficient: coefficient.power(count), exponent: resultExponent)
    }

    /// Refuses powers whose coefficient would exceed `Dec.maxDigits` before
    /// GMP allocates it, using two integer lower bounds on the digit count:
    /// x >= 10^(d-1) gives n(d-1)+1 digits, and x >= 2^(b-1) gives
    /// n(b-1)·log10(2) digits (log10(2) > 0.30103).
    private func checkPowerSize(_ count: Int) throws(DecimalError) {
        let tooLarge = DecimalError.tooLarge("result exceeds \(Dec.maxDigits) digits")
        let (byDigits, digitsOverflow) = (digitCount - 1).multipliedReportingOverflow(by: count)
        let (bitProduct, bitsOverflow) = (coefficient.bitWidth - 1).multipliedReportingOverflow(by: count)
        if digitsOverflow || bitsOverflow || bitProduct > Int.max / 30_103 { throw tooLarge }
        try Dec.checkDigits(Swift.max(byDigits + 1, bitProduct * 30_103 / 100_000))
    }
}
