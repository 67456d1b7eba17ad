#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Per-command service times of a book's batch calls, for a host measuring latency inside
/// the stream: each command's time is from the end of the command before it (or `start()`)
/// to its own end, so work between batch calls (an embedding converting the next chunk)
/// falls on the first command of the chunk, as it would for a real queue. Memory is taken
/// once: past `capacity` times, commands are only counted in `dropped`.
public final class ServiceTimes {
    public private(set) var nanoseconds: [UInt64] = []
    public private(set) var dropped = 0
    public let capacity: Int
    private var last: UInt64 = 0

    public init(capacity: Int) {
        self.capacity = max(capacity, 0)
        nanoseconds.reserveCapacity(self.capacity)
    }

    /// Starts the clock for the next command.
    public func start() { last = Self.now() }

    @inline(__always)
    func commandFinished() {
        let time = Self.now()
        if nanoseconds.count < capacity { nanoseconds.append(time &- last) } else { dropped += 1 }
        last = time
    }

    @inline(__always)
    static func now() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) &* 1_000_000_000 &+ UInt64(spec.tv_nsec)
    }
}

/// The observer of a timed batch call.
struct ServiceTimesObserver: BatchObserver {
    let times: ServiceTimes

    @inline(__always)
    mutating func finished(_ position: Int, events: inout [Event]) { times.commandFinished() }
}
