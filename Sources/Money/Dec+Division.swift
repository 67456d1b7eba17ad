// Division, integer division and remainder (GDA spec semantics).

extension Dec {
    /// The quotient, exact when it fits `context.precision` digits, otherwise
    /// rounded. An exact quotient takes the exponent closest to the ideal
    /// `e1 - e2` (so 10.00 / 2.5 = 4.0 and 1 / 4 = 0.25).
    public func divided(by divisor: Dec, context: DecContext = .division) throws(DecimalError) -> Dec {
        try checkDivisor(divisor, zeroByZero: .divisionUndefined, nonZeroByZero: .divisionByZero)
        let negative = isSignMinus != divisor.isSignMinus
        let idealExponent = exponent - divisor.exponent
        if isZero {
            return try Dec.checked(negative: negative, coefficient: .zero, exponent: idealExponent).fitted(to: context)
        }
        if let exact = exactWordQuotient(by: divisor, negative: negative, idealExponent: idealExponent, context: context) {
            return exact
        }
        // Scale so the integer quotient has precision + 1 or + 2 digits.
        let shift = divisor.digitCount - digitCount + context.precision + 1
        var dividend = coefficient, divisorCoefficient = divisor.coefficient
        if shift >= 0 {
            try Dec.checkDigits(digitCount + shift)
            dividend = dividend.multiplied(byPowerOfTen: shift)
        } else {
            try Dec.checkDigits(divisor.digitCount - shift)
            divisorCoefficient = divisorCoefficient.multiplied(byPowerOfTen: -shift)
        }
        var (quotient, remainder) = dividend.quotientAndRemainder(dividingBy: divisorCoefficient)
        var resultExponent = idealExponent - shift
        if !remainder.isZero {
            // Inexact: make the last digit non-zero and not 5 so rounding sees
            // a discarded part that is strictly inside the right half.
            if quotient.lastDigit % 5 == 0 { quotient = quotient + .small(1) }
        } else if resultExponent < idealExponent {
            let (rest, removed) = quotient.removingTrailingZeros(limit: idealExponent - resultExponent)
            quotient = rest
            resultExponent += removed
        }
        let raw = Dec(negative: negative, coefficient: quotient, exponent: resultExponent)
        return try raw.rounded(to: context).checkedSize()
    }

    /// The common money case, without GMP: both coefficients are words and the quotient
    /// terminates within a word (`60.00 / 3`, `1 / 4`). A quotient a/b terminates exactly
    /// when b / gcd(a, b) has no prime factors but 2 and 5; it then needs k more digits,
    /// the larger of the two exponents, and takes exponent `ideal - k` as the spec asks.
    private func exactWordQuotient(by divisor: Dec, negative: Bool, idealExponent: Int,
                                   context: DecContext) -> Dec? {
        guard context.precision >= 20, case .small(let a) = coefficient, case .small(let b) = divisor.coefficient else {
            return nil
        }
        var x = a, y = b
        while y != 0 { (x, y) = (y, x % y) }
        var rest = b / x, twos = 0, fives = 0
        while rest % 2 == 0 { rest /= 2; twos += 1 }
        while rest % 5 == 0 { rest /= 5; fives += 1 }
        let k = Swift.max(twos, fives)
        guard rest == 1, k < Magnitude.wordPowersOfTen.count else { return nil }
        let (scaled, overflow) = a.multipliedReportingOverflow(by: Magnitude.wordPowersOfTen[k])
        guard !overflow else { return nil }
        return try? Dec.checked(negative: negative, coefficient: .small(scaled / b), exponent: idealExponent - k)
    }

    /// The integer part of the quotient (truncated toward zero), exponent 0.
    /// Throws `.invalidOperation` when it needs more than `context.precision` digits.
    public func dividedToInteger(by divisor: Dec, context: DecContext = .division) throws(DecimalError) -> Dec {
        try checkDivisor(divisor, zeroByZero: .divisionUndefined, nonZeroByZero: .divisionByZero)
        return try integerDivision(by: divisor, context: context).quotient
    }

    /// `self - divisor × dividedToInteger(by: divisor)`; the sign follows the
    /// dividend. Throws `.invalidOperation` for a zero divisor or when the
    /// integer quotient needs more than `context.precision` digits.
    public func remainder(dividingBy divisor: Dec, context: DecContext = .division) throws(DecimalError) -> Dec {
        try checkDivisor(divisor, zeroByZero: .divisionUndefined,
                         nonZeroByZero: .invalidOperation("remainder of division by zero"))
        return try integerDivision(by: divisor, context: context).remainder.rounded(to: context)
    }

    private func checkDivisor(_ divisor: Dec, zeroByZero: DecimalError, nonZeroByZero: DecimalError) throws(DecimalError) {
        guard divisor.isZero else { return }
        throw isZero ? zeroByZero : nonZeroByZero
    }

    /// Truncating division for `divideint`/`remainder` (divisor non-zero).
    private func integerDivision(by divisor: Dec, context: DecContext) throws(DecimalError) -> (quotient: Dec, remainder: Dec) {
        let negative = isSignMinus != divisor.isSignMinus
        let remainderExponent = Swift.min(exponent, divisor.exponent)
        let zeroQuotient = Dec(negative: negative, coefficient: .zero, exponent: 0)
        let exponentGap = adjustedExponent - divisor.adjustedExponent
        if isZero || exponentGap <= -2 {
            return (zeroQuotient, try rescaled(to: remainderExponent, rounding: context.rounding))
        }
        guard exponentGap <= context.precision else { throw Dec.divisionImpossible }
        var dividend = coefficient, divisorCoefficient = divisor.coefficient
        if exponent >= divisor.exponent {
            try Dec.checkDigits(digitCount + exponent - divisor.exponent)
            dividend = dividend.multiplied(byPowerOfTen: exponent - divisor.exponent)
        } else {
            try Dec.checkDigits(divisor.digitCount + divisor.exponent - exponent)
            divisorCoefficient = divisorCoefficient.multiplied(byPowerOfTen: divisor.exponent - exponent)
        }
        let (quotient, remainder) = dividend.quotientAndRemainder(dividingBy: divisorCoefficient)
        guard quotient.digitCount <= context.precision else { throw Dec.divisionImpossible }
        return (Dec(negative: negative, coefficient: quotient, exponent: 0),
                Dec(negative: isSignMinus, coefficient: remainder, exponent: remainderExponent))
    }

    static let divisionImpossible = DecimalError.invalidOperation("integer quotient exceeds the context precision")
}
