// Little-endian binary encoding of commands (journal payloads) and snapshots.

/// What went wrong reading or writing a journal or snapshot.
public enum JournalError: Error, Equatable, CustomStringConvertible {
    /// A system call failed.
    case io(String)
    /// The journal is damaged at `offset` (not just a torn last record).
    case corrupt(offset: Int, String)
    /// The snapshot is unreadable or inconsistent.
    case badSnapshot(String)

    public var description: String {
        switch self {
        case .io(let detail): return "journal i/o: \(detail)"
        case .corrupt(let offset, let detail): return "journal corrupt at byte \(offset): \(detail)"
        case .badSnapshot(let detail): return "bad snapshot: \(detail)"
        }
    }
}

struct ByteWriter {
    var bytes: [UInt8] = []

    mutating func u8(_ value: UInt8) { bytes.append(value) }

    mutating func u32(_ value: UInt32) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func u64(_ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    mutating func i64(_ value: Int64) { u64(UInt64(bitPattern: value)) }

    mutating func string(_ value: String) {
        let utf8 = Array(value.utf8)
        u32(UInt32(utf8.count))
        bytes.append(contentsOf: utf8)
    }

    /// A command in the journal's layout.
    mutating func command(_ command: Command) {
        withUnsafeTemporaryAllocation(byteCount: CommandCodec.maxSize, alignment: 8) { scratch in
            guard let base = scratch.baseAddress else { return }
            let count = CommandCodec.encode(command, at: base)
            bytes.append(contentsOf: UnsafeRawBufferPointer(start: base, count: count))
        }
    }
}

/// Commands straight into raw memory, for the journal's hot path, in as few bytes as
/// the common case allows (26 for a plain limit order), since every byte is CRC'd,
/// copied to the kernel and written back. Layout, little-endian:
///
///   byte 0: kind (bits 0-1: 0 rejected at the edge, 1 new, 2 cancel, 3 modify); for new
///           orders also bit 2 sell,
///           bit 3 stop price follows, bit 4 display follows, bit 5 trader + mode follow
///   new:    type u8, id u64, price i64, quantity i64, [stop i64], [display i64],
///           [trader u32, self-trade mode u8]
///   cancel: id u64
///   modify: id u64, price i64, quantity i64
///   rejected at the edge (bit 2: it was a modify): id u64, reason u8
enum CommandCodec {
    static let maxSize = 47
    static let sellBit: UInt8 = 1 << 2, stopBit: UInt8 = 1 << 3, displayBit: UInt8 = 1 << 4, traderBit: UInt8 = 1 << 5

    @inline(__always)
    static func encode(_ command: Command, at base: UnsafeMutableRawPointer) -> Int {
        switch command {
        case .new(let order):
            var tag: UInt8 = 1
            if order.side == .sell { tag |= sellBit }
            base.storeBytes(of: order.type.rawValue, toByteOffset: 1, as: UInt8.self)
            base.storeBytes(of: order.id.littleEndian, toByteOffset: 2, as: UInt64.self)
            base.storeBytes(of: order.price.littleEndian, toByteOffset: 10, as: Int64.self)
            base.storeBytes(of: order.quantity.littleEndian, toByteOffset: 18, as: Int64.self)
            var size = 26
            if order.stopPrice != 0 {
                tag |= stopBit
                base.storeBytes(of: order.stopPrice.littleEndian, toByteOffset: size, as: Int64.self)
                size += 8
            }
            if order.display != 0 {
                tag |= displayBit
                base.storeBytes(of: order.display.littleEndian, toByteOffset: size, as: Int64.self)
                size += 8
            }
            if order.trader != 0 || order.selfTrade != .none {
                tag |= traderBit
                base.storeBytes(of: order.trader.littleEndian, toByteOffset: size, as: UInt32.self)
                base.storeBytes(of: order.selfTrade.rawValue, toByteOffset: size + 4, as: UInt8.self)
                size += 5
            }
            base.storeBytes(of: tag, as: UInt8.self)
            return size
        case .cancel(let id):
            base.storeBytes(of: 2, as: UInt8.self)
            base.storeBytes(of: id.littleEndian, toByteOffset: 1, as: UInt64.self)
            return 9
        case .modify(let id, let price, let quantity):
            base.storeBytes(of: 3, as: UInt8.self)
            base.storeBytes(of: id.littleEndian, toByteOffset: 1, as: UInt64.self)
            base.storeBytes(of: price.littleEndian, toByteOffset: 9, as: Int64.self)
            base.storeBytes(of: quantity.littleEndian, toByteOffset: 17, as: Int64.self)
            return 25
        case .rejectAtEdge(let id, let reason, let modifying):
            base.storeBytes(of: modifying ? sellBit : 0, as: UInt8.self)
            base.storeBytes(of: id.littleEndian, toByteOffset: 1, as: UInt64.self)
            base.storeBytes(of: reason.rawValue, toByteOffset: 9, as: UInt8.self)
            return 10
        }
    }
}

/// Reads from `bytes[start..<end]`; every failure names the absolute offset.
struct ByteReader {
    let bytes: UnsafeRawBufferPointer
    var offset: Int
    let end: Int

