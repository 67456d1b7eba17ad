import Ledger

/// The `ledger` module: double-entry ledgers on the native `Ledger` engine. Accounts carry
/// their unit in their type (`Account[USD]`), so a transfer that mixes units is rejected
/// when the script is checked; every write answers a `Posted` the script must handle.
enum LedgerBinding {
    static let source = """
        enum Code { \(ResultCode.allCases.map(\.rawValue).joined(separator: ", ")) }
        type Balance = { posted: Money, pending: Money, available: Money }
        type Receipt = { entry: Int, amount: Money, debit: Balance, credit: Balance }
        enum Posted { created(Receipt), exists(Int), failed(Code) }
        enum Limit { no_overdraft, overdraft_up_to(Money), min_balance(Money), max_balance(Money) }
        type Leg = { account: Account, debit: Bool, amount: Money }
        type Transfer = { id: Int, from: Account, to: Account, amount: Money }
        enum Share { percent(Dec), fraction(Int, Int), rest }
        type Entry = { index: Int, kind: String, id: Int, leg: Int, debit: String, credit: String, amount: Money,
                       hold: Int, time: Duration, hash: Bytes }
        enum Audit { intact(Int, Bytes), broken(Int) }
        type Mismatch = { reference: String, ledger: Money, statement: Money, ledger_date: String, statement_date: String }
        type Reconciliation = { matched: List[String], mismatched: List[Mismatch], missing_from_statement: List[String],
                                missing_from_ledger: List[String] }
        type Rate = { name: String, numerator: Int, denominator: Int }
        enum Normal { credit, debit }
        type JournalError = { line: Int, kind: String, message: String }
        type Holding = { account: String, commodity: String, units: Dec }
        type Lot = { account: String, commodity: String, units: Dec, cost: Dec, cost_currency: String, date: String }
        type Beancount = { errors: List[JournalError], holdings: List[Holding], lots: List[Lot] }
        """

    static let ledgerType = KType.host("Ledger")
    static let anyAccount = KType.host("Account")
    static let postedType = KType.enumeration("Posted")

    static func account(_ unit: String) -> KType { .host("Account", unit: unit) }

    /// A ledger, its start of time, and the Keel shapes its results are built from.
    final class Book: CustomStringConvertible {
        let engine: Ledger
        /// Nanoseconds since 1970 at which the ledger's manual clock started.
        let start: UInt64
        let values: ResultValues
        /// Exchange accounts, one per unit, opened with the unit's first account.
        var exchange: [String: AccountID] = [:]
        /// Each account's unit, interned, and its minor units, by account index: results are
        /// built from these without touching the engine's account records.
        var currencies: [CurrencyID] = []
        var scales: [Int] = []

        init(engine: Ledger, start: UInt64, values: ResultValues) {
            self.engine = engine
            self.start = start
            self.values = values
        }

        var description: String { "Ledger(\(engine.entries.count) entries)" }

        func unit(of id: AccountID) -> Currency { engine.accounts[Int(id.raw) - 1].unit }
        func currency(of id: AccountID) -> CurrencyID { currencies[Int(id.raw) - 1] }

        /// Minor units of account `id`'s unit as a money value.
        func money(_ units: Int128, of id: AccountID) -> Value {
            let i = Int(id.raw) - 1
            return .money(Dec(units: units, scale: scales[i]), currencies[i])
        }

        func create(_ account: Account, _ currency: CurrencyID) throws -> AccountID {
            let id = try LedgerBinding.write { try engine.createAccount(account) }
            intern(account, currency)
            return id
        }

        func intern(_ account: Account, _ currency: CurrencyID) {
            currencies.append(currency)
            scales.append(account.unit.minorUnits)
        }

        func name(of id: AccountID) -> String { id.raw == 0 ? "" : engine.accounts[Int(id.raw) - 1].name }
    }

    /// An account of one ledger, with its unit interned for building money values.
    final class AccountRef: CustomStringConvertible {
        let book: Book
        let id: AccountID
        let unit: Currency
        let currency: CurrencyID

        init(book: Book, id: AccountID, unit: Currency, currency: CurrencyID) {
            self.book = book
            self.id = id
            self.unit = unit
            self.currency = currency
        }

        func money(_ units: Int128) -> Value { book.money(units, of: id) }

        var description: String { "Account(\(book.name(of: id)), \(unit.code))" }
    }

    static func install(into engine: Engine) {
        engine.defineType("Ledger")
        engine.defineType("Account", takesUnit: true)
        engine.defineModuleSource("ledger", source)
        engine.requireHandling("Posted")
        installLedgers(engine)
        installAccounts(engine)
        installWrites(engine)
        installJournal(engine)
        installSplits(engine)
        installBeancount(engine)
    }

    // MARK: ledgers and accounts

