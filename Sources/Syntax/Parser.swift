/// Recursive descent with precedence climbing. Errors are collected; after one, the parser
/// skips to the next statement so a file reports several. Nesting is bounded, so hostile
/// input cannot overflow the stack.
public struct Parser {
    struct Failure: Error {}

    public static let maxDepth = 200
    public static let maxChain = 10_000
    static let maxDiagnostics = 50

    let file: SourceFile
    var tokens: [Token]
    var pos = 0
    var depth = 0
    /// In the head of `if`/`while`/`for`/`match` a `{` opens the body, not a literal.
    var noLiteralBrace = false
    public private(set) var nextID: Int
    public private(set) var diagnostics: [Diagnostic] = []

    public init(file: SourceFile, firstID: Int = 0) {
        self.file = file
        var lexer = Lexer(file: file)
        self.tokens = lexer.tokenize()
        self.diagnostics = lexer.diagnostics
        self.nextID = firstID
    }

    init(file: SourceFile, range: Range<Int>, firstID: Int) {
        self.file = file
        var lexer = Lexer(file: file, range: range)
        self.tokens = lexer.tokenize()
        self.diagnostics = lexer.diagnostics
        self.nextID = firstID
    }

    /// Parses a whole file; throws every diagnostic found.
    public static func parse(_ file: SourceFile, firstID: Int = 0) -> (Program, nextID: Int, [Diagnostic]) {
        var parser = Parser(file: file, firstID: firstID)
        let stmts = parser.parseProgram()
        return (Program(file: file, stmts: stmts), parser.nextID, parser.diagnostics)
    }

    mutating func parseProgram() -> [Stmt] {
        var stmts: [Stmt] = []
        while !atEOF && diagnostics.count < Self.maxDiagnostics {
            if eat(.semicolon) { continue }
            do {
                stmts.append(try statement())
                try endOfStatement()
            } catch {
                synchronize()
            }
        }
        return stmts
    }

    // MARK: tokens

    var current: Token { tokens[pos] }
    var atEOF: Bool { if case .eof = current.kind { return true } else { return false } }

    func check(_ p: Punct) -> Bool { if case .punct(p) = current.kind { return true } else { return false } }
    func check(_ k: Keyword) -> Bool { if case .keyword(k) = current.kind { return true } else { return false } }
    func peekKind(_ k: Int) -> TokenKind { tokens[min(pos + k, tokens.count - 1)].kind }

    mutating func advance() -> Token {
        let t = tokens[pos]
        if pos < tokens.count - 1 { pos += 1 }
        return t
    }

    mutating func eat(_ p: Punct) -> Bool { if check(p) { pos += 1; return true } else { return false } }
    mutating func eat(_ k: Keyword) -> Bool { if check(k) { pos += 1; return true } else { return false } }

    mutating func expect(_ p: Punct, _ what: String? = nil) throws -> Token {
        guard check(p) else { throw fail("expected \(what ?? "'\(p.rawValue)'"), found \(describe(current))") }
        return advance()
    }

    mutating func identifier(_ what: String) throws -> (String, Span) {
        guard case .ident(let name) = current.kind else { throw fail("expected \(what), found \(describe(current))") }
        let t = advance()
        return (name, t.span)
    }

    func describe(_ t: Token) -> String {
        switch t.kind {
        case .eof: return "end of file"
        case .ident(let n): return "'\(n)'"
        case .keyword(let k): return "'\(k.rawValue)'"
        case .punct(let p): return "'\(p.rawValue)'"
        case .int, .dec, .float: return "number"
        case .money: return "money literal"
        case .duration: return "duration literal"
        case .string: return "string"
        }
    }

    mutating func fail(_ message: String, at span: Span? = nil) -> Failure {
        diagnostics.append(Diagnostic(file: file, span: span ?? current.span, message: message))
        return Failure()
    }

    mutating func newID() -> Int { defer { nextID += 1 }; return nextID }

