// Exponent-setting operations: quantize, rescale, round, reduce, integral.

extension Dec {
    /// The value with exactly `exponent` as its exponent, rounding per `mode`
    /// when digits must go (e.g. to a currency's minor units). Unbounded: the
    /// coefficient may grow, subject to `Dec.maxDigits`.
    public func quantized(toExponent exponent: Int, rounding mode: RoundingMode = .halfEven) throws(DecimalError) -> Dec {
        try rescaled(to: exponent, rounding: mode)
    }

    /// Quantizes to the exponent of `other` (the spec's `quantize(x, y)`).
    public func quantized(like other: Dec, rounding mode: RoundingMode = .halfEven) throws(DecimalError) -> Dec {
        try rescaled(to: other.exponent, rounding: mode)
    }

    /// The spec's `quantize` under a context: fails with `.invalidOperation`
    /// when the result would need more than `context.precision` digits.
    public func quantized(toExponent exponent: Int, context: DecContext) throws(DecimalError) -> Dec {
        let tooManyDigits = DecimalError.invalidOperation("quantize result has more than \(context.precision) digits")
        if !isZero && adjustedExponent - exponent + 1 > context.precision { throw tooManyDigits }
        let result = try rescaled(to: exponent, rounding: context.rounding)
        if result.digitCount > context.precision { throw tooManyDigits }
        return result
    }

    /// Rounds to `places` digits after the point (negative: to tens, hundreds…).
    /// `2.675.rounded(places: 2)` is 2.68 under half-even since it is exact.
    public func rounded(places: Int, rounding mode: RoundingMode = .halfEven) throws(DecimalError) -> Dec {
        try rescaled(to: -places, rounding: mode)
    }

    /// Sets the exponent (public form of the spec's rescale).
    public func rescaled(toExponent exponent: Int, rounding mode: RoundingMode = .halfEven) throws(DecimalError) -> Dec {
        try rescaled(to: exponent, rounding: mode)
    }

    /// The same value with trailing zeros removed (`1.500` → `1.5`,
    /// `1200` → `1.2E+3`, zero → `0`). Also called normalize.
    public func reduced() -> Dec {
        let (reduced, reducedExponent) = reducedParts
        return Dec(negative: isSignMinus, coefficient: reduced, exponent: reducedExponent)
    }

    /// `reduced()` after rounding to `context`.
    public func reduced(context: DecContext) throws(DecimalError) -> Dec {
        try rounded(to: context).reduced()
    }

    /// The nearest integer per `mode`, keeping the exponent when it is already
    /// non-negative (the spec's round-to-integral-value).
    public func roundedToIntegral(rounding mode: RoundingMode = .halfEven) throws(DecimalError) -> Dec {
        exponent >= 0 ? self : try rescaled(to: 0, rounding: mode)
    }

    /// True when both have the same exponent (the spec's `samequantum`).
    public func hasSameQuantum(as other: Dec) -> Bool { exponent == other.exponent }
}
