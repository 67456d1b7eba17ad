// The engine's value types. Everything inside the book is in integer ticks (price) and
// lots (quantity); `Dec` appears only in `DecimalEdge.swift`.

public enum Side: UInt8, Sendable, CaseIterable {
    case buy = 0, sell = 1

    public var opposite: Side { self == .buy ? .sell : .buy }
    public var name: String { self == .buy ? "buy" : "sell" }
}

/// How a new order treats the book.
public enum OrderType: UInt8, Sendable, CaseIterable {
    /// Good-till-cancelled limit: matches up to its price, the rest rests.
    case limit = 0
    /// Immediate-or-cancel: matches up to its price, the rest is cancelled.
    case ioc = 1
    /// Fill-or-kill: fills entirely within its price or is rejected untouched.
    case fok = 2
    /// Rests only: rejected (`would_take`) if it would match on arrival.
    case postOnly = 3
    /// IOC without a price cap (`price` is ignored).
    case market = 4
    /// Waits until the last trade reaches `stopPrice`, then runs as `market`.
    case stop = 5
    /// Waits until the last trade reaches `stopPrice`, then runs as `limit` at `price`.
    case stopLimit = 6

    public var name: String {
        switch self {
        case .limit: return "limit"
        case .ioc: return "ioc"
        case .fok: return "fok"
        case .postOnly: return "post_only"
        case .market: return "market"
        case .stop: return "stop"
        case .stopLimit: return "stop_limit"
        }
    }
}

/// Self-trade prevention, applied when taker and maker carry the same non-zero trader
/// id. The taker's mode decides. A cancelled taker residual never rests.
public enum SelfTradePrevention: UInt8, Sendable, CaseIterable {
    case none = 0
    case cancelTaker = 1
    case cancelMaker = 2
    case cancelBoth = 3
}

/// Why a command was rejected or an order cancelled. `name` is the stable wire name.
///
/// Model: `rejected` means the command changed nothing in the book (the order id is still
/// burned); `cancelled` means an accepted order left the book, with one of the last four
/// reasons. FOK that cannot fill and post-only that would take are *rejections*.
public enum Reason: UInt8, Error, Sendable, CaseIterable {
    case none = 0
    case duplicateId, unknownId, offTick, offLot, badQuantity, badPrice
    case wouldTake, fokUnfilled, selfTrade, bookFull, notModifiable
    /// Cancelled by a cancel command or a modify to quantity 0.
    case requested
    /// The unfilled rest of an IOC, market or triggered stop (market) order.
    case unfilled

    public var name: String {
        switch self {
        case .none: return "none"
        case .duplicateId: return "duplicate_id"
        case .unknownId: return "unknown_id"
        case .offTick: return "off_tick"
        case .offLot: return "off_lot"
        case .badQuantity: return "bad_quantity"
        case .badPrice: return "bad_price"
        case .wouldTake: return "would_take"
        case .fokUnfilled: return "fok_unfilled"
        case .selfTrade: return "self_trade"
        case .bookFull: return "book_full"
        case .notModifiable: return "not_modifiable"
        case .requested: return "requested"
        case .unfilled: return "unfilled"
        }
    }
}

/// A new order in ticks and lots.
public struct NewOrder: Equatable, Hashable, Sendable {
    public var id: UInt64
    public var side: Side
    public var type: OrderType
    /// Limit price in ticks (ignored for `market` and `stop`).
    public var price: Int64
    /// Quantity in lots.
    public var quantity: Int64
    /// Trigger price in ticks for `stop` and `stopLimit`; otherwise ignored.
    public var stopPrice: Int64
    /// Iceberg display quantity in lots (0: fully displayed), at most `Limits.maxDisplay`.
    /// Only `limit` and `postOnly`.
    public var display: Int64
    /// 0: no trader, so no self-trade prevention.
    public var trader: UInt32
    public var selfTrade: SelfTradePrevention

