extension Money {
    /// Splits `total` in proportion to `ratios` so the parts add up exactly
    /// to `total` (largest-remainder method). Parts are whole multiples of
    /// the currency's minor unit, or of the total's own finer unit when it has
    /// more decimals. Leftover units go to the largest remainders, earlier
    /// parts first on ties: 100.00 USD by [1, 1, 1] gives 33.34, 33.33, 33.33.
    /// Ratios may be any non-negative numbers with a positive sum (weights,
    /// fractions or percentages).
    public static func allocate(_ total: Money, ratios: [Dec]) throws(MoneyError) -> [Money] {
        guard !ratios.isEmpty else { throw .invalidAllocation("allocation needs at least one ratio") }
        guard !ratios.contains(where: \.isNegative) else { throw .invalidAllocation("allocation ratios must not be negative") }
        guard ratios.contains(where: { !$0.isZero }) else { throw .invalidAllocation("allocation ratios must not all be zero") }
        let unitExponent = Swift.min(-total.currency.minorUnits, total.amount.exponent)
        let units = try decimal { () throws(DecimalError) in
            try total.amount.rescaled(toExponent: unitExponent).coefficient
        }
        let weights = try integerWeights(ratios)
        let shares = try decimal { () throws(DecimalError) in try largestRemainderShares(of: units, weights: weights) }
        return shares.map { share in
            Money(Dec(negative: total.amount.isSignMinus && !share.isZero, coefficient: share, exponent: unitExponent), total.currency)
        }
    }

    /// The ratios scaled by a common power of ten to whole numbers.
    private static func integerWeights(_ ratios: [Dec]) throws(MoneyError) -> [Magnitude] {
        let commonExponent = ratios.map(\.exponent).min() ?? 0
        return try decimal { () throws(DecimalError) in
            try ratios.map { ratio throws(DecimalError) in try ratio.rescaled(toExponent: commonExponent).coefficient }
        }
    }

    /// Floor of each exact share `units × weight / Σweights`, plus one unit for
    /// the parts with the largest remainders until all units are handed out.
    private static func largestRemainderShares(of units: Magnitude, weights: [Magnitude]) throws(DecimalError) -> [Magnitude] {
        let weightSum = weights.reduce(Magnitude.zero, +)
        try Dec.checkDigits(units.digitCount + weightSum.digitCount)
        var shares: [Magnitude] = []
        var remainders: [(index: Int, remainder: Magnitude)] = []
        for (index, weight) in weights.enumerated() {
            let (share, remainder) = (units * weight).quotientAndRemainder(dividingBy: weightSum)
            shares.append(share)
            remainders.append((index, remainder))
        }
        var leftover = units - shares.reduce(Magnitude.zero, +)
        // Stable order: larger remainder first, then lower index.
        remainders.sort { Magnitude.compare($0.remainder, $1.remainder) > 0 || ($0.remainder == $1.remainder && $0.index < $1.index) }
        for entry in remainders where !leftover.isZero {
            shares[entry.index] = shares[entry.index] + .small(1)
            leftover = leftover - .small(1)
        }
        return shares
    }
}
