import Syntax

/// Everything the checker learnt that the compiler needs: types, what each name and
/// call refers to, and where every variable lives. Keyed by AST node id.
public struct CheckedProgram: Sendable {
    public var programs: [Program] = []
    public var types: [Int: KType] = [:]
    public var names: [Int: NameRef] = [:]
    public var calls: [Int: CallTarget] = [:]
    public var members: [Int: MemberRef] = [:]
    /// Variables declared by a `let`/`var`/`fn` statement, a pattern, a loop or an `if let`, by node id.
    public var declarations: [Int: Int] = [:]
    /// The variables declared inside each loop's body (ids `lo..<hi`), by the loop's node
    /// id: dead at the end of every iteration.
    public var loopBodyVariables: [Int: Range<Int>] = [:]
    /// Match patterns by id: what each matches.
    public var patterns: [Int: PatternRef] = [:]
    /// Int-typed expressions used where a Dec is expected: the compiler widens their value.
    public var widenedToDec: Set<Int> = []
    /// Expressions of dynamic `Money` used where `Money[C]` is expected: checked at run time.
    public var moneyChecks: [Int: String] = [:]
    /// Bare unit codes passed to host functions (`book.account("cash", USD)`): the code is the value.
    public var unitCodes: [Int: String] = [:]
    /// Units the scripts declared with `currency CODE(units)`.
    public var currencies: [String: Int] = [:]
    public var variables: [Variable] = []
    /// Index 0 is the top level of the program.
    public var functions: [FunctionInfo] = []
    public var functionIndex: [Int: Int] = [:]
    public var records: [String: RecordInfo] = [:]
    public var enums: [String: EnumInfo] = [:]
    public var globalCount = 0
    public init() {}
}

public struct Variable: Sendable {
    public var name: String
    public var type: KType
    public var mutable: Bool
    /// The function (index into `functions`) whose frame holds it; unused for globals.
    public var function: Int
    public var slot: Int
    public var isGlobal: Bool
    /// Referenced from an inner function, so it lives in a shared cell.
    public var captured: Bool
    /// A top-level `fn`: its value never changes, so calls go straight to it.
    public var isConstantFunction: Bool
    /// Declared by a stdlib module: a script's own definition of the name replaces it.
    public var isLibrary = false
    /// A global that some function body assigns or changes with a method like `push`: a
    /// call made from top-level code may change it.
    public var changedInFunction = false
}

public struct FunctionInfo: Sendable {
    public var astID: Int
    public var name: String
    public var params: [Int] = []
    /// Variables from enclosing functions this one uses, in capture-slot order.
    public var captures: [Int] = []
    public var frameSize = 0
    public var type: KType = .function([], .unit)
    public var parent: Int?
}

public enum NameRef: Sendable {
    case variable(Int)
    /// A host or module function used as a value.
    case host(String)
}

public enum CallTarget: Sendable {
    /// The callee is evaluated to a function value.
    case value
    /// A top-level function, called directly.
    case global(Int)
    case host(String)
    /// A free built-in: print, len, str, div, ...
    case builtin(String)
    /// A built-in method on the member expression's base, e.g. `xs.map(f)`.
    case method(String, receiver: KType)
    /// `x.f(a)` calling a user function `f(x, a)`.
    case ufcs(Int)
    /// `x.f(a)` where the host binds `f` on x's type as `Type.f(x, a)`.
    case hostMethod(String)
    case variant(enumName: String, tag: Int)
}

public enum MemberRef: Sendable {
    case field(Int)
    case variant(enumName: String, tag: Int)
    case moneyAmount
    case moneyCurrency
    case host(String)
}

public enum PatternRef: Sendable {
    case any
    case bind(Int)
    case variant(tag: Int)
    case isSome
    case isNone
    case literal
}

public struct RecordInfo: Sendable {
    public var name: String
    public var fields: [(name: String, type: KType)]
    public func index(of field: String) -> Int? { fields.firstIndex { $0.name == field } }
}

public struct EnumInfo: Sendable {
    public var name: String
    public var variants: [(name: String, payload: [KType])]
    public func tag(of variant: String) -> Int? { variants.firstIndex { $0.name == variant } }
}

/// A compile-time check of a host call's literal arguments: (message, where) for each problem.
public typealias LiteralCheck = @Sendable ([Arg]) -> [(message: String, span: Span)]

/// What the host offers scripts: functions by name (`now_ms`, `random.int`),
/// modules for `use`, and the currencies money literals may name.
public struct HostEnvironment: Sendable {
    public struct Signature: Sendable {
        public var params: [KType]
        public var labels: [String?]
        public var result: KType
        /// Checks the arguments that are literals (a split's shares, say) when the script is
        /// checked; returns the problems to report, each at its argument's span.
        public var literalCheck: LiteralCheck?
        public init(params: [KType], labels: [String?]? = nil, result: KType, literalCheck: LiteralCheck? = nil) {
            self.params = params
            self.labels = labels ?? params.map { _ in nil }
            self.result = result
            self.literalCheck = literalCheck
        }
        public var type: KType { .function(params, result) }
    }
    public var functions: [String: Signature] = [:]
    public var modules: Set<String> = []
    public var hostTypes: Set<String> = []
    /// Host types that take a unit (`Account[USD]`).
    public var unitHostTypes: Set<String> = []
    /// Enum types whose values a statement may not drop: results the script must handle.
    public var mustUse: Set<String> = []
    public var isCurrency: @Sendable (String) -> Bool = { _ in false }
    public init() {}
}
