import SeededRandom

/// Content-defined chunking with a gear rolling hash (the FastCDC family): a cut falls where
/// the hash of the last bytes matches a mask, so cut points depend on content, not offsets,
/// and an insertion or deletion changes only the chunks around it.
public struct ContentChunker: Sendable {
    public let minSize: Int
    public let averageSize: Int
    public let maxSize: Int
    /// Two masks (FastCDC's normalized chunking): harder to match before the average size,
    /// easier after it, which narrows the spread of chunk sizes.
    private let strictMask: UInt64
    private let looseMask: UInt64

    /// `averageSize` must be a power of two of at least 64; chunks are cut between
    /// `averageSize / 4` and `averageSize * 4` bytes.
    public init(averageSize: Int) throws {
        guard averageSize >= 64, averageSize.nonzeroBitCount == 1, averageSize <= 1 << 26 else {
            throw MerkleError.invalidArgument("average chunk size must be a power of two from 64 to 2^26, got \(averageSize)")
        }
        self.averageSize = averageSize
        minSize = averageSize / 4
        maxSize = averageSize * 4
        let bits = averageSize.trailingZeroBitCount
        strictMask = Self.mask(bits: bits + 1)
        looseMask = Self.mask(bits: bits - 1)
    }

    /// `bits` one-bits spread over the high half of the word, where the gear hash has
    /// seen the most bytes.
    private static func mask(bits: Int) -> UInt64 {
        var m: UInt64 = 0
        var placed = 0, bit = 63
        while placed < bits, bit >= 0 {
            m |= 1 << UInt64(bit)
            placed += 1
            bit -= 2
        }
        return m
    }

    /// Chunk boundaries of `data` as end offsets (the last is `data.count`; none for empty data).
    public func boundaries(_ data: [UInt8]) -> [Int] {
        var ends: [Int] = []
        var start = 0
        while start < data.count {
            start = cut(data, from: start)
            ends.append(start)
        }
        return ends
    }

    /// The chunks of `data`, in order.
    public func chunks(_ data: [UInt8]) -> [ArraySlice<UInt8>] {
        var start = 0
        return boundaries(data).map { end in
            defer { start = end }
            return data[start..<end]
        }
    }

    private func cut(_ data: [UInt8], from start: Int) -> Int {
        let remaining = data.count - start
        if remaining <= minSize { return data.count }
        let end = start + min(remaining, maxSize)
        let normal = start + min(remaining, averageSize)
        var h: UInt64 = 0
        var i = start + minSize
        return data.withUnsafeBufferPointer { p in
            while i < normal {
                h = (h << 1) &+ Gear.table[Int(p[i])]
                i += 1
                if h & strictMask == 0 { return i }
            }
            while i < end {
                h = (h << 1) &+ Gear.table[Int(p[i])]
                i += 1
                if h & looseMask == 0 { return i }
            }
            return end
        }
    }
}

/// 256 fixed pseudo-random words (splitmix64 from seed 0), so chunk boundaries are the same
/// on every machine and in every version.
enum Gear {
    static let table: [UInt64] = {
        var random = SplitMix64(seed: 0)
        return (0..<256).map { _ in random.next() }
    }()
}
