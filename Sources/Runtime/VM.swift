#if canImport(Glibc)
import Glibc
#endif
import Dispatch
import Money
// Scripts' `random` module runs on it; re-exported so hosts can seed their own.
@_exported import SeededRandom
import Synchronization
import Syntax

/// How a statement finished.
public enum Flow {
    case normal, breakLoop, continueLoop, returned
}

/// What unwinds the Swift stack: a script error, or `break`/`continue`/`return` leaving
/// an expression (an `if` used as a value whose branch returns).
public enum Unwind: Error {
    case failure(RuntimeError)
    case signal(Flow)
}

/// A positioned run-time error with the Keel call stack it unwound through.
public final class RuntimeError: Error, CustomStringConvertible {
    public let message: String
    public let site: Site
    public var trace: [(function: String, site: Site)] = []
    /// Limit errors (steps, depth, memory) that a host may want to tell apart.
    /// Set when a resource limit (or the host's cancellation) stopped the script.
    public let limit: LimitKind?
    public var isLimit: Bool { limit != nil }

    public init(_ message: String, at site: Site, limit: LimitKind? = nil) {
        self.message = message
        self.site = site
        self.limit = limit
    }

    public var description: String { message }

    public func diagnostic() -> Diagnostic {
        var d = Diagnostic(file: site.file, span: site.span, message: message)
        // Deep recursion repeats one frame thousands of times: show each run once with a count.
        var notes: [String] = []
        var previous: String?
        var repeats = 0
        for frame in trace {
            let loc = frame.site.file.location(of: frame.site.span.start)
            let line = frame.site.file.name == "<host>" ? "  in \(frame.function) called by the host"
                : "  in \(frame.function) called at \(frame.site.file.name):\(loc.line):\(loc.column)"
            if line == previous { repeats += 1; continue }
            if repeats > 0 { notes.append("  ... repeated \(repeats) more time\(repeats == 1 ? "" : "s")") }
            notes.append(line)
            previous = line
            repeats = 0
        }
        if repeats > 0 { notes.append("  ... repeated \(repeats) more time\(repeats == 1 ? "" : "s")") }
        d.notes = notes
        return d
    }
}

/// Where a run-time check sits in the source.
public final class Site {
    public let file: SourceFile
    public let span: Span
    public init(file: SourceFile, span: Span) { self.file = file; self.span = span }
}

public typealias Code = (VM) throws(Unwind) -> Value
public typealias IntCode = (VM) throws(Unwind) -> Int
public typealias BoolCode = (VM) throws(Unwind) -> Bool
public typealias StmtCode = (VM) throws(Unwind) -> Flow

/// A compiled function: shared by every closure made from the same source.
public final class FunctionProto {
    public let name: String
    public let arity: Int
    public var frameSize: Int
    /// Frame slots that may hold references and must be released on return.
    public var clearsFrame: Bool
    public var body: Code = { _ throws(Unwind) in .unit }
    /// The body compiled to an unboxed Int, when the function returns Int.
    public var intBody: IntCode?
    let site: Site

    init(name: String, arity: Int, frameSize: Int, clearsFrame: Bool, site: Site) {
        self.name = name
        self.arity = arity
        self.frameSize = frameSize
        self.clearsFrame = clearsFrame
        self.site = site
    }
}

public final class Closure {
    public let proto: FunctionProto
    public let captures: [Cell]
    /// A host function, called with its arguments instead of a Keel body.
    public let native: (([Value]) throws -> Value)?

    init(proto: FunctionProto, captures: [Cell]) {
        self.proto = proto
        self.captures = captures
        self.native = nil
    }

    init(proto: FunctionProto, native: @escaping ([Value]) throws -> Value) {
        self.proto = proto
        self.captures = []
        self.native = native
    }
}

/// Which limit stopped a script.
public enum LimitKind: String, Sendable {
    case steps, time, callDepth = "call depth", collectionSize = "collection size", memory, cancelled
}

/// Resource limits for one run; a host embedding untrusted rules sets them low.
public struct Limits: Sendable {
    /// Loop iterations and calls.
    public var steps: Int
    /// Wall-clock time for one load or call, in milliseconds.
    public var milliseconds: Int?
    public var callDepth: Int
    /// Bytes the script may allocate for strings and collections, and host objects that
    /// report theirs (order books), in one load or call (an estimate counted where they
    /// are built or grown; the stack is preallocated).
    public var memory: Int
    public var stackSlots: Int
    /// The most elements any one list, map or string may hold.
    public var collectionSize: Int
    public init(steps: Int = .max, milliseconds: Int? = nil, callDepth: Int = 10_000, memory: Int = .max,
                stackSlots: Int = 1 << 20, collectionSize: Int = 1 << 27) {
        self.steps = steps
        self.milliseconds = milliseconds
        self.callDepth = callDepth
        self.memory = memory
        self.stackSlots = stackSlots
        self.collectionSize = collectionSize
    }
}