    init(_ bytes: UnsafeRawBufferPointer, from start: Int = 0, to end: Int? = nil) {
        self.bytes = bytes
        offset = start
        self.end = end ?? bytes.count
    }

    var remaining: Int { end - offset }

    private mutating func take(_ count: Int) throws(JournalError) -> Int {
        guard count <= end - offset else { throw .corrupt(offset: offset, "truncated value") }
        defer { offset += count }
        return offset
    }

    mutating func u8() throws(JournalError) -> UInt8 { bytes[try take(1)] }

    mutating func u32() throws(JournalError) -> UInt32 {
        UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: try take(4), as: UInt32.self))
    }

    mutating func u64() throws(JournalError) -> UInt64 {
        UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: try take(8), as: UInt64.self))
    }

    mutating func i64() throws(JournalError) -> Int64 { Int64(bitPattern: try u64()) }

    mutating func string() throws(JournalError) -> String {
        let count = Int(try u32())
        let start = try take(count)
        return String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<start + count]), as: UTF8.self)
    }

    mutating func side() throws(JournalError) -> Side {
        let at = offset
        guard let side = Side(rawValue: try u8()) else { throw .corrupt(offset: at, "bad side") }
        return side
    }

    mutating func selfTrade() throws(JournalError) -> SelfTradePrevention {
        let at = offset
        guard let mode = SelfTradePrevention(rawValue: try u8()) else { throw .corrupt(offset: at, "bad self-trade mode") }
        return mode
    }

    mutating func command() throws(JournalError) -> Command {
        let at = offset
        let tag = try u8()
        switch tag & 3 {
        case 1:
            guard tag >> 6 == 0 else { throw .corrupt(offset: at, "bad command tag") }
            return .new(try order(tag: tag))
        case 2 where tag == 2: return .cancel(id: try u64())
        case 3 where tag == 3:
            let id = try u64(), price = try i64()
            return .modify(id: id, price: price, quantity: try i64())
        case 0 where tag == 0 || tag == CommandCodec.sellBit:
            let id = try u64(), reasonAt = offset
            guard let reason = Reason(rawValue: try u8()) else { throw .corrupt(offset: reasonAt, "bad reason") }
            return .rejectAtEdge(id: id, reason: reason, modifying: tag != 0)
        default: throw .corrupt(offset: at, "bad command tag")
        }
    }

    private mutating func order(tag: UInt8) throws(JournalError) -> NewOrder {
        let at = offset
        guard let type = OrderType(rawValue: try u8()) else { throw .corrupt(offset: at, "bad order type") }
        let id = try u64(), price = try i64(), quantity = try i64()
        var order = NewOrder(id: id, side: tag & CommandCodec.sellBit != 0 ? .sell : .buy, type: type, price: price,
                             quantity: quantity)
        if tag & CommandCodec.stopBit != 0 { order.stopPrice = try i64() }
        if tag & CommandCodec.displayBit != 0 { order.display = try i64() }
        if tag & CommandCodec.traderBit != 0 {
            order.trader = try u32()
            order.selfTrade = try selfTrade()
        }
        return order
    }

}