    static func installLedgers(_ engine: Engine) {
        engine.define("ledger.new", params: [], result: ledgerType) { [unowned engine] _ in
            .host(try makeBook(engine, start: 0))
        }
        // A ledger stored in SQLite in the host's file folder: every write is committed before
        // it answers, and reopening replays and re-verifies the chain. Its clock is the wall clock.
        engine.define("ledger.open", params: [.string], result: ledgerType) { [unowned engine] args in
            guard let files = engine.files else { throw HostError("this engine grants scripts no files; ledger.new() is in memory") }
            let path = try files.resolve(try Arguments.string(args, 0))
            let stored = try write { try Ledger(path: path) }
            return .host(try reopenBook(engine, stored))
        }
        // A ledger whose clock starts at midnight UTC of a day and moves only by `advance`.
        engine.define("ledger.starting", params: [.string], result: ledgerType) { [unowned engine] args in
            let text = try Arguments.string(args, 0)
            guard let day = CalendarDay.number(text), day >= 0 else { throw HostError("'\(text)' is not a date (YYYY-MM-DD)") }
            let (start, overflow) = UInt64(day).multipliedReportingOverflow(by: nanosPerDay)
            guard !overflow else { throw HostError("\(text) is past the ledger clock's end in 2554") }
            return .host(try makeBook(engine, start: start))
        }
        engine.define("Ledger.advance", params: [ledgerType, .duration], result: .unit) { args in
            let book = try Arguments.object(args, 0, as: Book.self)
            guard case .duration(let ms) = args[1], ms >= 0, ms % 1000 == 0 else {
                throw HostError("advance moves the clock by a whole, non-negative number of seconds")
            }
            try write { try book.engine.advance(seconds: UInt64(ms / 1000)) }
            return .unit
        }
        engine.define("Ledger.date", params: [ledgerType], result: .string) { args in
            let book = try Arguments.object(args, 0, as: Book.self)
            return .string(CalendarDay.text(Int(book.engine.currentTime / nanosPerDay)))
        }
        engine.define("Ledger.account", params: [ledgerType, .string, .unitCode("$")], result: account("$")) { args in
            try openAccount(args, limits: [])
        }
        engine.define("Ledger.account_with", params: [ledgerType, .string, .unitCode("$"), .list(.enumeration("Limit"))],
                      labels: [nil, nil, nil, "limits"], result: account("$")) { args in
            try openAccount(args, limits: try Arguments.list(args, 3))
        }
        engine.define("Ledger.accounts", params: [ledgerType], result: .list(anyAccount)) { args in
            let book = try Arguments.object(args, 0, as: Book.self)
            return .list(book.engine.accounts.indices.map { .host(reference(book, AccountID(UInt32($0 + 1)))) })
        }
        engine.define("Ledger.find", params: [ledgerType, .string], result: .optional(anyAccount)) { args in
            let book = try Arguments.object(args, 0, as: Book.self)
            guard let id = book.engine.account(named: try Arguments.string(args, 1)) else { return .none }
            return .host(reference(book, id))
        }
    }

    static func installAccounts(_ engine: Engine) {
        let unitAccount = account("$")
        engine.define("Account.name", params: [anyAccount], result: .string) { args in
            let a = try Arguments.object(args, 0, as: AccountRef.self)
            return .string(a.book.name(of: a.id))
        }
        engine.define("Account.currency", params: [anyAccount], result: .string) { args in
            .string(try Arguments.object(args, 0, as: AccountRef.self).unit.code)
        }
        engine.define("Account.balance", params: [unitAccount], result: .record("Balance")) { args in
            let a = try Arguments.object(args, 0, as: AccountRef.self)
            return a.book.values.balance(a, a.book.engine.balance(a.id) ?? Balance())
        }
        let counters: [(String, (Balance) -> Int128)] = [("posted", \.posted), ("pending", \.pending), ("available", \.available)]
        for (name, counter) in counters {
            engine.define("Account." + name, params: [unitAccount], result: .money("$")) { args in
                let a = try Arguments.object(args, 0, as: AccountRef.self)
                return a.money(counter(a.book.engine.balance(a.id) ?? Balance()))
            }
        }
        // As of an entry index (-1: before any), O(log n) through the engine's checkpoints.
        engine.define("Account.balance_at", params: [unitAccount, .int], result: .record("Balance")) { args in
            let a = try Arguments.object(args, 0, as: AccountRef.self)
            let index = try Arguments.int(args, 1)
            return a.book.values.balance(a, a.book.engine.balance(a.id, asOfEntry: max(index, -1)) ?? Balance())
        }
        // As of a time: the entries written up to that long after the ledger's start.
        engine.define("Account.balance_at_time", params: [unitAccount, .duration], result: .record("Balance")) { args in
            let a = try Arguments.object(args, 0, as: AccountRef.self)
            guard case .duration(let ms) = args[1], ms >= 0 else { throw HostError("a time since the ledger's start is not negative") }
            // Through the end of that millisecond: writes made at one clock reading are a
            // nanosecond apart, and an entry's `time` shows the millisecond.
            let (ns, overflow) = (UInt64(ms) + 1).multipliedReportingOverflow(by: 1_000_000)
            let (time, late) = a.book.start.addingReportingOverflow(ns &- 1)
            let until = overflow || late ? UInt64.max : time
            return a.book.values.balance(a, a.book.engine.balance(a.id, asOfTime: until) ?? Balance())
        }
    }