    mutating func enter() throws {
        depth += 1
        if depth > Self.maxDepth { throw fail("nesting too deep (more than \(Self.maxDepth) levels)") }
    }

    func isStatementEnd() -> Bool {
        current.newlineBefore || atEOF || check(.rbrace) || check(.semicolon)
    }

    mutating func endOfStatement() throws {
        if isStatementEnd() { _ = eat(.semicolon); return }
        throw fail("expected end of statement, found \(describe(current))")
    }

    /// Skips to the start of the next statement at the current brace level.
    mutating func synchronize() {
        depth = 0
        noLiteralBrace = false
        var level = 0
        _ = advance()
        while !atEOF {
            if level <= 0 && (current.newlineBefore || check(.semicolon)) { return }
            switch current.kind {
            case .punct(.lparen), .punct(.lbracket), .punct(.lbrace): level += 1
            case .punct(.rparen), .punct(.rbracket): level -= 1
            case .punct(.rbrace):
                if level <= 0 { return }
                level -= 1
            default: break
            }
            _ = advance()
        }
    }

    // MARK: statements

    mutating func statement() throws -> Stmt {
        let start = current.span
        let id = newID()
        func stmt(_ kind: StmtKind) -> Stmt { Stmt(id: id, span: start.to(tokens[max(0, pos - 1)].span), kind: kind) }
        switch current.kind {
        case .keyword(.let), .keyword(.var):
            let mutable = check(.var)
            _ = advance()
            let (name, nameSpan) = try identifier("a name after '\(mutable ? "var" : "let")'")
            let type: TypeExpr? = eat(.colon) ? try typeExpr() : nil
            _ = try expect(.assign, "'=' after the name")
            let value = try expression()
            return stmt(.binding(mutable: mutable, name: name, nameSpan: nameSpan, type: type, value: value))
        case .keyword(.fn) where { if case .ident = peekKind(1) { return true } else { return false } }():
            _ = advance()
            let (name, _) = try identifier("a function name")
            return stmt(.function(try functionRest(name: name, start: start, id: id)))
        case .keyword(.type):
            _ = advance()
            let (name, _) = try identifier("a type name")
            _ = try expect(.assign, "'=' after the type name")
            _ = try expect(.lbrace, "'{' to open the record's fields")
            var fields: [FieldDecl] = []
            while !check(.rbrace) {
                let (fname, fspan) = try identifier("a field name")
                _ = try expect(.colon, "':' after the field name")
                fields.append(FieldDecl(name: fname, span: fspan, type: try typeExpr()))
                if !eat(.comma) && !current.newlineBefore { break }
            }
            _ = try expect(.rbrace, "',' or '}' in the record type")
            return stmt(.record(name: name, fields: fields))
        case .keyword(.enum):
            _ = advance()
            let (name, _) = try identifier("an enum name")
            _ = try expect(.lbrace, "'{' to open the enum's variants")
            var variants: [VariantDecl] = []
            while !check(.rbrace) {
                let (vname, vspan) = check(.none) ? try memberName() : try identifier("a variant name")
                var payload: [TypeExpr] = []
                if eat(.lparen) {
                    while !check(.rparen) {
                        payload.append(try typeExpr())
                        if !eat(.comma) { break }
                    }
                    _ = try expect(.rparen)
                }
                variants.append(VariantDecl(name: vname, span: vspan, payload: payload))
                if !eat(.comma) && !current.newlineBefore { break }
            }
            _ = try expect(.rbrace, "',' or '}' in the enum")
            return stmt(.enumeration(name: name, variants: variants))
        case .keyword(.return):
            _ = advance()
            let value = isStatementEnd() ? nil : try expression()
            return stmt(.returnStmt(value))
        case .keyword(.break):
            _ = advance()
            return stmt(.breakStmt)
        case .keyword(.continue):
            _ = advance()
            return stmt(.continueStmt)
        case .keyword(.while):
            _ = advance()
            let cond = try condition()
            return stmt(.whileLoop(cond, try block()))
        case .keyword(.for):
            return try forLoop(id: id, start: start)
        case .keyword(.assert):
            _ = advance()
            let cond = try expression()
            let message = eat(.comma) ? try expression() : nil
            return stmt(.assert(cond, message: message))
        case .ident("currency") where Self.isCurrencyDeclaration(peekKind(1), tokens[min(pos + 1, tokens.count - 1)]):
            _ = advance()
            let (code, codeSpan) = try identifier("a currency code")
            guard Self.isCurrencyCode(code) else {
                throw fail("a currency code is 3 to 10 upper-case letters or digits, starting with a letter", at: codeSpan)
            }
            _ = try expect(.lparen, "'(' before the number of minor units")
            guard case .int(let units) = current.kind else {
                throw fail("expected the number of minor units, found \(describe(current))")
            }
            _ = advance()
            _ = try expect(.rparen, "')' after the minor units")
            return stmt(.currency(code: code, minorUnits: units))
        case .keyword(.use):
            _ = advance()
            let (name, _) = try identifier("a module name after 'use'")
            return stmt(.use(name))
        default:
            let target = try expression()
            let ops: [(Punct, AssignOp?)] = [(.assign, nil), (.plusAssign, .add), (.minusAssign, .sub),
                                              (.starAssign, .mul), (.slashAssign, .div)]
            for (p, op) in ops where check(p) {
                let opSpan = advance().span
                try checkAssignable(target, opSpan: opSpan)
                let value = try expression()
                return stmt(.assign(target: target, op: op, value: value))
            }
            return stmt(.expr(target))
        }
    }

