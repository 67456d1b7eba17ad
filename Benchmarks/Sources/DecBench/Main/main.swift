import DecBenchAllocCounter
import Foundation
import Keel

// dec-bench: throughput of Keel's exact-decimal engine (`Dec`, module Money)
// against Python's decimal (libmpdec), plus a heap-allocation count showing
// that the inline (UInt64-coefficient) path never allocates.
//
//   cd /work/main && swift run -c release --package-path Benchmarks dec-bench
//
// Exits non-zero when the inline add/mul/quantize path allocates, when the
// allocation counter sees nothing on the 40-digit path (so it would prove
// nothing), or when Keel and Python disagree on a result.

/// Operands per set; a power of two so the loops index with a mask.
let operandCount = 512
let minimumSeconds = 0.3
let timedRuns = 3
let allocationOps = 1_000_000
let inlineAddTarget = 50e6

// MARK: - Operands (same generator as programs/dec_ops.py)

/// Knuth's MMIX LCG; `next` returns the top 31 bits.
struct Lcg {
    var state: UInt64
    mutating func next() -> UInt64 {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return state >> 33
    }
}

/// A 2-decimal amount from 0.01 to 99999.99.
func moneyText(_ rng: inout Lcg) -> String {
    let cents = 1 + rng.next() % 9_999_999
    return "\(cents / 100)." + String(format: "%02d", Int(cents % 100))
}

/// A 40-digit value with 20 decimals (first digit non-zero).
func fortyDigitText(_ rng: inout Lcg) -> String {
    var digits = String(format: "%05d", Int(10_000 + rng.next() % 90_000))
    for _ in 0..<7 { digits += String(format: "%05d", Int(rng.next() % 100_000)) }
    return String(digits.prefix(20)) + "." + String(digits.dropFirst(20))
}

func parse(_ text: String) -> Dec {
    do { return try Dec(parsing: text) } catch { fatalError("cannot parse \(text): \(error)") }
}

var rng = Lcg(state: 20240601)
let moneyX = (0..<operandCount).map { _ in parse(moneyText(&rng)) }
let moneyY = (0..<operandCount).map { _ in parse(moneyText(&rng)) }
let bigX = (0..<operandCount).map { _ in parse(fortyDigitText(&rng)) }
let bigY = (0..<operandCount).map { _ in parse(fortyDigitText(&rng)) }
// Quantize inputs: a 2-decimal amount is already at 2 places, so the inline set
// quantizes 4-decimal products (rate x amount -> cents); the 40-digit set
// quantizes its 20-decimal values.
let moneyProducts = zip(moneyX, moneyY).map { x, y in
    do { return try x.multiplying(y) } catch { fatalError("\(error)") }
}

// MARK: - Kernels

/// Runs `count` operations over the operand arrays (index wraps at 512) and
/// returns a value derived from every result, so none can be optimized away.
typealias Kernel = (UnsafeBufferPointer<Dec>, UnsafeBufferPointer<Dec>, Int) throws -> Int

@inline(__always)
func observe(_ result: Dec) -> Int {
    // isZero reads the coefficient, exponent and sign the rest.
    result.exponent &+ (result.isZero ? 1 : 0) &+ (result.isSignMinus ? 2 : 0)
}

@inline(never)
func addKernel(_ a: UnsafeBufferPointer<Dec>, _ b: UnsafeBufferPointer<Dec>, _ count: Int) throws -> Int {
    let mask = a.count - 1
    var sink = 0
    for k in 0..<count {
        let j = k & mask
        sink &+= observe(try a[j].adding(b[j]))
    }
    return sink
}

@inline(never)
func mulKernel(_ a: UnsafeBufferPointer<Dec>, _ b: UnsafeBufferPointer<Dec>, _ count: Int) throws -> Int {
    let mask = a.count - 1
    var sink = 0
    for k in 0..<count {
        let j = k & mask
        sink &+= observe(try a[j].multiplying(b[j]))
    }
    return sink
}

@inline(never)
func divKernel(_ a: UnsafeBufferPointer<Dec>, _ b: UnsafeBufferPointer<Dec>, _ count: Int) throws -> Int {
    let mask = a.count - 1
    var sink = 0
    for k in 0..<count {
        let j = k & mask
        sink &+= observe(try a[j].divided(by: b[j], context: .division))
    }
    return sink
}

