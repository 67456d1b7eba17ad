import Foundation

/// One test line of a decTest file, with the context directives in force.
struct DecTestCase {
    var id: String
    var operation: String
    var operands: [String]
    var result: String
    var conditions: Set<String>
    var precision: Int
    var rounding: String
    var maxExponent: Int
    var minExponent: Int
}

/// Parses the decTest format (see /work/shared/conformance/decimal/README.md).
enum DecTestFile {
    static func cases(in text: String) -> [DecTestCase] {
        var directives: [String: String] = ["precision": "9", "rounding": "half_up",
                                             "maxexponent": "999", "minexponent": "-999"]
        var cases: [DecTestCase] = []
        for line in text.split(whereSeparator: \.isNewline) {
            let tokens = tokenize(Substring(line))
            guard let first = tokens.first else { continue }
            if tokens.count == 2, first.hasSuffix(":") {
                directives[String(first.dropLast()).lowercased()] = tokens[1].lowercased()
                continue
            }
            guard let arrow = tokens.firstIndex(of: "->"), arrow >= 2, arrow + 1 < tokens.count else { continue }
            cases.append(DecTestCase(
                id: first,
                operation: tokens[1].lowercased(),
                operands: Array(tokens[2..<arrow]),
                result: tokens[arrow + 1],
                conditions: Set(tokens[(arrow + 2)...].map { $0.lowercased() }),
                precision: Int(directives["precision"] ?? "") ?? 9,
                rounding: directives["rounding"] ?? "half_up",
                maxExponent: Int(directives["maxexponent"] ?? "") ?? 999,
                minExponent: Int(directives["minexponent"] ?? "") ?? -999))
        }
        return cases
    }

    /// Splits on whitespace, honouring '…' / "…" quotes (doubled quote = literal)
    /// and dropping `--` comments outside quotes.
    static func tokenize(_ line: Substring) -> [String] {
        var tokens: [String] = []
        var index = line.startIndex
        while index < line.endIndex {
            let character = line[index]
            if character.isWhitespace { index = line.index(after: index); continue }
            if line[index...].hasPrefix("--") { break }
            if character == "'" || character == "\"" {
                var token = ""
                index = line.index(after: index)
                while index < line.endIndex {
                    if line[index] == character {
                        let next = line.index(after: index)
                        if next < line.endIndex && line[next] == character {
                            token.append(character)
                            index = line.index(after: next)
                            continue
                        }
                        index = next
                        break
                    }
                    token.append(line[index])
                    index = line.index(after: index)
                }
                tokens.append(token)
            } else {
                let end = line[index...].firstIndex(where: \.isWhitespace) ?? line.endIndex
                tokens.append(String(line[index..<end]))
                index = end
            }
        }
        return tokens
    }
}
