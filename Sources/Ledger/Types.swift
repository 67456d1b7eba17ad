import Money

/// A dense account number: the n-th account created has raw value n (from 1).
/// Zero means "none" (post/void inherit it from the pending transfer).
public struct AccountID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let raw: UInt32
    public init(_ raw: UInt32) { self.raw = raw }
    public static let none = AccountID(0)
    public static func < (a: AccountID, b: AccountID) -> Bool { a.raw < b.raw }
    public var description: String { "#\(raw)" }
    var index: Int { Int(raw) &- 1 }
}

/// A balance limit, checked against posted plus pending amounts.
/// Balances are credit-normal: `net = credits - debits`.
public enum Limit: Equatable, Sendable {
    /// Debits may not exceed credits (TigerBeetle `debits_must_not_exceed_credits`).
    case noOverdraft
    /// The net balance may go down to `-amount`.
    case overdraftUpTo(UInt128)
    /// `credits_posted - debits_posted - debits_pending >= value`.
    case minBalance(Int128)
    /// `credits_posted + credits_pending - debits_posted <= value`
    /// (`maxBalance(0)` is TigerBeetle's `credits_must_not_exceed_debits`).
    case maxBalance(Int128)
}

/// What an account is: a name path, its unit, the ledger (unit number) its transfers use.
public struct Account: Equatable, Sendable {
    public var name: String
    public var unit: Currency
    /// Accounts can only transact with accounts of the same ledger number; one ledger, one unit.
    public var ledger: UInt32
    public var code: UInt16
    public var limits: [Limit]

    public init(name: String, unit: Currency, ledger: UInt32, code: UInt16 = 1, limits: [Limit] = []) {
        self.name = name
        self.unit = unit
        self.ledger = ledger
        self.code = code
        self.limits = limits
    }
}

/// The four counters of an account, in minor units of its unit.
public struct Balance: Equatable, Sendable {
    public var debitsPending: UInt128 = 0
    public var debitsPosted: UInt128 = 0
    public var creditsPending: UInt128 = 0
    public var creditsPosted: UInt128 = 0
    public init() {}
    public init(debitsPending: UInt128, debitsPosted: UInt128, creditsPending: UInt128, creditsPosted: UInt128) {
        self.debitsPending = debitsPending
        self.debitsPosted = debitsPosted
        self.creditsPending = creditsPending
        self.creditsPosted = creditsPosted
    }
    /// Posted net, credit-normal (`credits_posted - debits_posted`); wraps only past ±2^127.
    public var posted: Int128 { Int128(truncatingIfNeeded: creditsPosted &- debitsPosted) }
    /// Pending net, credit-normal.
    public var pending: Int128 { Int128(truncatingIfNeeded: creditsPending &- debitsPending) }
    /// What can still be debited: posted credits minus posted and pending debits.
    public var available: Int128 { Int128(truncatingIfNeeded: creditsPosted &- debitsPosted &- debitsPending) }
}

public struct TransferFlags: OptionSet, Hashable, Sendable {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    /// Succeeds or fails together with the next transfer of the batch.
    public static let linked = TransferFlags(rawValue: 1 << 0)
    /// Reserves the amount (a hold) instead of posting it.
    public static let pending = TransferFlags(rawValue: 1 << 1)
    public static let postPending = TransferFlags(rawValue: 1 << 2)
    public static let voidPending = TransferFlags(rawValue: 1 << 3)
    /// Clamp the amount to what the debit (credit) account allows.
    public static let balancingDebit = TransferFlags(rawValue: 1 << 4)
    public static let balancingCredit = TransferFlags(rawValue: 1 << 5)
    /// A pending transfer that closes its debit (credit) account until voided or expired.
    public static let closingDebit = TransferFlags(rawValue: 1 << 6)
    public static let closingCredit = TransferFlags(rawValue: 1 << 7)
}

/// A request to move `amount` from `debit` to `credit` (TigerBeetle's shape).
public struct Transfer: Equatable, Sendable {
    public var id: UInt128
    public var debit: AccountID
    public var credit: AccountID
    /// Minor units. On a post, `Transfer.fullAmount` means "the whole pending amount".
    public var amount: UInt128
    public var ledger: UInt32
    public var code: UInt16
    public var flags: TransferFlags
    public var pendingID: UInt128
    /// Seconds after creation at which a pending transfer expires (0 = never).
    public var timeout: UInt32
    public var userData: UInt64

    public static let fullAmount = UInt128.max

    public init(id: UInt128, debit: AccountID, credit: AccountID, amount: UInt128, ledger: UInt32,
                code: UInt16 = 1, flags: TransferFlags = [], pendingID: UInt128 = 0, timeout: UInt32 = 0,
                userData: UInt64 = 0) {
        self.id = id
        self.debit = debit
        self.credit = credit
        self.amount = amount
        self.ledger = ledger
        self.code = code
        self.flags = flags
        self.pendingID = pendingID
        self.timeout = timeout
        self.userData = userData
    }
}

/// What a successful write recorded: the entry index and the resulting balances.
public struct Receipt: Equatable, Sendable {
    public var entry: Int
    public var amount: UInt128
    public var debit: Balance
    public var credit: Balance
}

/// The answer to one transfer: `created`, `exists` (an identical retry; the original entry), or `failed`.
public enum TransferResult: Equatable, Sendable {
    case created(Receipt)
    case exists(entry: Int)
    case failed(ResultCode)

    public var code: ResultCode? {
        if case .failed(let code) = self { return code }
        return nil
    }
}

extension Currency {
    /// The exact number of minor units in `amount` (12.30 USD → 1230); nil when the amount
    /// is finer than the unit or does not fit.
    public func minorUnits(of amount: Dec) -> Int128? {
        if let (coefficient, exponent) = amount.wordParts, let units = Self.wordMinorUnits(coefficient, exponent, scale: minorUnits) {
            return amount.isNegative ? -units : units
        }
        return parseMinorUnits(amount.description, scale: minorUnits)
    }

    /// `coefficient × 10^(exponent + scale)` when it is a whole number, without text.
    private static func wordMinorUnits(_ coefficient: UInt64, _ exponent: Int, scale: Int) -> Int128? {
        let shift = exponent + scale
        guard shift > -20, shift < 20 else { return nil }
        var value = Int128(coefficient)
        if shift >= 0 {
            for _ in 0..<shift { value *= 10 }
            return value
        }
        var divisor: Int128 = 1
        for _ in 0..<(-shift) { divisor *= 10 }
        return value % divisor == 0 ? value / divisor : nil
    }

    /// The decimal value of a count of minor units (1230 → 12.30 for USD).
    public func decimal(minorUnits count: Int128) -> Dec {
        Dec(units: count, scale: minorUnits)
    }
}