    static func openAccount(_ args: [Value], limits: [Value]) throws -> Value {
        let book = try Arguments.object(args, 0, as: Book.self)
        let name = try Arguments.string(args, 1), code = try Arguments.string(args, 2)
        guard let currency = CurrencyTable.shared.id(code) else { throw HostError("unknown unit '\(code)'") }
        let unit = CurrencyTable.shared.currency(currency)
        let ledgerNumber = ledgerNumber(book, unit)
        let account = Account(name: name, unit: unit, ledger: ledgerNumber, limits: try limits.map { try limit($0, unit) })
        let id = try book.create(account, currency)
        // Each unit's exchange account opens with its first account, so a refused exchange
        // leaves nothing behind.
        if book.exchange[unit.code] == nil {
            book.exchange[unit.code] = try book.create(Account(name: "exchange:\(unit.code)", unit: unit, ledger: ledgerNumber), currency)
        }
        return .host(AccountRef(book: book, id: id, unit: unit, currency: currency))
    }

    /// One engine ledger number per unit, numbered in order of first use: a unit in use
    /// has its exchange account, which carries the number.
    static func ledgerNumber(_ book: Book, _ unit: Currency) -> UInt32 {
        guard let exchange = book.exchange[unit.code] else { return UInt32(book.exchange.count + 1) }
        return book.engine.accounts[Int(exchange.raw) - 1].ledger
    }

    static func limit(_ value: Value, _ unit: Currency) throws -> Limit {
        guard case .variant(let v) = value else { throw HostError("not a Limit") }
        if v.tag == 0 { return .noOverdraft }
        guard case .money(let amount, let c) = v.payload[0] else { throw HostError("malformed Limit") }
        let code = CurrencyTable.shared.code(c)
        guard code == unit.code else { throw HostError("a limit in \(code) on an account in \(unit.code)") }
        guard let units = unit.minorUnits(of: amount) else { throw HostError("\(amount) \(code) is finer than the unit") }
        switch v.tag {
        case 1:
            guard units >= 0 else { throw HostError("an overdraft limit is not negative") }
            return .overdraftUpTo(UInt128(units))
        case 2: return .minBalance(units)
        default: return .maxBalance(units)
        }
    }

    static func reference(_ book: Book, _ id: AccountID) -> AccountRef {
        AccountRef(book: book, id: id, unit: book.unit(of: id), currency: book.currency(of: id))
    }

    /// A book over a ledger that already has accounts: their units interned, exchange accounts found.
    static func reopenBook(_ engine: Engine, _ stored: Ledger) throws -> Book {
        let book = Book(engine: stored, start: 0, values: try ResultValues(engine))
        for (i, account) in stored.accounts.enumerated() {
            book.intern(account, CurrencyTable.shared.id(account.unit.code)
                ?? CurrencyTable.shared.declare(account.unit.code, minorUnits: account.unit.minorUnits))
            if account.name == "exchange:\(account.unit.code)" { book.exchange[account.unit.code] = AccountID(UInt32(i + 1)) }
        }
        return book
    }

    static func makeBook(_ engine: Engine, start: UInt64) throws -> Book {
        Book(engine: Ledger(options: .init(chain: true, clock: .manual(start: start))), start: start,
             values: try ResultValues(engine))
    }

    // MARK: writes

