import CGMP

/// A natural number too large for one machine word, stored in a GMP `mpz_t`.
///
/// Instances are never mutated after `build` returns, so values can share one
/// instance freely (no copy-on-write needed) and it is safe to send across
/// threads. The `mpz_t` lives in its own heap cell so we only ever pass raw
/// pointers to GMP, which sidesteps Swift's exclusivity rules for `inout`.
final class BigNat: @unchecked Sendable {
    let ptr: UnsafeMutablePointer<__mpz_struct>

    private init() {
        ptr = .allocate(capacity: 1)
        __gmpz_init(ptr)
    }

    deinit {
        __gmpz_clear(ptr)
        ptr.deallocate()
    }

    /// Creates a number by letting `body` write the value into a fresh `mpz_t`.
    static func build(_ body: (UnsafeMutablePointer<__mpz_struct>) -> Void) -> BigNat {
        let result = BigNat()
        body(result.ptr)
        return result
    }

    static func from(_ value: UInt64) -> BigNat {
        build { __gmpz_set_ui($0, UInt(value)) }
    }

    /// Builds `hi * 2^64 + lo`, the result of a full-width multiply.
    static func from(high: UInt64, low: UInt64) -> BigNat {
        build {
            __gmpz_set_ui($0, UInt(high))
            __gmpz_mul_2exp($0, $0, 64)
            __gmpz_add_ui($0, $0, UInt(low))
        }
    }

    /// Powers of ten up to 10^127, built once: scaling, digit counts and division use them
    /// on every GMP-path operation. Safe to share, as a built BigNat is never mutated.
    private static let cachedPowersOfTen: [BigNat] = (0..<128).map { n in
        build { __gmpz_ui_pow_ui($0, 10, UInt(n)) }
    }

    static func powerOfTen(_ exponent: Int) -> BigNat {
        if exponent < cachedPowersOfTen.count { return cachedPowersOfTen[exponent] }
        return build { __gmpz_ui_pow_ui($0, 10, UInt(exponent)) }
    }

    /// Parses a string of ASCII decimal digits (validated by the caller).
    static func parse(digits: String) -> BigNat {
        build { target in
            _ = digits.withCString { __gmpz_set_str(target, $0, 10) }
        }
    }

    /// The value as a word when it fits, so callers can move back inline.
    var word: UInt64? {
        __gmpz_fits_ulong_p(ptr) != 0 ? UInt64(__gmpz_get_ui(ptr)) : nil
    }

    var isOdd: Bool { __gmpz_tstbit(ptr, 0) == 1 }

    /// `mpz_sizeinbase` is exact or one too large; this returns the exact count.
    var decimalDigitCount: Int {
        let estimate = Int(__gmpz_sizeinbase(ptr, 10))
        let lowerBound = BigNat.powerOfTen(estimate - 1)
        return __gmpz_cmp(ptr, lowerBound.ptr) < 0 ? estimate - 1 : estimate
    }

    var decimalString: String {
        let capacity = Int(__gmpz_sizeinbase(ptr, 10)) + 2
        let buffer = UnsafeMutablePointer<CChar>.allocate(capacity: capacity)
        defer { buffer.deallocate() }
        __gmpz_get_str(buffer, 10, ptr)
        return String(cString: buffer)
    }

    /// Remainder modulo a small divisor, without allocating a quotient.
    func remainder(dividingBy divisor: UInt64) -> UInt64 {
        UInt64(__gmpz_fdiv_ui(ptr, UInt(divisor)))
    }
}