    /// `currency` is a keyword only when an upper-case code follows on the same line,
    /// so `currency` stays usable as a name.
    static func isCurrencyDeclaration(_ next: TokenKind, _ token: Token) -> Bool {
        guard case .ident(let code) = next, !token.newlineBefore else { return false }
        return code.first.map { $0 >= "A" && $0 <= "Z" } ?? false
    }

    static func isCurrencyCode(_ code: String) -> Bool {
        let scalars = Array(code.unicodeScalars)
        guard (3...10).contains(scalars.count), let first = scalars.first, first >= "A" && first <= "Z" else { return false }
        return scalars.allSatisfy { ($0 >= "A" && $0 <= "Z") || ($0 >= "0" && $0 <= "9") }
    }

    mutating func checkAssignable(_ e: Expr, opSpan: Span) throws {
        switch e.kind {
        case .name: return
        case .index(let base, _), .member(let base, _, _): try checkAssignable(base, opSpan: opSpan)
        default: throw fail("cannot assign to this expression", at: e.span)
        }
    }

    mutating func forLoop(id: Int, start: Span) throws -> Stmt {
        _ = advance()
        var names: [(String, Span)] = [try identifier("a loop variable")]
        if eat(.comma) { names.append(try identifier("a second loop variable")) }
        guard eat(.in) else { throw fail("expected 'in' after the loop variable, found \(describe(current))") }
        let saved = noLiteralBrace
        noLiteralBrace = true
        let first = try expression()
        var source = ForSource.expr(first)
        if check(.dotDot) || check(.dotDotEq) {
            let inclusive = advance().kind == .punct(.dotDotEq)
            source = .range(from: first, to: try expression(), inclusive: inclusive)
        }
        noLiteralBrace = saved
        let ids = names.map { _ in newID() }
        let body = try block()
        return Stmt(id: id, span: start.to(body.span), kind: .forLoop(names: names, ids: ids, source: source, body: body))
    }

    mutating func condition() throws -> Condition {
        let saved = noLiteralBrace
        noLiteralBrace = true
        defer { noLiteralBrace = saved }
        if eat(.let) {
            let (name, span) = try identifier("a name after 'let'")
            _ = try expect(.assign, "'=' in 'if let'")
            return .bind(name: name, span: span, id: newID(), value: try expression())
        }
        return .expr(try expression())
    }

