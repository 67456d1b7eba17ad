#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import COrdersSupport
import Dispatch
import Synchronization

// Journal file: a sequence of records `length u32 | crc32c u32 | payload`, where the
// payload is `sequence u64` and one command (`CommandCodec`), all little-endian, and the
// CRC covers the payload. Sequence numbers are the book's command counts: 1, 2, 3, …

/// When the writer calls fsync.
public enum FsyncPolicy: Equatable, Sendable {
    /// Never; records are written by the writer thread as they come, and on `flush()`,
    /// `sync()` and when the writer goes away.
    case none
    /// The writer thread fsyncs once `n` records or more are written since its last
    /// fsync (group commit): the command stream never waits for the disk, and
    /// `durableSequence` says what is safe.
    case every(Int)
    /// Write and fsync each `append`'s records before it returns.
    case always
}

/// Appends commands to a journal file.
///
/// The caller's thread only copies each command and its sequence number into a ring of
/// 64-byte entries and publishes how far it has filled it (one atomic store). A writer
/// thread of its own encodes, checksums and writes what is published, and runs the
/// policy's fsyncs. The writer looks for work every few tens of microseconds while
/// records come and parks after a millisecond without any, so a busy caller makes no
/// system call at all: neither the I/O nor waking a thread stays on the matching loop.
/// The caller waits only when the ring is full (the disk is behind) or when it asks to
/// (`flush`, `sync`).
public final class JournalWriter {
    /// Entries the caller may be ahead of the disk: about 9 ms of commands at 15 M a
    /// second, room for the fsyncs that now and then take several milliseconds here.
    static let ringCapacity = 1 << 17
    static let ringMask = ringCapacity - 1
    /// The most entries encoded into one write(2).
    static let writeChunk = 8192
    static let headerSize = 8
    static let maxRecord = headerSize + 8 + CommandCodec.maxSize
    /// Entries ahead of the next one whose cache line is requested.
    static let prefetchAhead = 8
    /// The memory a writer holds: its ring, and the space the writer thread encodes into.
    public static let memoryBytes = ringCapacity * MemoryLayout<Entry>.stride + writeChunk * maxRecord

    /// A command as the caller hands it over, encoded later by the writer.
    struct Entry {
        var sequence: UInt64
        var command: Command
    }

    private let shared: Shared
    private let writerThread: pthread_t
    private let syncThread: pthread_t
    /// Entries filled so far (the writer sees them once published).
    private var filled = 0
    /// The writer's `written` as last read: entries below it may be filled again.
    private var freedUpTo = 0
    private var lastSequence: UInt64 = 0

    /// The last sequence number that is written and, unless the policy is `none`, fsynced:
    /// what a caller may acknowledge.
    public var durableSequence: UInt64 { shared.durable.load(ordering: .acquiring) }

