// Sign operations and conversions to machine numbers.

extension Dec {
    /// `-x` as in Python: a zero result is +0.
    public func negated() -> Dec {
        Dec(negative: isZero ? false : !isSignMinus, coefficient: coefficient, exponent: exponent)
    }

    public func abs() -> Dec {
        Dec(negative: false, coefficient: coefficient, exponent: exponent)
    }

    /// The spec's `plus`: the value rounded to `context` (+0 for a zero,
    /// except -0 under floor rounding).
    public func plus(context: DecContext) throws(DecimalError) -> Dec {
        try Dec(negative: zeroSign(isSignMinus, context), coefficient: coefficient, exponent: exponent).rounded(to: context)
    }

    /// The spec's `minus`: the negated value rounded to `context`.
    public func minus(context: DecContext) throws(DecimalError) -> Dec {
        try Dec(negative: zeroSign(!isSignMinus, context), coefficient: coefficient, exponent: exponent).rounded(to: context)
    }

    /// The spec's `abs`: the absolute value rounded to `context`.
    public func abs(context: DecContext) throws(DecimalError) -> Dec {
        try abs().rounded(to: context)
    }

    /// Sign for a unary result: zeros become +0 except under floor rounding.
    private func zeroSign(_ sign: Bool, _ context: DecContext) -> Bool {
        isZero && context.rounding != .floor ? false : sign
    }

    /// The value as an `Int`, or an error if it has a fraction or is out of range.
    public func toInt() throws(DecimalError) -> Int {
        if isZero { return 0 }
        guard isInteger else { throw .notIntegral(description) }
        let outOfRange = DecimalError.overflow(description)
        // Int.max has 19 digits, so a larger adjusted exponent cannot fit.
        guard adjustedExponent < 19 else { throw outOfRange }
        let integral = exponent >= 0
            ? coefficient.multiplied(byPowerOfTen: exponent)
            : coefficient.dividedExactly(byPowerOfTen: -exponent)
        guard case .small(let word) = integral else { throw outOfRange }
        if isSignMinus {
            guard word <= UInt64(Int.max) + 1 else { throw outOfRange }
            return word == UInt64(Int.max) + 1 ? Int.min : -Int(word)
        }
        guard word <= UInt64(Int.max) else { throw outOfRange }
        return Int(word)
    }

    /// The nearest `Double` (correctly rounded from the decimal string).
    /// Values beyond Double's range give ±infinity or ±0.
    public func toDouble() -> Double {
        Double(scientificString) ?? (isSignMinus ? -.infinity : .infinity)
    }
}
