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

/// Commands straight into raw memory, for the journal's hot path. Layout: a tag byte
/// (1 new, 2 cancel, 3 modify), then the fields in declaration order, little-endian.
enum CommandCodec {
    static let maxSize = 48

    @inline(__always)
    static func encode(_ command: Command, at base: UnsafeMutableRawPointer) -> Int {
        switch command {
        case .new(let order):
            base.storeBytes(of: 1, as: UInt8.self)
            base.storeBytes(of: order.id.littleEndian, toByteOffset: 1, as: UInt64.self)
            base.storeBytes(of: order.side.rawValue, toByteOffset: 9, as: UInt8.self)
            base.storeBytes(of: order.type.rawValue, toByteOffset: 10, as: UInt8.self)
            base.storeBytes(of: order.price.littleEndian, toByteOffset: 11, as: Int64.self)
            base.storeBytes(of: order.quantity.littleEndian, toByteOffset: 19, as: Int64.self)
            base.storeBytes(of: order.stopPrice.littleEndian, toByteOffset: 27, as: Int64.self)
            base.storeBytes(of: order.display.littleEndian, toByteOffset: 35, as: Int64.self)
            base.storeBytes(of: order.trader.littleEndian, toByteOffset: 43, as: UInt32.self)
            base.storeBytes(of: order.selfTrade.rawValue, toByteOffset: 47, as: UInt8.self)
            return 48
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

    mutating func order() throws(JournalError) -> NewOrder {
        let id = try u64()
        let side = try side()
        let at = offset
        guard let type = OrderType(rawValue: try u8()) else { throw .corrupt(offset: at, "bad order type") }
        let price = try i64(), quantity = try i64(), stopPrice = try i64(), display = try i64()
        let trader = try u32()
        return NewOrder(id: id, side: side, type: type, price: price, quantity: quantity, stopPrice: stopPrice,
                        display: display, trader: trader, selfTrade: try selfTrade())
    }

    mutating func command() throws(JournalError) -> Command {
        let at = offset
        switch try u8() {
        case 1: return .new(try order())
        case 2: return .cancel(id: try u64())
        case 3:
            let id = try u64(), price = try i64()
            return .modify(id: id, price: price, quantity: try i64())
        default: throw .corrupt(offset: at, "bad command tag")
        }
    }
}
