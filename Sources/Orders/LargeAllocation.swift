#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Memory for the big flat array (the order table), aligned to a cache line so that no
/// 32-byte slot straddles two. From 2 MiB up it is 2 MiB-aligned and, on Linux, its whole
/// 2 MiB stretches are marked for transparent huge pages: random probes over 100,000
/// orders otherwise miss the TLB as well as the cache. The tail past the last whole
/// stretch stays in small pages, so the memory used is the size asked for (to the page),
/// not a multiple of 2 MiB.
enum LargeAllocation {
    static let hugePage = 2 << 20
    static let smallPage = 4096
    static let cacheLine = 64

    static func allocate<T>(_ type: T.Type, count: Int) -> UnsafeMutablePointer<T> {
        let bytes = max(count * MemoryLayout<T>.stride, 1)
        var raw: UnsafeMutableRawPointer?
        if bytes >= hugePage, posix_memalign(&raw, hugePage, Self.bytes(type, count: count)) == 0, let raw {
            #if os(Linux)
            _ = madvise(raw, bytes / hugePage * hugePage, MADV_HUGEPAGE)
            #endif
            return raw.bindMemory(to: T.self, capacity: count)
        }
        // As Swift's own allocation does, running out of memory stops the process.
        guard posix_memalign(&raw, max(cacheLine, MemoryLayout<T>.alignment), bytes) == 0, let raw else {
            fatalError("out of memory allocating \(bytes) bytes")
        }
        return raw.bindMemory(to: T.self, capacity: count)
    }

    /// Bytes `allocate` takes for `count` values.
    static func bytes<T>(_ type: T.Type, count: Int) -> Int {
        let bytes = max(count * MemoryLayout<T>.stride, 1)
        return bytes >= hugePage ? (bytes + smallPage - 1) / smallPage * smallPage : bytes
    }

    /// Frees memory from `allocate`.
    static func deallocate<T>(_ pointer: UnsafeMutablePointer<T>) {
        free(pointer)
    }
}
