import Crypto

/// The hash functions the engine uses. SHA-256 comes from swift-crypto; Keccak-256 is
/// implemented in `Keccak256`. Contiguous inputs are hashed in place; fixed-size inputs (tree
/// nodes) are laid out in a stack buffer so each hash is a single `update` with no array of ours.
/// The generic entry points are inlinable shells over concrete raw-buffer functions, so a caller
/// in another module gets them specialized for its sequence type.
public enum Digest {
    /// SHA-256 of `data`.
    @inlinable public static func sha256(_ data: some Sequence<UInt8>) -> Hash {
        withContiguousBytes(data) { sha256(raw: $0) }
    }

    /// SHA-256 of raw bytes.
    public static func sha256(raw: UnsafeRawBufferPointer) -> Hash {
        var h = SHA256()
        h.update(bufferPointer: raw)
        return hash(h.finalize())
    }

    /// Double SHA-256: SHA-256(SHA-256(data)).
    @inlinable public static func sha256d(_ data: some Sequence<UInt8>) -> Hash {
        sha256(hash: sha256(data))
    }

    /// Keccak-256 (Ethereum's original Keccak, pad 0x01), not NIST SHA3-256.
    @inlinable public static func keccak256(_ data: some Sequence<UInt8>) -> Hash {
        withContiguousBytes(data) { Keccak256.hash(raw: $0) }
    }

    /// Calls `body` with the bytes of `data`, copying only when `data` is not contiguous.
    @inlinable static func withContiguousBytes<R>(_ data: some Sequence<UInt8>,
                                                  _ body: (UnsafeRawBufferPointer) -> R) -> R {
        if let r = data.withContiguousStorageIfAvailable({ body(UnsafeRawBufferPointer($0)) }) { return r }
        return Array(data).withUnsafeBytes(body)
    }

    @inline(__always) static func hash(_ d: SHA256Digest) -> Hash {
        d.withUnsafeBytes { Hash(unchecked: $0) }
    }

    /// SHA-256 of one hash's 32 bytes.
    @usableFromInline static func sha256(hash h: Hash) -> Hash {
        h.withUnsafeBytes { sha256(raw: $0) }
    }

    /// SHA-256(prefix ‖ data): one-byte domain prefix, as RFC 6962 leaves use. Short data is
    /// copied behind the prefix in a stack buffer, so the hash is one `update` call.
    @usableFromInline static func sha256(prefix: UInt8, raw data: UnsafeRawBufferPointer) -> Hash {
        guard data.count < 512 else {
            var h = SHA256()
            Swift.withUnsafeBytes(of: prefix) { h.update(bufferPointer: $0) }
            h.update(bufferPointer: data)
            return hash(h.finalize())
        }
        return withUnsafeTemporaryAllocation(byteCount: data.count + 1, alignment: 8) { buf in
            buf[0] = prefix
            UnsafeMutableRawBufferPointer(rebasing: buf[1...]).copyMemory(from: data)
            return sha256(raw: UnsafeRawBufferPointer(buf))
        }
    }

    /// SHA-256(prefix ‖ a ‖ b) for two hashes, from a 65-byte stack buffer.
    @inline(__always) static func sha256(prefix: UInt8, _ a: Hash, _ b: Hash) -> Hash {
        withUnsafeTemporaryAllocation(byteCount: 65, alignment: 8) { buf in
            buf.storeBytes(of: prefix, toByteOffset: 0, as: UInt8.self)
            buf.storeBytes(of: a.words, toByteOffset: 1, as: Hash.Words.self)
            buf.storeBytes(of: b.words, toByteOffset: 33, as: Hash.Words.self)
            return sha256(raw: UnsafeRawBufferPointer(buf))
        }
    }

    /// SHA-256d(a ‖ b) for two hashes.
    @inline(__always) static func sha256d(_ a: Hash, _ b: Hash) -> Hash {
        var pair = (a.words, b.words)
        return sha256(hash: Swift.withUnsafeBytes(of: &pair) { sha256(raw: $0) })
    }

    /// keccak256(a ‖ b) for two hashes.
    @inline(__always) static func keccak256(_ a: Hash, _ b: Hash) -> Hash {
        var pair = (a.words, b.words)
        return Swift.withUnsafeBytes(of: &pair) { Keccak256.hash(raw: $0) }
    }
}