    /// Opens (creating if needed) `path` for appending. `validLength`, from reading the
    /// journal first, cuts off a torn last record so new records follow good ones.
    public init(path: String, policy: FsyncPolicy, validLength: Int? = nil) throws(JournalError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw .io("open \(path): \(Self.errorText())") }
        if let validLength, ftruncate(descriptor, off_t(validLength)) != 0 {
            let text = Self.errorText()
            close(descriptor)
            throw .io("truncate \(path): \(text)")
        }
        guard let shared = Shared(descriptor: descriptor, policy: policy) else {
            close(descriptor)
            throw .io("out of memory for the journal's \(Self.ringCapacity * MemoryLayout<Entry>.stride) bytes of buffers")
        }
        guard let writerThread = Self.startThread(shared.runWriter) else {
            throw .io("cannot start the journal's writer thread: \(Self.errorText())")
        }
        guard let syncThread = Self.startThread(shared.runSyncs) else {
            shared.stop()
            pthread_join(writerThread, nil)
            throw .io("cannot start the journal's fsync thread: \(Self.errorText())")
        }
        self.shared = shared
        self.writerThread = writerThread
        self.syncThread = syncThread
    }

    deinit {
        try? flush()
        shared.stop()
        pthread_join(writerThread, nil)
        pthread_join(syncThread, nil)
    }

    /// A thread running `body`, or nil when the system cannot start one.
    private static func startThread(_ body: @escaping () -> Void) -> pthread_t? {
        final class Body {
            let run: () -> Void
            init(_ run: @escaping () -> Void) { self.run = run }
        }
        var thread = pthread_t()
        let context = Unmanaged.passRetained(Body(body)).toOpaque()
        guard pthread_create(&thread, nil, { context in
            guard let context else { return nil }
            Unmanaged<Body>.fromOpaque(context).takeRetainedValue().run()
            return nil
        }, context) == 0 else {
            Unmanaged<Body>.fromOpaque(context).release()
            return nil
        }
        return thread
    }

    /// Appends one command as record `sequence`.
    public func append(_ command: Command, sequence: UInt64) throws(JournalError) {
        try withUnsafePointer(to: command) { pointer throws(JournalError) in
            try append(contentsOf: UnsafeBufferPointer(start: pointer, count: 1), firstSequence: sequence)
        }
    }

    /// Appends `commands` as records `firstSequence`, `firstSequence + 1`, ….
    public func append(contentsOf commands: UnsafeBufferPointer<Command>, firstSequence: UInt64) throws(JournalError) {
        try checkWriter()
        var index = 0
        while index < commands.count {
            var room = Self.ringCapacity - (filled - freedUpTo)
            if room == 0 {
                freedUpTo = try waitForRoom()
                room = Self.ringCapacity - (filled - freedUpTo)
            }
            let start = filled & Self.ringMask
            let run = min(commands.count - index, room, Self.ringCapacity - start)
            let entries = shared.entries + start, sequence = firstSequence &+ UInt64(index)
            for k in 0..<run {
                // The ring's lines were last read by the writer thread on another core;
                // asking for them ahead, for writing, hides the ownership transfer.
                orders_prefetch(shared.entries + ((start + k + Self.prefetchAhead) & Self.ringMask))
                (entries + k).initialize(to: Entry(sequence: sequence &+ UInt64(k), command: commands[index + k]))
            }
            filled += run
            index += run
            lastSequence = sequence &+ UInt64(run - 1)
        }
        publish()
        if shared.policy == .always { try sync() }
    }

    /// Tells the writer how far the ring is filled, waking it if it has parked.
    private func publish() {
        shared.filled.store(filled, ordering: .sequentiallyConsistent)
        // Ordered with the writer's own store to `parked` and its second look at `filled`:
        // either it sees the new fill or this sees that it parked.
        if shared.parked.load(ordering: .sequentiallyConsistent),
           shared.parked.exchange(false, ordering: .sequentiallyConsistent) {
            shared.wake.signal()
        }
    }

    /// Waits until the writer frees part of the ring; returns how far it has written.
    private func waitForRoom() throws(JournalError) -> Int {
        publish()
        while true {
            try checkWriter()
            let written = shared.written.load(ordering: .acquiring)
            if written > filled - Self.ringCapacity { return written }
            shared.wake.signal()
            usleep(50)
        }
    }

    /// Throws what the writer thread ran into, if anything.
    private func checkWriter() throws(JournalError) {
        let failure = shared.failed.load(ordering: .relaxed)
        if failure != 0 { throw .io("journal writer: \(String(cString: strerror(failure)))") }
    }

    /// Hands every appended record to the kernel and waits until it is written (it
    /// survives a process crash from here on).
    public func flush() throws(JournalError) {
        publish()
        freedUpTo = shared.written.load(ordering: .acquiring)
        if freedUpTo < filled {
            shared.flushTarget.store(filled, ordering: .sequentiallyConsistent)
            shared.wake.signal()
            shared.caughtUp.wait()
            freedUpTo = shared.written.load(ordering: .acquiring)
        }
        try checkWriter()
    }

    /// Flushes and fsyncs now (survives a machine crash).
    public func sync() throws(JournalError) {
        try flush()
        guard fsync(shared.descriptor) == 0 else { throw .io("fsync: \(Self.errorText())") }
        shared.raiseDurable(to: lastSequence)
    }

    /// Encodes `count` entries from `entries` as records at `bytes`; returns their length.
    static func encode(_ entries: UnsafePointer<Entry>, count: Int, into bytes: UnsafeMutableRawPointer) -> Int {
        let hardwareCRC = CRC32C.hardware
        var length = 0
        for entry in UnsafeBufferPointer(start: entries, count: count) {
            length += Journal.encodeRecord(entry.command, sequence: entry.sequence, at: bytes + length,
                                           hardwareCRC: hardwareCRC)
        }
        return length
    }

    static func errorText() -> String { String(cString: strerror(errno)) }

    /// What the caller's thread and the writer thread share. The ring and the scratch
    /// space for encoding are plain memory: an entry is written by the caller before it
    /// publishes it and read by the writer before it reports it written.
    private final class Shared: @unchecked Sendable {
        let descriptor: Int32
        let policy: FsyncPolicy
        let entries: UnsafeMutablePointer<Entry>
        /// The writer's alone.
        let encoded: UnsafeMutableRawPointer
        /// Entries the caller has filled and published, and entries the writer has written.
        let filled = Atomic<Int>(0)
        let written = Atomic<Int>(0)
        let durable = Atomic<UInt64>(0)
        let failed = Atomic<Int32>(0)
        let parked = Atomic<Bool>(false)
        let stopping = Atomic<Bool>(false)
        /// A fill the caller waits to see written (`caughtUp`), or -1.
        let flushTarget = Atomic<Int>(-1)
        let wake = DispatchSemaphore(value: 0)
        let caughtUp = DispatchSemaphore(value: 0)
        /// The policy's fsyncs run on a thread of their own, one at a time, while the writer
        /// goes on writing (an fsync here takes 0.2-0.5 ms, and now and then several):
        /// `syncing` while one is asked for or running, up to `syncTarget`.
        let syncing = Atomic<Bool>(false)
        let syncTarget = Atomic<UInt64>(0)
        let syncWanted = DispatchSemaphore(value: 0)
        /// The last sequence number written (the writer's alone).
        private var lastWritten: UInt64 = 0

        /// How long the writer waits between looks for records while they come, and how
        /// many looks find nothing before it parks until woken.
        static let pollInterval = DispatchTimeInterval.microseconds(50)
        static let emptyLooksBeforeParking = 20

        init?(descriptor: Int32, policy: FsyncPolicy) {
            guard let entries = LargeAllocation.allocate(Entry.self, count: JournalWriter.ringCapacity) else { return nil }
            self.descriptor = descriptor
            self.policy = policy
            self.entries = entries
            // Touched here, so that the command stream takes no page faults the first time
            // round the ring (2,048 of them without huge pages), nor the writer.
            UnsafeMutableRawPointer(entries).initializeMemory(as: UInt8.self, repeating: 0,
                                                              count: JournalWriter.ringCapacity * MemoryLayout<Entry>.stride)
            let scratch = JournalWriter.writeChunk * JournalWriter.maxRecord
            encoded = .allocate(byteCount: scratch, alignment: 64)
            encoded.initializeMemory(as: UInt8.self, repeating: 0, count: scratch)
        }

        deinit {
            close(descriptor)
            LargeAllocation.deallocate(entries)
            encoded.deallocate()
        }

        func raiseDurable(to sequence: UInt64) {
            var current = durable.load(ordering: .relaxed)
            while current < sequence {
                let (exchanged, original) = durable.compareExchange(expected: current, desired: sequence, ordering: .acquiringAndReleasing)
                if exchanged { return }
                current = original
            }
        }

        /// The writer thread: writes what is published, in chunks, fsyncs as the policy
        /// says, answers flushes, and parks when idle.
        func runWriter() {
            Self.yieldToTheCaller()
            var written = 0, writtenAtSync = 0, emptyLooks = 0
            while true {
                let target = flushTarget.load(ordering: .sequentiallyConsistent)
                if target >= 0 && (written >= target || failed.load(ordering: .relaxed) != 0),
                   flushTarget.compareExchange(expected: target, desired: -1, ordering: .sequentiallyConsistent).exchanged {
                    caughtUp.signal()
                }
                // Due once n records are written past the last fsync asked for; while one
                // runs the next waits, and the fsync thread wakes this one when it is done.
                if case .every(let count) = policy, written - writtenAtSync >= count, !syncing.load(ordering: .acquiring) {
                    syncWritten()
                    writtenAtSync = written
                }
                let available = filled.load(ordering: .acquiring)
                if available > written && failed.load(ordering: .relaxed) == 0 {
                    emptyLooks = 0
                    written = write(from: written, to: available)
                    continue
                }
                if stopping.load(ordering: .sequentiallyConsistent) { return }
                if emptyLooks < Self.emptyLooksBeforeParking {
                    emptyLooks += 1
                    _ = wake.wait(timeout: .now() + Self.pollInterval)
                    continue
                }
                parked.store(true, ordering: .sequentiallyConsistent)
                let idle = filled.load(ordering: .sequentiallyConsistent) == written || failed.load(ordering: .relaxed) != 0
                if idle && flushTarget.load(ordering: .sequentiallyConsistent) < 0
                    && !stopping.load(ordering: .sequentiallyConsistent) {
                    wake.wait()
                }
                parked.store(false, ordering: .sequentiallyConsistent)
                emptyLooks = 0
            }
        }

        /// Writes entries `from..<to` (a chunk of them at most, not past the ring's end);
        /// returns how far it got.
        private func write(from: Int, to: Int) -> Int {
            let start = from & JournalWriter.ringMask
            let count = min(to - from, JournalWriter.writeChunk, JournalWriter.ringCapacity - start)
            let first = entries + start
            do throws(JournalError) {
                try writeAll(descriptor, encoded, JournalWriter.encode(first, count: count, into: encoded))
            } catch {
                failed.store(errno == 0 ? EIO : errno, ordering: .relaxed)
                return from
            }
            let last = first[count - 1].sequence
            written.store(from + count, ordering: .releasing)
            if policy == .none { raiseDurable(to: last) }
            lastWritten = last
            return from + count
        }

        /// Asks the fsync thread to make what is written so far durable.
        private func syncWritten() {
            syncing.store(true, ordering: .relaxed)
            syncTarget.store(lastWritten, ordering: .releasing)
            syncWanted.signal()
        }

        /// The fsync thread.
        func runSyncs() {
            Self.yieldToTheCaller()
            while true {
                syncWanted.wait()
                guard syncing.load(ordering: .acquiring) else { return }  // Woken to stop.
                if fsync(descriptor) == 0 {
                    raiseDurable(to: syncTarget.load(ordering: .acquiring))
                } else {
                    failed.store(errno, ordering: .relaxed)
                }
                syncing.store(false, ordering: .releasing)
                wake.signal()  // Records written meanwhile may be due an fsync of their own.
            }
        }

        /// Ends both threads once what is published is written (and an fsync running, done).
        func stop() {
            stopping.store(true, ordering: .sequentiallyConsistent)
            wake.signal()
            syncWanted.signal()
        }

        /// Lowers the calling thread's priority (on Linux, `setpriority` with id 0 sets the
        /// calling thread's, not the process's). On a machine with as few cores as threads
        /// that want one, the caller's matching loop should be the one that keeps its
        /// core: the journal's threads have a ring of milliseconds to catch up in, and
        /// when it is full the caller sleeps, leaving them the core. Measured on 2 vCPUs
        /// with fsync every 1,000 records: 1.23x instead of 1.33x the time without a
        /// journal (mean of five medians of 10 pairs each).
        static func yieldToTheCaller() {
            #if os(Linux)
            _ = setpriority(__priority_which_t(0), 0, 19)
            #endif
        }
    }
}

