import Syntax

extension Checker {
    func matchExpr(_ subject: Expr, _ arms: [MatchArm], _ expected: KType?, used: Bool, span: Span) -> KType {
        let st = expr(subject, nil)
        var resultType: KType? = (expected == .unit ? nil : expected)
        var coverage = Coverage()
        for arm in arms {
            pushScope()
            let irrefutableBefore = coverage.complete(st, enums: result.enums)
            pattern(arm.pattern, st)
            if let g = arm.guardExpr { requireExpr(g, .bool, fits: .bool) }
            if irrefutableBefore { error("this arm can never match: earlier arms cover every value", arm.pattern.span) }
            if arm.guardExpr == nil { coverage.add(arm.pattern, st, checker: self) }
            let t = expr(arm.body, resultType ?? nil, used: used)
            popScope()
            guard used else { continue }
            if let current = resultType {
                if expected != nil && expected != .unit {
                    require(t, fits: current, arm.body.span)
                } else if let joined = KType.join(current, t) {
                    resultType = joined
                } else if !t.containsError && !current.containsError {
                    error("match arms have different types: \(current) and \(t)", arm.body.span)
                }
            } else {
                resultType = t
            }
        }
        if arms.isEmpty { error("match needs at least one arm", span) }
        if st != .error, !coverage.complete(st, enums: result.enums) {
            let missing = coverage.missing(st, enums: result.enums)
            error("match is not exhaustive: missing \(missing)", subject.span)
        }
        guard used else { return .unit }
        if let resultType { for arm in arms { widen(arm.body, to: resultType) } }
        return resultType ?? .never
    }

    /// Checks a pattern against the subject type and declares its bindings.
    func pattern(_ p: Pattern, _ t: KType) {
        func bind(_ name: String) {
            let v = declare(name, type: t, mutable: false, span: p.span, node: p.id)
            result.patterns[p.id] = .bind(v)
        }
        switch p.kind {
        case .wildcard:
            result.patterns[p.id] = .any
        case .name(let name):
            if case .enumeration(let en) = t, let info = result.enums[en], let tag = info.tag(of: name) {
                if !info.variants[tag].payload.isEmpty {
                    error("variant '\(name)' carries \(info.variants[tag].payload.count) value(s); write \(name)(_)", p.span)
                }
                result.patterns[p.id] = .variant(tag: tag)
            } else if case .enumeration(let en) = t, let info = result.enums[en],
                      let near = Self.closest(name, info.variants.map(\.name)) {
                error("enum \(en) has no variant '\(name)'; did you mean '\(near)'?", p.span)
                result.patterns[p.id] = .any
            } else {
                bind(name)
            }
        case .variant(let qualifier, let name, let args):
            if name == "some" && qualifier == nil {
                guard case .optional(let inner) = t else {
                    if t != .error { error("'some' matches an optional, but the value is \(t)", p.span) }
                    for a in args { pattern(a, .error) }
                    result.patterns[p.id] = .any
                    return
                }
                if args.count != 1 { error("'some' takes one pattern", p.span) }
                for a in args { pattern(a, inner) }
                result.patterns[p.id] = .isSome
                return
            }
            guard case .enumeration(let en) = t, let info = result.enums[en] else {
                if t != .error { error("a variant pattern needs an enum value, but the value is \(t)", p.span) }
                for a in args { pattern(a, .error) }
                result.patterns[p.id] = .any
                return
            }
            if let qualifier, qualifier != en { error("expected a variant of \(en), found \(qualifier).\(name)", p.span) }
            guard let tag = info.tag(of: name) else {
                error("enum \(en) has no variant '\(name)'\(didYouMean(name, among: info.variants.map(\.name)))", p.span)
                for a in args { pattern(a, .error) }
                result.patterns[p.id] = .any
                return
            }
            let payload = info.variants[tag].payload
            if payload.count != args.count && !(args.isEmpty && qualifier != nil && payload.isEmpty) {
                error("variant '\(name)' carries \(payload.count) value\(payload.count == 1 ? "" : "s"), found \(args.count) pattern\(args.count == 1 ? "" : "s")", p.span)
            }
            for (i, a) in args.enumerated() { pattern(a, i < payload.count ? payload[i] : .error) }
            result.patterns[p.id] = .variant(tag: tag)
        case .none:
            if case .enumeration(let en) = t, let tag = result.enums[en]?.tag(of: "none") {
                result.patterns[p.id] = .variant(tag: tag)
                return
            }
            if case .optional = t {} else if t != .error { error("'none' matches an optional, but the value is \(t)", p.span) }
            result.patterns[p.id] = .isNone
        case .int:
            if t != .int && t != .dec && t != .error { mismatch(expected: t, found: .int, p.span) }
            result.patterns[p.id] = .literal
        case .dec:
            if t != .dec && t != .error { mismatch(expected: t, found: .dec, p.span) }
            result.patterns[p.id] = .literal
        case .string:
            if t != .string && t != .error { mismatch(expected: t, found: .string, p.span) }
            result.patterns[p.id] = .literal
        case .bool:
            if t != .bool && t != .error { mismatch(expected: t, found: .bool, p.span) }
            result.patterns[p.id] = .literal
        }
    }

    func isIrrefutable(_ p: Pattern) -> Bool {
        switch result.patterns[p.id] {
        case .any?, .bind?: return true
        default: return false
        }
    }
}

/// Which values the unguarded arms seen so far match, one level deep.
struct Coverage {
    var all = false
    var variants = Set<Int>()
    var sawNone = false
    var sawSome = false
    var bools = Set<Bool>()

    mutating func add(_ p: Pattern, _ t: KType, checker: Checker) {
        switch checker.result.patterns[p.id] {
        case .any?, .bind?: all = true
        case .variant(let tag)?:
            if case .variant(_, _, let args) = p.kind, !args.allSatisfy(checker.isIrrefutable) { return }
            variants.insert(tag)
        case .isNone?: sawNone = true
        case .isSome?:
            if case .variant(_, _, let args) = p.kind, args.allSatisfy(checker.isIrrefutable) { sawSome = true }
        case .literal?:
            if case .bool(let b) = p.kind { bools.insert(b) }
        case nil: break
        }
    }

    func complete(_ t: KType, enums: [String: EnumInfo]) -> Bool {
        if all { return true }
        switch t {
        case .enumeration(let en): return variants.count == (enums[en]?.variants.count ?? 0)
        case .optional: return sawNone && sawSome
        case .bool: return bools.count == 2
        case .error: return true
        default: return false
        }
    }

    func missing(_ t: KType, enums: [String: EnumInfo]) -> String {
        switch t {
        case .enumeration(let en):
            let names = (enums[en]?.variants ?? []).enumerated().filter { !variants.contains($0.offset) }.map(\.element.name)
            return names.joined(separator: ", ")
        case .optional: return [sawNone ? nil : "none", sawSome ? nil : "some(_)"].compactMap { $0 }.joined(separator: ", ")
        case .bool: return [bools.contains(true) ? nil : "true", bools.contains(false) ? nil : "false"].compactMap { $0 }.joined(separator: ", ")
        default: return "'_' (add a catch-all arm)"
        }
    }
}
