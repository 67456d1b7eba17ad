"""Driver for grammar/lark/keel.lark: parses Keel source with lark (LALR, basic lexer)
and supplies the context rules a context-free grammar cannot state (see keel.ebnf):

* newline sensitivity: a token knows whether a line break precedes it.  "(" "[" "{" "?"
  at the start of a line become NL_LPAREN / NL_LBRACKET / NL_LBRACE / NL_QUESTION; the
  virtual terminator _NL is inserted before a line-starting token that the parser
  cannot take where it is but could take after _NL (after `return`, always);
* string interpolation: every `${...}` is parsed with the start rule `interpolation`;
* after-parse checks the Swift parser also makes: assignment targets are places,
  string patterns do not interpolate, literal values are in range, nesting is bounded
  (approximated here as at most 199 nested brackets).

Usage:  python3 grammar/lark/keel_lark.py FILE...   (prints OK or the first error)
"""

from __future__ import annotations

import os
import sys
from functools import lru_cache

from lark import Lark, Token, Tree
from lark.exceptions import LarkError, UnexpectedInput

HERE = os.path.dirname(os.path.abspath(__file__))
GRAMMAR_PATH = os.path.join(HERE, "keel.lark")

RENAME_AT_LINE_START = {
    "LPAREN": "NL_LPAREN",
    "LBRACKET": "NL_LBRACKET",
    "LBRACE": "NL_LBRACE",
    "QUESTION": "NL_QUESTION",
}
INT_MAX = 2**63 - 1
# Parser.maxDepth is 200 levels of recursion; the driver approximates it by bracket depth.
MAX_BRACKET_DEPTH = 199
DURATION_UNITS = {"ms": 1, "s": 1000, "min": 60_000, "h": 3_600_000, "d": 86_400_000}


class KeelSyntaxError(Exception):
    def __init__(self, message: str, line: int | None = None, column: int | None = None):
        where = f"{line}:{column}: " if line is not None else ""
        super().__init__(where + message)
        self.line, self.column = line, column


# ---------------------------------------------------------------- STRING terminal

# `"\\` and not `\\"` in the class: lark's grammar loader drops a backslash before a quote.
ESCAPE_RE = r'\\(?:[ntr0"\\$]|u\{[0-9A-Fa-f]{1,8}\})'


def _nested_string(n: int, k: int) -> str:
    alts = [r'[^"\\\n$]', r"\\[^\n]", r"\$(?!\{)"]
    if n > 0:
        alts.append(r"\$\{" + _code(n - 1, k) + r"\}")
    return '"(?:' + "|".join(alts) + ')*"'


def _code(n: int, k: int) -> str:
    alts = [r'[^{}"\n]', _nested_string(n, k)]
    if k > 0:
        alts.append(r"\{" + _code(n, k - 1) + r"\}")
    return "(?:" + "|".join(alts) + ")*"


def string_regex(strings: int = 2, braces: int = 2) -> str:
    """The STRING terminal of keel.lark: interpolations nest `strings` deep, braces inside
    an interpolation `braces` deep (the real lexer has no limit)."""
    alts = [r'[^"\\\n$]', ESCAPE_RE, r"\$(?!\{)", r"\$\{" + _code(strings, braces) + r"\}"]
    return '"(?:' + "|".join(alts) + ')*"'


# ---------------------------------------------------------------- the parser

@lru_cache(maxsize=1)
def parser() -> Lark:
    with open(GRAMMAR_PATH, encoding="utf-8") as f:
        grammar = f.read()
    return Lark(grammar, parser="lalr", lexer="basic", start=["start", "interpolation"],
                propagate_positions=False, maybe_placeholders=False)


def interpolation_spans(body: str) -> list[str]:
    """The code of every `${...}` in a string token's text (quotes included), found the
    way Lexer.skipInterpolation finds it."""
    spans = []
    i, n = 1, len(body) - 1  # inside the quotes
    while i < n:
        c = body[i]
        if c == "\\":
            i += 2
            continue
        if c == "$" and i + 1 < n and body[i + 1] == "{":
            start = i + 2
            end = _skip_interpolation(body, start)
            spans.append(body[start:end - 1])
            i = end
            continue
        i += 1
    return spans


def _skip_interpolation(s: str, i: int) -> int:
    """Index just past the "}" that closes an interpolation starting at i."""
    depth = 0
    while i < len(s):
        c = s[i]
        if c == "\n":
            break
        i += 1
        if c == "{":
            depth += 1
        elif c == "}":
            if depth == 0:
                return i
            depth -= 1
        elif c == '"':
            while i < len(s) and s[i] not in '"\n':
                d = s[i]
                i += 1
                if d == "\\":
                    i += 1
                elif d == "$" and i < len(s) and s[i] == "{":
                    i = _skip_interpolation(s, i + 1)
            i += 1
    raise KeelSyntaxError("unterminated ${ in string")


