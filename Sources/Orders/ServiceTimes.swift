#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import COrdersSupport

/// Per-command service times of a book's batch calls, for a host measuring latency inside
/// the stream: each command's time is from the end of the command before it (or `start()`)
/// to its own end, so the times add up to the stream's wall time, and work between batch
/// calls (an embedding converting the next chunk) falls on the first command of the chunk,
/// as it would for a real queue. Memory is taken once: past `capacity` times, commands are
/// only counted in `dropped`.
public final class ServiceTimes {
    /// What the times are read from.
    public enum Clock: Sendable {
        /// The CPU's invariant time-stamp counter, converted to nanoseconds by its rate
        /// against the monotonic clock over the measurement. A plain RDTSC does not wait
        /// for earlier loads, so reading it does not drain the cache misses the batch keeps
        /// in flight for the next commands.
        case timeStampCounter
        /// `clock_gettime(CLOCK_MONOTONIC)`. Its read waits for every earlier instruction
        /// (an ordered RDTSC on x86), which costs the stream its overlap: on W2-100k,
        /// where the untimed stream took 150-167 ns a command, it took 201 ns timed by
        /// this clock and 167-169 ns timed by the counter.
        case monotonic

        /// The counter where it ticks at one rate, else the monotonic clock.
        public static var preferred: Clock {
            orders_invariant_tsc_available() != 0 ? .timeStampCounter : .monotonic
        }
    }

    public let clock: Clock
    public let capacity: Int
    public private(set) var dropped = 0
    /// The times in the clock's units: `recorded` of them, in memory taken once.
    private let readings: UnsafeMutablePointer<UInt64>
    private var recorded = 0
    private var last: UInt64 = 0
    /// Both clocks read together when the measurement began, to find the counter's rate.
    private let anchor: (ticks: UInt64, nanoseconds: UInt64)

    public init(capacity: Int, clock: Clock = .preferred) {
        self.capacity = max(capacity, 0)
        self.clock = clock
        readings = .allocate(capacity: self.capacity)
        // Touched now, so that no page is first written (and faulted in) inside a batch.
        readings.initialize(repeating: 0, count: self.capacity)
        anchor = (orders_ticks(), Self.monotonicNow())
    }

    deinit { readings.deallocate() }

    /// Starts the clock for the next command.
    public func start() { last = Self.now(clock) }

    /// The times in nanoseconds, in command order.
    public var nanoseconds: [UInt64] {
        let times = Array(UnsafeBufferPointer(start: readings, count: recorded))
        guard clock == .timeStampCounter else { return times }
        let ticksPerNanosecond = Double(orders_ticks() &- anchor.ticks)
            / Double(max(Self.monotonicNow() &- anchor.nanoseconds, 1))
        guard ticksPerNanosecond > 0 else { return times }
        return times.map { UInt64((Double($0) / ticksPerNanosecond).rounded()) }
    }

    /// An observer that records into this measurement; `finish` takes its count back.
    /// The observer keeps the cursor for the length of a batch call, so recording a time
    /// is a store and an add, with no access checks on the class's properties.
    func observer() -> ServiceTimesObserver {
        ServiceTimesObserver(readings: readings, capacity: capacity, recorded: recorded, dropped: dropped,
                             last: last, clock: clock)
    }

    func finish(_ observer: ServiceTimesObserver) {
        recorded = observer.recorded
        dropped = observer.dropped
        last = observer.last
    }

    @inline(__always)
    static func now(_ clock: Clock) -> UInt64 {
        clock == .timeStampCounter ? orders_ticks() : monotonicNow()
    }

    @inline(__always)
    static func monotonicNow() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) &* 1_000_000_000 &+ UInt64(spec.tv_nsec)
    }
}

/// The observer of a timed batch call.
struct ServiceTimesObserver: BatchObserver {
    let readings: UnsafeMutablePointer<UInt64>
    let capacity: Int
    var recorded: Int
    var dropped: Int
    var last: UInt64
    let clock: ServiceTimes.Clock

    @inline(__always)
    mutating func finished(_ position: Int, events: inout [Event]) {
        let time = ServiceTimes.now(clock)
        if recorded < capacity {
            // 0, not a wrapped difference, if the thread moved to a core whose counter
            // reads behind the last one's.
            readings[recorded] = time > last ? time &- last : 0
            recorded &+= 1
        } else {
            dropped &+= 1
        }
        last = time
    }
}
