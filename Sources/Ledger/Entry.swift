/// One line of the journal: what a successful write did, in the form that is hashed.
/// Entries are never changed or deleted; a reversal is a new entry.
public struct Entry: Equatable, Sendable {
    public enum Kind: UInt8, Sendable {
        /// Posted at once.
        case single = 0
        /// A hold: moves `amount` into the pending counters.
        case pending = 1
        /// Resolves the hold `pendingID`: posts `amount`, releases the whole held amount.
        case post = 2
        /// Resolves the hold `pendingID`: releases `amount` (the whole held amount).
        case void = 3
        /// The hold `pendingID` timed out: releases `amount`. Written by the engine, `id` is 0.
        case expire = 4
        /// The mirror of transfer `pendingID`, posted at once.
        case reversal = 5
    }

    public var kind: Kind
    /// The flags as submitted.
    public var flags: TransferFlags
    public var id: UInt128
    /// Position within a multi-leg transfer (0 for ordinary transfers).
    public var leg: UInt16
    public var debit: AccountID
    public var credit: AccountID
    public var amount: UInt128
    public var pendingID: UInt128
    public var ledger: UInt32
    public var code: UInt16
    public var timeout: UInt32
    /// Nanoseconds; strictly increasing along the journal.
    public var timestamp: UInt64
    public var userData: UInt64

    public init(kind: Kind, flags: TransferFlags, id: UInt128, leg: UInt16, debit: AccountID, credit: AccountID,
                amount: UInt128, pendingID: UInt128, ledger: UInt32, code: UInt16, timeout: UInt32,
                timestamp: UInt64, userData: UInt64) {
        self.kind = kind
        self.flags = flags
        self.id = id
        self.leg = leg
        self.debit = debit
        self.credit = credit
        self.amount = amount
        self.pendingID = pendingID
        self.ledger = ledger
        self.code = code
        self.timeout = timeout
        self.timestamp = timestamp
        self.userData = userData
    }

    /// Applies this entry to one of its accounts. `held` is the amount of the hold a
    /// post, void or expiry resolves (ignored otherwise). Amounts were checked for
    /// overflow when the entry was written, so wrapping arithmetic is exact here.
    func apply(held: UInt128, toDebitSide b: inout Balance) {
        switch kind {
        case .single, .reversal: b.debitsPosted &+= amount
        case .pending: b.debitsPending &+= amount
        case .post: b.debitsPending &-= held; b.debitsPosted &+= amount
        case .void, .expire: b.debitsPending &-= held
        }
    }

    func apply(held: UInt128, toCreditSide b: inout Balance) {
        switch kind {
        case .single, .reversal: b.creditsPosted &+= amount
        case .pending: b.creditsPending &+= amount
        case .post: b.creditsPending &-= held; b.creditsPosted &+= amount
        case .void, .expire: b.creditsPending &-= held
        }
    }

    var resolvesHold: Bool { kind == .post || kind == .void || kind == .expire }
}