    mutating func block() throws -> Block {
        try enter()
        defer { depth -= 1 }
        let open = try expect(.lbrace, "'{'")
        let saved = noLiteralBrace
        noLiteralBrace = false
        defer { noLiteralBrace = saved }
        var stmts: [Stmt] = []
        while !check(.rbrace) && !atEOF {
            if eat(.semicolon) { continue }
            do {
                stmts.append(try statement())
                try endOfStatement()
            } catch {
                if diagnostics.count >= Self.maxDiagnostics || depth >= Self.maxDepth { throw error }
                synchronize()
            }
        }
        let close = try expect(.rbrace, "'}' to close the block")
        return Block(stmts: stmts, span: open.span.to(close.span))
    }

    mutating func functionRest(name: String?, start: Span, id: Int) throws -> Function {
        _ = try expect(.lparen, "'(' to open the parameters")
        var params: [Param] = []
        while !check(.rparen) {
            let (pname, pspan) = try identifier("a parameter name")
            let type: TypeExpr? = eat(.colon) ? try typeExpr() : nil
            params.append(Param(name: pname, type: type, span: pspan))
            if !eat(.comma) { break }
        }
        _ = try expect(.rparen, "',' or ')' in the parameters")
        let ret: TypeExpr? = eat(.arrow) ? try typeExpr() : nil
        if name == nil, eat(.fatArrow) {
            let body = try expression()
            let block = Block(stmts: [Stmt(id: newID(), span: body.span, kind: .expr(body))], span: body.span)
            return Function(id: id, name: nil, params: params, returnType: ret, body: block,
                            span: start.to(body.span), isArrow: true)
        }
        let body = try block()
        return Function(id: id, name: name, params: params, returnType: ret, body: body,
                        span: start.to(body.span), isArrow: false)
    }

    // MARK: types

    mutating func typeExpr() throws -> TypeExpr {
        try enter()
        defer { depth -= 1 }
        let start = current.span
        var base: TypeExpr
        if eat(.fn) {
            _ = try expect(.lparen, "'(' in a function type")
            var params: [TypeExpr] = []
            while !check(.rparen) {
                params.append(try typeExpr())
                if !eat(.comma) { break }
            }
            _ = try expect(.rparen)
            _ = try expect(.arrow, "'->' in a function type")
            let ret = try typeExpr()
            base = TypeExpr(span: start.to(ret.span), kind: .function(params, ret))
        } else {
            let (name, span) = try identifier("a type")
            var args: [TypeExpr] = []
            var end = span
            if !current.newlineBefore, eat(.lbracket) {
                while !check(.rbracket) {
                    args.append(try typeExpr())
                    if !eat(.comma) { break }
                }
                end = try expect(.rbracket, "']' after the type arguments").span
            }
            base = TypeExpr(span: span.to(end), kind: .named(name, args))
        }
        while check(.question) && !current.newlineBefore {
            let q = advance()
            base = TypeExpr(span: base.span.to(q.span), kind: .optional(base))
        }
        return base
    }

    // MARK: expressions

    mutating func expression() throws -> Expr {
        try enter()
        defer { depth -= 1 }
        return try binary(minPrecedence: 1)
    }

    static func infix(_ kind: TokenKind) -> (BinaryOp, Int)? {
        switch kind {
        case .keyword(.or): return (.or, 1)
        case .keyword(.and): return (.and, 2)
        case .punct(.eq): return (.eq, 4)
        case .punct(.ne): return (.ne, 4)
        case .punct(.lt): return (.lt, 4)
        case .punct(.le): return (.le, 4)
        case .punct(.gt): return (.gt, 4)
        case .punct(.ge): return (.ge, 4)
        case .punct(.questionQuestion): return (.coalesce, 5)
        case .punct(.plus): return (.add, 6)
        case .punct(.minus): return (.sub, 6)
        case .punct(.star): return (.mul, 7)
        case .punct(.slash): return (.div, 7)
        case .punct(.percent): return (.mod, 7)
        default: return nil
        }
    }

