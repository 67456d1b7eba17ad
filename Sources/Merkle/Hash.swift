/// A 32-byte hash value. Stored inline as four 64-bit words (no heap allocation); the words hold
/// the bytes in memory order, so `withUnsafeBytes` exposes the 32 bytes directly.
public struct Hash: Hashable, Sendable, Comparable, CustomStringConvertible, CustomDebugStringConvertible {
    @usableFromInline typealias Words = (UInt64, UInt64, UInt64, UInt64)
    @usableFromInline var words: Words

    /// Number of bytes in a hash.
    public static let byteCount = 32

    /// The all-zero hash.
    public static let zero = Hash(words: (0, 0, 0, 0))

    @inlinable init(words: Words) { self.words = words }

    /// Builds a hash from exactly 32 bytes.
    public init(bytes: some Collection<UInt8>) throws {
        guard bytes.count == Hash.byteCount else {
            throw MerkleError.wrongHashLength(got: bytes.count, want: Hash.byteCount)
        }
        var w: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        Swift.withUnsafeMutableBytes(of: &w) { dst in
            var i = 0
            for b in bytes { dst[i] = b; i += 1 }
        }
        self.words = w
    }

    /// Builds a hash from 32 raw bytes; the caller guarantees `raw.count == 32`.
    @inlinable init(unchecked raw: UnsafeRawBufferPointer) {
        precondition(raw.count == 32)
        var w: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        Swift.withUnsafeMutableBytes(of: &w) { dst in dst.copyMemory(from: raw) }
        self.words = w
    }

    /// Parses 64 hex digits (either case), optionally prefixed by `0x`/`0X`.
    /// Throws `MerkleError.malformedHex` or `MerkleError.wrongHashLength`.
    public init(hex: String) throws {
        let bytes = try Hex.decode(hex)
        try self.init(bytes: bytes)
    }

    /// The 32 bytes, in order.
    public var bytes: [UInt8] {
        withUnsafeBytes { Array($0) }
    }

    /// Calls `body` with the 32 bytes of the hash.
    @inlinable public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        var w = words
        return try Swift.withUnsafeBytes(of: &w, body)
    }

    /// The hash with its bytes in reverse order (Bitcoin "display" order <-> internal order).
    public var byteReversed: Hash {
        Hash(words: (words.3.byteSwapped, words.2.byteSwapped, words.1.byteSwapped, words.0.byteSwapped))
    }

    /// Lowercase hex, 64 characters, no prefix.
    public var description: String { withUnsafeBytes { Hex.encode($0) } }
    public var debugDescription: String { "Hash(\(description))" }

    public static func == (a: Hash, b: Hash) -> Bool {
        a.words.0 == b.words.0 && a.words.1 == b.words.1 && a.words.2 == b.words.2 && a.words.3 == b.words.3
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(words.0); hasher.combine(words.1); hasher.combine(words.2); hasher.combine(words.3)
    }

    /// Unsigned lexicographic byte order (as used by sorted-pair hashing).
    public static func < (a: Hash, b: Hash) -> Bool {
        let a0 = UInt64(bigEndian: a.words.0), b0 = UInt64(bigEndian: b.words.0)
        if a0 != b0 { return a0 < b0 }
        let a1 = UInt64(bigEndian: a.words.1), b1 = UInt64(bigEndian: b.words.1)
        if a1 != b1 { return a1 < b1 }
        let a2 = UInt64(bigEndian: a.words.2), b2 = UInt64(bigEndian: b.words.2)
        if a2 != b2 { return a2 < b2 }
        return UInt64(bigEndian: a.words.3) < UInt64(bigEndian: b.words.3)
    }
}

/// Hex encoding helpers.
public enum Hex {
    /// Lowercase hex of `bytes`, no prefix.
    @inlinable public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(2 * bytes.underestimatedCount)
        for b in bytes {
            out.append(digit(b >> 4))
            out.append(digit(b & 15))
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// ASCII for one nibble: arithmetic rather than a table lookup, so no global is touched.
    @inlinable static func digit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") - 10 + nibble
    }

    /// Decodes hex (either case, optional `0x` prefix, even length). Throws `MerkleError.malformedHex`.
    public static func decode(_ text: String) throws -> [UInt8] {
        var utf8 = text
        guard let bytes = utf8.withUTF8(decode(utf8:)) else { throw MerkleError.malformedHex(text) }
        return bytes
    }

    /// Parses straight from the string's UTF-8 storage; nil when malformed.
    private static func decode(utf8 u: UnsafeBufferPointer<UInt8>) -> [UInt8]? {
        let hasPrefix = u.count >= 2 && u[0] == UInt8(ascii: "0") && (u[1] == UInt8(ascii: "x") || u[1] == UInt8(ascii: "X"))
        var i = hasPrefix ? 2 : 0
        guard (u.count - i) % 2 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity((u.count - i) / 2)
        while i < u.count {
            guard let hi = nibble(u[i]), let lo = nibble(u[i + 1]) else { return nil }
            out.append(hi << 4 | lo)
            i += 2
        }
        return out
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
