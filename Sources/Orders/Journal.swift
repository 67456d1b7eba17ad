#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import Synchronization

// Journal file: a sequence of records `length u32 | crc32c u32 | payload`, where the
// payload is `sequence u64` and one command (`CommandCodec`), all little-endian, and the
// CRC covers the payload. Sequence numbers are the book's command counts: 1, 2, 3, …

/// When the writer calls fsync.
public enum FsyncPolicy: Equatable, Sendable {
    /// Never; records are buffered in-process (1 MiB) and written when the buffer fills,
    /// on `sync()` and on `close()`.
    case none
    /// Write every `n` records and fsync them on a background queue (group commit): the
    /// command stream never waits for the disk, and `durableSequence` says what is safe.
    /// While one fsync runs, later records stay buffered (written only if the buffer
    /// fills, so the stream never waits on pages under writeback); the next boundary
    /// after it finishes writes and syncs them all.
    case every(Int)
    /// Write and fsync after each record.
    case always
}

/// Appends commands to a journal file.
public final class JournalWriter {
    static let bufferSize = 1 << 20
    static let headerSize = 8
    static let maxRecord = headerSize + 8 + CommandCodec.maxSize

    private let descriptor: Int32
    private let policy: FsyncPolicy
    private let buffer: UnsafeMutableRawPointer
    private var used = 0
    private var sinceSync = 0
    private var lastSequence: UInt64 = 0
    private let durability = Durability()
    private let syncQueue = DispatchQueue(label: "orders.journal.fsync")

    /// Shared with the background fsync.
    private final class Durability: Sendable {
        let sequence = Atomic<UInt64>(0)
        let inFlight = Atomic<Bool>(false)
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
        self.descriptor = descriptor
        self.policy = policy
        buffer = .allocate(byteCount: Self.bufferSize, alignment: 8)
    }

    deinit {
        try? flush()
        syncQueue.sync {}
        close(descriptor)
        buffer.deallocate()
    }

    /// Appends one command as record `sequence`, writing and syncing as the policy says.
    @inline(__always)
    public func append(_ command: Command, sequence: UInt64) throws(JournalError) {
        if used + Self.maxRecord > Self.bufferSize { try flush() }
        let record = buffer + used
        record.storeBytes(of: sequence.littleEndian, toByteOffset: 8, as: UInt64.self)
        let length = 8 + CommandCodec.encode(command, at: record + 16)
        let crc = CRC32C.checksum(UnsafeRawBufferPointer(start: record + 8, count: length))
        record.storeBytes(of: UInt32(length).littleEndian, as: UInt32.self)
        record.storeBytes(of: crc.littleEndian, toByteOffset: 4, as: UInt32.self)
        used += Self.headerSize + length
        lastSequence = sequence
        switch policy {
        case .none:
            break
        case .always:
            try sync()
        case .every(let count):
            sinceSync += 1
            if sinceSync >= count && !durability.inFlight.load(ordering: .acquiring) {
                sinceSync = 0
                try flush()
                try syncInBackground()
            }
        }
    }

    /// Starts an fsync covering everything written so far unless one is running.
    private func syncInBackground() throws(JournalError) {
        let failure = durability.failed.load(ordering: .relaxed)
        if failure != 0 { throw .io("background fsync: \(String(cString: strerror(failure)))") }
        guard durability.inFlight.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
            return
        }
        let descriptor = self.descriptor, target = lastSequence, durability = self.durability
        syncQueue.async {
            if fsync(descriptor) == 0 {
                durability.sequence.store(target, ordering: .releasing)
            } else {
                durability.failed.store(errno, ordering: .relaxed)
            }
            durability.inFlight.store(false, ordering: .releasing)
        }
    }

    /// Hands buffered records to the kernel (they survive a process crash from here on).
    public func flush() throws(JournalError) {
        try writeAll(descriptor, buffer, used)
        used = 0
        if policy == .none { durability.sequence.store(lastSequence, ordering: .releasing) }
    }

    /// Flushes and fsyncs now, after any background fsync (survives a machine crash).
    public func sync() throws(JournalError) {
        try flush()
        syncQueue.sync {}
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
            record.storeBytes(of: sequence.littleEndian, toByteOffset: 8, as: UInt64.self)
            let length = 8 + CommandCodec.encode(command, at: record + 16)
            let crc = CRC32C.checksum(UnsafeRawBufferPointer(start: record + 8, count: length))
            record.storeBytes(of: UInt32(length).littleEndian, as: UInt32.self)
            record.storeBytes(of: crc.littleEndian, toByteOffset: 4, as: UInt32.self)
            journal.append(contentsOf: UnsafeRawBufferPointer(start: record, count: JournalWriter.headerSize + length))
        }
    }

    /// Reads `path`; a missing file is an empty journal.
    public static func read(path: String) throws(JournalError) -> JournalContents {
        try decode(try readFile(path) ?? [])
    }

    /// Parses journal bytes. A torn last record (cut short, all zeros, or failing its CRC
    /// at the very end) is dropped with a warning; any other damage throws `.corrupt`
    /// with the record's byte offset.
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
        while offset < count {
            let tail = count - offset
            if tail < JournalWriter.headerSize { return dropTorn(at: offset, tail, &contents) }
            var header = ByteReader(raw, from: offset)
            let length = Int(try header.u32()), crc = try header.u32()
            guard length >= 8 + 9 && length <= 8 + CommandCodec.maxSize else {
                // A zero-filled tail is space the file system extended but never wrote.
                if raw[offset...].allSatisfy({ $0 == 0 }) { return dropTorn(at: offset, tail, &contents) }
                throw .corrupt(offset: offset, "bad record length \(length)")
            }
            let end = offset + JournalWriter.headerSize + length
            if end > count { return dropTorn(at: offset, tail, &contents) }
            let payload = UnsafeRawBufferPointer(rebasing: raw[(offset + JournalWriter.headerSize)..<end])
            if CRC32C.checksum(payload) != crc {
                if end == count { return dropTorn(at: offset, tail, &contents) }
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
