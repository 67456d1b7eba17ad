import Foundation
import XCTest
@testable import Money
import SeededRandom

/// Compares `Dec` with Python's `decimal` module on seeded random operands.
/// Skipped when `python3` is not on PATH.
final class PythonDifferentialTests: XCTestCase {
    /// Python side: one line in ("op a b") gives one line out (result or "error:<kind>").
    /// `+ - *` run exactly (maximum precision and exponent range), everything
    /// rounded runs at 34 digits half-even like `DecContext.division`.
    static let script = #"""
import sys
from decimal import *
exact = Context(prec=MAX_PREC, Emax=MAX_EMAX, Emin=MIN_EMIN, traps=[InvalidOperation, DivisionByZero])
rounded = Context(prec=34, rounding=ROUND_HALF_EVEN, Emax=MAX_EMAX, Emin=MIN_EMIN, traps=[InvalidOperation, DivisionByZero])
modes = {"halfEven": ROUND_HALF_EVEN, "halfUp": ROUND_HALF_UP, "halfDown": ROUND_HALF_DOWN, "up": ROUND_UP,
         "down": ROUND_DOWN, "ceiling": ROUND_CEILING, "floor": ROUND_FLOOR, "zeroFiveUp": ROUND_05UP}
def run(op, a, b, arg):
    x = Decimal(a)
    y = Decimal(b) if op != "quant" else None
    if op == "add": return str(exact.add(x, y))
    if op == "sub": return str(exact.subtract(x, y))
    if op == "mul": return str(exact.multiply(x, y))
    if op == "div": return str(rounded.divide(x, y))
    if op == "divint": return str(rounded.divide_int(x, y))
    if op == "rem": return str(rounded.remainder(x, y))
    if op == "cmp": return str(x.compare(y))
    if op == "quant": return str(x.quantize(Decimal(1).scaleb(int(arg), exact), rounding=modes[b], context=exact))
    if op == "sqrt": return str(rounded.sqrt(x))
    if op == "pow": return str(exact.power(x, int(arg)))
    if op == "reduce": return str(exact.normalize(x))
    if op == "plain": return format(x, "f")
    if op == "max": return str(exact.max(x, y))
    if op == "min": return str(exact.min(x, y))
    if op.endswith("ctx"):
        prec, mode = arg.split(":")
        ctx = Context(prec=int(prec), rounding=modes[mode], Emax=MAX_EMAX, Emin=MIN_EMIN, traps=[InvalidOperation, DivisionByZero])
        if op == "addctx": return str(ctx.add(x, y))
        if op == "mulctx": return str(ctx.multiply(x, y))
        if op == "divctx": return str(ctx.divide(x, y))
        if op == "sqrtctx": return str(ctx.sqrt(x.copy_abs()))
        if op == "powctx":
            result = ctx.power(x, int(b))
            # 0 ** -n is Infinity in Python; Dec has no Infinity and throws.
            return "error:divisionByZero" if result.is_infinite() else str(result)
    raise ValueError(op)
out = []
for line in open(sys.argv[1]):
    op, a, b, arg = line.split()
    try:
        out.append(run(op, a, b, arg))
    except DivisionByZero:
        out.append("error:divisionByZero")
    except InvalidOperation:
        # Python reports 0/0 as plain InvalidOperation; Dec names it.
        zero_by_zero = op in ("div", "divint", "rem", "divctx") and Decimal(a) == 0 and Decimal(b) == 0
        out.append("error:divisionUndefined" if zero_by_zero else "error:invalidOperation")
sys.stdout.write("\n".join(out) + "\n")
"""#

    struct Probe {
        var operation: String
        var lhs: Dec
        var rhs: Dec
        var argument: String
        var roundingName: String
    }

    func testAgreesWithPythonDecimal() throws {
        var generator = SplitMix64(seed: 0x6B65_656C)
        var probes: [Probe] = []
        for _ in 0..<3_000 {
            let lhs = randomDec(&generator), rhs = randomDec(&generator)
            for operation in ["add", "sub", "mul", "div", "divint", "rem", "cmp", "max", "min", "reduce", "plain"] {
                probes.append(Probe(operation: operation, lhs: lhs, rhs: rhs, argument: "0", roundingName: "halfEven"))
            }
            let mode = RoundingMode.allCases[Int(generator.next() % 8)]
            probes.append(Probe(operation: "quant", lhs: lhs, rhs: rhs, argument: String(Int(generator.next() % 21) - 10),
                                roundingName: "\(mode)"))
            probes.append(Probe(operation: "sqrt", lhs: lhs.abs(), rhs: rhs, argument: "0", roundingName: "halfEven"))
            probes.append(Probe(operation: "pow", lhs: lhs, rhs: rhs, argument: String(generator.next() % 6), roundingName: "halfEven"))
            let precision = Int(generator.next() % 40) + 1
            let contextMode = RoundingMode.allCases[Int(generator.next() % 8)]
            for operation in ["addctx", "mulctx", "divctx", "sqrtctx"] {
                probes.append(Probe(operation: operation, lhs: lhs, rhs: rhs, argument: "\(precision):\(contextMode)",
                                    roundingName: "\(contextMode)"))
            }
            let smallPower = Dec(Int(generator.next() % 9) - 4)
            probes.append(Probe(operation: "powctx", lhs: lhs, rhs: smallPower, argument: "\(precision):\(contextMode)",
                                roundingName: "\(contextMode)"))
        }
        let expected = try runPython(probes)
        XCTAssertEqual(expected.count, probes.count)
        var mismatches: [String] = []
        for (probe, pythonResult) in zip(probes, expected) {
            let ours = evaluate(probe)
            if ours != pythonResult {
                mismatches.append("\(probe.operation) \(probe.lhs.scientificString) \(probe.rhs.scientificString) \(probe.argument) \(probe.roundingName): Dec \(ours), Python \(pythonResult)")
            }
        }
        print("python differential: \(min(probes.count, expected.count) - mismatches.count) of \(probes.count) agree")
        XCTAssertTrue(mismatches.isEmpty, mismatches.prefix(20).joined(separator: "\n"))
    }

    private func evaluate(_ probe: Probe) -> String {
        let (x, y) = (probe.lhs, probe.rhs)
        do throws(DecimalError) {
            switch probe.operation {
            case "add": return try x.adding(y).scientificString
            case "sub": return try x.subtracting(y).scientificString
            case "mul": return try x.multiplying(y).scientificString
            case "div": return try x.divided(by: y).scientificString
            case "divint": return try x.dividedToInteger(by: y).scientificString
            case "rem": return try x.remainder(dividingBy: y).scientificString
            case "cmp": return String(x.compare(y))
            case "max": return x.maximum(y).scientificString
            case "min": return x.minimum(y).scientificString
            case "reduce": return x.reduced().scientificString
            case "plain": return x.description
            case "sqrt": return try x.squareRoot().scientificString
            case "pow": return try x.power(Int(probe.argument) ?? 0).scientificString
            case "addctx": return try x.adding(y, context: probeContext(probe)).scientificString
            case "mulctx": return try x.multiplying(y, context: probeContext(probe)).scientificString
            case "divctx": return try x.divided(by: y, context: probeContext(probe)).scientificString
            case "sqrtctx": return try x.abs().squareRoot(context: probeContext(probe)).scientificString
            case "powctx": return try x.power(y.toInt(), context: probeContext(probe)).scientificString
            case "quant":
                let mode = RoundingMode.allCases.first { "\($0)" == probe.roundingName } ?? .halfEven
                return try x.quantized(toExponent: Int(probe.argument) ?? 0, rounding: mode).scientificString
            default: return "unknown operation"
            }
        } catch .divisionByZero {
            return "error:divisionByZero"
        } catch .divisionUndefined {
            return "error:divisionUndefined"
        } catch .invalidOperation {
            return "error:invalidOperation"
        } catch {
            return "error:\(error)"
        }
    }

    private func probeContext(_ probe: Probe) -> DecContext {
        let precision = Int(probe.argument.prefix { $0 != ":" }) ?? 34
        let mode = RoundingMode.allCases.first { "\($0)" == probe.roundingName } ?? .halfEven
        return DecContext(precision: precision, rounding: mode)
    }

    /// Random operand: up to 50 digits, exponent in -30...30, sometimes zero
    /// or a 2-decimal amount.
    private func randomDec(_ generator: inout SplitMix64) -> Dec {
        let shape = generator.next() % 10
        let digitCount = shape == 0 ? 1 : Int(generator.next() % 50) + 1
        var digits = (0..<digitCount).map { _ in String(generator.next() % 10) }.joined()
        if shape == 1 { digits = "0" }
        let exponent = shape == 2 ? -2 : Int(generator.next() % 61) - 30
        let sign = generator.next() % 2 == 0 ? "" : "-"
        let text = "\(sign)\(digits)E\(exponent)"
        return (try? Dec(parsing: text)) ?? Dec(0)
    }

    private func runPython(_ probes: [Probe]) throws -> [String] {
        guard let python = Self.findExecutable("python3") else { throw XCTSkip("python3 not on PATH") }
        let directory = FileManager.default.temporaryDirectory
        let input = directory.appendingPathComponent("dec-probes-\(ProcessInfo.processInfo.processIdentifier).txt")
        defer { try? FileManager.default.removeItem(at: input) }
        let lines = probes.map {
            let rhs = $0.operation == "quant" ? $0.roundingName : $0.rhs.scientificString
            return "\($0.operation) \($0.lhs.scientificString) \(rhs) \($0.argument)"
        }
        try (lines.joined(separator: "\n") + "\n").write(to: input, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = python
        process.arguments = ["-c", Self.script, input.path]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0, "python3 failed")
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    static func findExecutable(_ name: String) -> URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        return path.split(separator: ":")
            .map { URL(fileURLWithPath: String($0)).appendingPathComponent(name) }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }
}

