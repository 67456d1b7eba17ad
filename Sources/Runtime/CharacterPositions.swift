/// Where the characters of a long string are, so that `s[i]` and `len(s)` on it cost
/// O(1) once this is built: Swift counts characters (grapheme clusters) by walking the
/// string, which made a loop over `s[i]` up to `len(s)` quadratic (80,000 characters:
/// 67 s). The VM keeps the positions of the last long string indexed or measured.
final class CharacterPositions {
    /// Shorter strings are walked: their walk costs less than a lookup here.
    static let minimumUTF8Count = 64
    /// Characters between breadcrumbs in a non-ASCII string.
    static let stride = 64

    /// Held so that its storage stays allocated, and unchanged, while cached: a string
    /// with the same storage address and length is this one.
    private let string: String
    private let storage: UnsafeRawPointer
    private let utf8Count: Int
    /// The number of characters.
    let count: Int
    /// The UTF-8 offset of every `stride`-th character; empty for an ASCII string, where
    /// a character's index is its offset.
    private let breadcrumbs: [Int]

    /// nil for a string too short to be worth it, or not stored as one UTF-8 buffer.
    init?(_ string: String) {
        guard string.utf8.count >= Self.minimumUTF8Count, let storage = Self.storage(of: string) else { return nil }
        self.string = string
        self.storage = storage
        utf8Count = string.utf8.count
        let isASCII = string.utf8.withContiguousStorageIfAvailable { bytes in bytes.allSatisfy { $0 < 0x80 } } ?? false
        if isASCII {
            count = utf8Count
            breadcrumbs = []
            return
        }
        var breadcrumbs: [Int] = [], count = 0
        for index in string.indices {
            if count % Self.stride == 0 { breadcrumbs.append(string.utf8.distance(from: string.startIndex, to: index)) }
            count += 1
        }
        self.count = count
        self.breadcrumbs = breadcrumbs
    }

    /// Whether `other` is the string these positions are for.
    func describes(_ other: String) -> Bool {
        other.utf8.count == utf8Count && Self.storage(of: other) == storage
    }

    /// The character at `i` (in `0..<count`).
    func character(_ i: Int) -> String {
        if breadcrumbs.isEmpty {
            let utf8 = string.utf8
            return String(decoding: CollectionOfOne(utf8[utf8.index(utf8.startIndex, offsetBy: i)]), as: UTF8.self)
        }
        return String(string[index(i)])
    }

    /// Where character `i` (in `0...count`) starts: at most `stride` characters walked.
    func index(_ i: Int) -> String.Index {
        if breadcrumbs.isEmpty || i == count { return string.utf8.index(string.startIndex, offsetBy: i == count ? utf8Count : i) }
        let crumb = string.utf8.index(string.startIndex, offsetBy: breadcrumbs[i / Self.stride])
        return string.index(crumb, offsetBy: i % Self.stride)
    }

    private static func storage(of string: String) -> UnsafeRawPointer? {
        string.utf8.withContiguousStorageIfAvailable { UnsafeRawPointer($0.baseAddress) } ?? nil
    }
}
