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
        if let count = wordUnits(value, per: unit) {
            guard count != 0 else { throw offGrid }
            guard count > 0 && count <= max else { throw outOfRange }
            return count
        }
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

    /// `value / unit` for positive word-sized decimals, without GMP: 0 when it is not a
    /// whole number, -1 when it is out of Int64 range; nil when the fast path cannot tell.
    @inline(__always)
    private static func wordUnits(_ value: Dec, per unit: Dec) -> Int64? {
        guard let (c1, e1) = value.wordParts, let (c2, e2) = unit.wordParts, c2 != 0, !value.isSignMinus else { return nil }
        var numerator = c1, denominator = c2
        let shift = e1 - e2
        if shift >= 0 {
            guard shift < 20, let scaled = multiplied(c1, byPowerOfTen: shift) else { return nil }
            numerator = scaled
        } else {
            guard -shift < 20, let scaled = multiplied(c2, byPowerOfTen: -shift) else { return nil }
            denominator = scaled
        }
        guard numerator % denominator == 0 else { return 0 }
        let quotient = numerator / denominator
        return quotient > UInt64(Int64.max) ? -1 : Int64(quotient)
    }

    private static let powersOfTen: [UInt64] = (0..<20).map { (0..<$0).reduce(UInt64(1)) { p, _ in p * 10 } }

    @inline(__always)
    private static func multiplied(_ x: UInt64, byPowerOfTen n: Int) -> UInt64? {
        let (product, overflow) = x.multipliedReportingOverflow(by: powersOfTen[n])
        return overflow ? nil : product
    }

    private static func scaled(_ units: Int64, by unit: Dec) -> Dec {
        // Products of an Int64 and a tick or lot are far inside Dec's limits.
        (try? Dec(Int(units)).multiplying(unit)) ?? Dec(0)
    }
}