/// Set from any thread (a host's watchdog, a REPL's Ctrl-C) to stop the running script
/// at its next step; the engine stays usable.
public final class Cancellation: Sendable {
    private let flag = Atomic<Bool>(false)
    public init() {}
    public func cancel() { flag.store(true, ordering: .relaxed) }
    public func reset() { flag.store(false, ordering: .relaxed) }
    public var isCancelled: Bool { flag.load(ordering: .relaxed) }
}

/// The machine state compiled code runs against: one preallocated value stack, the
/// globals, the current frame base and closure captures.
public final class VM {
    public let stack: UnsafeMutablePointer<Value>
    public let capacity: Int
    public var base = 0
    public var captures: [Cell] = []
    /// Global slots; reallocated (never shrunk) as a REPL session declares more.
    public private(set) var globals: UnsafeMutablePointer<Value>
    private var globalCapacity = 0
    public var depth = 0
    /// Steps until the next checkpoint, where the budget, the clock and cancellation are looked at.
    var stepsLeft = 0
    /// Steps of the limit not yet handed to a checkpoint slice.
    var stepBudget: Int
    var deadline: UInt64?
    /// Bytes charged against `limits.memory` in the current run.
    var allocated = 0
    public let cancellation: Cancellation
    public let limits: Limits
    public var returnValue: Value = .unit
    public var output: OutputBuffer
    public var random = SplitMix64(seed: 0x5EED)
    public var scriptArguments: [String] = []
    /// Where the host function now running was called from, for errors it raises.
    var hostCallSite: Site?
    /// Argument arrays of finished host and built-in calls, by nesting depth (the first
    /// `spareDepths`), for the next ones. Kept by the VM, not the call site: a script's
    /// compiled code is shared by all its instances, on any thread.
    let spareArguments: UnsafeMutablePointer<[Value]>
    static let spareDepths = 16
    /// `VM.hostCallerKey`, read here without the check a static makes on each access.
    let hostCallerKey = VM.hostCallerKey
    /// Host and built-in calls whose arguments are being evaluated or that are running.
    var hostDepth = 0
    /// The last long string indexed or measured; dropped before that string is appended
    /// to (it holds a reference, which would make the append copy).
    var lastCharacterPositions: CharacterPositions?

    /// Drops the cached positions when they are `value`'s, which is about to grow: they
    /// hold a reference to its storage, which would make the append copy it. Positions of
    /// another string stay (a loop appending `s[i]` to `t` keeps those of `s`).
    func forgetCharacterPositions(of value: Value) {
        if let cached = lastCharacterPositions, case .string(let s) = value, cached.describes(s) { lastCharacterPositions = nil }
    }

    /// The character positions of `s` when it is long enough to keep them, from the cache
    /// if it was the last one asked about.
    func characterPositions(of s: String) -> CharacterPositions? {
        if let cached = lastCharacterPositions, cached.describes(s) { return cached }
        guard let built = CharacterPositions(s) else { return nil }
        lastCharacterPositions = built
        return built
    }

    public init(limits: Limits = Limits(), output: OutputBuffer = OutputBuffer { _ in }) {
        self.limits = limits
        self.capacity = limits.stackSlots
        self.stack = .allocate(capacity: capacity)
        self.stack.initialize(repeating: .unit, count: capacity)
        spareArguments = .allocate(capacity: Self.spareDepths)
        spareArguments.initialize(repeating: [], count: Self.spareDepths)
        self.globals = .allocate(capacity: 0)
        self.stepBudget = limits.steps
        self.cancellation = Cancellation()
        self.output = output
    }

    deinit {
        stack.deinitialize(count: capacity)
        stack.deallocate()
        spareArguments.deinitialize(count: Self.spareDepths)
        spareArguments.deallocate()
        globals.deinitialize(count: globalCapacity)
        globals.deallocate()
    }

    @inline(__always)
    func local(_ slot: Int) -> UnsafeMutablePointer<Value> { stack + (base + slot) }

