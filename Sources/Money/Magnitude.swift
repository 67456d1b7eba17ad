import CGMP

/// An unsigned decimal coefficient. Values that fit in a `UInt64` stay inline
/// (no heap allocation); larger values live in a GMP-backed `BigNat`.
/// Invariant: `.big` is used only for values greater than `UInt64.max`, so
/// each value has exactly one representation.
enum Magnitude: Sendable {
    case small(UInt64)
    case big(BigNat)

    static let zero = Magnitude.small(0)

    /// Powers of ten that fit a word: 10^0 ... 10^19.
    static let wordPowersOfTen: [UInt64] = (0...19).map { exponent in
        (0..<exponent).reduce(UInt64(1)) { product, _ in product * 10 }
    }

    static func normalized(_ value: BigNat) -> Magnitude {
        if let word = value.word { return .small(word) }
        return .big(value)
    }

    static func powerOfTen(_ exponent: Int) -> Magnitude {
        exponent < wordPowersOfTen.count ? .small(wordPowersOfTen[exponent]) : .big(.powerOfTen(exponent))
    }

    var isZero: Bool {
        if case .small(0) = self { return true }
        return false
    }

    var isOdd: Bool {
        switch self {
        case .small(let word): return word & 1 == 1
        case .big(let value): return value.isOdd
        }
    }

    var lastDigit: UInt64 {
        switch self {
        case .small(let word): return word % 10
        case .big(let value): return value.remainder(dividingBy: 10)
        }
    }

    var digitCount: Int {
        switch self {
        case .small(let word):
            var count = 1
            while count < Magnitude.wordPowersOfTen.count && word >= Magnitude.wordPowersOfTen[count] {
                count += 1
            }
            return count
        case .big(let value):
            return value.decimalDigitCount
        }
    }

    /// Number of significant bits (0 for zero).
    var bitWidth: Int {
        switch self {
        case .small(let word): return UInt64.bitWidth - word.leadingZeroBitCount
        case .big(let value): return Int(__gmpz_sizeinbase(value.ptr, 2))
        }
    }

    var decimalString: String {
        switch self {
        case .small(let word): return String(word)
        case .big(let value): return value.decimalString
        }
    }

    /// Strips up to `limit` trailing decimal zeros, returning the rest and
    /// how many were removed. Zero has none.
    func removingTrailingZeros(limit: Int = .max) -> (rest: Magnitude, removed: Int) {
        switch self {
        case .small(var word):
            var removed = 0
            while word != 0 && removed < limit && word % 10 == 0 {
                word /= 10
                removed += 1
            }
            return (.small(word), removed)
        case .big(let value):
            // mpz_remove divides out all factors of 10 in O(log) big divisions.
            let ten = BigNat.from(10)
            var removed = 0
            let rest = BigNat.build { removed = Int(__gmpz_remove($0, value.ptr, ten.ptr)) }
            if removed <= limit { return (Magnitude.normalized(rest), removed) }
            return (Magnitude.normalized(rest).multiplied(byPowerOfTen: removed - limit), limit)
        }
    }

    /// Temporarily exposes the value as an `mpz_t`, promoting inline words.
    private func withMPZ<R>(_ body: (UnsafePointer<__mpz_struct>) -> R) -> R {
        switch self {
        case .small(let word):
            let temporary = BigNat.from(word)
            return body(temporary.ptr)
        case .big(let value):
            return body(value.ptr)
        }
    }

    static func compare(_ lhs: Magnitude, _ rhs: Magnitude) -> Int {
        switch (lhs, rhs) {
        case let (.small(a), .small(b)): return a < b ? -1 : (a == b ? 0 : 1)
        case (.small, .big): return -1
        case (.big, .small): return 1
        case let (.big(a), .big(b)):
            let result = __gmpz_cmp(a.ptr, b.ptr)
            return result < 0 ? -1 : (result == 0 ? 0 : 1)
        }
    }

    static func + (lhs: Magnitude, rhs: Magnitude) -> Magnitude {
        if case .small(let a) = lhs, case .small(let b) = rhs {
            let (sum, overflow) = a.addingReportingOverflow(b)
            if !overflow { return .small(sum) }
        }
        return lhs.withMPZ { a in rhs.withMPZ { b in .big(BigNat.build { __gmpz_add($0, a, b) }) } }
    }

    /// Requires `lhs >= rhs`.
    static func - (lhs: Magnitude, rhs: Magnitude) -> Magnitude {
        if case .small(let a) = lhs, case .small(let b) = rhs { return .small(a - b) }
        return normalized(lhs.withMPZ { a in rhs.withMPZ { b in BigNat.build { __gmpz_sub($0, a, b) } } })
    }

    static func * (lhs: Magnitude, rhs: Magnitude) -> Magnitude {
        if case .small(let a) = lhs, case .small(let b) = rhs {
            let (high, low) = a.multipliedFullWidth(by: b)
            return high == 0 ? .small(low) : .big(.from(high: high, low: low))
        }
        return lhs.withMPZ { a in rhs.withMPZ { b in normalized(BigNat.build { __gmpz_mul($0, a, b) }) } }
    }

    /// Truncating division; `divisor` must be non-zero.
    func quotientAndRemainder(dividingBy divisor: Magnitude) -> (quotient: Magnitude, remainder: Magnitude) {
        if case .small(let a) = self, case .small(let b) = divisor {
            return (.small(a / b), .small(a % b))
        }
        return withMPZ { a in
            divisor.withMPZ { b in
                let remainder = BigNat.build { _ in }
                let quotient = BigNat.build { __gmpz_tdiv_qr($0, remainder.ptr, a, b) }
                return (Magnitude.normalized(quotient), Magnitude.normalized(remainder))
            }
        }
    }

    func multiplied(byPowerOfTen exponent: Int) -> Magnitude {
        exponent == 0 || isZero ? self : self * Magnitude.powerOfTen(exponent)
    }

    /// Divides by 10^exponent; the caller knows the division is exact or
    /// wants the truncated quotient.
    func dividedExactly(byPowerOfTen exponent: Int) -> Magnitude {
        exponent == 0 ? self : quotientAndRemainder(dividingBy: Magnitude.powerOfTen(exponent)).quotient
    }

    /// Integer square root and remainder.
    var squareRootAndRemainder: (root: Magnitude, remainder: Magnitude) {
        withMPZ { value in
            let remainder = BigNat.build { _ in }
            let root = BigNat.build { __gmpz_sqrtrem($0, remainder.ptr, value) }
            return (Magnitude.normalized(root), Magnitude.normalized(remainder))
        }
    }

    func power(_ exponent: Int) -> Magnitude {
        withMPZ { base in Magnitude.normalized(BigNat.build { __gmpz_pow_ui($0, base, UInt(exponent)) }) }
    }

    static func parse(digits: Substring) -> Magnitude {
        if digits.count <= 19, let word = UInt64(digits) { return .small(word) }
        return normalized(BigNat.parse(digits: String(digits)))
    }
}

extension Magnitude: Equatable {
    static func == (lhs: Magnitude, rhs: Magnitude) -> Bool { compare(lhs, rhs) == 0 }
}