def _check_literal(tok: Token) -> None:
    """Value constraints the lexer enforces beyond the shape of a literal."""
    text = tok.value.replace("_", "")
    where = (tok.line, tok.column)
    if tok.type == "INT" and int(text) > INT_MAX:
        raise KeelSyntaxError(f"integer literal {text} does not fit in 64 bits", *where)
    if tok.type == "FLOAT":
        if float(text) in (float("inf"), float("-inf")):
            raise KeelSyntaxError("float literal out of range", *where)
    if tok.type == "DURATION":
        unit = next(u for u in ("min", "ms", "s", "h", "d") if text.endswith(u))
        number = text[: -len(unit)]
        whole, _, frac = number.partition(".")
        ms = int(whole) * DURATION_UNITS[unit]
        frac_ms = int(frac or "0") * DURATION_UNITS[unit]
        if ms > INT_MAX:
            raise KeelSyntaxError("duration literal too large", *where)
        if frac and frac_ms % (10 ** len(frac)) != 0:
            raise KeelSyntaxError("duration literal is not a whole number of milliseconds", *where)
    if tok.type == "STRING":
        value = tok.value
        i = 1
        while i < len(value) - 1:
            if value[i] == "\\":
                if value[i + 1] == "u":
                    close = value.index("}", i)
                    cp = int(value[i + 3:close], 16)
                    if cp > 0x10FFFF or 0xD800 <= cp <= 0xDFFF:
                        raise KeelSyntaxError(f"invalid unicode escape \\u{{{value[i + 3:close]}}}", *where)
                    i = close + 1
                    continue
                i += 2
                continue
            if value[i] == "$" and value[i + 1] == "{":
                i = _skip_interpolation(value, i + 2)
                continue
            i += 1


def _feed(tokens: list[Token], start: str) -> Tree:
    p = parser()
    ip = p.parse_interactive(start=start)
    prev: Token | None = None
    for tok in tokens:
        newline = prev is None or tok.line > prev.end_line
        if newline and tok.type in RENAME_AT_LINE_START:
            tok = Token(RENAME_AT_LINE_START[tok.type], tok.value, tok.start_pos, tok.line, tok.column,
                        tok.end_line, tok.end_column, tok.end_pos)
        if newline and prev is not None:
            accepted = ip.accepts()
            if "_NL" in accepted and (prev.type == "RETURN" or tok.type not in accepted):
                ip.feed_token(Token("_NL", "\n", prev.end_pos, prev.end_line, prev.end_column))
        try:
            ip.feed_token(tok)
        except UnexpectedInput as e:
            raise KeelSyntaxError(f"unexpected {tok.type} {tok.value!r}", tok.line, tok.column) from e
        prev = tok
    try:
        return ip.feed_eof(prev)
    except UnexpectedInput as e:
        raise KeelSyntaxError("unexpected end of file",
                              prev.end_line if prev else 1, prev.end_column if prev else 1) from e


def _lex(text: str) -> list[Token]:
    try:
        return list(parser().lex(text))
    except UnexpectedInput as e:
        raise KeelSyntaxError("unexpected character", e.line, e.column) from e


def _parse(text: str, start: str) -> Tree:
    tokens = _lex(text)
    for tok in tokens:
        _check_literal(tok)
        if tok.type == "STRING":
            for code in interpolation_spans(tok.value):
                if not code.strip():
                    raise KeelSyntaxError("empty ${} in string", tok.line, tok.column)
                try:
                    _parse(code, "interpolation")
                except KeelSyntaxError as e:
                    raise KeelSyntaxError(f"in ${{...}}: {e}", tok.line, tok.column) from e
    depth = 0
    for tok in tokens:
        if tok.type in ("LPAREN", "LBRACKET", "LBRACE"):
            depth += 1
            if depth > MAX_BRACKET_DEPTH:
                raise KeelSyntaxError("nesting too deep", tok.line, tok.column)
        elif tok.type in ("RPAR", "RSQB", "RBRACE"):
            depth -= 1
    if start == "start" and not tokens:
        return Tree("start", [])
    tree = _feed(tokens, start)
    _check_tree(tree)
    return tree


# ---------------------------------------------------------------- after-parse checks

def _is_place(node) -> bool:
    """A name, a parenthesised place, or a place followed by `.member` / `[index]`."""
    if isinstance(node, Token):
        return node.type == "NAME"
    if node.data == "paren_expr":
        inner = [c for c in node.children if isinstance(c, Tree) or c.type == "NAME"]
        return len(inner) == 1 and _is_place(inner[0])
    if node.data == "expression" and len(node.children) == 1:
        return _is_place(node.children[0])
    if node.data == "postfix_expr":
        head, *suffixes = node.children
        return _is_place(head) and all(isinstance(s, Tree) and s.data in ("member_suffix", "index_suffix")
                                       for s in suffixes)
    return False


def _check_tree(tree: Tree) -> None:
    for node in tree.iter_subtrees():
        if node.data == "assign_stmt":
            target = node.children[0]
            if not _is_place(target):
                raise KeelSyntaxError("cannot assign to this expression")
        elif node.data == "pattern":
            for c in node.children:
                if isinstance(c, Token) and c.type == "STRING" and interpolation_spans(c.value):
                    raise KeelSyntaxError("a string pattern cannot interpolate", c.line, c.column)


def parse(text: str) -> Tree:
    """Parses a whole Keel file; raises KeelSyntaxError when lark rejects it."""
    try:
        return _parse(text, "start")
    except KeelSyntaxError:
        raise
    except LarkError as e:  # anything else lark reports is a rejection too
        raise KeelSyntaxError(str(e)) from e


def accepts(text: str) -> bool:
    try:
        parse(text)
        return True
    except KeelSyntaxError:
        return False


def main(argv: list[str]) -> int:
    status = 0
    for path in argv:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        try:
            parse(text)
            print(f"{path}: OK")
        except KeelSyntaxError as e:
            print(f"{path}: {e}")
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
