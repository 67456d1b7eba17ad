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
    /// Never; records are written by the background writer as buffers fill, and on
    /// `flush()`, `sync()` and when the writer goes away.
    case none
    /// Hand records to the background writer every `n` records and fsync them there
    /// (group commit): the command stream never waits for the disk, and
    /// `durableSequence` says what is safe. While one fsync runs, later records are
    /// written as buffers fill; the next boundary after it finishes syncs them all.
    case every(Int)
    /// Write and fsync after each record, before `append` returns.
    case always
}

/// Appends commands to a journal file.
///
/// The caller's thread only copies each command and its sequence number into memory (one
/// 64-byte entry). Encoding, checksums and `write(2)` run on a background queue, one
/// buffer at a time and in order, and the policy's fsyncs on another beside it: a buffer
/// is handed over when it fills, at each fsync boundary, and on `flush()`, and is free
/// again once written. The caller waits only when every buffer is still being written
/// (the disk is behind) or when it asks to (`flush`, `sync`), so the system calls, and
/// the interrupts their I/O brings, stay off the matching loop.
public final class JournalWriter {
    static let bufferSize = 1 << 19
    /// An fsync here takes 0.2-0.5 ms and now and then several: with four buffers the
    /// caller waited for a free one in most W2 runs with fsync every 1,000 records (up to
    /// 4 ms a run). Sixteen of 8,192 entries hold about 8 ms of commands.
    static let bufferCount = 16
    static let entriesPerBuffer = bufferSize / MemoryLayout<Entry>.stride
    static let headerSize = 8
    static let maxRecord = headerSize + 8 + CommandCodec.maxSize
    /// Entries ahead of the next one whose cache line is requested.
    static let prefetchAhead = 8

    /// A command as the caller hands it over, encoded later by the writer.
    struct Entry {
        var sequence: UInt64
        var command: Command
    }

    private let descriptor: Int32
    private let policy: FsyncPolicy
    private let buffers: UnsafeMutablePointer<Entry>
    /// Where the writer queue encodes a buffer's records (its alone).
    private let encoded: UnsafeMutableRawPointer
    /// The buffer entries go into (`buffers + current * entriesPerBuffer`), and its fill.
    private var current = 0
    private var used = 0
    private var sinceSync = 0
    private var lastSequence: UInt64 = 0
    private let durability = Durability()
    private let writerQueue = DispatchQueue(label: "orders.journal.writer")
    /// Runs the policy's fsyncs, in order, while `writerQueue` goes on writing.
    private let syncQueue = DispatchQueue(label: "orders.journal.fsync")
    /// Buffers not held by the writer queue, counting the current one as taken.
    private let freeBuffers = DispatchSemaphore(value: bufferCount - 1)

    /// Shared with the writer queue.
    private final class Durability: Sendable {
        let sequence = Atomic<UInt64>(0)
        let syncing = Atomic<Bool>(false)
        let failed = Atomic<Int32>(0)
    }