    static func installWrites(_ engine: Engine) {
        let a = account("$"), money = KType.money("$"), int = KType.int
        engine.define("Ledger.transfer", params: [ledgerType, int, a, a, money], labels: [nil, nil, "from", "to", nil],
                      result: postedType) { args in
            let book = try Arguments.object(args, 0, as: Book.self)
            let t = try transfer(args, id: 1, from: 2, to: 3, amount: 4)
            return book.values.posted(try write { try book.engine.submit(t) }, book)
        }
        engine.define("Ledger.hold", params: [ledgerType, int, a, a, money, .duration],
                      labels: [nil, nil, "from", "to", nil, "timeout"], result: postedType) { args in
            let book = try Arguments.object(args, 0, as: Book.self)
            var t = try transfer(args, id: 1, from: 2, to: 3, amount: 4)
            t.flags = .pending
            t.timeout = try wholeSeconds(args, 5, "a hold's timeout")
            return book.values.posted(try write { try book.engine.submit(t) }, book)
        }
        engine.define("Ledger.post", params: [ledgerType, int, int], labels: [nil, nil, "hold"], result: postedType) { args in
            try resolve(args, .postPending, amount: Transfer.fullAmount)
        }
        engine.define("Ledger.post_part", params: [ledgerType, int, int, .money(nil)], labels: [nil, nil, "hold", nil],
                      result: postedType) { args in
            let book = try Arguments.object(args, 0, as: Book.self)
            guard case .money(let amount, let c) = args[3] else { throw HostError("argument 4 must be Money") }
            guard let units = CurrencyTable.shared.currency(c).minorUnits(of: amount), units >= 0 else {
                throw HostError("\(amount) \(CurrencyTable.shared.code(c)) is not a whole, non-negative number of minor units")
            }
            let held = try holdUnit(book, try transferID(args, 2))
            if let held, held.code != CurrencyTable.shared.code(c) {
                throw HostError("hold \(try Arguments.int(args, 2)) is in \(held.code), not \(CurrencyTable.shared.code(c))")
            }
            return try resolve(args, .postPending, amount: UInt128(units))
        }
        engine.define("Ledger.void", params: [ledgerType, int, int], labels: [nil, nil, "hold"], result: postedType) { args in
            try resolve(args, .voidPending, amount: 0)
        }
        engine.define("Ledger.transfer_legs", params: [ledgerType, int, .list(.record("Leg"))], result: postedType) { args in
            try VM.hostCaller?.hostWork(try Arguments.list(args, 2).count)
            return try multiLeg(args, pending: false, timeout: 0)
        }
        engine.define("Ledger.hold_legs", params: [ledgerType, int, .list(.record("Leg")), .duration],
                      labels: [nil, nil, nil, "timeout"], result: postedType) { args in
            try VM.hostCaller?.hostWork(try Arguments.list(args, 2).count)
            return try multiLeg(args, pending: true, timeout: try wholeSeconds(args, 3, "a hold's timeout"))
        }
        engine.define("Ledger.atomically", params: [ledgerType, .list(.record("Transfer"))], result: .list(postedType)) { args in
            try VM.hostCaller?.hostWork(try Arguments.list(args, 1).count)
            let book = try Arguments.object(args, 0, as: Book.self)
            let transfers = try Arguments.list(args, 1).map { item -> Transfer in
                guard case .record(let r) = item else { throw HostError("not a Transfer") }
                return try transfer(r.fields, id: 0, from: 1, to: 2, amount: 3)
            }
            return .list(try write { try book.engine.submit(atomically: transfers) }.map { book.values.posted($0, book) })
        }
        engine.define("Ledger.exchange", params: [ledgerType, int, account("$from"), account("$to"), .money("$from"), .money("$to"), .string],
                      labels: [nil, nil, "from", "to", "send", "receive", "rate"], result: postedType) { args in
            try exchange(args)
        }
        engine.define("Ledger.rate", params: [ledgerType, int], result: .optional(.record("Rate"))) { args in
            let book = try Arguments.object(args, 0, as: Book.self)
            guard let rate = book.engine.rate(of: try transferID(args, 1)) else { return .none }
            guard let n = Int(exactly: rate.numerator), let d = Int(exactly: rate.denominator) else {
                throw HostError("the rate of transfer \(try Arguments.int(args, 1)) does not fit an Int")
            }
            return .record(RecordBox(shape: book.values.rate, fields: [.string(rate.name), .int(n), .int(d)]))
        }
        engine.define("Ledger.reverse", params: [ledgerType, int, int], labels: [nil, nil, "as"], result: postedType) { args in
            let book = try Arguments.object(args, 0, as: Book.self)
            let original = try transferID(args, 1), mirror = try transferID(args, 2)
            return book.values.posted(try write { try book.engine.reverse(original, as: mirror) }, book)
        }
        // Closing is TigerBeetle's: a zero hold flagged closing, against the unit's exchange
        // account, so the journal records it; voiding that hold reopens the account.
        engine.define("Ledger.close", params: [ledgerType, int, anyAccount], result: postedType) { args in
            let book = try Arguments.object(args, 0, as: Book.self)
            let account = try Arguments.object(args, 2, as: AccountRef.self)
            guard account.book === book else { throw HostError("the account belongs to another ledger") }
            let t = Transfer(id: try transferID(args, 1), debit: account.id, credit: try exchangeAccount(book, account.unit),
                             amount: 0, ledger: book.engine.accounts[Int(account.id.raw) - 1].ledger,
                             flags: [.pending, .closingDebit])
            return book.values.posted(try write { try book.engine.submit(t) }, book)
        }
        engine.define("Ledger.reopen", params: [ledgerType, int, int], labels: [nil, nil, "closing"], result: postedType) { args in
            try resolve(args, .voidPending, amount: 0)
        }
        engine.define("Account.is_closed", params: [anyAccount], result: .bool) { args in
            let a = try Arguments.object(args, 0, as: AccountRef.self)
            return .bool(a.book.engine.isClosed(a.id))
        }
        engine.define("ledger.move", params: [int, a, a, money], labels: [nil, "from", "to", nil],
                      result: .record("Transfer")) { [unowned engine] args in
            try engine.record("Transfer", ["id": args[0], "from": args[1], "to": args[2], "amount": args[3]])
        }
        for (name, isDebit) in [("ledger.debit", true), ("ledger.credit", false)] {
            engine.define(name, params: [a, money], result: .record("Leg")) { [unowned engine] args in
                try engine.record("Leg", ["account": args[0], "debit": .bool(isDebit), "amount": args[1]])
            }
        }
    }

