#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Memory for the big flat arrays (order pool, id index). From 2 MiB up they are
/// 2 MiB-aligned and, on Linux, marked for transparent huge pages: random probes over
/// 100,000 orders otherwise miss the TLB as well as the cache.
enum LargeAllocation {
    static let hugePage = 2 << 20

    static func allocate<T>(_ type: T.Type, count: Int) -> UnsafeMutablePointer<T> {
        let bytes = max(count * MemoryLayout<T>.stride, 1)
        guard bytes >= hugePage else { return .allocate(capacity: count) }
        var raw: UnsafeMutableRawPointer?
        let rounded = (bytes + hugePage - 1) / hugePage * hugePage
        guard posix_memalign(&raw, hugePage, rounded) == 0, let raw else { return .allocate(capacity: count) }
        #if os(Linux)
        _ = madvise(raw, rounded, MADV_HUGEPAGE)
        #endif
        return raw.bindMemory(to: T.self, capacity: count)
    }

    /// Bytes `allocate` reserves for `count` values (huge-page rounding included).
    static func bytes<T>(_ type: T.Type, count: Int) -> Int {
        let bytes = max(count * MemoryLayout<T>.stride, 1)
        return bytes >= hugePage ? (bytes + hugePage - 1) / hugePage * hugePage : bytes
    }

    /// Frees memory from `allocate` with the same `count`.
    static func deallocate<T>(_ pointer: UnsafeMutablePointer<T>, count: Int) {
        if max(count * MemoryLayout<T>.stride, 1) >= hugePage {
            free(pointer)
        } else {
            pointer.deallocate()
        }
    }
}
