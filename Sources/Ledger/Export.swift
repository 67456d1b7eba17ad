/// The journal as bytes a third party can re-verify: each sealed entry as its canonical
/// 87 bytes followed by its 32-byte chain hash (see `CANONICAL.md`).
public enum JournalAudit: Equatable, Sendable {
    /// Every entry re-hashes to its stored hash: the count and the chain head.
    case intact(entries: Int, head: Digest)
    /// The first entry whose bytes do not decode or whose hash differs.
    case broken(entry: Int)
}

extension Ledger {
    public static let exportedEntrySize = Canonical.size + 32

    /// The sealed journal, entry by entry: canonical encoding, then chain hash.
    public func exportJournal() -> [UInt8] {
        var out = [UInt8](repeating: 0, count: sealedCount * Self.exportedEntrySize)
        out.withUnsafeMutableBytes { raw in
            for i in 0..<sealedCount {
                let base = i * Self.exportedEntrySize
                Canonical.encode(entries[i], into: UnsafeMutableRawBufferPointer(rebasing: raw[base..<(base + Canonical.size)]))
                let hash = options.chain ? hashes[i] : Digest.genesis
                let slot = UnsafeMutableRawBufferPointer(rebasing: raw[(base + Canonical.size)..<(base + Self.exportedEntrySize)])
                withUnsafeBytes(of: hash.words) { slot.copyMemory(from: $0) }
            }
        }
        return out
    }

    /// Re-hashes an exported journal from the genesis, trusting nothing in it but the format.
    public static func audit(journal bytes: [UInt8]) -> JournalAudit {
        let count = bytes.count / exportedEntrySize
        var head = Digest.genesis
        return bytes.withUnsafeBytes { raw -> JournalAudit in
            for i in 0..<count {
                let base = i * exportedEntrySize
                let body = UnsafeRawBufferPointer(rebasing: raw[base..<(base + Canonical.size)])
                guard let entry = Canonical.decode(body),
                      let stored = Digest(bytes: Array(raw[(base + Canonical.size)..<(base + exportedEntrySize)])) else {
                    return .broken(entry: i)
                }
                head = Canonical.chain(head, entry)
                if head != stored { return .broken(entry: i) }
            }
            return bytes.count % exportedEntrySize == 0 ? .intact(entries: count, head: head) : .broken(entry: count)
        }
    }
}