    /// Precedence 3 is `not`; comparisons (4) do not chain.
    mutating func binary(minPrecedence: Int) throws -> Expr {
        var lhs: Expr
        if minPrecedence <= 3, check(.not) {
            let op = advance()
            try enter()
            defer { depth -= 1 }
            let operand = try binary(minPrecedence: 3)
            lhs = Expr(id: newID(), span: op.span.to(operand.span), kind: .unary(.not, operand))
        } else {
            lhs = try unary()
        }
        var operators = 0
        while let (op, prec) = Self.infix(current.kind), prec >= minPrecedence {
            let opToken = advance()
            operators += 1
            // A left-leaning chain is flat here but deep for every later phase.
            if operators > Self.maxChain { throw fail("expression too long (more than \(Self.maxChain) operators in a row)", at: opToken.span) }
            try enter()
            defer { depth -= 1 }
            let rhs = try binary(minPrecedence: op == .coalesce ? prec : prec + 1)
            lhs = Expr(id: newID(), span: lhs.span.to(rhs.span), kind: .binary(op, lhs, rhs))
            if prec == 4, let (next, nextPrec) = Self.infix(current.kind), nextPrec == 4 {
                throw fail("comparison operators cannot be chained: parenthesise '\(op.rawValue)' or '\(next.rawValue)'",
                           at: opToken.span)
            }
        }
        return lhs
    }

    mutating func unary() throws -> Expr {
        if check(.minus) {
            let op = advance()
            try enter()
            defer { depth -= 1 }
            let operand = try unary()
            return Expr(id: newID(), span: op.span.to(operand.span), kind: .unary(.neg, operand))
        }
        return try postfix(try primary())
    }

    mutating func postfix(_ start: Expr) throws -> Expr {
        var e = start
        while true {
            if check(.dot) {
                _ = advance()
                let (name, span) = try memberName()
                e = Expr(id: newID(), span: e.span.to(span), kind: .member(e, name: name, nameSpan: span))
            } else if check(.lparen) && !current.newlineBefore {
                _ = advance()
                var args: [Arg] = []
                let saved = noLiteralBrace
                noLiteralBrace = false
                while !check(.rparen) {
                    var label: String?
                    if case .ident(let l) = current.kind, peekKind(1) == .punct(.colon) {
                        label = l
                        pos += 2
                    }
                    args.append(Arg(label: label, value: try expression()))
                    if !eat(.comma) { break }
                }
                noLiteralBrace = saved
                let close = try expect(.rparen, "',' or ')' in the arguments")
                e = Expr(id: newID(), span: e.span.to(close.span), kind: .call(e, args))
            } else if check(.lbracket) && !current.newlineBefore {
                _ = advance()
                let saved = noLiteralBrace
                noLiteralBrace = false
                let index = try expression()
                noLiteralBrace = saved
                let close = try expect(.rbracket, "']' after the index")
                e = Expr(id: newID(), span: e.span.to(close.span), kind: .index(e, index))
            } else {
                return e
            }
        }
    }

    /// Member names may be keywords-free identifiers or variant names like `none`.
    mutating func memberName() throws -> (String, Span) {
        if case .keyword(let k) = current.kind, k == .none {
            return (k.rawValue, advance().span)
        }
        return try identifier("a member name after '.'")
    }

