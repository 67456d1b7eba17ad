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

    /// nil when the system has no memory to give: the order table of a big book is the
    /// one allocation a script can make large enough to fail, and the caller turns that
    /// into an error or a rejection instead of stopping the process.
    static func allocate<T>(_ type: T.Type, count: Int) -> UnsafeMutablePointer<T>? {
        let bytes = max(count * MemoryLayout<T>.stride, 1)
        var raw: UnsafeMutableRawPointer?
        if bytes >= hugePage {
            guard posix_memalign(&raw, hugePage, Self.bytes(type, count: count)) == 0, let raw else { return nil }
            #if os(Linux)
            _ = madvise(raw, bytes / hugePage * hugePage, MADV_HUGEPAGE)
            #endif
            return raw.bindMemory(to: T.self, capacity: count)
        }
        guard posix_memalign(&raw, max(cacheLine, MemoryLayout<T>.alignment), bytes) == 0, let raw else { return nil }
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
