public enum Keyword: String, CaseIterable, Sendable {
    case `let`, `var`, `fn`, `type`, `enum`, `match`, `if`, `else`, `while`, `for`, `in`
    case `return`, `break`, `continue`, `use`, `true`, `false`, `and`, `or`, `not`, `assert`, `none`, `unit`
}

public enum Punct: String, CaseIterable, Sendable {
    case lparen = "(", rparen = ")", lbracket = "[", rbracket = "]", lbrace = "{", rbrace = "}"
    case comma = ",", colon = ":", semicolon = ";", dot = ".", dotDot = "..", dotDotEq = "..="
    case arrow = "->", fatArrow = "=>", question = "?", questionQuestion = "??"
    case plus = "+", minus = "-", star = "*", slash = "/", percent = "%"
    case assign = "=", plusAssign = "+=", minusAssign = "-=", starAssign = "*=", slashAssign = "/="
    case eq = "==", ne = "!=", lt = "<", le = "<=", gt = ">", ge = ">="
    case underscore = "_"
}

/// A piece of a string literal: literal text, or the scalar range of an embedded `${expr}`.
public enum StringPart: Equatable, Sendable {
    case text(String)
    case code(Span)
}

public enum TokenKind: Equatable, Sendable {
    case int(Int)
    case dec(String)
    case float(Double)
    case money(amount: String, code: String)
    case duration(ms: Int)
    case string([StringPart])
    case ident(String)
    case keyword(Keyword)
    case punct(Punct)
    case eof
}

public struct Token: Sendable {
    public var kind: TokenKind
    public var span: Span
    /// True when a newline separates this token from the previous one; statements end there.
    public var newlineBefore: Bool
}