public struct JournalEntry: Equatable, Sendable {
    public var sequence: UInt64
    public var command: Command

    public init(sequence: UInt64, command: Command) {
        self.sequence = sequence
        self.command = command
    }
}

/// A journal read back.
public struct JournalContents: Sendable {
    public var entries: [JournalEntry]
    /// Bytes up to the end of the last good record (where appending should resume).
    public var validLength: Int
    /// Set when a torn last record was dropped.
    public var warnings: [String]
}

public enum Journal {
    /// The most bytes one record takes.
    public static let maxRecordSize = JournalWriter.maxRecord

    /// Appends one record (`length | crc32c | sequence, command`) to a journal kept in
    /// memory; a file journal's `JournalWriter.append` writes the same bytes.
    public static func appendRecord(_ command: Command, sequence: UInt64, to journal: inout [UInt8]) {
        withUnsafeTemporaryAllocation(byteCount: JournalWriter.maxRecord, alignment: 8) { scratch in
            guard let record = scratch.baseAddress else { return }
            let length = encodeRecord(command, sequence: sequence, at: record, hardwareCRC: CRC32C.hardware)
            journal.append(contentsOf: UnsafeRawBufferPointer(start: record, count: length))
        }
    }

    /// Writes record `sequence` (`length | crc32c | sequence, command`) at `record`;
    /// returns its size in bytes (at most `maxRecordSize`).
    @inline(__always)
    static func encodeRecord(_ command: Command, sequence: UInt64, at record: UnsafeMutableRawPointer,
                             hardwareCRC: Bool) -> Int {
        record.storeBytes(of: sequence.littleEndian, toByteOffset: 8, as: UInt64.self)
        let length = 8 + CommandCodec.encode(command, at: record + 16)
        let payload = UnsafeRawBufferPointer(start: record + 8, count: length)
        let crc = hardwareCRC ? CRC32C.hardwareChecksum(payload) : CRC32C.tableChecksum(payload)
        record.storeBytes(of: UInt32(length).littleEndian, as: UInt32.self)
        record.storeBytes(of: crc.littleEndian, toByteOffset: 4, as: UInt32.self)
        return JournalWriter.headerSize + length
    }

