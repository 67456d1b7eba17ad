// Commands whose decimal price or quantity cannot be admitted (off the tick or lot grid,
// out of range) never reach the matching loop, but they follow the same precedence of
// checks as the others: a duplicate id (new orders) or an unknown id (modifies) first.

extension OrderBook {
    func rejectAtEdge(_ id: UInt64, _ reason: Reason, modifying: Bool, into events: inout [Event]) {
        guard modifying else { return reject(id, seen.insert(id) ? reason : .duplicateId, into: &events) }
        if orders.find(id) >= 0 { return reject(id, reason, into: &events) }
        reject(id, stops.contains(id) ? .notModifiable : .unknownId, into: &events)
    }
}
