import Merkle
import Money

/// How values print: `print` shows strings bare; inside collections they are quoted.
public enum Display {
    public static func text(_ v: Value) -> String {
        if case .string(let s) = v { return s }
        return literal(v)
    }

    public static func literal(_ v: Value) -> String {
        var out = ""
        write(v, into: &out, depth: 0)
        return out
    }

    static func write(_ v: Value, into out: inout String, depth: Int) {
        guard depth < 100 else { out += "..."; return }
        switch v {
        case .unit: out += "()"
        case .none: out += "none"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .float(let f): out += float(f)
        case .dec(let d): out += d.description
        case .money(let d, let c): out += money(d, c)
        case .duration(let ms): out += duration(ms)
        case .string(let s): out += quoted(s)
        case .bytes(let b): out += "0x" + Hex.encode(b)
        case .intList(let xs):
            out += "["
            for (i, x) in xs.enumerated() {
                if i > 0 { out += ", " }
                out += String(x)
            }
            out += "]"
        case .list(let xs):
            out += "["
            for (i, x) in xs.enumerated() {
                if i > 0 { out += ", " }
                write(x, into: &out, depth: depth + 1)
            }
            out += "]"
        case .map(let m):
            out += "{"
            for (i, (k, x)) in m.entries.enumerated() {
                if i > 0 { out += ", " }
                write(k, into: &out, depth: depth + 1)
                out += ": "
                write(x, into: &out, depth: depth + 1)
            }
            out += "}"
        case .record(let r) where r.fields.isEmpty:
            out += r.shape.name + " {}"
        case .record(let r):
            out += r.shape.name + " { "
            for (i, name) in r.shape.fields.enumerated() {
                if i > 0 { out += ", " }
                out += name + ": "
                write(r.fields[i], into: &out, depth: depth + 1)
            }
            out += " }"
        case .variant(let box):
            out += box.shape.name + "." + box.shape.variants[box.tag]
            if !box.payload.isEmpty {
                out += "("
                for (i, x) in box.payload.enumerated() {
                    if i > 0 { out += ", " }
                    write(x, into: &out, depth: depth + 1)
                }
                out += ")"
            }
        case .function(let c): out += "<fn \(c.proto.name)>"
        case .host(let o): out += (o as? CustomStringConvertible)?.description ?? "<\(type(of: o))>"
        case .cell(let c): write(c.value, into: &out, depth: depth + 1)
        }
    }

    static func quoted(_ s: String) -> String {
        var out = "\""
        for ch in s.unicodeScalars {
            switch ch {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out + "\""
    }

    /// Shortest text that reads back as the same double, always with a point or exponent.
    static func float(_ f: Double) -> String {
        if f.isNaN { return "nan" }
        if f.isInfinite { return f < 0 ? "-inf" : "inf" }
        return f.description
    }

    /// At least the currency's minor units, never fewer digits than the amount has.
    public static func money(_ d: Dec, _ c: CurrencyID) -> String {
        let registry = CurrencyTable.shared
        return padded(d.description, minorUnits: registry.minorUnits(c)) + " " + registry.code(c)
    }

    static func padded(_ plain: String, minorUnits: Int) -> String {
        guard minorUnits > 0 else { return plain }
        if let dot = plain.firstIndex(of: ".") {
            let have = plain.distance(from: dot, to: plain.endIndex) - 1
            return have >= minorUnits ? plain : plain + String(repeating: "0", count: minorUnits - have)
        }
        return plain + "." + String(repeating: "0", count: minorUnits)
    }

    /// `1h30min`, `1s500ms`, `0ms`.
    public static func duration(_ ms: Int) -> String {
        if ms == 0 { return "0ms" }
        var rest = ms.magnitude
        var out = ms < 0 ? "-" : ""
        for (name, size) in [("d", 86_400_000), ("h", 3_600_000), ("min", 60_000), ("s", 1000), ("ms", 1)] {
            let n = rest / UInt(size)
            if n > 0 { out += "\(n)\(name)" }
            rest %= UInt(size)
        }
        return out
    }
}