    public func ensureGlobals(_ count: Int) {
        guard count > globalCapacity else { return }
        let grown = UnsafeMutablePointer<Value>.allocate(capacity: count)
        grown.moveInitialize(from: globals, count: globalCapacity)
        (grown + globalCapacity).initialize(repeating: .unit, count: count - globalCapacity)
        globals.deallocate()
        globals = grown
        globalCapacity = count
    }

    /// Charges a newly built string or list to the memory limit and stops one that has
    /// grown past the collection limit.
    func checkSize(_ v: Value, _ site: Site) throws(Unwind) {
        guard let (count, bytesEach) = Self.elements(of: v) else { return }
        try charge(count * bytesEach, site)
        try checkCollectionLimit(count, site)
    }

    /// After `appended` was appended to `v` in place: only the appended part is charged
    /// against memory (the rest was there), and `v` must stay within the collection limit.
    func checkAppend(_ v: Value, appended: Value, _ site: Site) throws(Unwind) {
        guard let (count, bytesEach) = Self.elements(of: v) else { return }
        try charge((Self.elements(of: appended)?.count ?? 0) * bytesEach, site)
        try checkCollectionLimit(count, site)
    }

    /// A map about to hold `count` keys: within the collection limit, and its new entry
    /// (key, value and bucket) charged against the memory limit.
    func checkMapGrowth(to count: Int, _ site: Site) throws(Unwind) {
        try checkCollectionLimit(count, site)
        try charge(2 * MemoryLayout<Value>.stride + 8, site)
    }

    /// The elements of a string (UTF-8 bytes), Bytes or list, and the bytes each takes.
    private static func elements(of v: Value) -> (count: Int, bytesEach: Int)? {
        switch v {
        case .string(let s): return (s.utf8.count, 1)
        case .bytes(let b): return (b.count, 1)
        case .list(let xs): return (xs.count, MemoryLayout<Value>.stride)
        case .intList(let xs): return (xs.count, 8)
        default: return nil
        }
    }

    private func checkCollectionLimit(_ size: Int, _ site: Site) throws(Unwind) {
        if size > limits.collectionSize {
            throw .failure(RuntimeError("size limit exceeded: \(size) elements is over the limit of \(limits.collectionSize)",
                                        at: site, limit: .collectionSize))
        }
    }

    /// Counts one unit of work (a loop iteration or a call); every 1,024 steps it checks
    /// the step budget, the wall clock and cancellation.
    @inline(__always)
    func step(_ site: Site) throws(Unwind) {
        stepsLeft &-= 1
        if stepsLeft < 0 { try checkpoint(site) }
    }

    /// Counts `n` units of work done inside one built-in (elements sorted, characters split),
    /// so a single expensive call cannot outrun the step and time limits.
    @inline(__always)
    func work(_ n: Int, _ site: Site) throws(Unwind) {
        stepsLeft &-= n
        if stepsLeft < 0 { try checkpoint(site) }
    }

    /// Counts `n` units of work done by the host function now running, so a host call
    /// over a big collection stays within the step, time and cancellation limits.
    public func hostWork(_ n: Int) throws {
        guard let site = hostCallSite else { return }
        try work(n, site)
    }

    /// Charges `bytes` that the host function now running allocated for the script (an
    /// order book's tables, say) against the memory limit.
    public func hostAllocated(_ bytes: Int) throws {
        guard let site = hostCallSite else { return }
        try charge(bytes, site)
    }

    /// An empty argument array for a host or built-in call, with the capacity of an earlier
    /// call's at the same nesting depth (an argument may itself be such a call, and a
    /// built-in like `map` calls back into the script).
    @inline(__always)
    func takeArguments() -> [Value] {
        let depth = hostDepth
        hostDepth = depth &+ 1
        var taken: [Value] = []
        if depth < Self.spareDepths { swap(&taken, &spareArguments[depth]) }
        return taken
    }

    /// Keeps a host call's argument array for the next call at its depth, emptied; a host
    /// function that kept the array shares it, so emptying it then copies it (copy on write).
    @inline(__always)
    func putBackArguments(_ used: inout [Value]) {
        hostDepth &-= 1
        guard hostDepth < Self.spareDepths else { return }
        used.removeAllKeepingCapacity()
        swap(&used, &spareArguments[hostDepth])
    }

