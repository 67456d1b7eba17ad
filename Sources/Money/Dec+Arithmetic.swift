// Addition, subtraction and multiplication: exact unless a context is given.

extension Dec {
    /// Exact sum; the result exponent is the smaller of the two.
    public func adding(_ other: Dec) throws(DecimalError) -> Dec {
        if let sum = Dec.inlineSum(self, other) { return sum }
        return try Dec.sum(self, other, context: nil)
    }

    /// The exact sum rounded to `context`.
    public func adding(_ other: Dec, context: DecContext) throws(DecimalError) -> Dec {
        try Dec.sum(self, other, context: context)
    }

    public func subtracting(_ other: Dec) throws(DecimalError) -> Dec {
        try adding(other.signFlipped)
    }

    public func subtracting(_ other: Dec, context: DecContext) throws(DecimalError) -> Dec {
        try Dec.sum(self, other.signFlipped, context: context)
    }

    /// Exact product; the result exponent is the sum of the two.
    public func multiplying(_ other: Dec) throws(DecimalError) -> Dec {
        if let product = Dec.inlineProduct(self, other) { return product }
        return try Dec.product(self, other, context: nil)
    }

    public func multiplying(_ other: Dec, context: DecContext) throws(DecimalError) -> Dec {
        try Dec.product(self, other, context: context)
    }

    /// The same coefficient and exponent with the sign bit inverted (also for zero).
    var signFlipped: Dec { Dec(negative: !isSignMinus, coefficient: coefficient, exponent: exponent) }

    // MARK: Inline fast paths (no allocation, no context)

    /// Sum of two word-sized coefficients whose exponents differ by less than
    /// 20, or nil when the slow path is needed.
    @inline(__always)
    static func inlineSum(_ lhs: Dec, _ rhs: Dec) -> Dec? {
        guard case .small(var left) = lhs.coefficient, case .small(var right) = rhs.coefficient else { return nil }
        if lhs.exponent != rhs.exponent {
            let gap = lhs.exponent - rhs.exponent
            guard Swift.abs(gap) < Magnitude.wordPowersOfTen.count else { return nil }
            let overflow: Bool
            if gap > 0 {
                (left, overflow) = left.multipliedReportingOverflow(by: Magnitude.wordPowersOfTen[gap])
            } else {
                (right, overflow) = right.multipliedReportingOverflow(by: Magnitude.wordPowersOfTen[-gap])
            }
            if overflow { return nil }
        }
        let exponent = Swift.min(lhs.exponent, rhs.exponent)
        if lhs.isSignMinus == rhs.isSignMinus {
            let (sum, overflow) = left.addingReportingOverflow(right)
            return overflow ? nil : Dec(negative: lhs.isSignMinus, coefficient: .small(sum), exponent: exponent)
        }
        if left == right { return Dec(negative: false, coefficient: .zero, exponent: exponent) }
        return left > right
            ? Dec(negative: lhs.isSignMinus, coefficient: .small(left - right), exponent: exponent)
            : Dec(negative: rhs.isSignMinus, coefficient: .small(right - left), exponent: exponent)
    }

    @inline(__always)
    static func inlineProduct(_ lhs: Dec, _ rhs: Dec) -> Dec? {
        guard case .small(let left) = lhs.coefficient, case .small(let right) = rhs.coefficient else { return nil }
        let (product, overflow) = left.multipliedReportingOverflow(by: right)
        let exponent = lhs.exponent + rhs.exponent
        guard !overflow, Swift.abs(exponent) <= maxExponentMagnitude else { return nil }
        return Dec(negative: lhs.isSignMinus != rhs.isSignMinus, coefficient: .small(product), exponent: exponent)
    }

    // MARK: General algorithms (GDA spec, as in Python's decimal.py)

    static func sum(_ lhs: Dec, _ rhs: Dec, context: DecContext?) throws(DecimalError) -> Dec {
        let rounding = context?.rounding ?? .halfEven
        // Under floor rounding an exact zero from opposite signs is -0.
        let negativeZero = rounding == .floor && lhs.isSignMinus != rhs.isSignMinus
        let exponent = Swift.min(lhs.exponent, rhs.exponent)
        if lhs.isZero && rhs.isZero {
            let negative = (lhs.isSignMinus && rhs.isSignMinus) || negativeZero
            return try Dec(negative: negative, coefficient: .zero, exponent: exponent).fitted(to: context)
        }
        if lhs.isZero || rhs.isZero {
            let nonZero = lhs.isZero ? rhs : lhs
            // Padding beyond precision + 1 digits would be rounded away anyway.
            let target = context.map { Swift.max(exponent, nonZero.exponent - $0.precision - 1) } ?? exponent
            return try nonZero.rescaled(to: target, rounding: rounding).fitted(to: context)
        }
        let (left, right) = try aligned(lhs, rhs, precision: context?.precision)
        if lhs.isSignMinus == rhs.isSignMinus {
            let total = Dec(negative: lhs.isSignMinus, coefficient: left.coefficient + right.coefficient, exponent: left.exponent)
            return try total.checkedSize().fitted(to: context)
        }
        switch Magnitude.compare(left.coefficient, right.coefficient) {
        case 0:
            return try Dec(negative: negativeZero, coefficient: .zero, exponent: exponent).fitted(to: context)
        case 1:
            return try Dec(negative: lhs.isSignMinus, coefficient: left.coefficient - right.coefficient, exponent: left.exponent).fitted(to: context)
        default:
            return try Dec(negative: rhs.isSignMinus, coefficient: right.coefficient - left.coefficient, exponent: left.exponent).fitted(to: context)
        }
    }

    /// Brings two non-zero operands to a common exponent. With a precision,
    /// an operand far below the other's last significant position is replaced
    /// by a tiny "sticky" value that rounds identically, so a huge exponent gap
    /// costs nothing.
    private static func aligned(_ lhs: Dec, _ rhs: Dec, precision: Int?) throws(DecimalError) -> (Dec, Dec) {
        let lhsIsHigher = lhs.exponent >= rhs.exponent
        var (high, low) = lhsIsHigher ? (lhs, rhs) : (rhs, lhs)
        let highDigits = high.digitCount
        if let precision {
            let stickyExponent = high.exponent + Swift.min(-1, highDigits - precision - 2)
            if low.adjustedExponent < stickyExponent {
                low = Dec(negative: low.isSignMinus, coefficient: .small(1), exponent: stickyExponent)
            }
        }
        let gap = high.exponent - low.exponent
        try checkDigits(highDigits + gap)
        high = Dec(negative: high.isSignMinus, coefficient: high.coefficient.multiplied(byPowerOfTen: gap), exponent: low.exponent)
        return lhsIsHigher ? (high, low) : (low, high)
    }

    static func product(_ lhs: Dec, _ rhs: Dec, context: DecContext?) throws(DecimalError) -> Dec {
        let negative = lhs.isSignMinus != rhs.isSignMinus
        let exponent = lhs.exponent + rhs.exponent
        if lhs.isZero || rhs.isZero {
            return try checked(negative: negative, coefficient: .zero, exponent: exponent).fitted(to: context)
        }
        // A product has at least d1 + d2 - 1 digits; refuse before multiplying.
        try checkDigits(lhs.digitCount + rhs.digitCount - 1)
        return try checked(negative: negative, coefficient: lhs.coefficient * rhs.coefficient, exponent: exponent).fitted(to: context)
    }

    /// Re-checks the digit limit of a freshly computed result.
    func checkedSize() throws(DecimalError) -> Dec {
        try Dec.checked(negative: isSignMinus, coefficient: coefficient, exponent: exponent)
    }
}