    /// A 2-sided transfer from argument positions (of a call or of a `Transfer` record).
    static func transfer(_ args: [Value], id: Int, from: Int, to: Int, amount: Int) throws -> Transfer {
        let debit = try Arguments.object(args, from, as: AccountRef.self)
        let credit = try Arguments.object(args, to, as: AccountRef.self)
        guard debit.book === credit.book else { throw HostError("the two accounts belong to different ledgers") }
        let units = try minorUnits(args[amount], of: debit)
        return Transfer(id: try transferID(args, id), debit: debit.id, credit: credit.id, amount: units,
                               ledger: debit.book.engine.accounts[Int(debit.id.raw) - 1].ledger)
    }

    /// An amount in its account's minor units; the checker has matched units where it
    /// could, and money of a unit known only at run time is checked here.
    static func minorUnits(_ value: Value, of account: AccountRef) throws -> UInt128 {
        guard case .money(let amount, let c) = value else { throw HostError("an amount must be Money") }
        guard c == account.currency else {
            throw HostError("\(amount) \(CurrencyTable.shared.code(c)) for an account in \(account.unit.code)")
        }
        guard let units = account.unit.minorUnits(of: amount) else {
            throw HostError("\(amount) \(account.unit.code) is finer than the unit's \(account.unit.minorUnits) decimals")
        }
        guard units >= 0 else { throw HostError("a transfer moves a non-negative amount; reverse the direction instead") }
        return UInt128(units)
    }

    static func transferID(_ args: [Value], _ i: Int) throws -> UInt128 {
        let id = try Arguments.int(args, i)
        guard id >= 0 else { throw HostError("transfer ids are not negative, got \(id)") }
        return UInt128(id)
    }

    static func wholeSeconds(_ args: [Value], _ i: Int, _ what: String) throws -> UInt32 {
        guard case .duration(let ms) = args[i] else { throw HostError("argument \(i + 1) must be a Duration") }
        guard ms >= 0, ms % 1000 == 0, let seconds = UInt32(exactly: ms / 1000) else {
            throw HostError("\(what) is a whole, non-negative number of seconds")
        }
        return seconds
    }

    /// Posts or voids a hold: the accounts, ledger and code come from the hold itself.
    static func resolve(_ args: [Value], _ flag: TransferFlags, amount: UInt128) throws -> Value {
        let book = try Arguments.object(args, 0, as: Book.self)
        let t = Transfer(id: try transferID(args, 1), debit: .none, credit: .none, amount: amount, ledger: 0, code: 0,
                                flags: flag, pendingID: try transferID(args, 2))
        return book.values.posted(try write { try book.engine.submit(t) }, book)
    }

    /// The unit of a hold's first entry, when it exists.
    static func holdUnit(_ book: Book, _ id: UInt128) throws -> Currency? {
        guard let index = book.engine.entryIndex(of: id), book.engine.entries[index].kind == .pending else { return nil }
        return book.unit(of: book.engine.entries[index].debit)
    }

    static func multiLeg(_ args: [Value], pending: Bool, timeout: UInt32) throws -> Value {
        let book = try Arguments.object(args, 0, as: Book.self)
        let legs = try Arguments.list(args, 2).map { item -> Leg in
            guard case .record(let r) = item, case .bool(let isDebit) = r.fields[1] else { throw HostError("not a Leg") }
            let account = try Arguments.object(r.fields, 0, as: AccountRef.self)
            guard account.book === book else { throw HostError("a leg's account belongs to another ledger") }
            let units = try minorUnits(r.fields[2], of: account)
            return isDebit ? .debit(account.id, units) : .credit(account.id, units)
        }
        let id = try transferID(args, 1)
        return book.values.posted(try write { try book.engine.transfer(id: id, legs: legs, pending: pending, timeout: timeout) }, book)
    }

    /// A transfer between units at a named rate: what `from` sends and `to` receives, booked
    /// through each unit's exchange account (`exchange:USD`, created on first use).
    static func exchange(_ args: [Value]) throws -> Value {
        let book = try Arguments.object(args, 0, as: Book.self)
        let from = try Arguments.object(args, 2, as: AccountRef.self), to = try Arguments.object(args, 3, as: AccountRef.self)
        guard from.book === book, to.book === book else { throw HostError("an account belongs to another ledger") }
        let sent = try minorUnits(args[4], of: from), received = try minorUnits(args[5], of: to)
        let name = try Arguments.string(args, 6)
        let common = gcd(received, sent)
        let rate = Rate(name: name, numerator: received / common, denominator: sent / common,
                        fromExchange: try exchangeAccount(book, from.unit), toExchange: try exchangeAccount(book, to.unit))
        let id = try transferID(args, 1)
        return book.values.posted(try write {
            try book.engine.transfer(id: id, legs: [.debit(from.id, sent), .credit(to.id, received)], rate: rate)
        }, book)
    }

    static func gcd(_ a: UInt128, _ b: UInt128) -> UInt128 {
        var (x, y) = (a, b)
        while y != 0 { (x, y) = (y, x % y) }
        return max(x, 1)
    }

