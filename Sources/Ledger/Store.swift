import CSQLite
import Money

/// SQLite persistence (WAL, `synchronous=FULL`): accounts, the journal (canonical bytes and
/// hash per entry) and burnt ids. One SQLite transaction per batch, committed before the
/// batch is acknowledged.
final class Store {
    private var db: OpaquePointer?
    private var insertEntry: OpaquePointer?
    private var insertFailure: OpaquePointer?
    private var insertRate: OpaquePointer?

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    init(path: String) throws(Failure) {
        guard sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nil)
            == SQLITE_OK else {
            let message = db.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open \(path)"
            sqlite3_close(db)
            throw Failure(description: message)
        }
        // Exclusive locking: one Ledger writes a file at a time (another process or another
        // Ledger on the same file is refused as busy instead of diverging from it), and WAL
        // then needs no shared-memory file.
        try exec("""
            PRAGMA locking_mode=EXCLUSIVE;
            PRAGMA journal_mode=WAL;
            PRAGMA synchronous=FULL;
            CREATE TABLE IF NOT EXISTS accounts(id INTEGER PRIMARY KEY, name TEXT NOT NULL, unit TEXT NOT NULL,
                minor INTEGER NOT NULL, ledger INTEGER NOT NULL, code INTEGER NOT NULL, limits TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS entries(idx INTEGER PRIMARY KEY, body BLOB NOT NULL, hash BLOB NOT NULL);
            CREATE TABLE IF NOT EXISTS failures(id BLOB PRIMARY KEY, code TEXT NOT NULL);
            CREATE TABLE IF NOT EXISTS rates(id BLOB PRIMARY KEY, name TEXT NOT NULL, numerator TEXT NOT NULL,
                denominator TEXT NOT NULL, from_exchange INTEGER NOT NULL, to_exchange INTEGER NOT NULL);
            """)
        insertEntry = try prepare("INSERT INTO entries(idx, body, hash) VALUES (?, ?, ?)")
        insertFailure = try prepare("INSERT OR IGNORE INTO failures(id, code) VALUES (?, ?)")
        insertRate = try prepare("""
            INSERT OR IGNORE INTO rates(id, name, numerator, denominator, from_exchange, to_exchange)
            VALUES (?, ?, ?, ?, ?, ?)
            """)
    }

    deinit {
        sqlite3_finalize(insertEntry)
        sqlite3_finalize(insertFailure)
        sqlite3_finalize(insertRate)
        sqlite3_close(db)
    }

    private func exec(_ sql: String) throws(Failure) {
        guard sqlite3_exec(db, sql, nil, nil, nil) == SQLITE_OK else { throw error() }
    }

    private func prepare(_ sql: String) throws(Failure) -> OpaquePointer? {
        var statement: OpaquePointer?
        guard sqlite3_prepare_v2(db, sql, -1, &statement, nil) == SQLITE_OK else { throw error() }
        return statement
    }

    private func error() -> Failure {
        Failure(description: String(cString: sqlite3_errmsg(db)))
    }

    private func step(_ statement: OpaquePointer?) throws(Failure) {
        let rc = sqlite3_step(statement)
        sqlite3_reset(statement)
        guard rc == SQLITE_DONE else { throw error() }
    }

    func insertAccount(_ a: Account, id: AccountID) throws(Failure) {
        let statement = try prepare("""
            INSERT INTO accounts(id, name, unit, minor, ledger, code, limits) VALUES (?, ?, ?, ?, ?, ?, ?)
            """)
        defer { sqlite3_finalize(statement) }
        sqlite3_bind_int64(statement, 1, Int64(id.raw))
        sqlite3_bind_text(statement, 2, a.name, -1, Self.transient)
        sqlite3_bind_text(statement, 3, a.unit.code, -1, Self.transient)
        sqlite3_bind_int64(statement, 4, Int64(a.unit.minorUnits))
        sqlite3_bind_int64(statement, 5, Int64(a.ledger))
        sqlite3_bind_int64(statement, 6, Int64(a.code))
        sqlite3_bind_text(statement, 7, LimitText.encode(a.limits), -1, Self.transient)
        try step(statement)
    }

    func commit(entries: ArraySlice<Entry>, hashes: ArraySlice<Digest>, failures: [(UInt128, ResultCode)],
                rates: [(UInt128, Rate)]) throws(Failure) {
        guard !entries.isEmpty || !failures.isEmpty || !rates.isEmpty else { return }
        try exec("BEGIN IMMEDIATE")
        do {
            var body = [UInt8](repeating: 0, count: Canonical.size)
            for i in entries.indices {
                body.withUnsafeMutableBytes { Canonical.encode(entries[i], into: $0) }
                sqlite3_bind_int64(insertEntry, 1, Int64(i))
                sqlite3_bind_blob(insertEntry, 2, body, Int32(body.count), Self.transient)
                let hash = hashes[i].bytes
                sqlite3_bind_blob(insertEntry, 3, hash, 32, Self.transient)
                try step(insertEntry)
            }
            for (id, code) in failures {
                let key = Self.key(id)
                sqlite3_bind_blob(insertFailure, 1, key, 16, Self.transient)
                sqlite3_bind_text(insertFailure, 2, code.rawValue, -1, Self.transient)
                try step(insertFailure)
            }
            for (id, rate) in rates {
                let key = Self.key(id)
                sqlite3_bind_blob(insertRate, 1, key, 16, Self.transient)
                sqlite3_bind_text(insertRate, 2, rate.name, -1, Self.transient)
                sqlite3_bind_text(insertRate, 3, String(rate.numerator), -1, Self.transient)
                sqlite3_bind_text(insertRate, 4, String(rate.denominator), -1, Self.transient)
                sqlite3_bind_int64(insertRate, 5, Int64(rate.fromExchange.raw))
                sqlite3_bind_int64(insertRate, 6, Int64(rate.toExchange.raw))
                try step(insertRate)
            }
            try exec("COMMIT")
        } catch {
            sqlite3_exec(db, "ROLLBACK", nil, nil, nil)
            throw error
        }
    }

    private static func key(_ id: UInt128) -> [UInt8] {
        withUnsafeBytes(of: id.littleEndian) { Array($0) }
    }

    private static func id(_ key: [UInt8]) -> UInt128? {
        key.count == 16 ? key.withUnsafeBytes { UInt128(littleEndian: $0.loadUnaligned(as: UInt128.self)) } : nil
    }

    struct Contents {
        var accounts: [Account] = []
        var entries: [(body: [UInt8], hash: [UInt8])] = []
        var failures: [(UInt128, String)] = []
        var rates: [(UInt128, Rate)] = []
    }

    func load() throws(Failure) -> Contents {
        var out = Contents()
        try query("SELECT name, unit, minor, ledger, code, limits FROM accounts ORDER BY id") { s in
            out.accounts.append(Account(
                name: Self.text(s, 0), unit: Currency(code: Self.text(s, 1), minorUnits: Int(sqlite3_column_int64(s, 2))),
                ledger: UInt32(truncatingIfNeeded: sqlite3_column_int64(s, 3)),
                code: UInt16(truncatingIfNeeded: sqlite3_column_int64(s, 4)), limits: LimitText.decode(Self.text(s, 5))))
        }
        try query("SELECT idx, body, hash FROM entries ORDER BY idx") { s in
            out.entries.append((Self.blob(s, 1), Self.blob(s, 2)))
        }
        try query("SELECT id, code FROM failures") { s in
            if let id = Self.id(Self.blob(s, 0)) { out.failures.append((id, Self.text(s, 1))) }
        }
        try query("SELECT id, name, numerator, denominator, from_exchange, to_exchange FROM rates") { s in
            guard let id = Self.id(Self.blob(s, 0)), let n = UInt128(Self.text(s, 2)), let d = UInt128(Self.text(s, 3))
            else { return }
            out.rates.append((id, Rate(name: Self.text(s, 1), numerator: n, denominator: d,
                                       fromExchange: AccountID(UInt32(truncatingIfNeeded: sqlite3_column_int64(s, 4))),
                                       toExchange: AccountID(UInt32(truncatingIfNeeded: sqlite3_column_int64(s, 5))))))
        }
        return out
    }

    private func query(_ sql: String, _ row: (OpaquePointer?) -> Void) throws(Failure) {
        let statement = try prepare(sql)
        defer { sqlite3_finalize(statement) }
        while true {
            let rc = sqlite3_step(statement)
            if rc == SQLITE_DONE { return }
            guard rc == SQLITE_ROW else { throw error() }
            row(statement)
        }
    }

    private static func text(_ s: OpaquePointer?, _ column: Int32) -> String {
        sqlite3_column_text(s, column).map { String(cString: $0) } ?? ""
    }

    private static func blob(_ s: OpaquePointer?, _ column: Int32) -> [UInt8] {
        let count = Int(sqlite3_column_bytes(s, column))
        guard count > 0, let p = sqlite3_column_blob(s, column) else { return [] }
        return Array(UnsafeRawBufferPointer(start: p, count: count))
    }

    /// SQLite copies the bound bytes (its `SQLITE_TRANSIENT`, a macro Swift cannot import).
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
}