    mutating func primary() throws -> Expr {
        let t = current
        func lit(_ kind: ExprKind) -> Expr { _ = advance(); return Expr(id: newID(), span: t.span, kind: kind) }
        switch t.kind {
        case .int(let v): return lit(.int(v))
        case .dec(let v): return lit(.dec(v))
        case .float(let v): return lit(.float(v))
        case .money(let amount, let code): return lit(.money(amount: amount, code: code))
        case .duration(let ms): return lit(.duration(ms: ms))
        case .keyword(.true): return lit(.bool(true))
        case .keyword(.false): return lit(.bool(false))
        case .keyword(.none): return lit(.none)
        case .keyword(.unit): return lit(.unit)
        case .string(let parts):
            _ = advance()
            return try stringLiteral(parts, span: t.span)
        case .ident(let name):
            _ = advance()
            if !noLiteralBrace, check(.lbrace), !current.newlineBefore, looksLikeRecordLiteral() {
                return try recordLiteral(name: name, start: t.span)
            }
            return Expr(id: newID(), span: t.span, kind: .name(name))
        case .punct(.lparen):
            _ = advance()
            let saved = noLiteralBrace
            noLiteralBrace = false
            defer { noLiteralBrace = saved }
            if check(.rparen) { return lit(.unit) }
            var inner = try expression()
            let close = try expect(.rparen, "')'")
            inner.span = t.span.to(close.span)
            return inner
        case .punct(.lbracket):
            _ = advance()
            let saved = noLiteralBrace
            noLiteralBrace = false
            defer { noLiteralBrace = saved }
            var items: [Expr] = []
            while !check(.rbracket) {
                items.append(try expression())
                if !eat(.comma) { break }
            }
            let close = try expect(.rbracket, "',' or ']' in the list")
            return Expr(id: newID(), span: t.span.to(close.span), kind: .list(items))
        case .punct(.lbrace):
            return try mapLiteral()
        case .keyword(.fn):
            _ = advance()
            let id = newID()
            let f = try functionRest(name: nil, start: t.span, id: id)
            return Expr(id: id, span: f.span, kind: .lambda(f))
        case .keyword(.if):
            return try ifExpression()
        case .keyword(.match):
            return try matchExpression()
        default:
            throw fail("expected an expression, found \(describe(t))")
        }
    }

    func looksLikeRecordLiteral() -> Bool {
        switch (peekKind(1), peekKind(2)) {
        case (.punct(.rbrace), _): return true
        case (.ident, .punct(.colon)), (.ident, .punct(.comma)), (.ident, .punct(.rbrace)): return true
        default: return false
        }
    }

    mutating func recordLiteral(name: String, start: Span) throws -> Expr {
        _ = try expect(.lbrace)
        var fields: [FieldInit] = []
        while !check(.rbrace) {
            let (fname, fspan) = try identifier("a field name")
            let value: Expr
            if eat(.colon) {
                value = try expression()
            } else {
                value = Expr(id: newID(), span: fspan, kind: .name(fname))
            }
            fields.append(FieldInit(name: fname, span: fspan, value: value))
            if !eat(.comma) { break }
        }
        let close = try expect(.rbrace, "',' or '}' in the record literal")
        return Expr(id: newID(), span: start.to(close.span), kind: .record(name: name, fields: fields))
    }

    mutating func mapLiteral() throws -> Expr {
        let open = try expect(.lbrace)
        let saved = noLiteralBrace
        noLiteralBrace = false
        defer { noLiteralBrace = saved }
        var entries: [MapEntry] = []
        while !check(.rbrace) {
            let key = try expression()
            _ = try expect(.colon, "':' between a map key and its value")
            entries.append(MapEntry(key: key, value: try expression()))
            if !eat(.comma) { break }
        }
        let close = try expect(.rbrace, "',' or '}' in the map literal")
        return Expr(id: newID(), span: open.span.to(close.span), kind: .map(entries))
    }

    mutating func stringLiteral(_ parts: [StringPart], span: Span) throws -> Expr {
        if parts.count == 1, case .text(let s) = parts[0] {
            return Expr(id: newID(), span: span, kind: .string(s))
        }
        var segments: [TemplateSegment] = []
        for part in parts {
            switch part {
            case .text(let s): segments.append(.text(s))
            case .code(let range):
                var inner = Parser(file: file, range: range.start..<range.end, firstID: nextID)
                inner.depth = depth
                if case .eof = inner.tokens[0].kind {
                    diagnostics += inner.diagnostics
                    throw fail("empty ${} in string", at: Span(range.start - 2, range.end + 1))
                }
                let e: Expr
                do {
                    e = try inner.expression()
                    if !inner.atEOF { throw inner.fail("unexpected \(inner.describe(inner.current)) in ${...}") }
                } catch {
                    diagnostics += inner.diagnostics
                    throw error
                }
                diagnostics += inner.diagnostics
                nextID = inner.nextID
                segments.append(.expr(e))
            }
        }
        return Expr(id: newID(), span: span, kind: .template(segments))
    }