    public init(id: UInt64, side: Side, type: OrderType = .limit, price: Int64, quantity: Int64,
                stopPrice: Int64 = 0, display: Int64 = 0, trader: UInt32 = 0,
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

public enum Command: Equatable, Hashable, Sendable {
    case new(NewOrder)
    case cancel(id: UInt64)
    /// `quantity` is the new open quantity (0 cancels). Same price with a smaller or equal
    /// quantity keeps time priority; anything else re-queues the order as GTC at the back
    /// of its new level, matching first if it now crosses.
    case modify(id: UInt64, price: Int64, quantity: Int64)
    /// A new order (or, with `modifying`, a modify) whose decimal price or quantity could
    /// not be admitted (`DecimalEdge`). It is still a command: journaled, counted, and
    /// checked in the same order as the others, so its id is burned and replay is identical.
    case rejectAtEdge(id: UInt64, reason: Reason, modifying: Bool)

    /// The order the command places, cancels or modifies.
    public var id: UInt64 {
        switch self {
        case .new(let order): return order.id
        case .cancel(let id), .modify(let id, _, _), .rejectAtEdge(let id, _, _): return id
        }
    }
}

public enum EventKind: UInt8, Sendable, CaseIterable {
    case accepted = 0, rejected, trade, cancelled, triggered, modified

    public var name: String {
        switch self {
        case .accepted: return "accepted"
        case .rejected: return "rejected"
        case .trade: return "trade"
        case .cancelled: return "cancelled"
        case .triggered: return "triggered"
        case .modified: return "modified"
        }
    }
}

/// One engine event; a flat struct so a reusable `[Event]` buffer never allocates.
///
/// | kind      | id            | maker    | price               | quantity          | sequence  | reason |
/// |-----------|---------------|----------|---------------------|-------------------|-----------|--------|
/// | accepted  | order         | 0        | limit (0 market)    | order quantity    | 0         | none   |
/// | rejected  | command's id  | 0        | 0                   | 0                 | 0         | why    |
/// | trade     | taker         | maker    | maker's price       | filled lots       | trade seq | none   |
/// | cancelled | order         | 0        | order price         | open lots removed | 0         | why    |
/// | triggered | stop order    | 0        | last trade price    | order quantity    | 0         | none   |
/// | modified  | order         | 0        | new price           | new quantity      | 0         | none   |
public struct Event: Equatable, Hashable, Sendable, CustomStringConvertible {
    public var kind: EventKind
    public var reason: Reason
    public var id: UInt64
    public var maker: UInt64
    public var price: Int64
    public var quantity: Int64
    /// Trade sequence number (1, 2, …, per book); 0 for other events.
    public var sequence: UInt64

    public init(kind: EventKind, id: UInt64, maker: UInt64 = 0, price: Int64 = 0, quantity: Int64 = 0,
                sequence: UInt64 = 0, reason: Reason = .none) {
        self.kind = kind
        self.reason = reason
        self.id = id
        self.maker = maker
        self.price = price
        self.quantity = quantity
        self.sequence = sequence
    }

    public var description: String {
        switch kind {
        case .trade: return "trade #\(sequence) \(id)x\(maker) \(quantity)@\(price)"
        case .rejected: return "rejected \(id) \(reason.name)"
        case .cancelled: return "cancelled \(id) \(quantity)@\(price) \(reason.name)"
        default: return "\(kind.name) \(id) \(quantity)@\(price)"
        }
    }
}

/// One price level of L2 depth.
public struct DepthLevel: Equatable, Sendable {
    public var price: Int64
    /// Displayed lots (iceberg reserves excluded).
    public var quantity: Int64
    public var orders: Int

    public init(price: Int64, quantity: Int64, orders: Int) {
        self.price = price
        self.quantity = quantity
        self.orders = orders
    }
}

public struct Depth: Equatable, Sendable {
    /// Best (highest) first.
    public var bids: [DepthLevel]
    /// Best (lowest) first.
    public var asks: [DepthLevel]

    public init(bids: [DepthLevel], asks: [DepthLevel]) {
        self.bids = bids
        self.asks = asks
    }
}

/// One resting order (L3).
public struct RestingOrder: Equatable, Sendable {
    public var id: UInt64
    public var side: Side
    public var price: Int64
    /// Open lots, iceberg reserve included.
    public var quantity: Int64
    /// Displayed lots.
    public var visible: Int64
    public var display: Int64
    public var trader: UInt32
    public var selfTrade: SelfTradePrevention

    public init(id: UInt64, side: Side, price: Int64, quantity: Int64, visible: Int64, display: Int64 = 0,
                trader: UInt32 = 0, selfTrade: SelfTradePrevention = .none) {
        self.id = id
        self.side = side
        self.price = price
        self.quantity = quantity
        self.visible = visible
        self.display = display
        self.trader = trader
        self.selfTrade = selfTrade
    }
}

/// Input bounds that keep every sum inside Int64: at most 2^22 orders of at most 2^40
/// lots each, at prices of at most 2^53 ticks; iceberg display sizes fit 32 bits.
/// Computed rather than stored: a stored global read from another module goes through
/// a lazy-initialisation call, which the binding's conversion loop would pay per command.
public enum Limits {
    @inlinable public static var maxQuantity: Int64 { 1 << 40 }
    @inlinable public static var maxDisplay: Int64 { Int64(Int32.max) }
    @inlinable public static var maxPrice: Int64 { 1 << 53 }
    @inlinable public static var maxCapacity: Int { 1 << 22 }
}