    /// The VM whose host call is running on this thread. Bindings are compiled once for a
    /// `Script` and serve all its instances, each with its own VM, so they cannot keep
    /// one: they charge their work and memory to this. Only for use inside a host function's
    /// body, where it is always the calling VM (outside one it may name a VM since freed),
    /// hence not public.
    package static var hostCaller: VM? {
        guard let raw = pthread_getspecific(hostCallerKey) else { return nil }
        return Unmanaged<VM>.fromOpaque(raw).takeUnretainedValue()
    }

    static let hostCallerKey: pthread_key_t = {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        return key
    }()

    /// Runs `body` as this VM's host call on this thread. The caller before it is restored
    /// afterwards when there was one (a host function may run another VM's script); after
    /// an outermost call the VM stays recorded, so a loop of host calls sets nothing. A
    /// VM recorded after its last call may be gone: it is only compared, never read, since
    /// every host call records its own VM before its body runs.
    @inline(__always)
    func asHostCaller<T>(_ body: () throws(Unwind) -> T) throws(Unwind) -> T {
        let key = hostCallerKey, previous = UnsafeRawPointer(pthread_getspecific(key))
        let current = UnsafeRawPointer(Unmanaged.passUnretained(self).toOpaque())
        guard previous != current else { return try body() }
        pthread_setspecific(key, current)
        defer { if let previous { pthread_setspecific(key, previous) } }
        return try body()
    }

    static let slice = 1024

    func checkpoint(_ site: Site) throws(Unwind) {
        if cancellation.isCancelled {
            throw .failure(RuntimeError("cancelled by the host", at: site, limit: .cancelled))
        }
        if let deadline, DispatchTime.now().uptimeNanoseconds > deadline {
            throw .failure(RuntimeError("time limit of \(limits.milliseconds ?? 0) ms exceeded", at: site, limit: .time))
        }
        // Work charged past the last slice is taken from the budget too.
        stepBudget += stepsLeft + 1
        if stepBudget <= 0 {
            throw .failure(RuntimeError("step limit of \(limits.steps) exceeded", at: site, limit: .steps))
        }
        let slice = Swift.min(Self.slice, stepBudget)
        stepBudget -= slice
        stepsLeft = slice - 1
    }

    /// Starts a run (a load or a host call): the step budget, the clock and cancellation start afresh.
    public func beginRun() {
        stepBudget = limits.steps
        stepsLeft = 0
        deadline = limits.milliseconds.map { DispatchTime.now().uptimeNanoseconds + UInt64($0) * 1_000_000 }
        depth = 0
        allocated = 0
    }

    /// Charges an allocation of about `bytes` against the memory limit.
    @inline(__always)
    func charge(_ bytes: Int, _ site: Site) throws(Unwind) {
        allocated &+= bytes
        if allocated > limits.memory {
            throw .failure(RuntimeError("memory limit of \(limits.memory) bytes exceeded", at: site, limit: .memory))
        }
    }
}

/// Collects stdout in large chunks; the host decides where it goes. A sink that throws
/// (a full disk, a closed pipe) leaves its error in `failure`: `print` then stops the
/// script with it (and clears it, so a later run tries again), and a host checks it after
/// the run for the last chunk, so output is never lost without a word.
public final class OutputBuffer {
    var buffer: [UInt8] = []
    let sink: ([UInt8]) throws -> Void
    /// The first error the sink threw since it was last taken.
    public private(set) var failure: Error?

    /// The error the sink threw, if any, now reported.
    public func takeFailure() -> Error? {
        defer { failure = nil }
        return failure
    }

    /// Writes to the process's standard output (what the CLI uses).
    public static var standardOutput: OutputBuffer {
        OutputBuffer { bytes in
            let written = bytes.withUnsafeBufferPointer { p in fwrite(p.baseAddress, 1, p.count, stdout) }
            if written < bytes.count || fflush(stdout) != 0 {
                throw OutputError(message: "cannot write to standard output: \(String(cString: strerror(errno)))")
            }
        }
    }

    public init(sink: @escaping ([UInt8]) throws -> Void) {
        self.sink = sink
        buffer.reserveCapacity(1 << 16)
    }

    public func write(_ s: String) {
        buffer.append(contentsOf: s.utf8)
        if buffer.count >= 1 << 16 { flush() }
    }

    public func flush() {
        guard !buffer.isEmpty else { return }
        do {
            try sink(buffer)
        } catch {
            if failure == nil { failure = error }
        }
        buffer.removeAll(keepingCapacity: true)
    }
}

/// Output that could not be written.
public struct OutputError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