    mutating func ifExpression() throws -> Expr {
        let start = advance().span
        let cond = try condition()
        let then = try block()
        var elseExpr: Expr?
        if eat(.else) {
            if check(.if) {
                try enter()
                defer { depth -= 1 }
                elseExpr = try ifExpression()
            } else {
                let b = try block()
                elseExpr = Expr(id: newID(), span: b.span, kind: .block(b))
            }
        }
        return Expr(id: newID(), span: start.to(elseExpr?.span ?? then.span), kind: .ifElse(cond, then, elseExpr))
    }

    mutating func matchExpression() throws -> Expr {
        let start = advance().span
        let saved = noLiteralBrace
        noLiteralBrace = true
        let subject = try expression()
        noLiteralBrace = saved
        _ = try expect(.lbrace, "'{' to open the match arms")
        var arms: [MatchArm] = []
        while !check(.rbrace) && !atEOF {
            let pattern = try self.pattern()
            var guardExpr: Expr?
            if eat(.if) { guardExpr = try expression() }
            _ = try expect(.fatArrow, "'=>' after the pattern")
            let body: Expr
            if check(.lbrace) {
                let b = try block()
                body = Expr(id: newID(), span: b.span, kind: .block(b))
            } else {
                body = try expression()
            }
            arms.append(MatchArm(pattern: pattern, guardExpr: guardExpr, body: body))
            if !eat(.comma) && !current.newlineBefore && !check(.rbrace) {
                throw fail("expected ',' or a new line between match arms, found \(describe(current))")
            }
        }
        let close = try expect(.rbrace, "'}' to close the match")
        return Expr(id: newID(), span: start.to(close.span), kind: .match(subject, arms))
    }

    mutating func pattern() throws -> Pattern {
        try enter()
        defer { depth -= 1 }
        let t = current
        func pat(_ kind: PatternKind) -> Pattern { Pattern(id: newID(), span: t.span.to(tokens[max(0, pos - 1)].span), kind: kind) }
        switch t.kind {
        case .punct(.underscore): _ = advance(); return pat(.wildcard)
        case .int(let v): _ = advance(); return pat(.int(v))
        case .dec(let v): _ = advance(); return pat(.dec(v))
        case .keyword(.true): _ = advance(); return pat(.bool(true))
        case .keyword(.false): _ = advance(); return pat(.bool(false))
        case .keyword(.none): _ = advance(); return pat(.none)
        case .punct(.minus):
            _ = advance()
            switch current.kind {
            case .int(let v): _ = advance(); return pat(.int(-v))
            case .dec(let v): _ = advance(); return pat(.dec("-" + v))
            default: throw fail("expected a number after '-' in a pattern")
            }
        case .string(let parts):
            guard parts.count == 1, case .text(let s) = parts[0] else {
                throw fail("a string pattern cannot interpolate")
            }
            _ = advance()
            return pat(.string(s))
        case .ident(var name):
            _ = advance()
            var qualifier: String?
            if eat(.dot) {
                qualifier = name
                name = try memberName().0
            }
            if !current.newlineBefore, eat(.lparen) {
                var args: [Pattern] = []
                while !check(.rparen) {
                    args.append(try pattern())
                    if !eat(.comma) { break }
                }
                _ = try expect(.rparen, "',' or ')' in the pattern")
                return pat(.variant(qualifier: qualifier, name: name, args: args))
            }
            return qualifier == nil ? pat(.name(name)) : pat(.variant(qualifier: qualifier, name: name, args: []))
        default:
            throw fail("expected a pattern, found \(describe(t))")
        }
    }
}