@inline(never)
func quantizeKernel(_ a: UnsafeBufferPointer<Dec>, _ b: UnsafeBufferPointer<Dec>, _ count: Int) throws -> Int {
    let mask = a.count - 1
    var sink = 0
    for k in 0..<count {
        sink &+= observe(try a[k & mask].quantized(toExponent: -2, rounding: .halfEven))
    }
    return sink
}

/// One result per operand pair, for the cross-check with Python.
func results(_ op: String, _ a: [Dec], _ b: [Dec]) throws -> [Dec] {
    try a.indices.map { i in
        switch op {
        case "add": return try a[i].adding(b[i])
        case "mul": return try a[i].multiplying(b[i])
        case "div": return try a[i].divided(by: b[i], context: .division)
        default: return try a[i].quantized(toExponent: -2, rounding: .halfEven)
        }
    }
}

// MARK: - Measurement

/// Written after every timed run so the sinks stay live.
var sinkTotal = 0

func nanoseconds() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

func timed(_ kernel: Kernel, _ a: UnsafeBufferPointer<Dec>, _ b: UnsafeBufferPointer<Dec>, _ count: Int) throws -> Double {
    let start = nanoseconds()
    sinkTotal &+= try kernel(a, b, count)
    return Double(nanoseconds() - start) / 1e9
}

/// Best ops/s of `timedRuns` runs, each with enough operations to last >= 0.3 s.
func opsPerSecond(_ kernel: Kernel, _ a: [Dec], _ b: [Dec]) throws -> Double {
    try a.withUnsafeBufferPointer { a in
        try b.withUnsafeBufferPointer { b in
            var count = operandCount * 64
            var elapsed = try timed(kernel, a, b, count)
            while elapsed < minimumSeconds {
                count = max(count * 2, Int(Double(count) * minimumSeconds * 1.2 / max(elapsed, 1e-9)))
                elapsed = try timed(kernel, a, b, count)
            }
            var best = elapsed
            for _ in 1..<timedRuns { best = min(best, try timed(kernel, a, b, count)) }
            return Double(count) / best
        }
    }
}

/// Heap allocations (and frees) made by `allocationOps` operations, after a warm-up pass.
func allocations(_ kernel: Kernel, _ a: [Dec], _ b: [Dec]) throws -> (allocations: Int64, frees: Int64) {
    try a.withUnsafeBufferPointer { a in
        try b.withUnsafeBufferPointer { b in
            sinkTotal &+= try kernel(a, b, operandCount)  // lazy globals, first-use caches
            decbench_alloc_start()
            let sink = try kernel(a, b, allocationOps)
            decbench_alloc_stop()
            sinkTotal &+= sink
            return (decbench_alloc_count(), decbench_free_count())
        }
    }
}

// MARK: - Python

let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    .appendingPathComponent("../../../programs/dec_ops.py").standardized.path

/// Runs programs/dec_ops.py and returns its `key value` lines, or nil when python3 is missing or fails.
func runPython() -> [String: String]? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", script]
    let pipe = Pipe()
    process.standardOutput = pipe
    do { try process.run() } catch { return nil }
    let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { return nil }
    var values: [String: String] = [:]
    for line in output.split(separator: "\n") {
        guard let space = line.firstIndex(of: " ") else { continue }
        values[String(line[..<space])] = String(line[line.index(after: space)...])
    }
    return values
}

// MARK: - Formatting

func grouped(_ value: Int64) -> String {
    let digits = String(value.magnitude)
    var result = ""
    for (i, c) in digits.enumerated() {
        if i > 0 && (digits.count - i) % 3 == 0 { result += "," }
        result.append(c)
    }
    return (value < 0 ? "-" : "") + result
}

func millions(_ opsPerSecond: Double) -> String { String(format: "%8.2f M", opsPerSecond / 1e6) }

func pad(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
}

func padLeft(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
}

// MARK: - Main

struct OperandSet {
    let name: String, title: String
    let x: [Dec], y: [Dec], quantizeInput: [Dec]
}

let sets = [
    OperandSet(name: "inline", title: "2-dp money (inline)", x: moneyX, y: moneyY, quantizeInput: moneyProducts),
    OperandSet(name: "big", title: "40-digit (GMP)", x: bigX, y: bigY, quantizeInput: bigX),
]
let operations: [(name: String, kernel: Kernel)] = [
    ("add", addKernel), ("mul", mulKernel), ("div", divKernel), ("quantize", quantizeKernel),
]

