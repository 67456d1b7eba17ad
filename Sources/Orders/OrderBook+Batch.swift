import COrdersSupport

// Batches: while command i runs, the cache lines that commands i+4 and i+8 will need are
// requested, in two stages since the second stage's addresses depend on the first's
// lines: the slots where the id's search starts (i+8), then the queue neighbours of the
// order found there, those of the order after it in the table (which moves into its slot
// when it leaves), and the tail of the level a new or moved order joins (i+4). With
// 100,000 resting orders most commands otherwise wait on two or three misses in a row.

/// Sees each command of a batch finish.
public protocol BatchObserver {
    mutating func finished(_ position: Int, events: inout [Event])
}

/// The observer of a plain batch call: compiles away.
public struct Unobserved: BatchObserver {
    @inline(__always) public mutating func finished(_ position: Int, events: inout [Event]) {}
}

extension OrderBook {
    static let lookahead = (home: 8, neighbours: 4)

    /// Applies `commands` in order, appending their events: the same events as calling
    /// `submit(_:into:)` for each, faster on large books.
    public func submit(contentsOf commands: UnsafeBufferPointer<Command>, into events: inout [Event]) {
        if let serviceTimes {
            var timed = serviceTimes.observer()
            submit(contentsOf: commands, into: &events, observer: &timed)
            serviceTimes.finish(timed)
        } else {
            var unobserved = Unobserved()
            submit(contentsOf: commands, into: &events, observer: &unobserved)
        }
    }

    /// As `submit(contentsOf:into:)`, telling `observer` as each command finishes (with
    /// its events appended), for measuring per-command service time in the stream.
    @inline(__always)
    public func submit<Observer: BatchObserver>(contentsOf commands: UnsafeBufferPointer<Command>,
                                                into events: inout [Event], observer: inout Observer) {
        let count = commands.count
        // Small books stay in cache; warming would only add work.
        let warms = orders.room >= 16_384
        for position in 0..<count {
            if warms {
                if position + Self.lookahead.home < count { warmHome(commands[position + Self.lookahead.home]) }
                if position + Self.lookahead.neighbours < count {
                    warmNeighbours(commands[position + Self.lookahead.neighbours])
                }
            }
            submit(commands[position], into: &events)
            observer.finished(position, events: &events)
        }
    }

    public func submit(contentsOf commands: [Command], into events: inout [Event]) {
        commands.withUnsafeBufferPointer { submit(contentsOf: $0, into: &events) }
    }

    @inline(__always)
    private func warmHome(_ command: Command) {
        let id: UInt64
        switch command {
        case .new(let order): id = order.id
        case .cancel(let target), .modify(let target, _, _), .rejectAtEdge(let target, _, _): id = target
        }
        // A search or an insertion goes on from the home to the run's end, a few slots
        // at the table's load: the home's line and the next one or two cover slots
        // home...home+3 (two 32-byte slots to a line).
        let home = orders.home(id)
        orders_prefetch(pool + home)
        orders_prefetch(pool + orders.wrapped(home + 1))
        orders_prefetch(pool + orders.wrapped(home + 3))
    }

    @inline(__always)
    private func warmNeighbours(_ command: Command) {
        switch command {
        case .new(let order):
            if order.type == .limit || order.type == .postOnly { warmTail(order.side, order.price) }
        case .cancel(let id):
            warmQueueNeighbours(of: id)
        case .modify(let id, let price, _):
            let slot = warmQueueNeighbours(of: id)
            if slot >= 0 { warmTail(pool[Int(slot)].side, price) }
        case .rejectAtEdge:
            break
        }
    }

    @inline(__always)
    @discardableResult
    private func warmQueueNeighbours(of id: UInt64) -> Int32 {
        let slot = orders.find(id)
        guard slot >= 0 else { return slot }
        warmLinks(of: pool[Int(slot)])
        // Removing the order shifts the run after it back by one, starting with the next
        // slot's order, whose neighbours then take its new slot number.
        let following = orders.wrapped(Int(slot) + 1)
        orders_prefetch(pool + orders.wrapped(Int(slot) + 2))
        if pool[following].isOccupied { warmLinks(of: pool[following]) }
        return slot
    }

    @inline(__always)
    private func warmLinks(of order: Slot) {
        if order.prev >= 0 { orders_prefetch(pool + Int(order.prev)) }
        if order.next >= 0 { orders_prefetch(pool + Int(order.next)) }
    }

    /// The slot a new order at `price` will be linked behind.
    @inline(__always)
    private func warmTail(_ side: Side, _ price: Int64) {
        let ladder = ladders + Int(side.rawValue)
        let handle = ladder.pointee.find(Self.key(side, price))
        guard handle >= 0 else { return }
        let tail = ladder.pointee.level(handle).pointee.tail
        if tail >= 0 { orders_prefetch(pool + Int(tail)) }
    }
}
