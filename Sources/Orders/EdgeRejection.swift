// Commands whose decimal price or quantity cannot be admitted (off the tick or lot grid,
// out of range) never reach the matching loop, but they are still commands: they are
// counted, and they follow the same precedence of checks as `submit`.

extension OrderBook {
    /// Rejects a new order at the decimal edge. Its id is burned like any rejected order's,
    /// and a duplicate id is reported first, as `submit` does.
    public func rejectNew(_ id: UInt64, _ reason: Reason, into events: inout [Event]) {
        commandCount += 1
        reject(id, seen.insert(id) ? reason : .duplicateId, into: &events)
    }

    /// Rejects a modify at the decimal edge; an unknown id is reported first, as `submit` does.
    public func rejectModify(_ id: UInt64, _ reason: Reason, into events: inout [Event]) {
        commandCount += 1
        if index.find(id, in: pool) >= 0 { return reject(id, reason, into: &events) }
        reject(id, stops.contains { $0.id == id } ? .notModifiable : .unknownId, into: &events)
    }
}
