import Foundation
@testable import Money

/// Evaluates one decTest case with `Dec` and compares it with the expectation.
enum DecTestRunner {
    static let roundingModes: [String: RoundingMode] = [
        "half_even": .halfEven, "half_up": .halfUp, "half_down": .halfDown, "up": .up,
        "down": .down, "ceiling": .ceiling, "floor": .floor, "05up": .zeroFiveUp,
    ]
    /// Conditions that only arise from bounded exponents, which Dec lacks.
    static let boundedExponentConditions: Set<String> = ["overflow", "underflow", "subnormal", "clamped"]

    static func run(_ testCase: DecTestCase) -> CaseOutcome {
        if let reason = skipReason(testCase) { return .skipped(reason) }
        guard let rounding = roundingModes[testCase.rounding] else {
            return .failed("unknown rounding \(testCase.rounding)")
        }
        let context = DecContext(precision: testCase.precision, rounding: rounding)
        let operands: [Dec]
        do {
            operands = try testCase.operands.map { text throws(DecimalError) in try Dec(parsing: text) }
        } catch .tooLarge {
            return .skipped("operand exponent beyond Dec's limit of 1e9")
        } catch {
            return .failed("operands \(testCase.operands) rejected: \(error)")
        }
        if let expected = expectedError(testCase) {
            return checkThrows(expected, testCase, operands, context)
        }
        return checkResult(testCase, operands, context)
    }

    private static func skipReason(_ testCase: DecTestCase) -> String? {
        let texts = testCase.operands + [testCase.result]
        if texts.contains(where: { $0.contains("#") }) { return "format-encoded or null (#) operand" }
        let lowered = testCase.operands.map { $0.lowercased() }
        if lowered.contains(where: { $0.contains("nan") }) { return "NaN/sNaN operand" }
        if lowered.contains(where: { $0.contains("inf") }) { return "Infinity operand" }
        if !testCase.conditions.isDisjoint(with: boundedExponentConditions) {
            return "bounded exponent (Overflow/Underflow/Subnormal/Clamped)"
        }
        if testCase.operation == "power", let exponent = testCase.operands.last,
           (try? Dec(parsing: exponent).isInteger) != true {
            return "power with a non-integer exponent"
        }
        return nil
    }

    /// The error Dec must throw when the spec's result is NaN or Infinity.
    private static func expectedError(_ testCase: DecTestCase) -> DecimalError? {
        let conditions = testCase.conditions
        if conditions.contains("division_by_zero") { return .divisionByZero }
        if conditions.contains("division_undefined") { return .divisionUndefined }
        if conditions.contains("division_impossible") || conditions.contains("invalid_operation") {
            return .invalidOperation("")
        }
        return nil
    }

    private static func checkThrows(_ expected: DecimalError, _ testCase: DecTestCase,
                                     _ operands: [Dec], _ context: DecContext) -> CaseOutcome {
        do {
            let result = try evaluate(testCase.operation, operands, context)
            if let reason = boundedQuantizeReason(testCase, operands, result) { return .skipped(reason) }
            return .failed("expected \(expected), got \(result.scientificString)")
        } catch {
            return sameKind(error, expected) ? .passed : .failed("expected \(expected), got \(error)")
        }
    }

    /// quantize/rescale are invalid when the target or result exponent lies
    /// outside Emin/Emax; Dec has no such bounds.
    private static func boundedQuantizeReason(_ testCase: DecTestCase, _ operands: [Dec], _ result: Dec) -> String? {
        guard ["quantize", "rescale"].contains(testCase.operation) else { return nil }
        let target = result.exponent
        let eTiny = testCase.minExponent - (testCase.precision - 1)
        let outside = target > testCase.maxExponent || target < eTiny || result.adjustedExponent > testCase.maxExponent
        return outside ? "bounded exponent (quantize target outside Emin/Emax)" : nil
    }

    private static func sameKind(_ error: DecimalError, _ expected: DecimalError) -> Bool {
        switch (error, expected) {
        case (.invalidOperation, .invalidOperation): return true
        default: return error == expected
        }
    }

    private static func checkResult(_ testCase: DecTestCase, _ operands: [Dec], _ context: DecContext) -> CaseOutcome {
        do throws(DecimalError) {
            let actual = try evaluate(testCase.operation, operands, context).scientificString
            guard actual == testCase.result else { return .failed("expected \(testCase.result), got \(actual)") }
            // A case without conditions is exact, so the unbounded operation must
            // agree (except under floor rounding, which changes the sign of a zero sum).
            if testCase.conditions.isEmpty, context.rounding != .floor, let exact = try exactEvaluation(testCase.operation, operands),
               exact.scientificString != testCase.result {
                return .failed("exact \(testCase.operation) gave \(exact.scientificString), expected \(testCase.result)")
            }
            return .passed
        } catch .tooLarge where resultBeyondExponentLimit(testCase) {
            return .skipped("result exponent beyond Dec's limit of 1e9")
        } catch {
            return .failed("expected \(testCase.result), threw \(error)")
        }
    }

    private static func resultBeyondExponentLimit(_ testCase: DecTestCase) -> Bool {
        do {
            _ = try Dec(parsing: testCase.result)
            return false
        } catch {
            return error == .tooLarge("exponent of '\(testCase.result)' exceeds \(Dec.maxExponentMagnitude)")
        }
    }

    private static func exactEvaluation(_ operation: String, _ operands: [Dec]) throws(DecimalError) -> Dec? {
        switch operation {
        case "add": return try operands[0].adding(operands[1])
        case "subtract": return try operands[0].subtracting(operands[1])
        case "multiply": return try operands[0].multiplying(operands[1])
        default: return nil
        }
    }

    private static func evaluate(_ operation: String, _ operands: [Dec], _ context: DecContext) throws(DecimalError) -> Dec {
        let x = operands[0]
        let y = operands.count > 1 ? operands[1] : Dec(0)
        switch operation {
        case "add": return try x.adding(y, context: context)
        case "subtract": return try x.subtracting(y, context: context)
        case "multiply": return try x.multiplying(y, context: context)
        case "divide": return try x.divided(by: y, context: context)
        case "divideint": return try x.dividedToInteger(by: y, context: context)
        case "remainder": return try x.remainder(dividingBy: y, context: context)
        case "quantize": return try x.quantized(toExponent: y.exponent, context: context)
        case "rescale": return try x.quantized(toExponent: y.toInt(), context: context)
        case "compare": return Dec(x.compare(y))
        case "abs": return try x.abs(context: context)
        case "minus": return try x.minus(context: context)
        case "plus": return try x.plus(context: context)
        case "apply": return try x.rounded(to: context)
        case "max": return try x.maximum(y, context: context)
        case "min": return try x.minimum(y, context: context)
        case "reduce": return try x.reduced(context: context)
        case "power": return try x.power(y.toInt(), context: context)
        case "tointegral", "tointegralx": return try x.roundedToIntegral(rounding: context.rounding)
        case "samequantum": return Dec(x.hasSameQuantum(as: y) ? 1 : 0)
        default: throw .invalidOperation("runner does not know operation \(operation)")
        }
    }
}