/// Keccak-256 as used by Ethereum: Keccak-f[1600], rate 136 bytes, capacity 512 bits,
/// multi-rate padding with domain byte 0x01 (SHA3-256 would use 0x06).
///
/// The state is 25 lanes in a tuple, and the permutation works on 25 local variables with every
/// step unrolled, so it runs in registers and stack slots with no heap allocation or bounds checks.
public enum Keccak256 {
    static let rate = 136

    /// The 25 lanes, `lane[x + 5y]`, each little-endian.
    typealias State = (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
                       UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
                       UInt64, UInt64, UInt64, UInt64, UInt64)

    private static let roundConstants: [UInt64] = [
        0x0000000000000001, 0x0000000000008082, 0x800000000000808A, 0x8000000080008000,
        0x000000000000808B, 0x0000000080000001, 0x8000000080008081, 0x8000000000008009,
        0x000000000000008A, 0x0000000000000088, 0x0000000080008009, 0x000000008000000A,
        0x000000008000808B, 0x800000000000008B, 0x8000000000008089, 0x8000000000008003,
        0x8000000000008002, 0x8000000000000080, 0x000000000000800A, 0x800000008000000A,
        0x8000000080008081, 0x8000000000008080, 0x0000000080000001, 0x8000000080008008,
    ]

    /// Keccak-256 of `message`.
    public static func hash(_ message: [UInt8]) -> Hash {
        message.withUnsafeBytes { hash(raw: $0) }
    }

    /// Keccak-256 of raw bytes.
    public static func hash(raw message: UnsafeRawBufferPointer) -> Hash {
        var state: State = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var offset = 0
        while message.count - offset >= rate {
            absorb(&state, UnsafeRawBufferPointer(rebasing: message[offset..<(offset + rate)]))
            offset += rate
        }
        absorbLast(&state, UnsafeRawBufferPointer(rebasing: message[offset...]))
        return Hash(words: (state.0.littleEndian, state.1.littleEndian, state.2.littleEndian, state.3.littleEndian))
    }

    /// XORs one `rate`-byte block into the first 17 lanes, then permutes.
    @inline(__always) private static func absorb(_ state: inout State, _ block: UnsafeRawBufferPointer) {
        Swift.withUnsafeMutableBytes(of: &state) { lanes in
            for i in stride(from: 0, to: rate, by: 8) {
                xor(lanes, at: i, UInt64(littleEndian: block.loadUnaligned(fromByteOffset: i, as: UInt64.self)))
            }
        }
        permute(&state)
    }

    /// Absorbs the final partial block (0…135 bytes) with its padding 0x01 … 0x80 (a single 0x81
    /// when one byte is left), straight from the message: no padded copy of the block is made.
    @inline(__always) private static func absorbLast(_ state: inout State, _ tail: UnsafeRawBufferPointer) {
        Swift.withUnsafeMutableBytes(of: &state) { lanes in
            var i = 0
            while tail.count - i >= 8 {
                xor(lanes, at: i, UInt64(littleEndian: tail.loadUnaligned(fromByteOffset: i, as: UInt64.self)))
                i += 8
            }
            var last: UInt64 = 0x01 << (8 * UInt64(tail.count - i))
            for j in 0..<(tail.count - i) { last |= UInt64(tail[i + j]) << (8 * UInt64(j)) }
            xor(lanes, at: i, last)
            xor(lanes, at: rate - 8, 0x80 << 56)
        }
        permute(&state)
    }

    @inline(__always) private static func xor(_ lanes: UnsafeMutableRawBufferPointer, at offset: Int, _ value: UInt64) {
        lanes.storeBytes(of: lanes.load(fromByteOffset: offset, as: UInt64.self) ^ value, toByteOffset: offset, as: UInt64.self)
    }

