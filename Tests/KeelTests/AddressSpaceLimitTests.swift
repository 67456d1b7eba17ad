import Foundation
import XCTest

/// `keel` under `ulimit -v`: where the address space runs out, the process still starts and
/// a script that asks for too much memory gets a positioned error, never a trap or a hang.
final class AddressSpaceLimitTests: XCTestCase {
    let keel = ProductProcess(name: "keel")

    func script(_ text: String) throws -> String {
        let path = NSTemporaryDirectory() + "keel-limit-\(getpid())-\(text.hashValue).keel"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        return path
    }

    /// No 1 GiB stack fits under 800 MB: the interpreter takes a smaller one, and deep
    /// recursion still ends in the depth-limit error.
    func testScriptsRunWithoutRoomForTheLargeStack() throws {
        let path = try script("""
            fn depth(n: Int) -> Int { if n == 0 { 0 } else { 1 + depth(n - 1) } }
            print(depth(5000))
            print(depth(20000))
            """)
        let run = try keel.run(["run", path], timeout: 30, addressSpaceKiB: 800_000)
        XCTAssertEqual(run.stdout, "5000\n")
        XCTAssertEqual(run.status, 2, run.stderr)
        XCTAssertTrue(run.stderr.contains(":1:54: error: recursion too deep"), run.stderr)
    }

    /// A book's order table is taken whole when the book is made (235 MB for 2^22 orders);
    /// past what the system gives, making one is a runtime error at the call.
    func testABookWithNoMemoryForItsTableIsAnError() throws {
        let path = try script("""
            use orders
            var books: List[Book] = []
            while len(books) < 100 {
              books.push(orders.book_with_capacity("B${len(books)}", tick: 0.01, lot: 1, capacity: 4194304))
            }
            """)
        let run = try keel.run(["run", path], timeout: 30, addressSpaceKiB: 1_500_000)
        XCTAssertEqual(run.status, 2, run.stderr)
        XCTAssertTrue(run.stderr.contains(":4:14: error: book B"), run.stderr)
        XCTAssertTrue(run.stderr.contains("out of memory for 234885120 bytes of order table (4194304 orders)"), run.stderr)
    }
}
