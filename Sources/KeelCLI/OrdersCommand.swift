import ArgumentParser
import Foundation
import Keel
import Orders

struct OrdersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "orders",
        abstract: "Order book tools on the native matching engine.",
        subcommands: [Replay.self])
}

/// `keel orders replay FILE`: runs a CSV command stream through one book and prints the
/// fills, the rejections and the resting book.
struct Replay: ExitCodeCommand {
    static let configuration = CommandConfiguration(
        abstract: "Replay CSV order commands through one book.",
        discussion: """
            One command per line: limit,ID,SIDE,PRICE,QTY[,TIF] (SIDE buy|sell, TIF gtc|ioc|fok|post), \
            market,ID,SIDE,QTY, cancel,ID, modify,ID,PRICE,QTY; blank lines and # comments are skipped. \
            Prints trade,TAKER,MAKER,PRICE,QTY per fill and reject,ID,REASON per rejected command, in order, \
            then rest,ID,SIDE,PRICE,QTY for the resting orders: bids best first, then asks best first, \
            FIFO within a level. A malformed line is reported on stderr and skipped.
            """)
    @Argument(help: "The command file.") var file: String
    // Unconditional, so that a negative value reaches the check below instead of reading as an option.
    @Option(parsing: .unconditional, help: "Price increment.") var tick: String = "0.01"
    @Option(parsing: .unconditional, help: "Quantity increment.") var lot: String = "1"
    @Option(help: "Most orders resting at once; an order that would rest past it is rejected as book_full.")
    var capacity: Int = Limits.maxCapacity

    mutating func execute() -> Int32 {
        let reporter = Reporter()
        guard let bytes = Engine.readFile(file) else {
            reporter.emit("\(file):1:1: error: cannot read file: \(String(cString: strerror(errno)))")
            return 1
        }
        let book: OrderBook
        do {
            book = try OrderBook(tick: try Dec(parsing: tick), lot: try Dec(parsing: lot), capacity: capacity,
                                 reserved: min(capacity, OrderBook.startingRoom))
        } catch {
            reporter.emit("keel: error: bad --tick, --lot or --capacity: \(error)")
            return 1
        }
        // A file of bad lines makes a message per line: written in blocks, not a write each
        // (flushed at exit, as stdout is).
        setvbuf(stderr, nil, _IOFBF, 1 << 16)
        var replay = CSVReplay(book: book, file: file, reporter: reporter)
        // Lines are read in place, one after another: an array of a million slices would
        // take a third of a large replay's memory.
        let newline = UInt8(ascii: "\n")
        // A byte order mark is no part of the first command.
        var lineNumber = 0, start = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        bytes.withUnsafeBufferPointer { buffer in
            replay.expectedNames = min(Self.lineCount(buffer), 1 << 24)
            while replay.writeFailure == 0 {
                let end = Self.index(of: newline, in: buffer, from: start)
                lineNumber += 1
                replay.line(UnsafeBufferPointer(rebasing: buffer[start..<end]), number: lineNumber)
                guard end < buffer.count else { break }
                start = end + 1
            }
        }
        replay.finish()
        guard replay.writeFailure == 0 else {
            reporter.emit("keel: error: cannot write the replay's output: \(String(cString: strerror(replay.writeFailure)))")
            return 1
        }
        return 0
    }

    /// Lines in `buffer`, the last one counted even when empty.
    static func lineCount(_ buffer: UnsafeBufferPointer<UInt8>) -> Int {
        var lines = 1, newline = index(of: UInt8(ascii: "\n"), in: buffer, from: 0)
        while newline < buffer.count {
            lines += 1
            newline = index(of: UInt8(ascii: "\n"), in: buffer, from: newline + 1)
        }
        return lines
    }

    /// The index of the first `byte` in `buffer` at or after `start`, or the end.
    static func index(of byte: UInt8, in buffer: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        guard start < buffer.count, let base = buffer.baseAddress,
              let found = memchr(base + start, Int32(byte), buffer.count - start) else { return buffer.count }
        return base.distance(to: found.assumingMemoryBound(to: UInt8.self))
    }
}
