import Crypto

/// The canonical encoding of an entry and the hash chain over it.
///
/// `h_0 = SHA-256("keel-ledger-v1")` (ASCII, no terminator) and
/// `h_i = SHA-256(h_{i-1} ‖ canonical(entry_i))`, where `canonical` is these 87 bytes,
/// all integers little-endian, unsigned:
///
/// | offset | size | field |
/// |---|---|---|
/// | 0 | 1 | kind: 0 single, 1 pending, 2 post, 3 void, 4 expire, 5 reversal |
/// | 1 | 2 | flags as submitted: linked 1, pending 2, post 4, void 8, balancing debit 16, balancing credit 32, closing debit 64, closing credit 128 |
/// | 3 | 16 | transfer id (0 for an expiry) |
/// | 19 | 2 | leg index within a multi-leg transfer (post/void/expire of a multi-leg hold: the hold's leg) |
/// | 21 | 4 | debit account number (accounts are numbered 1, 2, … in creation order) |
/// | 25 | 4 | credit account number |
/// | 29 | 16 | amount in minor units (post: the amount posted; void/expire: the amount released) |
/// | 45 | 16 | pending id (post/void/expire: the hold; reversal: the reversed transfer; else 0) |
/// | 61 | 4 | ledger (unit number) |
/// | 65 | 2 | code |
/// | 67 | 4 | timeout in seconds |
/// | 71 | 8 | timestamp in nanoseconds |
/// | 79 | 8 | user data |
///
/// With the 32-byte previous hash the message is 119 bytes, which SHA-256 pads into exactly
/// two blocks (the reason the layout has no spare fields). See `CANONICAL.md`.
enum Canonical {
    static let size = 87

    static func encode(_ e: Entry, into p: UnsafeMutableRawBufferPointer) {
        p.storeBytes(of: e.kind.rawValue, toByteOffset: 0, as: UInt8.self)
        p.storeBytes(of: e.flags.rawValue.littleEndian, toByteOffset: 1, as: UInt16.self)
        store128(e.id, p, 3)
        p.storeBytes(of: e.leg.littleEndian, toByteOffset: 19, as: UInt16.self)
        p.storeBytes(of: e.debit.raw.littleEndian, toByteOffset: 21, as: UInt32.self)
        p.storeBytes(of: e.credit.raw.littleEndian, toByteOffset: 25, as: UInt32.self)
        store128(e.amount, p, 29)
        store128(e.pendingID, p, 45)
        p.storeBytes(of: e.ledger.littleEndian, toByteOffset: 61, as: UInt32.self)
        p.storeBytes(of: e.code.littleEndian, toByteOffset: 65, as: UInt16.self)
        p.storeBytes(of: e.timeout.littleEndian, toByteOffset: 67, as: UInt32.self)
        p.storeBytes(of: e.timestamp.littleEndian, toByteOffset: 71, as: UInt64.self)
        p.storeBytes(of: e.userData.littleEndian, toByteOffset: 79, as: UInt64.self)
    }

    static func decode(_ p: UnsafeRawBufferPointer) -> Entry? {
        guard p.count == size, let kind = Entry.Kind(rawValue: p[0]) else { return nil }
        func u16(_ o: Int) -> UInt16 { UInt16(littleEndian: p.loadUnaligned(fromByteOffset: o, as: UInt16.self)) }
        func u32(_ o: Int) -> UInt32 { UInt32(littleEndian: p.loadUnaligned(fromByteOffset: o, as: UInt32.self)) }
        func u64(_ o: Int) -> UInt64 { UInt64(littleEndian: p.loadUnaligned(fromByteOffset: o, as: UInt64.self)) }
        func u128(_ o: Int) -> UInt128 { UInt128(u64(o + 8)) << 64 | UInt128(u64(o)) }
        return Entry(kind: kind, flags: TransferFlags(rawValue: u16(1)), id: u128(3), leg: u16(19),
                     debit: AccountID(u32(21)), credit: AccountID(u32(25)), amount: u128(29), pendingID: u128(45),
                     ledger: u32(61), code: u16(65), timeout: u32(67), timestamp: u64(71), userData: u64(79))
    }

    private static func store128(_ v: UInt128, _ p: UnsafeMutableRawBufferPointer, _ o: Int) {
        p.storeBytes(of: UInt64(truncatingIfNeeded: v).littleEndian, toByteOffset: o, as: UInt64.self)
        p.storeBytes(of: UInt64(truncatingIfNeeded: v >> 64).littleEndian, toByteOffset: o + 8, as: UInt64.self)
    }

    /// `SHA-256(previous ‖ canonical(entry))`, built in a stack buffer.
    static func chain(_ previous: Digest, _ e: Entry) -> Digest {
        withUnsafeTemporaryAllocation(byteCount: 32 + size, alignment: 8) { buffer in
            withUnsafeBytes(of: previous.words) { buffer.copyMemory(from: $0) }
            encode(e, into: UnsafeMutableRawBufferPointer(rebasing: buffer[32...]))
            var hasher = SHA256()
            hasher.update(bufferPointer: UnsafeRawBufferPointer(buffer))
            return Digest(hasher.finalize())
        }
    }
}
