/// The syntax tree. Every expression, statement and pattern carries a program-unique `id`
/// so later phases keep their facts (types, resolutions) in side tables.

public struct TypeExpr: Sendable {
    public var span: Span
    public var kind: TypeExprKind
}

public indirect enum TypeExprKind: Sendable {
    /// `Int`, `List[Int]`, `Map[String, Int]`, `Money[USD]`, a record or enum name.
    case named(String, [TypeExpr])
    case optional(TypeExpr)
    case function([TypeExpr], TypeExpr)
}

public struct Param: Sendable {
    public var name: String
    public var type: TypeExpr?
    public var span: Span
}

public struct Function: Sendable {
    public var id: Int
    public var name: String?
    public var params: [Param]
    public var returnType: TypeExpr?
    public var body: Block
    public var span: Span
    /// `fn(x) => e` rather than `fn(x) { ... }`: its result type is inferred from `e`.
    public var isArrow: Bool
}

public struct Block: Sendable {
    public var stmts: [Stmt]
    public var span: Span
}

public struct Arg: Sendable {
    public var label: String?
    public var value: Expr
}

public struct FieldInit: Sendable {
    public var name: String
    public var span: Span
    public var value: Expr
}

public struct MapEntry: Sendable {
    public var key: Expr
    public var value: Expr
}

public enum TemplateSegment: Sendable {
    case text(String)
    case expr(Expr)
}

public enum UnaryOp: String, Sendable { case neg = "-", not = "not" }

public enum BinaryOp: String, Sendable {
    case add = "+", sub = "-", mul = "*", div = "/", mod = "%"
    case eq = "==", ne = "!=", lt = "<", le = "<=", gt = ">", ge = ">="
    case and = "and", or = "or", coalesce = "??"
}

public enum Condition: Sendable {
    case expr(Expr)
    /// `if let name = optional`
    case bind(name: String, span: Span, id: Int, value: Expr)
}

public struct MatchArm: Sendable {
    public var pattern: Pattern
    public var guardExpr: Expr?
    public var body: Expr
}

public struct Pattern: Sendable {
    public var id: Int
    public var span: Span
    public var kind: PatternKind
}

public indirect enum PatternKind: Sendable {
    case wildcard
    /// A bare name: an enum variant of the scrutinee's type, or else a new binding.
    case name(String)
    /// `click(n)`, `Ev.click(n)`, `some(x)`; `qualifier` is the enum name when written.
    case variant(qualifier: String?, name: String, args: [Pattern])
    case int(Int)
    case dec(String)
    case string(String)
    case bool(Bool)
    case none
}

public struct Expr: Sendable {
    public var id: Int
    public var span: Span
    public var kind: ExprKind
}

public indirect enum ExprKind: Sendable {
    case int(Int)
    case dec(String)
    case float(Double)
    case money(amount: String, code: String)
    case duration(ms: Int)
    case string(String)
    case template([TemplateSegment])
    case bool(Bool)
    case none
    case unit
    case name(String)
    case list([Expr])
    case map([MapEntry])
    case record(name: String, fields: [FieldInit])
    case unary(UnaryOp, Expr)
    case binary(BinaryOp, Expr, Expr)
    case call(Expr, [Arg])
    case member(Expr, name: String, nameSpan: Span)
    case index(Expr, Expr)
    case lambda(Function)
    case ifElse(Condition, Block, Expr?)
    case match(Expr, [MatchArm])
    case block(Block)
}

public enum AssignOp: String, Sendable { case add = "+=", sub = "-=", mul = "*=", div = "/=" }

public struct FieldDecl: Sendable {
    public var name: String
    public var span: Span
    public var type: TypeExpr
}

public struct VariantDecl: Sendable {
    public var name: String
    public var span: Span
    public var payload: [TypeExpr]
}

public enum ForSource: Sendable {
    case expr(Expr)
    case range(from: Expr, to: Expr, inclusive: Bool)
}

public struct Stmt: Sendable {
    public var id: Int
    public var span: Span
    public var kind: StmtKind
}

public indirect enum StmtKind: Sendable {
    case binding(mutable: Bool, name: String, nameSpan: Span, type: TypeExpr?, value: Expr)
    case function(Function)
    case record(name: String, fields: [FieldDecl])
    case enumeration(name: String, variants: [VariantDecl])
    case assign(target: Expr, op: AssignOp?, value: Expr)
    case expr(Expr)
    case returnStmt(Expr?)
    case breakStmt
    case continueStmt
    case whileLoop(Condition, Block)
    /// `for x in xs`, `for i, x in xs`, `for k, v in m`, `for i in 0..n`
    case forLoop(names: [(String, Span)], ids: [Int], source: ForSource, body: Block)
    case assert(Expr, message: Expr?)
    case use(String)
    /// `currency BTC(8)`: a unit of the script's own, with its minor units.
    case currency(code: String, minorUnits: Int)
}

/// A parsed file.
public struct Program: Sendable {
    public var file: SourceFile
    public var stmts: [Stmt]
}
