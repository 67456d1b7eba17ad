import XCTest
import SeededRandom
@testable import Runtime

/// `OrderedMap` against a plain model (an array of key-value pairs searched in order),
/// through random operations that take it from a searched-in-order map to an indexed
/// one with holes, compactions and back to empty.
final class OrderedMapTests: XCTestCase {
    /// The model: insertion order is the array's order.
    struct Model {
        var pairs: [(key: Value, value: Value)] = []
        func place(_ key: Value) -> Int? { pairs.firstIndex { $0.key == key } }
    }

    func testRandomOperationsMatchAnOrderedListOfPairs() {
        var random = SplitMix64(seed: 1234)
        for round in 0..<24 {
            var map = OrderedMap(), model = Model()
            // Small key ranges keep maps small and make removals hit; large ones grow them.
            let keyRange = [4, 16, 64, 1_000][round % 4]
            for step in 0..<3_000 {
                let key = randomKey(&random, below: keyRange)
                switch random.below(100) {
                case 0..<45:
                    let value = Value.int(step)
                    map[key] = value
                    if let place = model.place(key) { model.pairs[place].value = value } else { model.pairs.append((key, value)) }
                case 45..<80:
                    let expected = model.place(key).map { model.pairs.remove(at: $0).value }
                    XCTAssertEqual(map.removeValue(forKey: key), expected)
                case 80..<90:
                    // An update in place through a handle, as `m[k] += 1` does.
                    if let place = map.place(ofKey: key), let modelPlace = model.place(key) {
                        map[valueAt: place] = .int(-step)
                        model.pairs[modelPlace].value = .int(-step)
                    } else {
                        XCTAssertNil(map.place(ofKey: key))
                        XCTAssertNil(model.place(key))
                    }
                case 90..<99:
                    XCTAssertEqual(map[key], model.place(key).map { model.pairs[$0].value })
                default:
                    if random.below(10) == 0 {
                        map.removeAll()
                        model.pairs.removeAll()
                    }
                }
                // Whole-map checks cost O(count): every step while small, then now and then.
                if model.pairs.count < 64 || step % 25 == 0 { assertSame(map, model, "round \(round), step \(step)") }
            }
        }
    }

    /// Removing most of a large map keeps its order and leaves lookups working, whether the
    /// keys go from the front (compactions), from the back (holes dropped at once) or at random.
    func testLargeRemovalsKeepOrderAndLookups() {
        for order in ["front", "back", "alternate"] {
            var map = OrderedMap(), model = Model()
            for i in 0..<5_000 {
                map[.int(i)] = .int(i * 2)
                model.pairs.append((.int(i), .int(i * 2)))
            }
            let victims: [Int]
            switch order {
            case "front": victims = Array(0..<4_900)
            case "back": victims = Array((100..<5_000).reversed())
            default: victims = Array(stride(from: 0, to: 5_000, by: 2))
            }
            for victim in victims {
                XCTAssertEqual(map.removeValue(forKey: .int(victim)), .int(victim * 2))
                if let place = model.place(.int(victim)) { model.pairs.remove(at: place) }
            }
            assertSame(map, model, order)
            for (key, value) in model.pairs { XCTAssertEqual(map[key], value) }
            map[.int(-1)] = .int(0)
            XCTAssertEqual(map.keys.last, .int(-1), order)
        }
    }

    /// A map used as a stack that sometimes drops the entry under the top: holes come and
    /// go at the end, and the map stays equal to its model throughout.
    func testHolesThatComeAndGoAtTheEnd() {
        var map = OrderedMap(), model = Model()
        for i in 0..<100 {
            map[.int(i)] = .int(i)
            model.pairs.append((.int(i), .int(i)))
        }
        for cycle in 0..<300 {
            for k in [1_000 + 2 * cycle, 1_001 + 2 * cycle] {
                map[.int(k)] = .int(cycle)
                model.pairs.append((.int(k), .int(cycle)))
            }
            for k in [1_000 + 2 * cycle, 1_001 + 2 * cycle] {
                XCTAssertEqual(map.removeValue(forKey: .int(k)), .int(cycle))
                model.pairs.removeAll { $0.key == .int(k) }
            }
            if cycle % 50 == 0 { assertSame(map, model, "cycle \(cycle)") }
        }
        XCTAssertEqual(map.removeValue(forKey: .int(50)), .int(50))
        model.pairs.removeAll { $0.key == .int(50) }
        assertSame(map, model, "after a hole in the middle")
    }

    /// Equality follows the key order, as map equality always has.
    func testEqualityIsOrderSensitive() {
        var ab = OrderedMap(), ba = OrderedMap(), again = OrderedMap()
        ab[.string("a")] = .int(1); ab[.string("b")] = .int(2)
        ba[.string("b")] = .int(2); ba[.string("a")] = .int(1)
        again[.string("a")] = .int(1); again[.string("b")] = .int(2)
        XCTAssertNotEqual(ab, ba)
        XCTAssertEqual(ab, again)
    }

    func randomKey(_ random: inout SplitMix64, below range: Int) -> Value {
        let n = random.below(range)
        return n % 3 == 0 ? .string("k\(n)") : .int(n)
    }

    func assertSame(_ map: OrderedMap, _ model: Model, _ context: String, line: UInt = #line) {
        XCTAssertEqual(map.count, model.pairs.count, context, line: line)
        XCTAssertEqual(map.isEmpty, model.pairs.isEmpty, context, line: line)
        XCTAssertEqual(map.keys, model.pairs.map(\.key), context, line: line)
        XCTAssertEqual(map.values, model.pairs.map(\.value), context, line: line)
        XCTAssertTrue(map.elementsEqual(model.pairs) { $0.key == $1.key && $0.value == $1.value }, context, line: line)
    }
}
