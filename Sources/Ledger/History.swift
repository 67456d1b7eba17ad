/// Balances as of any entry, in O(log n): each account keeps the indexes of the
/// entries that touched it and a snapshot of its balance after every 16th touch;
/// a query binary-searches the touches and replays at most 15 entries.
/// Writes do not maintain the index: the first query after writes brings it up to date
/// (O(new entries)), which keeps two scattered appends per entry off the write path.
struct History {
    static let stride = 16
    var touches: [[Int32]] = []
    var snapshots: [[Balance]] = []
    var running: [Balance] = []
    var indexed = 0

    mutating func addAccount() {
        touches.append([])
        snapshots.append([])
        running.append(Balance())
    }

    mutating func catchUp(_ entries: [Entry], to end: Int, held: (Entry) -> UInt128) {
        while indexed < end {
            let e = entries[indexed]
            let h = e.resolvesHold ? held(e) : 0
            let d = e.debit.index, c = e.credit.index
            e.apply(held: h, toDebitSide: &running[d])
            touch(d, indexed)
            e.apply(held: h, toCreditSide: &running[c])
            touch(c, indexed)
            indexed += 1
        }
    }

    private mutating func touch(_ account: Int, _ index: Int) {
        touches[account].append(Int32(index))
        if touches[account].count % Self.stride == 0 { snapshots[account].append(running[account]) }
    }

    /// The balance of `account` after entries `0...index`.
    func balance(_ account: Int, through index: Int, entries: [Entry], held: (Entry) -> UInt128) -> Balance {
        let list = touches[account]
        var lo = 0, hi = list.count   // first touch with entry index > `index`
        while lo < hi {
            let mid = (lo + hi) / 2
            if Int(list[mid]) <= index { lo = mid + 1 } else { hi = mid }
        }
        let base = lo / Self.stride
        var b = base == 0 ? Balance() : snapshots[account][base - 1]
        for k in (base * Self.stride)..<lo {
            let e = entries[Int(list[k])]
            let h = e.resolvesHold ? held(e) : 0
            if e.debit.index == account { e.apply(held: h, toDebitSide: &b) } else { e.apply(held: h, toCreditSide: &b) }
        }
        return b
    }
}

/// A binary min-heap of hold deadlines.
struct DeadlineHeap {
    private var items: [(deadline: UInt64, entry: Int)] = []

    var min: (UInt64, Int)? { items.first.map { ($0.deadline, $0.entry) } }

    mutating func insert(_ deadline: UInt64, _ entry: Int) {
        items.append((deadline, entry))
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            guard items[i].deadline < items[parent].deadline else { break }
            items.swapAt(i, parent)
            i = parent
        }
    }

    mutating func removeMin() {
        guard !items.isEmpty else { return }
        items.swapAt(0, items.count - 1)
        items.removeLast()
        var i = 0
        while true {
            let l = 2 * i + 1, r = l + 1
            var m = i
            if l < items.count && items[l].deadline < items[m].deadline { m = l }
            if r < items.count && items[r].deadline < items[m].deadline { m = r }
            if m == i { return }
            items.swapAt(i, m)
            i = m
        }
    }
}

extension Ledger {
    /// The balance of `account` just after entry `index` (before any entry if `index < 0`).
    public func balance(_ account: AccountID, asOfEntry index: Int) -> Balance? {
        guard account.raw >= 1, account.index < accounts.count else { return nil }
        history.catchUp(entries, to: sealedCount, held: held(by:))
        return history.balance(account.index, through: min(index, sealedCount - 1), entries: entries, held: held(by:))
    }

    /// The balance of `account` after every entry with timestamp `<= time` (nanoseconds).
    public func balance(_ account: AccountID, asOfTime time: UInt64) -> Balance? {
        var lo = 0, hi = sealedCount
        while lo < hi {
            let mid = (lo + hi) / 2
            if entries[mid].timestamp <= time { lo = mid + 1 } else { hi = mid }
        }
        return balance(account, asOfEntry: lo - 1)
    }

    /// The index of the first entry transfer `id` wrote, if it exists (O(1)).
    public func entryIndex(of id: UInt128) -> Int? { ids[id].map(Int.init) }

    /// The chain hash of entry `index`, once sealed (nil for a ledger without the chain).
    public func hash(ofEntry index: Int) -> Digest? {
        options.chain && index >= 0 && index < min(sealedCount, hashes.count) ? hashes[index] : nil
    }

    /// The hash of the last entry (the genesis for an empty journal).
    public var chainHead: Digest { hashes.last ?? .genesis }

    /// Recomputes the hash chain from the genesis over every entry and compares it with
    /// the stored hashes; throws `chainBroken(entry:)` naming the first entry that differs.
    @discardableResult
    public func verify() throws(LedgerError) -> Digest {
        var head = Digest.genesis
        let checked = options.chain
        for i in 0..<sealedCount {
            head = Canonical.chain(head, entries[i])
            if checked && head != hashes[i] { throw .chainBroken(entry: i) }
        }
        return head
    }
}
