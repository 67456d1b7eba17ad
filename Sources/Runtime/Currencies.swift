#if canImport(Glibc)
import Glibc
#endif
import Money

/// Interns currency codes to small ids so a money value is a Dec and two bytes.
/// The table of known codes and minor units comes from the Money module; scripts
/// may add units of their own.
public final class CurrencyTable: @unchecked Sendable {
    public static let shared = CurrencyTable()

    private var codes: [String] = []
    private var minorUnits: [Int] = []
    private var ids: [String: CurrencyID] = [:]
    private let lock = NSLockLike()

    /// The id of a known currency, interning it on first use.
    public func id(_ code: String) -> CurrencyID? {
        lock.locked {
            if let id = ids[code] { return id }
            guard let units = Self.minorUnits(of: code), codes.count < Int(UInt16.max) else { return nil }
            return intern(code, units)
        }
    }

    /// Declares a unit of a script's own (a token with 8 decimals, a share with 0).
    @discardableResult
    public func declare(_ code: String, minorUnits units: Int) -> CurrencyID {
        lock.locked {
            if let id = ids[code] { minorUnits[Int(id.index)] = units; return id }
            return intern(code, units)
        }
    }

    public func isKnown(_ code: String) -> Bool { id(code) != nil }

    public func currency(_ id: CurrencyID) -> Currency { lock.locked { Currency(code: codes[Int(id.index)], minorUnits: minorUnits[Int(id.index)]) } }

    public func code(_ id: CurrencyID) -> String { lock.locked { codes[Int(id.index)] } }
    public func minorUnits(_ id: CurrencyID) -> Int { lock.locked { minorUnits[Int(id.index)] } }

    private func intern(_ code: String, _ units: Int) -> CurrencyID {
        let id = CurrencyID(index: UInt16(codes.count))
        codes.append(code)
        minorUnits.append(units)
        ids[code] = id
        return id
    }

    static func minorUnits(of code: String) -> Int? { Currency.iso(code)?.minorUnits }
}

/// A tiny mutex over pthreads, so the registry is safe for hosts running several engines.
final class NSLockLike: @unchecked Sendable {
    private var mutex = pthread_mutex_t()
    init() { pthread_mutex_init(&mutex, nil) }
    deinit { pthread_mutex_destroy(&mutex) }
    func locked<T>(_ body: () -> T) -> T {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return body()
    }
}
