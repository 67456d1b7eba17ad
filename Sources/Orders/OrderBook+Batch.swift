import COrdersSupport

// Batches: while command i runs, the cache lines that commands i+4…i+12 will need are
// requested, in three stages since each address depends on the previous line: the id's
// hash bucket (i+12), then the order slot it names (i+8), then the slot's queue
// neighbours and the target level's tail (i+4). With 100,000 resting orders most
// commands otherwise wait on three or four misses in a row.

extension OrderBook {
    static let lookahead = (bucket: 12, order: 8, neighbours: 4)

    /// Applies `commands` in order, appending their events: the same events as calling
    /// `submit(_:into:)` for each, faster on large books.
    public func submit(contentsOf commands: UnsafeBufferPointer<Command>, into events: inout [Event]) {
        let count = commands.count
        // Small books stay in cache; warming would only add work.
        let warms = capacity >= 16_384
        for position in 0..<count {
            if warms {
                if position + Self.lookahead.bucket < count { warmBucket(commands[position + Self.lookahead.bucket]) }
                if position + Self.lookahead.order < count { warmOrder(commands[position + Self.lookahead.order]) }
                if position + Self.lookahead.neighbours < count {
                    warmNeighbours(commands[position + Self.lookahead.neighbours])
                }
            }
            submit(commands[position], into: &events)
        }
    }

    public func submit(contentsOf commands: [Command], into events: inout [Event]) {
        commands.withUnsafeBufferPointer { submit(contentsOf: $0, into: &events) }
    }

    @inline(__always)
    private func warmBucket(_ command: Command) {
        switch command {
        case .new(let order): orders_prefetch(index.homeBucket(of: order.id))
        case .cancel(let id), .modify(let id, _, _), .rejectAtEdge(let id, _, _): orders_prefetch(index.homeBucket(of: id))
        }
    }

    @inline(__always)
    private func warmOrder(_ command: Command) {
        switch command {
        case .new, .rejectAtEdge: break
        case .cancel(let id), .modify(let id, _, _):
            let slot = index.likelySlot(of: id)
            if slot >= 0 { orders_prefetch(pool + Int(slot)) }
        }
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
        let slot = index.find(id, in: pool)
        guard slot >= 0 else { return slot }
        let order = pool[Int(slot)]
        if order.prev >= 0 { orders_prefetch(pool + Int(order.prev)) }
        if order.next >= 0 { orders_prefetch(pool + Int(order.next)) }
        return slot
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
