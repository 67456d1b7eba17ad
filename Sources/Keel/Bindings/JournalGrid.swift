#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Money

/// The book a journal file belongs to, kept beside it in `PATH.book` as `symbol tick lot`:
/// the journal holds ticks and lots, so replaying it on another grid would silently mean
/// other prices. The file stays locked (flock) while a book writes the journal, so a
/// second writer, in this process or another, is refused instead of interleaving records.
final class JournalGrid {
    private let descriptor: Int32

    private let path: String
    private let symbol: String

    /// Opens and locks `journal`'s book file, before the journal is read.
    init(journal: String, symbol: String) throws {
        path = journal + ".book"
        self.symbol = symbol
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw HostError("\(symbol): cannot open \(path): \(String(cString: strerror(errno)))") }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            close(descriptor)
            throw HostError("\(symbol): the journal \(journal) is open in another book (until that book is closed: book.close())")
        }
        self.descriptor = descriptor
    }

    /// Records the grid for a new journal, or checks it against the recorded one (as
    /// values: a tick of 0.010 is the tick 0.01). The symbol is whatever comes before the
    /// last two fields, so it may hold spaces, newlines or nothing at all.
    func check(tick: Dec, lot: Dec, journalIsEmpty: Bool) throws {
        let expected = "\(symbol) \(tick) \(lot)"
        let recorded = try Self.contents(descriptor, path)
        if recorded.isEmpty {
            guard journalIsEmpty else { throw HostError("\(symbol): \(path) is missing, so the journal's tick and lot are unknown") }
            try Self.write(expected + "\n", descriptor, path)
            return
        }
        let line = recorded.hasSuffix("\n") ? String(recorded.dropLast()) : recorded
        guard let grid = Self.fields(line), grid.symbol == symbol, let t = Dec(grid.tick), let l = Dec(grid.lot), t == tick, l == lot else {
            throw HostError("\(symbol): the journal was written for '\(line)', not '\(expected)'")
        }
    }

    /// `symbol tick lot`, split at the last two spaces.
    static func fields(_ line: String) -> (symbol: String, tick: String, lot: String)? {
        guard let lotSpace = line.lastIndex(of: " "), let tickSpace = line[..<lotSpace].lastIndex(of: " ") else { return nil }
        return (String(line[..<tickSpace]), String(line[line.index(after: tickSpace)..<lotSpace]), String(line[line.index(after: lotSpace)...]))
    }

    deinit { close(descriptor) }

    private static func contents(_ descriptor: Int32, _ path: String) throws -> String {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while bytes.count <= Self.largestFile {
            let n = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            guard n >= 0 else { throw HostError("cannot read \(path): \(String(cString: strerror(errno)))") }
            if n == 0 { break }
            bytes += chunk[..<n]
        }
        guard bytes.count <= Self.largestFile else { throw HostError("\(path) is too large to be a book file") }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A symbol is a script's string; a book file this large is not one of ours.
    static let largestFile = 1 << 20

    private static func write(_ text: String, _ descriptor: Int32, _ path: String) throws {
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
        guard written == bytes.count, fsync(descriptor) == 0 else {
            throw HostError("cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }
}
