import XCTest
@testable import Money

/// Division of word-sized coefficients takes a fast path; these check it against the
/// specification's own characterisation of an exact quotient, and the rounded case
/// against the general path's digits.
final class WordDivisionTests: XCTestCase {
    func testExactQuotientsAreExactWithTheIdealExponent() throws {
        for a in stride(from: 1, through: 400, by: 7) {
            for b in 1...64 {
                for (ea, eb) in [(0, 0), (-2, 0), (-2, -1), (1, -3)] {
                    let x = try Dec(parsing: "\(a)E\(ea)"), y = try Dec(parsing: "\(b)E\(eb)")
                    let q = try x.divided(by: y)
                    let ideal = ea - eb
                    if q.digitCount >= 34 { continue }
                    // Exact: multiplying back gives the dividend.
                    XCTAssertEqual(try q.multiplying(y), x, "\(x) / \(y) = \(q)")
                    // Closest exponent to the ideal: never above it, and no trailing zero
                    // that could be dropped while staying at or below it.
                    XCTAssertLessThanOrEqual(q.exponent, ideal)
                    if q.exponent < ideal { XCTAssertEqual(q.reducedParts.exponent, q.exponent, "\(x) / \(y) = \(q)") }
                }
            }
        }
    }

    func testKnownQuotients() throws {
        let cases = [("10.00", "2.5", "4.0"), ("1", "4", "0.25"), ("1", "8", "0.125"), ("12", "0.5", "24"),
                     ("1200.00", "30", "40.00"), ("-7", "2", "-3.5"), ("1", "3", "0.3333333333333333333333333333333333"),
                     ("2", "3", "0.6666666666666666666666666666666667")]
        for (a, b, want) in cases {
            XCTAssertEqual(try Dec(parsing: a).divided(by: Dec(parsing: b)).description, want, "\(a) / \(b)")
        }
    }
}