    /// The last sequence number that is written and, unless the policy is `none`, fsynced:
    /// what a caller may acknowledge.
    public var durableSequence: UInt64 { durability.sequence.load(ordering: .acquiring) }

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
        let entryCount = Self.entriesPerBuffer * Self.bufferCount
        guard let buffers = LargeAllocation.allocate(Entry.self, count: entryCount) else {
            close(descriptor)
            throw .io("out of memory for the journal's \(entryCount * MemoryLayout<Entry>.stride) bytes of buffers")
        }
        self.descriptor = descriptor
        self.policy = policy
        self.buffers = buffers
        // Both are touched here, so that the command stream takes no page faults the first
        // time round the buffers (2,048 of them without huge pages), nor the writer queue.
        UnsafeMutableRawPointer(buffers).initializeMemory(as: UInt8.self, repeating: 0,
                                                          count: entryCount * MemoryLayout<Entry>.stride)
        encoded = .allocate(byteCount: Self.entriesPerBuffer * Self.maxRecord, alignment: 64)
        encoded.initializeMemory(as: UInt8.self, repeating: 0, count: Self.entriesPerBuffer * Self.maxRecord)
    }

    deinit {
        try? flush()  // Also waits for the writer queue, the last user of `encoded`.
        syncQueue.sync {}
        close(descriptor)
        LargeAllocation.deallocate(buffers)
        encoded.deallocate()
    }

    /// Appends one command as record `sequence`, handing records to the writer as the
    /// policy says.
    public func append(_ command: Command, sequence: UInt64) throws(JournalError) {
        try withUnsafePointer(to: command) { pointer throws(JournalError) in
            try append(contentsOf: UnsafeBufferPointer(start: pointer, count: 1), firstSequence: sequence)
        }
    }

    /// Appends `commands` as records `firstSequence`, `firstSequence + 1`, …, in runs
    /// that end where the buffer fills or the policy asks for a hand-over.
    public func append(contentsOf commands: UnsafeBufferPointer<Command>, firstSequence: UInt64) throws(JournalError) {
        var sequence = firstSequence, index = 0
        while index < commands.count {
            if used == Self.entriesPerBuffer { try handOver(syncing: false) }
            var run = min(commands.count - index, Self.entriesPerBuffer - used)
            switch policy {
            case .none: break
            case .always: run = 1
            case .every(let count): run = min(run, max(1, count - sinceSync))
            }
            let entries = buffers + current * Self.entriesPerBuffer + used
            for k in 0..<run {
                // The buffer's lines were last read by the writer queue on another core;
                // asking for them ahead, for writing, hides the ownership transfer.
                orders_prefetch(entries + k + Self.prefetchAhead)
                (entries + k).initialize(to: Entry(sequence: sequence &+ UInt64(k), command: commands[index + k]))
            }
            used += run
            index += run
            sequence &+= UInt64(run)
            lastSequence = sequence &- 1
            switch policy {
            case .none:
                break
            case .always:
                try sync()
            case .every(let count):
                sinceSync += run
                if sinceSync >= count && !durability.syncing.load(ordering: .acquiring) {
                    sinceSync = 0
                    durability.syncing.store(true, ordering: .relaxed)
                    try handOver(syncing: true)
                }
            }
        }
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

    /// Gives the current buffer to the writer queue (to write, and to fsync when
    /// `syncing`) and takes the next free one, waiting while none is.
    private func handOver(syncing: Bool) throws(JournalError) {
        try checkWriter()
        // The buffers travel as addresses: they are this writer's, the entries untouched
        // by the caller's thread until the queue signals `freeBuffers`, and `encoded`
        // used only on the queue.
        let address = UInt(bitPattern: buffers + current * Self.entriesPerBuffer), count = used, target = lastSequence
        let scratch = UInt(bitPattern: encoded)
        let descriptor = self.descriptor, durability = self.durability, free = freeBuffers, syncQueue = self.syncQueue
        let updatesOnWrite = policy == .none
        writerQueue.async {
            defer { free.signal() }
            guard durability.failed.load(ordering: .relaxed) == 0, let entries = UnsafePointer<Entry>(bitPattern: address),
                  let bytes = UnsafeMutableRawPointer(bitPattern: scratch) else { return }
            do throws(JournalError) {
                try writeAll(descriptor, bytes, JournalWriter.encode(entries, count: count, into: bytes))
            } catch {
                durability.failed.store(errno == 0 ? EIO : errno, ordering: .relaxed)
                return
            }
            if updatesOnWrite { durability.sequence.store(target, ordering: .releasing) }
            guard syncing else { return }
            // The fsync runs beside later writes, so the buffers it covers are free at once:
            // it makes durable what was written before it, and `target` claims no more.
            syncQueue.async {
                if fsync(descriptor) == 0 {
                    durability.sequence.store(target, ordering: .releasing)
                } else {
                    durability.failed.store(errno, ordering: .relaxed)
                }
                durability.syncing.store(false, ordering: .releasing)
            }
        }
        freeBuffers.wait()
        current = (current + 1) % Self.bufferCount
        used = 0
    }

    /// Throws what the writer queue ran into, if anything.
    private func checkWriter() throws(JournalError) {
        let failure = durability.failed.load(ordering: .relaxed)
        if failure != 0 { throw .io("journal writer: \(String(cString: strerror(failure)))") }
    }

    /// Hands buffered records to the kernel and waits until they are written (they
    /// survive a process crash from here on).
    public func flush() throws(JournalError) {
        try handOver(syncing: false)
        writerQueue.sync {}
        try checkWriter()
    }

    /// Flushes and fsyncs now (survives a machine crash).
    public func sync() throws(JournalError) {
        try flush()
        syncQueue.sync {}  // A policy fsync still running would lower `durableSequence` after ours.
        guard fsync(descriptor) == 0 else { throw .io("fsync: \(Self.errorText())") }
        sinceSync = 0
        durability.sequence.store(lastSequence, ordering: .releasing)
    }

    static func errorText() -> String { String(cString: strerror(errno)) }
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
