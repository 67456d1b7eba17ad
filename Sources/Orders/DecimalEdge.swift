import Money

// The only place decimals meet the engine: admission converts exact `Dec` prices and
// quantities to ticks and lots, reporting converts back. Nothing here runs per fill.

extension OrderBook {
    /// Ticks for `price`: `bad_price` unless 0 < price ≤ maxPrice ticks, `off_tick`
    /// unless it is a whole multiple of the tick.
    public func ticks(forPrice price: Dec) throws(Reason) -> Int64 {
        if price.isZero || price.isNegative { throw .badPrice }
        return try Self.units(price, per: tick, offGrid: .offTick, outOfRange: .badPrice, max: Limits.maxPrice)
    }

    /// Lots for `quantity`: `bad_quantity` unless 0 < quantity ≤ maxQuantity lots,
    /// `off_lot` unless it is a whole multiple of the lot.
    public func lots(forQuantity quantity: Dec) throws(Reason) -> Int64 {
        if quantity.isZero || quantity.isNegative { throw .badQuantity }
        return try Self.units(quantity, per: lot, offGrid: .offLot, outOfRange: .badQuantity, max: Limits.maxQuantity)
    }

    /// A new order from decimal price and quantity (the form a CSV or script gives), with
    /// the specific rejection when either is off the grid or out of range. `price` is
    /// ignored (may be nil) for `market` and `stop`; `stopPrice` is needed by both stop
    /// types; `display` (iceberg) must be a whole number of lots too.
    public func newOrder(id: UInt64, side: Side, type: OrderType = .limit, price: Dec?, quantity: Dec,
                         stopPrice: Dec? = nil, display: Dec? = nil, trader: UInt32 = 0,
                         selfTrade: SelfTradePrevention = .none) throws(Reason) -> NewOrder {
        let lots = try lots(forQuantity: quantity)
        var ticks: Int64 = 0, stopTicks: Int64 = 0, displayLots: Int64 = 0
        if type != .market && type != .stop {
            guard let price else { throw .badPrice }
            ticks = try self.ticks(forPrice: price)
        }
        if type == .stop || type == .stopLimit {
            guard let stopPrice else { throw .badPrice }
            stopTicks = try self.ticks(forPrice: stopPrice)
        }
        if let display { displayLots = try self.lots(forQuantity: display) }
        return NewOrder(id: id, side: side, type: type, price: ticks, quantity: lots, stopPrice: stopTicks,
                        display: displayLots, trader: trader, selfTrade: selfTrade)
    }

    /// A modify from decimal price and new open quantity (0 cancels).
    public func modifyCommand(id: UInt64, price: Dec, quantity: Dec) throws(Reason) -> Command {
        let lots: Int64 = quantity.isZero ? 0 : try self.lots(forQuantity: quantity)
        return .modify(id: id, price: try ticks(forPrice: price), quantity: lots)
    }

    /// `ticks × tick`, exact.
    public func price(ofTicks ticks: Int64) -> Dec { Self.scaled(ticks, by: tick) }

    /// `lots × lot`, exact.
    public func quantity(ofLots lots: Int64) -> Dec { Self.scaled(lots, by: lot) }

    /// `value / unit` when it is a whole number in 1...max.
    private static func units(_ value: Dec, per unit: Dec, offGrid: Reason, outOfRange: Reason,
                              max: Int64) throws(Reason) -> Int64 {
        // Anything this far above the limit cannot be in range; spares the division work.
        if value.adjustedExponent - unit.adjustedExponent > 20 { throw outOfRange }
        let count: Int
        do {
            guard try value.remainder(dividingBy: unit).isZero else { throw offGrid }
            count = try value.dividedToInteger(by: unit).toInt()
        } catch let error as Reason {
            throw error
        } catch {
            throw outOfRange
        }
        guard count > 0 && Int64(count) <= max else { throw count <= 0 ? offGrid : outOfRange }
        return Int64(count)
    }

    private static func scaled(_ units: Int64, by unit: Dec) -> Dec {
        // Products of an Int64 and a tick or lot are far inside Dec's limits.
        (try? Dec(Int(units)).multiplying(unit)) ?? Dec(0)
    }
}