guard moneyX.allSatisfy({ $0.digitCount <= 7 }), moneyProducts.allSatisfy({ $0.digitCount <= 14 }),
      bigX.allSatisfy({ $0.digitCount == 40 }), bigY.allSatisfy({ $0.digitCount == 40 }) else {
    fatalError("operands are not the intended sizes")
}

var failures: [String] = []

// 1. Keel timings.
var keelRates: [String: Double] = [:]
for set in sets {
    for op in operations {
        let (a, b) = op.name == "quantize" ? (set.quantizeInput, set.quantizeInput) : (set.x, set.y)
        keelRates["\(op.name)_\(set.name)"] = try opsPerSecond(op.kernel, a, b)
    }
}

// 2. Python timings (a subprocess, after Keel's runs so they do not overlap).
let python = runPython()

// 3. Table.
print("Keel Dec vs Python decimal: ops/s, release build, best of \(timedRuns) runs of >= \(minimumSeconds) s, "
      + "\(operandCount) operand pairs per set")
if let info = python?["info"] { print("python: \(info.replacingOccurrences(of: " ", with: ", "))") }
print("quantize: inline = 4-dp products (amount x amount) to 2 dp; 40-digit = 20-dp values to 2 dp; "
      + "div = 34 digits half-even")
print("")
print(pad("operation", 10) + pad("operands", 22) + padLeft("keel", 12) + padLeft("python", 12)
      + padLeft("keel/python", 13) + "   same results")
for set in sets {
    for op in operations {
        let key = "\(op.name)_\(set.name)"
        let keel = keelRates[key]!
        let pythonRate = python?[key].flatMap(Double.init)
        let ratio = pythonRate.map { String(format: "%.2fx", keel / $0) } ?? "-"
        var same = "-"
        if let expected = python?["check_\(key)"] {
            let (a, b) = op.name == "quantize" ? (set.quantizeInput, set.quantizeInput) : (set.x, set.y)
            let total = try results(op.name, a, b).reduce(Dec(0)) { try $0.adding($1) }
            same = total.scientificString == expected ? "yes" : "NO"
            if same == "NO" {
                failures.append("\(key): keel sum \(total.scientificString), python sum \(expected)")
            }
        }
        print(pad(op.name, 10) + pad(set.title, 22) + padLeft(millions(keel), 12)
              + padLeft(pythonRate.map(millions) ?? "-", 12) + padLeft(ratio, 13) + "   " + same)
    }
}
if python == nil { print("(python3 or \(script) unavailable: Python columns skipped)") }
let inlineAdd = keelRates["add_inline"]!
print(String(format: "target: inline add >= %.0fM ops/s: %@ (%.1fM)", inlineAddTarget / 1e6,
             inlineAdd >= inlineAddTarget ? "met" : "NOT met", inlineAdd / 1e6))

// 4. Heap allocations.
print("")
print("heap allocations (malloc/calloc/realloc/aligned, whole process, \(grouped(Int64(allocationOps))) ops each):")
var controlAllocations: Int64 = 0
for set in sets {
    for op in operations {
        let (a, b) = op.name == "quantize" ? (set.quantizeInput, set.quantizeInput) : (set.x, set.y)
        let counted = try allocations(op.kernel, a, b)
        let perOp = Double(counted.allocations) / Double(allocationOps)
        let label = set.name == "inline" ? "inline \(op.name)" : "40-digit \(op.name)"
        let perOpText = counted.allocations == 0 ? "0" : String(format: "%.2f", perOp)
        print("  \(pad(label + ":", 19)) \(perOpText) allocations per op "
              + "(\(grouped(counted.allocations)) allocations, \(grouped(counted.frees)) frees)")
        if set.name == "inline" && op.name != "div" && counted.allocations != 0 {
            failures.append("inline \(op.name) allocates: \(counted.allocations) allocations in \(allocationOps) ops")
        }
        if set.name == "big" && (op.name == "add" || op.name == "mul") { controlAllocations += counted.allocations }
    }
}
if controlAllocations == 0 {
    failures.append("the allocation counter saw nothing on the 40-digit path, so it does not work here")
}
print("  (inline div scales the dividend to ~37 digits for 34-digit precision, so it uses GMP; not gated)")

if sinkTotal == 0x5EED { print("") }  // keeps every sink live
if failures.isEmpty {
    print("\nOK: no allocation on the inline add/mul/quantize path; results match Python.")
} else {
    print("\nFAILED:")
    for failure in failures { print("  " + failure) }
    exit(1)
}
