@testable import Orders
import SeededRandom
import XCTest

/// The order table against a plain dictionary: random inserts and removals at the
/// highest load a book allows, with every probe run wrapping past the table's end at
/// some point. After each removal, every live id must be found at the slot the `moved`
/// reports put it in.
final class OrderTableTests: XCTestCase {
    func testFindsEveryLiveIdWhereTheMovesSaidThroughChurnAtFullLoad() throws {
        for capacity in [1, 5, 24, 300] {
            let table = try XCTUnwrap(OrderTable(room: capacity, key: .random()))
            defer { table.deallocate() }
            var random = SplitMix64(seed: UInt64(capacity))
            var slotOf: [UInt64: Int32] = [:]
            var nextId: UInt64 = 1
            var wrapped = false
            for step in 0..<20_000 {
                if slotOf.count < capacity && (slotOf.isEmpty || random.below(2) == 0) {
                    // Ids spread like clients' counters and like large random ids.
                    let id = random.below(3) == 0 ? random.next() | 1 << 40 : nextId
                    nextId += 1
                    let slot = table.vacancy(for: id)
                    XCTAssertFalse(table.slots[Int(slot)].isOccupied)
                    if Int(slot) < table.home(id) { wrapped = true }
                    table.slots[Int(slot)] = Slot(id: id, level: 0, open: 1, iceberg: false, trader: 0, side: .buy,
                                                  selfTrade: .none)
                    slotOf[id] = slot
                } else {
                    let ids = Array(slotOf.keys).sorted()
                    let id = ids[random.below(ids.count)]
                    guard let slot = slotOf.removeValue(forKey: id) else { return XCTFail("model lost \(id)") }
                    table.remove(slot) { to in
                        // The mover copied the order into `to`; its old slot is the one the model has.
                        let moved = table.slots[Int(to)].id
                        XCTAssertNotNil(slotOf[moved])
                        slotOf[moved] = to
                    }
                }
                for (id, slot) in slotOf where table.find(id) != slot {
                    return XCTFail("capacity \(capacity) step \(step): \(id) found at \(table.find(id)), moved to \(slot)")
                }
                XCTAssertEqual(table.find(nextId + 1_000_000), -1)
                let occupied = (0..<table.count).filter { table.slots[$0].isOccupied }.count
                XCTAssertEqual(occupied, slotOf.count)
            }
            XCTAssertTrue(wrapped || capacity == 1, "capacity \(capacity): no probe run wrapped")
        }
    }

    /// Growing moves every order to the slot `grow` reports for it, where `find` finds it,
    /// and leaves room for the new number of orders.
    /// Two slots to a cache line, and the table starts on a line, so no slot spans two.
    func testSlotsAreHalfACacheLineAndLineAligned() throws {
        XCTAssertEqual(MemoryLayout<Slot>.stride, 32)
        for room in [1, 100, 100_000] {
            let table = try XCTUnwrap(OrderTable(room: room, key: .random()))
            XCTAssertEqual(Int(bitPattern: table.slots) % 64, 0, "room \(room)")
            table.deallocate()
        }
    }

    func testGrowReportsWhereEveryOrderWent() throws {
        var table = try XCTUnwrap(OrderTable(room: 3, key: .random()))
        defer { table.deallocate() }
        var random = SplitMix64(seed: 9)
        var slotOf: [UInt64: Int32] = [:]
        for round in 0..<8 {
            while slotOf.count < table.room {
                let id = random.below(2) == 0 ? random.next() : UInt64(slotOf.count + 1 + round * 1_000)
                guard slotOf[id] == nil else { continue }
                let slot = table.vacancy(for: id)
                table.slots[Int(slot)] = Slot(id: id, level: 0, open: Int64(id & 0xFFFF) + 1, iceberg: false, trader: 0,
                                              side: .sell, selfTrade: .none)
                slotOf[id] = slot
            }
            let oldCount = table.count
            let moves = try XCTUnwrap(table.grow(room: table.room * 2))
            XCTAssertEqual(moves.count, oldCount)
            XCTAssertEqual(moves.filter { $0 >= 0 }.count, slotOf.count)
            for (id, slot) in slotOf {
                let moved = moves[Int(slot)]
                XCTAssertEqual(table.find(id), moved, "round \(round) id \(id)")
                XCTAssertEqual(table.slots[Int(moved)].open, Int64(id & 0xFFFF) + 1)
                slotOf[id] = moved
            }
            XCTAssertEqual((0..<table.count).filter { table.slots[$0].isOccupied }.count, slotOf.count)
        }
        XCTAssertEqual(table.room, 3 << 8)
    }

    /// Ids chosen so the fixed hash sends them all to one slot (built, as an attacker
    /// would, from the multiplier's inverse) fill one probe run with the fixed key, and
    /// scatter under a book's random key.
    func testChosenIdsCannotCrowdOneSlotUnderARandomKey() throws {
        let multiplier = HashKey.fixed.multiplier
        var inverse = multiplier
        for _ in 0..<5 { inverse = inverse &* (2 &- multiplier &* inverse) }
        XCTAssertEqual(multiplier &* inverse, 1)
        // mix = lo32(p ^ p >> 29) is 0 when p's low 32 bits equal those of q = p >> 29.
        var random = SplitMix64(seed: 5)
        var ids: [UInt64] = []
        while ids.count < 3_000 {
            var q = random.next() >> 29
            q = q & ~(UInt64(7) << 29) | (q & 7) << 29
            let p = q << 29 | q & ((1 << 29) - 1)
            ids.append(p &* inverse)
        }
        XCTAssertTrue(ids.allSatisfy { mix($0, .fixed) == 0 })
        func longestRun(_ key: HashKey) throws -> Int {
            let table = try XCTUnwrap(OrderTable(room: ids.count, key: key))
            defer { table.deallocate() }
            for id in ids {
                let slot = table.vacancy(for: id)
                table.slots[Int(slot)] = Slot(id: id, level: 0, open: 1, iceberg: false, trader: 0, side: .buy, selfTrade: .none)
            }
            var longest = 0, run = 0
            for index in 0..<(2 * table.count) {
                run = table.slots[index % table.count].isOccupied ? run + 1 : 0
                longest = max(longest, min(run, table.count))
            }
            return longest
        }
        XCTAssertEqual(try longestRun(.fixed), ids.count)
        XCTAssertLessThan(try longestRun(.random()), 100)
        var seen = SeenIds(expected: 16, key: .random())
        for id in ids { XCTAssertTrue(seen.insert(id)) }
        XCTAssertEqual(seen.sparseIds, ids.sorted())
    }
}