    /// Reads `path`; a missing file is an empty journal.
    public static func read(path: String) throws(JournalError) -> JournalContents {
        try decode(try readFile(path) ?? [])
    }

    /// Parses journal bytes. A torn last record is dropped with a warning: one cut short,
    /// one that runs into a zero-filled tail (space the file system extended but never
    /// wrote, which starts at a page boundary, often inside a record), or one failing its
    /// CRC at the very end. Any other damage throws `.corrupt` with the record's byte
    /// offset, including a record whose length points past the end while a complete next
    /// record follows it (its length is damaged; the records after it are not torn).
    public static func decode(_ bytes: [UInt8]) throws(JournalError) -> JournalContents {
        var contents = JournalContents(entries: [], validLength: 0, warnings: [])
        let result: Result<Void, JournalError> = bytes.withUnsafeBytes { raw in
            do throws(JournalError) {
                try decode(raw, into: &contents)
                return .success(())
            } catch {
                return .failure(error)
            }
        }
        try result.get()
        return contents
    }

    private static func decode(_ raw: UnsafeRawBufferPointer, into contents: inout JournalContents) throws(JournalError) {
        var offset = 0
        let count = raw.count
        let zeroTail = trailingZerosStart(raw)
        while offset < count {
            let tail = count - offset
            if tail < JournalWriter.headerSize { return dropTorn(at: offset, tail, &contents) }
            var header = ByteReader(raw, from: offset)
            let length = Int(try header.u32()), crc = try header.u32()
            guard length >= 8 + 9 && length <= 8 + CommandCodec.maxSize else {
                if zeroTail < offset + JournalWriter.headerSize { return dropTorn(at: offset, tail, &contents) }
                throw .corrupt(offset: offset, "bad record length \(length)")
            }
            let end = offset + JournalWriter.headerSize + length
            if end > count {
                if let next = completeRecord(in: raw, after: offset, following: contents.entries.last?.sequence) {
                    throw .corrupt(offset: offset, "bad record length \(length): a whole record follows at byte \(next)")
                }
                return dropTorn(at: offset, tail, &contents)
            }
            let payload = UnsafeRawBufferPointer(rebasing: raw[(offset + JournalWriter.headerSize)..<end])
            if CRC32C.checksum(payload) != crc {
                if end == count || zeroTail < end { return dropTorn(at: offset, tail, &contents) }
                throw .corrupt(offset: offset, "checksum mismatch")
            }
            var reader = ByteReader(raw, from: offset + JournalWriter.headerSize, to: end)
            let sequence = try reader.u64()
            let command = try reader.command()
            guard reader.remaining == 0 else { throw .corrupt(offset: offset, "record has trailing bytes") }
            if let previous = contents.entries.last?.sequence, sequence != previous &+ 1 {
                throw .corrupt(offset: offset, "sequence \(sequence) follows \(previous)")
            }
            contents.entries.append(JournalEntry(sequence: sequence, command: command))
            offset = end
            contents.validLength = end
        }
    }