    /// Keccak-f[1600]: 24 rounds of θ, ρ, π, χ, ι.
    static func permute(_ s: inout State) {
        var (a00, a01, a02, a03, a04, a05, a06, a07, a08, a09, a10, a11, a12,
             a13, a14, a15, a16, a17, a18, a19, a20, a21, a22, a23, a24) = s
        let constants = roundConstants
        for rc in constants {
            // θ
            let c0 = a00 ^ a05 ^ a10 ^ a15 ^ a20
            let c1 = a01 ^ a06 ^ a11 ^ a16 ^ a21
            let c2 = a02 ^ a07 ^ a12 ^ a17 ^ a22
            let c3 = a03 ^ a08 ^ a13 ^ a18 ^ a23
            let c4 = a04 ^ a09 ^ a14 ^ a19 ^ a24
            let d0 = c4 ^ c1.rotl(1)
            let d1 = c0 ^ c2.rotl(1)
            let d2 = c1 ^ c3.rotl(1)
            let d3 = c2 ^ c4.rotl(1)
            let d4 = c3 ^ c0.rotl(1)
            // ρ and π: b[y, 2x+3y] = rotl(a[x, y] ^ d[x], r[x, y])
            let b00 = a00 ^ d0
            let b01 = (a06 ^ d1).rotl(44)
            let b02 = (a12 ^ d2).rotl(43)
            let b03 = (a18 ^ d3).rotl(21)
            let b04 = (a24 ^ d4).rotl(14)
            let b05 = (a03 ^ d3).rotl(28)
            let b06 = (a09 ^ d4).rotl(20)
            let b07 = (a10 ^ d0).rotl(3)
            let b08 = (a16 ^ d1).rotl(45)
            let b09 = (a22 ^ d2).rotl(61)
            let b10 = (a01 ^ d1).rotl(1)
            let b11 = (a07 ^ d2).rotl(6)
            let b12 = (a13 ^ d3).rotl(25)
            let b13 = (a19 ^ d4).rotl(8)
            let b14 = (a20 ^ d0).rotl(18)
            let b15 = (a04 ^ d4).rotl(27)
            let b16 = (a05 ^ d0).rotl(36)
            let b17 = (a11 ^ d1).rotl(10)
            let b18 = (a17 ^ d2).rotl(15)
            let b19 = (a23 ^ d3).rotl(56)
            let b20 = (a02 ^ d2).rotl(62)
            let b21 = (a08 ^ d3).rotl(55)
            let b22 = (a14 ^ d4).rotl(39)
            let b23 = (a15 ^ d0).rotl(41)
            let b24 = (a21 ^ d1).rotl(2)
            // χ, with ι folded into lane 0
            a00 = b00 ^ (~b01 & b02) ^ rc
            a01 = b01 ^ (~b02 & b03)
            a02 = b02 ^ (~b03 & b04)
            a03 = b03 ^ (~b04 & b00)
            a04 = b04 ^ (~b00 & b01)
            a05 = b05 ^ (~b06 & b07)
            a06 = b06 ^ (~b07 & b08)
            a07 = b07 ^ (~b08 & b09)
            a08 = b08 ^ (~b09 & b05)
            a09 = b09 ^ (~b05 & b06)
            a10 = b10 ^ (~b11 & b12)
            a11 = b11 ^ (~b12 & b13)
            a12 = b12 ^ (~b13 & b14)
            a13 = b13 ^ (~b14 & b10)
            a14 = b14 ^ (~b10 & b11)
            a15 = b15 ^ (~b16 & b17)
            a16 = b16 ^ (~b17 & b18)
            a17 = b17 ^ (~b18 & b19)
            a18 = b18 ^ (~b19 & b15)
            a19 = b19 ^ (~b15 & b16)
            a20 = b20 ^ (~b21 & b22)
            a21 = b21 ^ (~b22 & b23)
            a22 = b22 ^ (~b23 & b24)
            a23 = b23 ^ (~b24 & b20)
            a24 = b24 ^ (~b20 & b21)
        }
        s = (a00, a01, a02, a03, a04, a05, a06, a07, a08, a09, a10, a11, a12,
             a13, a14, a15, a16, a17, a18, a19, a20, a21, a22, a23, a24)
    }
}

private extension UInt64 {
    /// Rotate left by `n` (1…63).
    @inline(__always) func rotl(_ n: UInt64) -> UInt64 { (self &<< n) | (self &>> (64 - n)) }
}
