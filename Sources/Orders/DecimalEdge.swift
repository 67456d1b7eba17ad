import Money

// The only place decimals meet the engine: admission converts exact `Dec` prices and
// quantities to ticks and lots, reporting converts back. Nothing here runs per fill.

/// A decimal whose coefficient fits a word, `±coefficient × 10^exponent`: the form the
/// orders binding keeps inside the command values it builds, so admission does no `Dec` work.
public struct DecimalWord: Sendable, Equatable {
    public let coefficient: UInt64
    public let exponent: Int32
    /// The sign bit (set on `-0` too, as in `Dec`).
    public let negative: Bool

    /// nil for a value held in GMP.
    public init?(_ value: Dec) {
        guard let (coefficient, exponent) = value.wordParts, let narrow = Int32(exactly: exponent) else { return nil }
        self.coefficient = coefficient
        self.exponent = narrow
        negative = value.isSignMinus
    }

    public init(coefficient: UInt64, exponent: Int32, negative: Bool) {
        self.coefficient = coefficient
        self.exponent = exponent
        self.negative = negative
    }

    /// A plain `0`, as `Dec(0)`.
    public static let zero = DecimalWord(coefficient: 0, exponent: 0, negative: false)

    /// The `Dec` this was made from.
    public var dec: Dec { Dec(wordCoefficient: coefficient, exponent: Int(exponent), signMinus: negative) }
}

/// A new order with its price and quantities as `DecimalWord`s (zero `stopPrice` or
/// `display` when it has none), not yet on any book's grid.
public struct DecimalOrder: Sendable, Equatable {
    public var id: UInt64
    public var price: DecimalWord, quantity: DecimalWord, stopPrice: DecimalWord, display: DecimalWord
    public var trader: UInt32
    public var side: Side
    public var type: OrderType
    public var selfTrade: SelfTradePrevention

    /// nil when a decimal is held in GMP.
    public init?(id: UInt64, side: Side, type: OrderType, price: Dec, quantity: Dec, stopPrice: Dec, display: Dec,
                 trader: UInt32 = 0, selfTrade: SelfTradePrevention = .none) {
        guard let price = DecimalWord(price), let quantity = DecimalWord(quantity), let stopPrice = DecimalWord(stopPrice),
              let display = DecimalWord(display) else { return nil }
        self.init(id: id, side: side, type: type, price: price, quantity: quantity, stopPrice: stopPrice, display: display,
                  trader: trader, selfTrade: selfTrade)
    }

    public init(id: UInt64, side: Side, type: OrderType, price: DecimalWord, quantity: DecimalWord,
                stopPrice: DecimalWord = .zero, display: DecimalWord = .zero, trader: UInt32 = 0,
                selfTrade: SelfTradePrevention = .none) {
        self.id = id
        self.side = side
        self.type = type
        self.price = price
        self.quantity = quantity
        self.stopPrice = stopPrice
        self.display = display
        self.trader = trader
        self.selfTrade = selfTrade
    }
}

/// A book's tick and lot as words: all the integer conversion path reads, so a command
/// converted for one grid holds on any book with an equal grid. nil parts are held in
/// GMP, and everything on them goes the `Dec` way.
public struct Grid: Equatable, Sendable {
    public let tick: DecimalWord?
    public let lot: DecimalWord?
    /// The exponents of a tick and a lot of the form `1E<e>` (0.01, 1, 100), packed as
    /// `PreparedCommand.exponents` are, with `Int32.min` for a unit of any other form:
    /// commands prepared at these exponents hold on this grid as they are.
    public let unitExponents: UInt64

    public init(tick: Dec, lot: Dec) {
        self.init(tick: DecimalWord(tick), lot: DecimalWord(lot))
    }

    /// The grid of tick `1E<unitTickExponent>` and lot `1E<unitLotExponent>`.
    init(unitTickExponent: Int32, unitLotExponent: Int32) {
        self.init(tick: DecimalWord(coefficient: 1, exponent: unitTickExponent, negative: false),
                  lot: DecimalWord(coefficient: 1, exponent: unitLotExponent, negative: false))
    }

