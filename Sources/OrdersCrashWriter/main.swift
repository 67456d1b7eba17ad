#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Money
import Orders

// Crash-test helper: orders-crash-writer JOURNAL POLICY COUNT
// POLICY is `always` or `every:N`. Journals and applies COUNT deterministic commands and
// prints `ack SEQ COMMAND` for each one once the journal says it is durable, so a test can
// SIGKILL it at any moment and check that recovery kept every acknowledged command.

func fail(_ message: String) -> Never {
    fputs("orders-crash-writer: \(message)\n", stderr)
    exit(2)
}

let arguments = CommandLine.arguments
guard arguments.count == 4, let count = UInt64(arguments[3]) else { fail("usage: JOURNAL always|every:N COUNT") }
let policy: FsyncPolicy
if arguments[2] == "always" {
    policy = .always
} else if arguments[2].hasPrefix("every:"), let n = Int(arguments[2].dropFirst(6)), n > 0 {
    policy = .every(n)
} else {
    fail("bad policy \(arguments[2])")
}

do {
    let book = try OrderBook(tick: Dec(1), lot: Dec(1), capacity: 1 << 20)
    let journaled = JournaledBook(book: book, writer: try JournalWriter(path: arguments[1], policy: policy))
    var events: [Event] = []
    var unacked: [(UInt64, Command)] = []
    var state: UInt64 = 42
    for sequence in 1...count {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        let roll = state >> 33
        let command: Command = roll % 5 == 0 && sequence > 1
            ? .cancel(id: roll % sequence)
            : .new(NewOrder(id: sequence, side: roll % 2 == 0 ? .buy : .sell, price: Int64(95 + roll % 11),
                            quantity: Int64(1 + roll % 50)))
        try journaled.submit(command, into: &events)
        events.removeAll(keepingCapacity: true)
        unacked.append((sequence, command))
        let durable = journaled.writer.durableSequence
        if let first = unacked.first, first.0 <= durable {
            let done = unacked.prefix { $0.0 <= durable }
            for (acked, command) in done { print("ack \(acked) \(command)") }
            unacked.removeFirst(done.count)
            fflush(stdout)
        }
    }
} catch {
    fail("\(error)")
}
