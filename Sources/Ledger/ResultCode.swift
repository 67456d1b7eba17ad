/// Why a transfer failed. Declaration order is the order of precedence: when several
/// apply, the first is reported. The raw values are TigerBeetle's `create_transfers`
/// result names (minus those for imported events and the 128/32-bit user data,
/// which this engine does not have); the Keel-only codes come last.
public enum ResultCode: String, CaseIterable, Error, Sendable {
    case linkedEventFailed = "linked_event_failed"
    case linkedEventChainOpen = "linked_event_chain_open"
    case idMustNotBeZero = "id_must_not_be_zero"
    case idMustNotBeIntMax = "id_must_not_be_int_max"
    case existsWithDifferentFlags = "exists_with_different_flags"
    case existsWithDifferentPendingID = "exists_with_different_pending_id"
    case existsWithDifferentTimeout = "exists_with_different_timeout"
    case existsWithDifferentDebitAccountID = "exists_with_different_debit_account_id"
    case existsWithDifferentCreditAccountID = "exists_with_different_credit_account_id"
    case existsWithDifferentAmount = "exists_with_different_amount"
    case existsWithDifferentUserData = "exists_with_different_user_data_64"
    case existsWithDifferentLedger = "exists_with_different_ledger"
    case existsWithDifferentCode = "exists_with_different_code"
    case idAlreadyFailed = "id_already_failed"
    case flagsAreMutuallyExclusive = "flags_are_mutually_exclusive"
    case debitAccountIDMustNotBeZero = "debit_account_id_must_not_be_zero"
    case debitAccountIDMustNotBeIntMax = "debit_account_id_must_not_be_int_max"
    case creditAccountIDMustNotBeZero = "credit_account_id_must_not_be_zero"
    case creditAccountIDMustNotBeIntMax = "credit_account_id_must_not_be_int_max"
    case accountsMustBeDifferent = "accounts_must_be_different"
    case pendingIDMustBeZero = "pending_id_must_be_zero"
    case pendingIDMustNotBeZero = "pending_id_must_not_be_zero"
    case pendingIDMustNotBeIntMax = "pending_id_must_not_be_int_max"
    case pendingIDMustBeDifferent = "pending_id_must_be_different"
    case timeoutReservedForPendingTransfer = "timeout_reserved_for_pending_transfer"
    case closingTransferMustBePending = "closing_transfer_must_be_pending"
    case ledgerMustNotBeZero = "ledger_must_not_be_zero"
    case codeMustNotBeZero = "code_must_not_be_zero"
    case debitAccountNotFound = "debit_account_not_found"
    case creditAccountNotFound = "credit_account_not_found"
    case accountsMustHaveTheSameLedger = "accounts_must_have_the_same_ledger"
    case transferMustHaveTheSameLedgerAsAccounts = "transfer_must_have_the_same_ledger_as_accounts"
    case pendingTransferNotFound = "pending_transfer_not_found"
    case pendingTransferNotPending = "pending_transfer_not_pending"
    case pendingTransferHasDifferentDebitAccountID = "pending_transfer_has_different_debit_account_id"
    case pendingTransferHasDifferentCreditAccountID = "pending_transfer_has_different_credit_account_id"
    case pendingTransferHasDifferentLedger = "pending_transfer_has_different_ledger"
    case pendingTransferHasDifferentCode = "pending_transfer_has_different_code"
    case exceedsPendingTransferAmount = "exceeds_pending_transfer_amount"
    case pendingTransferHasDifferentAmount = "pending_transfer_has_different_amount"
    case pendingTransferAlreadyPosted = "pending_transfer_already_posted"
    case pendingTransferAlreadyVoided = "pending_transfer_already_voided"
    case pendingTransferExpired = "pending_transfer_expired"
    case debitAccountAlreadyClosed = "debit_account_already_closed"
    case creditAccountAlreadyClosed = "credit_account_already_closed"
    case overflowsDebitsPending = "overflows_debits_pending"
    case overflowsCreditsPending = "overflows_credits_pending"
    case overflowsDebitsPosted = "overflows_debits_posted"
    case overflowsCreditsPosted = "overflows_credits_posted"
    case overflowsDebits = "overflows_debits"
    case overflowsCredits = "overflows_credits"
    case overflowsTimeout = "overflows_timeout"
    case exceedsCredits = "exceeds_credits"
    case exceedsDebits = "exceeds_debits"
    // Keel extensions.
    /// A multi-leg transfer whose debits and credits differ in some unit.
    case legsMustBalance = "legs_must_balance"
    /// Legs in two units without a rate, or a rate the amounts do not satisfy exactly.
    case rateMismatch = "rate_mismatch"
    /// `reverse` named a transfer that does not exist (or is not a posted transfer).
    case transferNotReversible = "transfer_not_reversible"
    case transferAlreadyReversed = "transfer_already_reversed"

    /// Codes whose cause may go away (funds arrive, an account is created): the id is
    /// then burnt, and a retry answers `idAlreadyFailed`.
    public var isTransient: Bool {
        switch self {
        case .debitAccountNotFound, .creditAccountNotFound, .pendingTransferNotFound, .exceedsCredits,
             .exceedsDebits, .debitAccountAlreadyClosed, .creditAccountAlreadyClosed:
            return true
        default:
            return false
        }
    }
}