    private init(tick: DecimalWord?, lot: DecimalWord?) {
        self.tick = tick
        self.lot = lot
        unitExponents = PreparedCommand.pack(Self.unitExponent(tick), Self.unitExponent(lot))
    }

    private static func unitExponent(_ unit: DecimalWord?) -> Int32 {
        guard let unit, unit.coefficient == 1, !unit.negative else { return .min }
        return unit.exponent
    }

    /// `units` ticks as `price(ofTicks:)` prints, without making a `Dec`; nil unless the
    /// tick is `1E-p` (0.01, 1), whose multiples print as the units with `p` decimals.
    public func priceText(ofTicks units: Int64) -> String? {
        var text: [UInt8] = []
        return appendPriceText(ofTicks: units, to: &text) ? String(decoding: text, as: UTF8.self) : nil
    }

    /// `units` lots as `quantity(ofLots:)` prints; nil unless the lot is `1E-p`.
    public func quantityText(ofLots units: Int64) -> String? {
        var text: [UInt8] = []
        return appendQuantityText(ofLots: units, to: &text) ? String(decoding: text, as: UTF8.self) : nil
    }

    /// Appends `priceText(ofTicks:)`'s UTF-8 to `text`; false, appending nothing, where that is nil.
    public func appendPriceText(ofTicks units: Int64, to text: inout [UInt8]) -> Bool {
        Self.appendPlainText(units, unit: tick, to: &text)
    }

    /// Appends `quantityText(ofLots:)`'s UTF-8 to `text`; false, appending nothing, where that is nil.
    public func appendQuantityText(ofLots units: Int64, to text: inout [UInt8]) -> Bool {
        Self.appendPlainText(units, unit: lot, to: &text)
    }

