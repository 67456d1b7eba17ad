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
            throw HostError("\(symbol): the journal \(journal) is open in another book")
        }
        self.descriptor = descriptor
    }

    /// Records the grid for a new journal, or checks it against the recorded one (as
    /// values: a tick of 0.010 is the tick 0.01).
    func check(tick: Dec, lot: Dec, journalIsEmpty: Bool) throws {
        let expected = "\(symbol) \(tick) \(lot)"
        let recorded = try Self.contents(descriptor, path).split(separator: "\n").first.map(String.init) ?? ""
        if recorded.isEmpty {
            guard journalIsEmpty else { throw HostError("\(symbol): \(path) is missing, so the journal's tick and lot are unknown") }
            try Self.write(expected + "\n", descriptor, path)
            return
        }
        let fields = recorded.split(separator: " ").map(String.init)
        guard fields.count == 3, fields[0] == symbol, let t = Dec(fields[1]), let l = Dec(fields[2]), t == tick, l == lot else {
            throw HostError("\(symbol): the journal was written for '\(recorded)', not '\(expected)'")
        }
    }

    deinit { close(descriptor) }

    private static func contents(_ descriptor: Int32, _ path: String) throws -> String {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 256)
        while bytes.count < 4096 {
            let n = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, 256) }
            guard n >= 0 else { throw HostError("cannot read \(path): \(String(cString: strerror(errno)))") }
            if n == 0 { break }
            bytes += chunk[..<n]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    private static func write(_ text: String, _ descriptor: Int32, _ path: String) throws {
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { Glibc.write(descriptor, $0.baseAddress, $0.count) }
        guard written == bytes.count, fsync(descriptor) == 0 else {
            throw HostError("cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }
}