    /// Where the run of zero bytes that ends `raw` begins (`raw.count` when the last byte
    /// is not zero).
    private static func trailingZerosStart(_ raw: UnsafeRawBufferPointer) -> Int {
        var start = raw.count
        while start > 0 && raw[start - 1] == 0 { start -= 1 }
        return start
    }

    /// The offset of a whole, checksummed record that starts inside the record at `offset`
    /// and carries the sequence number after it, if there is one. A torn record is a prefix
    /// of one record and cannot contain another; a damaged length can hide one.
    private static func completeRecord(in raw: UnsafeRawBufferPointer, after offset: Int, following previous: UInt64?) -> Int? {
        let sequenceAt = offset + JournalWriter.headerSize
        let own: UInt64? = sequenceAt + 8 <= raw.count ? raw.loadUnaligned(fromByteOffset: sequenceAt, as: UInt64.self).littleEndian
                                                        : previous.map { $0 &+ 1 }
        guard let own else { return nil }
        let expected = own &+ 1
        var start = offset + 1
        while start + JournalWriter.headerSize + 8 + 9 <= raw.count {
            let length = Int(raw.loadUnaligned(fromByteOffset: start, as: UInt32.self).littleEndian)
            let end = start + JournalWriter.headerSize + length
            if length >= 8 + 9 && length <= 8 + CommandCodec.maxSize && end <= raw.count,
               raw.loadUnaligned(fromByteOffset: start + JournalWriter.headerSize, as: UInt64.self).littleEndian == expected {
                let payload = UnsafeRawBufferPointer(rebasing: raw[(start + JournalWriter.headerSize)..<end])
                let crc = raw.loadUnaligned(fromByteOffset: start + 4, as: UInt32.self).littleEndian
                if CRC32C.checksum(payload) == crc { return start }
            }
            start += 1
        }
        return nil
    }