    private static func appendPlainText(_ units: Int64, unit: DecimalWord?, to text: inout [UInt8]) -> Bool {
        let places = -Int(unitExponent(unit))
        guard places >= 0 && places <= 18 else { return false }
        // Written from the right end of a buffer: 19 digits, 18 padding zeros, a point and
        // a sign at most.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 41) { buffer in
            var magnitude = units.magnitude, end = 41, written = 0
            repeat {
                end -= 1
                buffer[end] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                written += 1
                if written == places {
                    end -= 1
                    buffer[end] = UInt8(ascii: ".")
                }
            } while magnitude > 0 || written <= places
            if units < 0 {
                end -= 1
                buffer[end] = UInt8(ascii: "-")
            }
            text.append(contentsOf: UnsafeMutableBufferPointer(rebasing: buffer[end..<41]))
        }
        return true
    }

    // The `OrderBook` conversions from word-sized parts, with the same rejections in the
    // same order; nil where only the `Dec` path can decide (then use it with the `Dec`s).

    @inlinable
    public func ticks(forPrice price: DecimalWord) throws(Reason) -> Int64? {
        if price.coefficient == 0 || price.negative { throw .badPrice }
        guard let tick else { return nil }
        return try Self.units(price, per: tick, offGrid: .offTick, outOfRange: .badPrice, max: Limits.maxPrice)
    }

    @inlinable
    public func lots(forQuantity quantity: DecimalWord) throws(Reason) -> Int64? {
        if quantity.coefficient == 0 || quantity.negative { throw .badQuantity }
        guard let lot else { return nil }
        return try Self.units(quantity, per: lot, offGrid: .offLot, outOfRange: .badQuantity, max: Limits.maxQuantity)
    }

    /// The command for a new order given in word-sized decimals: `.new`, or
    /// `.rejectAtEdge` with the reason `newOrder` would throw; nil when a value needs the
    /// `Dec` path to decide. Inlinable so a caller's loop reads the order in place.
    @inlinable
    public func command(for order: DecimalOrder) -> Command? {
        do throws(Reason) {
            guard let lots = try lots(forQuantity: order.quantity) else { return nil }
            var ticks: Int64 = 0, stopTicks: Int64 = 0, displayLots: Int64 = 0
            if order.type != .market && order.type != .stop {
                guard let converted = try self.ticks(forPrice: order.price) else { return nil }
                ticks = converted
            }
            if order.type == .stop || order.type == .stopLimit {
                guard let converted = try self.ticks(forPrice: order.stopPrice) else { return nil }
                stopTicks = converted
            }
            if order.display.coefficient != 0 {
                guard let converted = try self.lots(forQuantity: order.display) else { return nil }
                displayLots = converted
            }
            return .new(NewOrder(id: order.id, side: order.side, type: order.type, price: ticks, quantity: lots,
                                 stopPrice: stopTicks, display: displayLots, trader: order.trader, selfTrade: order.selfTrade))
        } catch {
            return .rejectAtEdge(id: order.id, reason: error, modifying: false)
        }
    }

    /// The command for a modify given in word-sized decimals, as `modifyCommand` gives
    /// it or `.rejectAtEdge`; nil when a value needs the `Dec` path to decide.
    @inlinable
    public func modifyCommand(id: UInt64, price: DecimalWord, quantity: DecimalWord) -> Command? {
        do throws(Reason) {
            var lots: Int64 = 0
            if quantity.coefficient != 0 {
                guard let converted = try self.lots(forQuantity: quantity) else { return nil }
                lots = converted
            }
            guard let ticks = try ticks(forPrice: price) else { return nil }
            return .modify(id: id, price: ticks, quantity: lots)
        } catch {
            return .rejectAtEdge(id: id, reason: error, modifying: true)
        }
    }

    /// `units` for a positive word-sized value; nil when the `Dec` path must decide.
    @inlinable
    static func units(_ value: DecimalWord, per unit: DecimalWord, offGrid: Reason, outOfRange: Reason,
                              max: Int64) throws(Reason) -> Int64? {
        guard let count = wordUnits(value.coefficient, Int(value.exponent), per: unit.coefficient, Int(unit.exponent)) else {
            return nil
        }
        guard count != 0 else { throw offGrid }
        guard count > 0 && count <= max else { throw outOfRange }
        return count
    }

    @inlinable
    static func wordUnits(_ c1: UInt64, _ e1: Int, per c2: UInt64, _ e2: Int) -> Int64? {
        guard c2 != 0 else { return nil }
        var numerator = c1, denominator = c2
        let shift = e1 - e2
        if shift > 0 {
            guard shift < 20, let scaled = multiplied(c1, byPowerOfTen: shift) else { return nil }
            numerator = scaled
        } else if shift < 0 {
            guard -shift < 20, let scaled = multiplied(c2, byPowerOfTen: -shift) else { return nil }
            denominator = scaled
        }
        // Ticks and lots are mostly powers of ten (coefficient 1): no division then.
        let quotient: UInt64
        if denominator == 1 {
            quotient = numerator
        } else {
            guard numerator % denominator == 0 else { return 0 }
            quotient = numerator / denominator
        }
        return quotient > UInt64(Int64.max) ? -1 : Int64(quotient)
    }

    /// `x × 10^n`, nil on overflow; a loop rather than a table, which as a global would
    /// cost a lazy-initialisation check on every conversion.
    @inlinable
    static func multiplied(_ x: UInt64, byPowerOfTen n: Int) -> UInt64? {
        var product = x
        for _ in 0..<n {
            let (next, overflow) = product.multipliedReportingOverflow(by: 10)
            if overflow { return nil }
            product = next
        }
        return product
    }
}

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
        guard let (c1, e1) = value.wordParts, !value.isSignMinus, let (c2, e2) = unit.wordParts else { return nil }
        return Grid.wordUnits(c1, e1, per: c2, e2)
    }

    private static func scaled(_ units: Int64, by unit: Dec) -> Dec {
        // Products of an Int64 and a tick or lot are far inside Dec's limits.
        (try? Dec(Int(units)).multiplying(unit)) ?? Dec(0)
    }
}