/// Limits as text in the accounts table: `min:-100;max:0`.
enum LimitText {
    static func encode(_ limits: [Limit]) -> String {
        limits.map { limit -> String in
            switch limit {
            case .noOverdraft: return "min:0"
            case .overdraftUpTo(let x): return "overdraft:\(x)"
            case .minBalance(let x): return "min:\(x)"
            case .maxBalance(let x): return "max:\(x)"
            }
        }.joined(separator: ";")
    }

    static func decode(_ text: String) -> [Limit] {
        text.split(separator: ";").compactMap { part -> Limit? in
            let pieces = part.split(separator: ":", maxSplits: 1)
            guard pieces.count == 2 else { return nil }
            switch pieces[0] {
            case "overdraft": return UInt128(pieces[1]).map { .overdraftUpTo($0) }
            case "min": return Int128(pieces[1]).map { .minBalance($0) }
            case "max": return Int128(pieces[1]).map { .maxBalance($0) }
            default: return nil
            }
        }
    }
}

extension Ledger {
    /// Opens (or creates) a ledger stored in the SQLite file at `path`. The journal is
    /// replayed and its hash chain checked against the stored hashes: a tampered file
    /// throws `chainBroken(entry:)` naming the first bad entry.
    public convenience init(path: String, clock: Clock = .system) throws(LedgerError) {
        self.init(options: Options(chain: true, clock: clock))
        let store: Store
        let contents: Store.Contents
        do {
            store = try Store(path: path)
            contents = try store.load()
        } catch {
            throw .storage(error.description)
        }
        for account in contents.accounts {
            try checkNew(account)
            addAccount(account)
        }
        try replay(contents.entries)
        for (id, name) in contents.failures {
            if let code = ResultCode(rawValue: name) { failed[id] = code }
        }
        for (id, rate) in contents.rates { rates[id] = rate }
        self.store = store
    }

