import Syntax
import Types

/// An expression compiled to a closure, unboxed where its static type allows:
/// an `Int + Int` node never builds a `Value` or checks a tag.
enum Compiled {
    case int(IntCode)
    case bool(BoolCode)
    case value(Code)

    var value: Code {
        switch self {
        case .value(let c): return c
        case .int(let c): return { vm throws(Unwind) in .int(try c(vm)) }
        case .bool(let c): return { vm throws(Unwind) in .bool(try c(vm)) }
        }
    }

    func int(_ site: Site) -> IntCode {
        switch self {
        case .int(let c): return c
        case .value(let c):
            return { vm throws(Unwind) in
                guard case .int(let i) = try c(vm) else { throw internalError("Int", site) }
                return i
            }
        case .bool: return { _ throws(Unwind) in throw internalError("Int", site) }
        }
    }

    func bool(_ site: Site) -> BoolCode {
        switch self {
        case .bool(let c): return c
        case .value(let c):
            return { vm throws(Unwind) in
                guard case .bool(let b) = try c(vm) else { throw internalError("Bool", site) }
                return b
            }
        case .int: return { _ throws(Unwind) in throw internalError("Bool", site) }
        }
    }
}

/// A value of the wrong kind where the checker proved the right one: only reachable
/// through a global read before its initialisation.
func internalError(_ expected: String, _ site: Site) -> Unwind {
    .failure(RuntimeError("value used before it was initialised (expected \(expected))", at: site))
}

func fail(_ message: String, _ site: Site) -> Unwind { .failure(RuntimeError(message, at: site)) }
