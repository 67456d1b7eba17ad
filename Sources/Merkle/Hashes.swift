import Crypto

/// The hash functions the engine uses. SHA-256 comes from swift-crypto; Keccak-256 is
/// implemented in `Keccak256`.
public enum Digest {
    /// SHA-256 of `data`.
    public static func sha256(_ data: some Sequence<UInt8>) -> Hash {
        var h = SHA256()
        let bytes = Array(data)
        h.update(data: bytes)
        return hash(h.finalize())
    }

    /// SHA-256 of raw bytes.
    public static func sha256(raw: UnsafeRawBufferPointer) -> Hash {
        var h = SHA256()
        h.update(bufferPointer: raw)
        return hash(h.finalize())
    }

    /// Double SHA-256: SHA-256(SHA-256(data)).
    public static func sha256d(_ data: some Sequence<UInt8>) -> Hash {
        let once = sha256(data)
        return once.withUnsafeBytes { sha256(raw: $0) }
    }

    /// Keccak-256 (Ethereum's original Keccak, pad 0x01), not NIST SHA3-256.
    public static func keccak256(_ data: some Sequence<UInt8>) -> Hash {
        Keccak256.hash(Array(data))
    }

    @inline(__always) static func hash(_ d: SHA256Digest) -> Hash {
        d.withUnsafeBytes { Hash(unchecked: $0) }
    }

    /// SHA-256(prefix ‖ a ‖ b) for two hashes, without heap allocation.
    @inline(__always) static func sha256(prefix: UInt8?, _ a: Hash, _ b: Hash) -> Hash {
        var h = SHA256()
        if var p = prefix { Swift.withUnsafeBytes(of: &p) { h.update(bufferPointer: $0) } }
        a.withUnsafeBytes { h.update(bufferPointer: $0) }
        b.withUnsafeBytes { h.update(bufferPointer: $0) }
        return hash(h.finalize())
    }

    /// SHA-256d(a ‖ b) for two hashes.
    @inline(__always) static func sha256d(_ a: Hash, _ b: Hash) -> Hash {
        let once = sha256(prefix: nil, a, b)
        return once.withUnsafeBytes { sha256(raw: $0) }
    }

    /// keccak256(a ‖ b) for two hashes.
    @inline(__always) static func keccak256(_ a: Hash, _ b: Hash) -> Hash {
        var buf = [UInt8](); buf.reserveCapacity(64)
        a.withUnsafeBytes { buf.append(contentsOf: $0) }
        b.withUnsafeBytes { buf.append(contentsOf: $0) }
        return Keccak256.hash(buf)
    }
}

/// Keccak-256 as used by Ethereum: Keccak-f[1600], rate 136 bytes, capacity 512 bits,
/// multi-rate padding with domain byte 0x01 (SHA3-256 would use 0x06).
public enum Keccak256 {
    private static let roundConstants: [UInt64] = [
        0x0000000000000001, 0x0000000000008082, 0x800000000000808A, 0x8000000080008000,
        0x000000000000808B, 0x0000000080000001, 0x8000000080008081, 0x8000000000008009,
        0x000000000000008A, 0x0000000000000088, 0x0000000080008009, 0x000000008000000A,
        0x000000008000808B, 0x800000000000008B, 0x8000000000008089, 0x8000000000008003,
        0x8000000000008002, 0x8000000000000080, 0x000000000000800A, 0x800000008000000A,
        0x8000000080008081, 0x8000000000008080, 0x0000000080000001, 0x8000000080008008,
    ]
    // Rotation offsets r[x + 5y].
    private static let rotations: [UInt64] = [
        0, 1, 62, 28, 27,
        36, 44, 6, 55, 20,
        3, 10, 43, 25, 39,
        41, 45, 15, 21, 8,
        18, 2, 61, 56, 14,
    ]
    static let rate = 136

    @inline(__always) private static func rotl(_ x: UInt64, _ n: UInt64) -> UInt64 {
        n == 0 ? x : (x << n) | (x >> (64 - n))
    }

    static func permute(_ a: inout [UInt64]) {
        var b = [UInt64](repeating: 0, count: 25)
        var c = [UInt64](repeating: 0, count: 5)
        for round in 0..<24 {
            // θ
            for x in 0..<5 { c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20] }
            for x in 0..<5 {
                let d = c[(x + 4) % 5] ^ rotl(c[(x + 1) % 5], 1)
                for y in 0..<5 { a[x + 5 * y] ^= d }
            }
            // ρ and π: B[y, 2x+3y] = rot(A[x, y], r[x, y])
            for x in 0..<5 {
                for y in 0..<5 {
                    b[y + 5 * ((2 * x + 3 * y) % 5)] = rotl(a[x + 5 * y], rotations[x + 5 * y])
                }
            }
            // χ
            for y in 0..<5 {
                for x in 0..<5 {
                    a[x + 5 * y] = b[x + 5 * y] ^ (~b[(x + 1) % 5 + 5 * y] & b[(x + 2) % 5 + 5 * y])
                }
            }
            // ι
            a[0] ^= roundConstants[round]
        }
    }

    /// Keccak-256 of `message`.
    public static func hash(_ message: [UInt8]) -> Hash {
        var state = [UInt64](repeating: 0, count: 25)
        var padded = message
        padded.append(0x01)
        while padded.count % rate != 0 { padded.append(0) }
        padded[padded.count - 1] |= 0x80
        var offset = 0
        while offset < padded.count {
            for i in 0..<(rate / 8) {
                var lane: UInt64 = 0
                for j in 0..<8 { lane |= UInt64(padded[offset + 8 * i + j]) << (8 * UInt64(j)) }
                state[i] ^= lane
            }
            permute(&state)
            offset += rate
        }
        var out = [UInt8](); out.reserveCapacity(32)
        for i in 0..<4 {
            for j in 0..<8 { out.append(UInt8(truncatingIfNeeded: state[i] >> (8 * UInt64(j)))) }
        }
        return out.withUnsafeBytes { Hash(unchecked: $0) }
    }
}
