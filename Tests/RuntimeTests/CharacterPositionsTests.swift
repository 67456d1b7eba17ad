import XCTest
import SeededRandom
@testable import Runtime

/// `CharacterPositions` against Swift's own character view of the same strings.
final class CharacterPositionsTests: XCTestCase {
    /// Pieces of one to several UTF-8 bytes and clusters of several scalars (a letter
    /// with a combining accent, a flag, a family emoji, CR LF).
    static let pieces = ["a", "Z", " ", "é", "e\u{301}", "ß", "中", "🇸🇪", "👨‍👩‍👧", "\r\n", "~", "ж"]

    func testEveryCharacterAndTheCountMatchSwiftsCharacters() {
        var random = SplitMix64(seed: 99)
        for round in 0..<60 {
            let asciiOnly = round % 3 == 0
            let length = 40 + random.below(700)
            var text = ""
            for _ in 0..<length {
                let piece = Self.pieces[random.below(asciiOnly ? 3 : Self.pieces.count)]
                text += piece
            }
            let expected = Array(text)
            guard let positions = CharacterPositions(text) else {
                XCTAssertLessThan(text.utf8.count, CharacterPositions.minimumUTF8Count)
                continue
            }
            XCTAssertEqual(positions.count, expected.count, "round \(round)")
            for i in 0..<expected.count {
                XCTAssertEqual(positions.character(i), String(expected[i]), "round \(round), character \(i)")
            }
            XCTAssertTrue(positions.describes(text))
        }
    }

    /// A cache entry answers only for its own string: not for an equal string in other
    /// storage (it is rebuilt, with the same answers), nor for a longer or shorter one.
    func testPositionsDescribeOnlyTheirOwnString() {
        let text = String(repeating: "ab中", count: 40)
        guard let positions = CharacterPositions(text) else { return XCTFail("a long string") }
        var copy = text
        copy += "x"
        copy.removeLast()
        XCTAssertEqual(copy, text)
        XCTAssertFalse(positions.describes(copy))
        XCTAssertFalse(positions.describes(text + "c"))
        XCTAssertNil(CharacterPositions("short"))
    }
}