    private static func dropTorn(at offset: Int, _ bytes: Int, _ contents: inout JournalContents) {
        contents.warnings.append("dropped a torn last record: \(bytes) bytes at offset \(offset)")
    }
}

/// Writes `count` bytes, resuming after short writes and interruptions.
func writeAll(_ descriptor: Int32, _ base: UnsafeRawPointer, _ count: Int) throws(JournalError) {
    var offset = 0
    while offset < count {
        let written = write(descriptor, base + offset, count - offset)
        if written < 0 {
            if errno == EINTR { continue }
            throw .io("write: \(JournalWriter.errorText())")
        }
        offset += written
    }
}

/// The whole file, or nil when it does not exist.
func readFile(_ path: String) throws(JournalError) -> [UInt8]? {
    let descriptor = open(path, O_RDONLY | O_CLOEXEC)
    if descriptor < 0 {
        if errno == ENOENT { return nil }
        throw .io("open \(path): \(JournalWriter.errorText())")
    }
    defer { close(descriptor) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 1 << 16)
    while true {
        let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
        if count < 0 {
            if errno == EINTR { continue }
            throw .io("read \(path): \(JournalWriter.errorText())")
        }
        if count == 0 { return bytes }
        bytes.append(contentsOf: chunk[0..<count])
    }
}