    static func exchangeAccount(_ book: Book, _ unit: Currency) throws -> AccountID {
        guard let id = book.exchange[unit.code] else { throw HostError("no exchange account for \(unit.code)") }
        return id
    }

    /// Runs an engine write; a failure of the ledger itself (not a transfer's result) is a runtime error.
    static func write<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as HostError {
            throw error
        } catch {
            throw HostError(describe(error))
        }
    }

    static func describe(_ error: Error) -> String {
        guard let error = error as? LedgerError else { return "\(error)" }
        switch error {
        case .accountNameTaken(let name): return "an account named '\(name)' exists"
        case .accountLedgerMustNotBeZero: return "an account needs a ledger number"
        case .unitConflict(let ledger): return "ledger \(ledger) holds another unit"
        case .unknownAccountName(let name): return "no account named '\(name)'"
        case .assetMismatch(let asset): return "asset \(asset) is not the unit of its accounts"
        case .chainBroken(let entry): return "the hash chain is broken at entry \(entry)"
        case .storage(let message): return "storage: \(message)"
        case .unusable: return "the ledger is unusable after a failed commit"
        case .clockOverflow: return "the ledger's clock cannot pass the year 2554"
        }
    }

    static let nanosPerDay: UInt64 = 86_400_000_000_000

    // MARK: the journal

    static func installJournal(_ engine: Engine) {
        engine.define("Ledger.size", params: [ledgerType], result: .int) { args in
            .int(try Arguments.object(args, 0, as: Book.self).engine.entries.count)
        }
        engine.define("Ledger.entry", params: [ledgerType, .int], result: .optional(.record("Entry"))) { args in
            let book = try Arguments.object(args, 0, as: Book.self)
            let i = try Arguments.int(args, 1)
            guard i >= 0, i < book.engine.entries.count else { return .none }
            return try book.values.entry(book, i)
        }
        engine.define("Ledger.journal", params: [ledgerType], result: .list(.record("Entry"))) { args in
            let book = try Arguments.object(args, 0, as: Book.self)
            try VM.hostCaller?.hostWork(book.engine.entries.count)
            return .list(try book.engine.entries.indices.map { try book.values.entry(book, $0) })
        }
        engine.define("Ledger.head", params: [ledgerType], result: .bytes) { args in
            .bytes(try Arguments.object(args, 0, as: Book.self).engine.chainHead.bytes)
        }
        engine.define("Ledger.verify", params: [ledgerType], result: .enumeration("Audit")) { args in
            let book = try Arguments.object(args, 0, as: Book.self)
            try VM.hostCaller?.hostWork(book.engine.entries.count)
            do throws(LedgerError) {
                let head = try book.engine.verify()
                return book.values.audit(.intact(entries: book.engine.entries.count, head: head))
            } catch {
                if case .chainBroken(let entry) = error { return book.values.audit(.broken(entry: entry)) }
                throw HostError(describe(error))
            }
        }
        engine.define("Ledger.export", params: [ledgerType], result: .bytes) { args in
            let book = try Arguments.object(args, 0, as: Book.self)
            try VM.hostCaller?.hostWork(book.engine.entries.count)
            return .bytes(book.engine.exportJournal())
        }
        // Re-verifies exported bytes from the genesis: what an outside auditor does.
        engine.define("ledger.audit", params: [.bytes], result: .enumeration("Audit")) { [unowned engine] args in
            let bytes = try Arguments.bytes(args, 0)
            try VM.hostCaller?.hostWork(bytes.count / Ledger.exportedEntrySize)
            return try ResultValues(engine).audit(Ledger.audit(journal: bytes))
        }
        // `normal` is the side whose movements the statement shows as positive: a bank
        // account's statement shows deposits, which the ledger debits to it.
        engine.define("Ledger.reconcile", params: [ledgerType, anyAccount, .string, .int, .enumeration("Normal")],
                      labels: [nil, nil, "statement", "tolerance_days", "normal"], result: .record("Reconciliation")) { args in
            let book = try Arguments.object(args, 0, as: Book.self)
            let account = try Arguments.object(args, 1, as: AccountRef.self)
            let csv = try Arguments.string(args, 2), days = try Arguments.int(args, 3)
            guard case .variant(let normal) = args[4] else { throw HostError("argument 5 must be a Normal") }
            try VM.hostCaller?.hostWork(csv.utf8.count >> 4 + book.engine.entries.count)
            let lines: [StatementLine]
            do throws(ReconcileError) {
                lines = try StatementLine.parse(csv: csv, unit: account.unit)
            } catch {
                guard case .badLine(let n, let text) = error else { throw HostError("bad statement") }
                throw HostError("statement line \(n) is not 'reference,amount,YYYY-MM-DD': \(text)")
            }
            return try book.values.reconciliation(book.engine.reconcile(account.id, against: lines, toleranceDays: days,
                                                                               normal: normal.tag == 0 ? .credit : .debit), lines, account)
        }
    }

    // MARK: beancount

    /// `ledger.read_beancount(text)`: a beancount journal checked as beancount checks it, but
    /// a transaction with an error is refused whole. Holdings and lots come sorted by account
    /// and commodity, so the report is the same on every run.
    static func installBeancount(_ engine: Engine) {
        engine.define("ledger.read_beancount", params: [.string], result: .record("Beancount")) { [unowned engine] args in
            let text = try Arguments.string(args, 0)
            try VM.hostCaller?.hostWork(text.utf8.count >> 4)
            let report = BeancountJournal.load(text: text)
            let errors = try report.errors.map { e in
                try engine.record("JournalError", ["line": .int(e.line), "kind": .string(e.kind.rawValue), "message": .string(e.message)])
            }
            var holdings: [Value] = [], lots: [Value] = []
            for (account, held) in report.accounts.sorted(by: { $0.key < $1.key }) {
                for (commodity, units) in held.units.sorted(by: { $0.key < $1.key }) {
                    holdings.append(try engine.record("Holding", ["account": .string(account), "commodity": .string(commodity), "units": .dec(units)]))
                }
                for lot in held.lots {
                    guard let cost = lot.cost else { continue }
                    lots.append(try engine.record("Lot", [
                        "account": .string(account), "commodity": .string(lot.currency), "units": .dec(lot.units),
                        "cost": .dec(cost.number), "cost_currency": .string(cost.currency), "date": .string(cost.date.description),
                    ]))
                }
            }
            return try engine.record("Beancount", ["errors": .list(errors), "holdings": .list(holdings), "lots": .list(lots)])
        }
    }

    // MARK: splits

    static func installSplits(_ engine: Engine) {
        engine.define("ledger.split", params: [.money("$"), .list(.enumeration("Share"))], result: .list(.money("$")),
                      literalCheck: checkLiteralShares) { args in
            try VM.hostCaller?.hostWork(try Arguments.list(args, 1).count)
            guard case .money(let amount, let c) = args[0] else { throw HostError("split divides Money") }
            let unit = CurrencyTable.shared.currency(c)
            guard let total = unit.minorUnits(of: amount) else {
                throw HostError("\(amount) \(unit.code) is finer than the unit's \(unit.minorUnits) decimals")
            }
            let shares = try Arguments.list(args, 1).map(share)
            do throws(SplitError) {
                return .list(try allocate(total, shares).map { .money(unit.decimal(minorUnits: $0), c) })
            } catch {
                throw HostError(splitProblem(error))
            }
        }
    }

    static func share(_ value: Value) throws -> Share {
        guard case .variant(let v) = value else { throw HostError("not a Share") }
        switch v.tag {
        case 0:
            guard case .dec(let percent) = v.payload[0], let portion = Portion("\(percent)%") else {
                throw HostError("a percentage share is between 0 and 100")
            }
            return .portion(portion)
        case 1:
            guard case .int(let n) = v.payload[0], case .int(let d) = v.payload[1],
                  let portion = Portion(numerator: Int128(n), denominator: Int128(d)) else {
                throw HostError("a fraction share is n/d with 0 <= n <= d and d > 0")
            }
            return .portion(portion)
        default:
            return .remaining
        }
    }

    static func splitProblem(_ error: SplitError) -> String {
        switch error {
        case .portionsDoNotSumToOne: return "the shares do not add up to the whole (and at most one is 'rest')"
        case .negativeAmount: return "split divides a non-negative amount"
        case .overflow: return "the split overflows"
        case .unboundedAmount: return "the split has no bound"
        case .missingFunds(let asset, let needed, let available): return "missing funds: \(needed) \(asset) needed, \(available) available"
        }
    }

    /// When every share of a split is written as a literal, they must add up to exactly the
    /// whole (or leave room for one `rest`): a wrong split is a compile-time error.
    static let checkLiteralShares: LiteralCheck = { args in
        guard args.count == 2, case .list(let items) = args[1].value.kind else { return [] }
        var shares: [Share] = []
        for item in items {
            switch literalShare(item) {
            case .share(let share): shares.append(share)
            case .invalid(let problem): return [(message: problem, span: item.span)]
            case .notLiteral: return []
            }
        }
        do throws(SplitError) {
            _ = try allocate(0, shares)
            return []
        } catch {
            return [(message: "these shares cannot split a whole: \(splitProblem(error))", span: args[1].value.span)]
        }
    }

    enum LiteralShare { case share(Share), invalid(String), notLiteral }

    static func literalShare(_ e: Expr) -> LiteralShare {
        if case .member(let base, "rest", _) = e.kind, case .name("Share") = base.kind { return .share(.remaining) }
        guard case .call(let callee, let args) = e.kind, case .member(let base, let variant, _) = callee.kind,
              case .name("Share") = base.kind else { return .notLiteral }
        func number(_ e: Expr) -> String? {
            switch e.kind {
            case .int(let n): return String(n)
            case .dec(let text): return text.replacingOccurrences(of: "_", with: "")
            default: return nil
            }
        }
        switch (variant, args.count) {
        case ("percent", 1):
            guard let text = number(args[0].value) else { return .notLiteral }
            return Portion(text + "%").map { .share(.portion($0)) } ?? .invalid("a percentage share is between 0 and 100, found \(text)")
        case ("fraction", 2):
            guard case .int(let n) = args[0].value.kind, case .int(let d) = args[1].value.kind else { return .notLiteral }
            return Portion(numerator: Int128(n), denominator: Int128(d)).map { .share(.portion($0)) }
                ?? .invalid("a fraction share is n/d with 0 <= n <= d and d > 0, found \(n)/\(d)")
        default:
            return .notLiteral
        }
    }

    // MARK: results as Keel values

    /// The module's shapes, looked up once per ledger, so results are built without name lookups.
    /// A class, so that reaching it through a book retains one reference, not nine.
    final class ResultValues {
        let posted: EnumShape, code: EnumShape, audit: EnumShape
        let receipt: RecordShape, balance: RecordShape, entry: RecordShape, rate: RecordShape
        let mismatch: RecordShape, reconciliation: RecordShape

        init(_ engine: Engine) throws {
            let s = engine.shapes
            guard let posted = s.enums["Posted"], let code = s.enums["Code"], let audit = s.enums["Audit"],
                  let receipt = s.records["Receipt"], let balance = s.records["Balance"], let entry = s.records["Entry"],
                  let rate = s.records["Rate"], let mismatch = s.records["Mismatch"],
                  let reconciliation = s.records["Reconciliation"] else {
                throw HostError("the ledger module's types are not loaded")
            }
            (self.posted, self.code, self.audit) = (posted, code, audit)
            (self.receipt, self.balance, self.entry, self.rate) = (receipt, balance, entry, rate)
            (self.mismatch, self.reconciliation) = (mismatch, reconciliation)
        }

        func balance(_ a: AccountRef, _ b: Balance) -> Value { balance(a.book, a.id, b) }

        func balance(_ book: Book, _ id: AccountID, _ b: Balance) -> Value {
            .record(RecordBox(shape: balance, fields: [book.money(b.posted, of: id), book.money(b.pending, of: id),
                                                       book.money(b.available, of: id)]))
        }

        func posted(_ result: TransferResult, _ book: Book) -> Value {
            switch result {
            case .created(let r):
                let e = book.engine.entries[r.entry]
                let receipt = RecordBox(shape: receipt, fields: [
                    .int(r.entry), book.money(Int128(truncatingIfNeeded: r.amount), of: e.debit),
                    balance(book, e.debit, r.debit), balance(book, e.credit, r.credit),
                ])
                return .variant(VariantBox.make(posted, tag: 0, payload: [.record(receipt)]))
            case .exists(let entry):
                return .variant(VariantBox.make(posted, tag: 1, payload: [.int(entry)]))
            case .failed(let failure):
                let tag = ResultCode.allCases.firstIndex(of: failure) ?? 0
                return .variant(VariantBox.make(posted, tag: 2, payload: [.variant(VariantBox.make(code, tag: tag, payload: []))]))
            }
        }

        func audit(_ result: JournalAudit) -> Value {
            switch result {
            case .intact(let n, let head): return .variant(VariantBox.make(audit, tag: 0, payload: [.int(n), .bytes(head.bytes)]))
            case .broken(let entry): return .variant(VariantBox.make(audit, tag: 1, payload: [.int(entry)]))
            }
        }

        static let kinds = ["single", "pending", "post", "void", "expire", "reversal"]

        func entry(_ book: Book, _ i: Int) throws -> Value {
            let e = book.engine.entries[i]
            guard let id = Int(exactly: e.id), let hold = Int(exactly: e.pendingID) else { throw HostError("entry \(i) has an id past Int") }
            let money = book.money(Int128(truncatingIfNeeded: e.amount), of: e.debit)
            let ms = Int((e.timestamp &- book.start) / 1_000_000)
            return .record(RecordBox(shape: entry, fields: [
                .int(i), .string(Self.kinds[Int(e.kind.rawValue)]), .int(id), .int(Int(e.leg)), .string(book.name(of: e.debit)),
                .string(book.name(of: e.credit)), money, .int(hold), .duration(ms), .bytes(book.engine.hash(ofEntry: i)?.bytes ?? []),
            ]))
        }

        func reconciliation(_ r: Reconciliation, _ lines: [StatementLine], _ a: AccountRef) throws -> Value {
            let mismatched = r.mismatched.map { p in
                Value.record(RecordBox(shape: mismatch, fields: [
                    .string(p.reference), a.money(p.ledgerAmount), a.money(p.statementAmount),
                    .string(CalendarDay.text(p.ledgerDay)), .string(CalendarDay.text(p.statementDay)),
                ]))
            }
            return .record(RecordBox(shape: reconciliation, fields: [
                .list(r.matched.map { .string($0.reference) }), .list(mismatched),
                .list(r.missingFromStatement.map(Value.string)), .list(r.missingFromLedger.map { .string(lines[$0].reference) }),
            ]))
        }
    }
}
