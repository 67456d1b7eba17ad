// Commands built before the book they go to is known (a script's `orders.limit(...)`):
// kept in word-sized decimals, and, for the common shapes, already converted for every
// grid they can meet at no cost, so a batch admits them by a compare and a copy.

/// A command with its prices and quantities as `DecimalWord`s, on no grid yet.
public enum DecimalCommand: Sendable, Equatable {
    case place(DecimalOrder)
    case cancel(UInt64)
    case modify(UInt64, DecimalWord, DecimalWord)

    /// The engine command on a book with `grid`; nil when a value needs the `Dec` path.
    @inlinable
    public func command(for grid: Grid) -> Command? {
        switch self {
        case .place(let order): return grid.command(for: order)
        case .cancel(let id): return .cancel(id: id)
        case .modify(let id, let price, let qty): return grid.modifyCommand(id: id, price: price, quantity: qty)
        }
    }
}

/// A `DecimalCommand` converted once: on a grid whose tick is `1E<p>` and lot `1E<q>`, a
/// price written at exponent `p` is its own tick count and a quantity at `q` its own lot
/// count. When every price of a command shares one exponent and every quantity another
/// (absent stops and displays being a plain `0`), and the conversion on that grid
/// accepts it, `command` is the engine command on every grid with those exponents
/// (`Grid.unitExponents`), and the decimals can be rebuilt from it exactly.
public struct PreparedCommand: Sendable, Equatable {
    public let command: Command
    /// `p` and `q` packed as in `Grid.unitExponents`; `anyGrid` for a cancel.
    public let exponents: UInt64

    /// No grid packs to this: a grid's unit exponents are real exponents (`|e| ≤ 10^9`)
    /// or `Int32.min`. Computed, since a stored global costs callers in other modules an
    /// initialisation check per read.
    @inlinable public static var anyGrid: UInt64 { pack(.max, .max) }

    @inlinable
    static func pack(_ price: Int32, _ quantity: Int32) -> UInt64 {
        UInt64(UInt32(bitPattern: price)) << 32 | UInt64(UInt32(bitPattern: quantity))
    }

    /// nil when `decimal` has none of the prepared shapes.
    public init?(_ decimal: DecimalCommand) {
        switch decimal {
        case .cancel(let id):
            command = .cancel(id: id)
            exponents = Self.anyGrid
        case .place(let order):
            let p = order.price.exponent, q = order.quantity.exponent
            // Only a stop-limit's conversion keeps a stop price; any other type's must be absent.
            let stopKept = order.type == .stopLimit ? Self.absentOrAt(order.stopPrice, p) : order.stopPrice == .zero
            guard order.type != .market && order.type != .stop, stopKept,
                  Self.absentOrAt(order.display, q), let command = Self.converted(decimal, p, q), case .new = command else {
                return nil
            }
            self.command = command
            exponents = Self.pack(p, q)
        case .modify(_, let price, let qty):
            guard qty.coefficient != 0, let command = Self.converted(decimal, price.exponent, qty.exponent),
                  case .modify = command else { return nil }
            self.command = command
            exponents = Self.pack(price.exponent, qty.exponent)
        }
    }

    /// The command this was prepared from.
    public var decimal: DecimalCommand {
        let p = Int32(truncatingIfNeeded: Int64(bitPattern: exponents >> 32)), q = Int32(truncatingIfNeeded: exponents)
        func word(_ units: Int64, _ exponent: Int32) -> DecimalWord {
            units == 0 ? DecimalWord.zero : DecimalWord(coefficient: UInt64(units), exponent: exponent, negative: false)
        }
        switch command {
        case .new(let o):
            return .place(DecimalOrder(id: o.id, side: o.side, type: o.type, price: word(o.price, p), quantity: word(o.quantity, q),
                                       stopPrice: word(o.stopPrice, p), display: word(o.display, q), trader: o.trader,
                                       selfTrade: o.selfTrade))
        case .cancel(let id):
            return .cancel(id)
        case .modify(let id, let price, let quantity):
            return .modify(id, word(price, p), word(quantity, q))
        case .rejectAtEdge:
            preconditionFailure("a prepared command is never a rejection")
        }
    }

    /// The engine command on `grid`, when this was prepared for it.
    @inlinable @inline(__always)
    public func command(on grid: Grid) -> Command? {
        exponents == grid.unitExponents || exponents == Self.anyGrid ? command : nil
    }

    /// The engine command on any grid: as prepared, or converted from its decimals; nil
    /// when a value needs the `Dec` path.
    public func command(for grid: Grid) -> Command? { command(on: grid) ?? decimal.command(for: grid) }

    /// A stop or display is either absent (a plain `0`, as the constructors default it) or
    /// written at the exponent its grid unit will have.
    private static func absentOrAt(_ value: DecimalWord, _ exponent: Int32) -> Bool {
        value == .zero || (value.coefficient != 0 && value.exponent == exponent)
    }

    private static func converted(_ decimal: DecimalCommand, _ p: Int32, _ q: Int32) -> Command? {
        decimal.command(for: Grid(unitTickExponent: p, unitLotExponent: q))
    }
}
