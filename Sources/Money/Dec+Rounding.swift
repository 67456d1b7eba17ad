// Rounding primitives shared by every operation that takes a context.

extension Dec {
    /// Splits off the lowest `count` digits of `value`, returning the kept
    /// part and where the discarded part lies relative to half a unit.
    static func split(_ value: Magnitude, droppingDigits count: Int) -> (kept: Magnitude, discarded: DiscardedFraction) {
        if count <= 0 || value.isZero { return (value, .zero) }
        // value < 10^digits <= 10^(count-1) < half a unit: no division needed.
        if count > value.digitCount { return (.zero, .belowHalf) }
        let (kept, remainder) = value.quotientAndRemainder(dividingBy: .powerOfTen(count))
        if remainder.isZero { return (kept, .zero) }
        let half = Magnitude.small(5) * Magnitude.powerOfTen(count - 1)
        switch Magnitude.compare(remainder, half) {
        case ..<0: return (kept, .belowHalf)
        case 0: return (kept, .half)
        default: return (kept, .aboveHalf)
        }
    }

    /// `value` with its lowest `count` digits removed, rounded per `mode`.
    static func roundedOff(_ value: Magnitude, droppingDigits count: Int, mode: RoundingMode, negative: Bool) -> Magnitude {
        let (kept, discarded) = split(value, droppingDigits: count)
        let increment = mode.incrementsKept(lastKeptDigit: kept.lastDigit, discarded: discarded, negative: negative)
        return increment ? kept + .small(1) : kept
    }

    /// The value at exponent `target` (the spec's rescale): pads with zeros
    /// when `target` is lower, rounds per `mode` when it is higher.
    func rescaled(to target: Int, rounding mode: RoundingMode) throws(DecimalError) -> Dec {
        try Dec.checkExponent(target)
        if isZero { return Dec(negative: isSignMinus, coefficient: .zero, exponent: target) }
        if target <= exponent {
            try Dec.checkDigits(digitCount + (exponent - target))
            return Dec(negative: isSignMinus, coefficient: coefficient.multiplied(byPowerOfTen: exponent - target), exponent: target)
        }
        let kept = Dec.roundedOff(coefficient, droppingDigits: target - exponent, mode: mode, negative: isSignMinus)
        return Dec(negative: isSignMinus, coefficient: kept, exponent: target)
    }

    /// The value rounded to `context.precision` significant digits (the
    /// spec's "apply context"; unlike `plus`, a -0 keeps its sign).
    public func rounded(to context: DecContext) throws(DecimalError) -> Dec {
        if case .small = coefficient, context.precision >= 20 { return self }
        let digits = digitCount
        guard digits > context.precision else { return self }
        var dropped = digits - context.precision
        var kept = Dec.roundedOff(coefficient, droppingDigits: dropped, mode: context.rounding, negative: isSignMinus)
        // Rounding 99..9 up carries into a new digit; the extra digit is a zero.
        if kept == Magnitude.powerOfTen(context.precision) {
            kept = Magnitude.powerOfTen(context.precision - 1)
            dropped += 1
        }
        return try Dec.checked(negative: isSignMinus, coefficient: kept, exponent: exponent + dropped)
    }

    /// Rounds to `context` when one is given; exact operations pass nil.
    func fitted(to context: DecContext?) throws(DecimalError) -> Dec {
        guard let context else { return self }
        return try rounded(to: context)
    }
}