    private func replay(_ rows: [(body: [UInt8], hash: [UInt8])]) throws(LedgerError) {
        var head = Digest.genesis
        for (i, row) in rows.enumerated() {
            guard let e = row.body.withUnsafeBytes({ Canonical.decode($0) }), let stored = Digest(bytes: row.hash),
                  e.debit.raw >= 1, e.debit.index < accounts.count, e.credit.raw >= 1, e.credit.index < accounts.count,
                  e.timestamp > lastTimestamp || i == 0 else {
                throw .chainBroken(entry: i)
            }
            head = Canonical.chain(head, e)
            guard head == stored else { throw .chainBroken(entry: i) }
            lastTimestamp = e.timestamp
            append(e, held: held(by: e))
            restoreState(after: e, at: i)
        }
        try seal()
    }

    /// Rebuilds hold states, reversal marks and closed accounts from a replayed entry.
    private func restoreState(after e: Entry, at index: Int) {
        if e.kind == .pending {
            if e.flags.contains(.closingDebit) { closed[e.debit.index] = true }
            if e.flags.contains(.closingCredit) { closed[e.credit.index] = true }
        }
        guard e.kind != .single && e.kind != .pending, let first = ids[e.pendingID].map(Int.init) else { return }
        let target = e.kind == .reversal ? first : first + Int(e.leg)
        guard target < holds.count else { return }
        switch e.kind {
        case .post: settle(hold: target, as: .posted)
        case .void: settle(hold: target, as: .voided)
        case .expire: settle(hold: target, as: .expired)
        case .reversal: holds[target].reversed = true
        case .single, .pending: break
        }
    }
}
