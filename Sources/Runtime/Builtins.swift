import Merkle
import Money
import Types

/// The built-in functions `Builtins.function` runs, found from their names once, when a
/// call is compiled: a switch over names at every call compared strings (and looked one
/// up in a set) before it reached `random.int`.
enum BuiltinFunction: String {
    case print, str, abs, min, max, float, dec, int, allocate, sqrt, range, args
    case hex, bytes, sha256, keccak256
    case randomSeed = "random.seed", randomInt = "random.int", randomFloat = "random.float"
    case randomChoice = "random.choice", randomShuffle = "random.shuffle"
}

/// The built-in methods, found from their names once, when a call is compiled, for the
/// same reason as `BuiltinFunction`.
enum BuiltinMethod: String {
    case all, any, base58, base62, base64, chars, clear, contains, endsWith = "ends_with", filter, find
    case first, fold, get, hex, indexOf = "index_of", insert, isEmpty = "is_empty", join, keys, last, len
    case lower, map, max, min, pop, pow, push, remove, replace, reverse, round, slice, sort
    case sortBy = "sort_by", split, sqrt, startsWith = "starts_with", sum, trim, upper, values

    /// Whether the method's work grows with the size of `receiver` (it walks or copies
    /// it), so that it is charged that size in steps; the others cost what any call does.
    func walks(_ receiver: Value) -> Bool {
        switch self {
        case .first, .last, .get, .isEmpty, .len: return false
        case .contains:
            if case .map = receiver { return false }
            return true
        default: return true
        }
    }

    /// Methods that build a new list, and pay for it up front.
    var buildsList: Bool {
        switch self {
        case .map, .filter, .sort, .sortBy, .reverse, .slice: return true
        default: return false
        }
    }
}

/// The run-time side of the built-in functions and methods the checker types.
enum Builtins {
    static func outOfRange(_ i: Int, _ count: Int, _ site: Site) -> Unwind {
        fail("index \(i) is out of range for a list of \(count) element\(count == 1 ? "" : "s")", site)
    }

    static func element(_ list: Value, _ i: Int, _ site: Site) throws(Unwind) -> Value {
        switch list {
        case .intList(let xs):
            guard i >= 0 && i < xs.count else { throw outOfRange(i, xs.count, site) }
            return .int(xs[i])
        case .list(let xs):
            guard i >= 0 && i < xs.count else { throw outOfRange(i, xs.count, site) }
            return xs[i]
        default: throw internalError("List", site)
        }
    }

    static func character(_ s: String, _ i: Int, vm: VM, _ site: Site) throws(Unwind) -> String {
        let positions = vm.characterPositions(of: s)
        let count = positions?.count ?? s.count
        guard i >= 0 && i < count else {
            throw fail("index \(i) is out of range for a string of \(count) character\(count == 1 ? "" : "s")", site)
        }
        return positions?.character(i) ?? String(s[s.index(s.startIndex, offsetBy: i)])
    }

    static func length(_ v: Value, vm: VM, _ site: Site) throws(Unwind) -> Int {
        switch v {
        case .bytes(let b): return b.count
        case .string(let s): return vm.characterPositions(of: s)?.count ?? s.count
        case .list(let xs): return xs.count
        case .intList(let xs): return xs.count
        case .map(let m): return m.entries.count
        default: throw internalError("a collection", site)
        }
    }

    /// Calls a callback `f` with `a` (and `b`), as `map`, `fold` and the like do per element.
    static func call(_ vm: VM, _ f: Value, _ a: Value, _ b: Value? = nil, _ offset: Int, _ site: Site) throws(Unwind) -> Value {
        guard case .function(let c) = f else { throw internalError("function", site) }
        return try Compiler.invoke(vm, c, a, b, frameOffset: offset, site: site)
    }

    static func truth(_ v: Value, _ site: Site) throws(Unwind) -> Bool {
        guard case .bool(let b) = v else { throw internalError("Bool", site) }
        return b
    }

    // MARK: free functions

    static func function(_ function: BuiltinFunction, _ args: [Value], argTypes: [KType], vm: VM, frameOffset: Int,
                         site: Site) throws(Unwind) -> Value {
        switch function {
        case .print:
            vm.output.write(Display.text(args[0]) + "\n")
            if let failure = vm.output.takeFailure() { throw fail("print: \(failure)", site) }
            return .unit
        case .str: return .string(Display.text(args[0]))
        case .abs:
            switch args[0] {
            case .int(let i):
                if i == .min { throw fail("integer overflow: abs(\(i)) does not fit in 64 bits", site) }
                return .int(Swift.abs(i))
            case .dec(let d): return .dec(d.abs())
            case .money(let d, let c): return .money(d.abs(), c)
            case .float(let f): return .float(Swift.abs(f))
            case .duration(let d):
                if d == .min { throw fail("duration overflow", site) }
                return .duration(Swift.abs(d))
            default: throw internalError("number", site)
            }
        case .min, .max:
            var a = args[0], b = args[1]
            if argTypes.count == 2, argTypes[0] != argTypes[1], argTypes.contains(.dec) {
                a = Arithmetic.decimal(a).map(Value.dec) ?? a
                b = Arithmetic.decimal(b).map(Value.dec) ?? b
            }
            let c = try Arithmetic.compare(a, b, site)
            return function == .min ? (c <= 0 ? a : b) : (c >= 0 ? a : b)
        case .float:
            switch args[0] {
            case .int(let i): return .float(Double(i))
            case .dec(let d): return .float(d.toDouble())
            default: return args[0]
            }
        case .dec:
            switch args[0] {
            case .int(let i): return .dec(Dec(i))
            case .string(let s):
                guard let d = try? Dec(parsing: s.trimmingSpaces), d.hasPlainForm else { return .none }
                return .dec(d)
            default: return args[0]
            }
        case .int: return try toInt(args[0], site)
        case .allocate: return try allocate(args[0], args[1], site)
        case .sqrt:
            guard case .float(let f) = args[0] else { throw internalError("Float", site) }
            return .float(f.squareRoot())
        case .range:
            guard case .int(let a) = args[0], case .int(let b) = args[1] else { throw internalError("Int", site) }
            guard b > a else { return .intList([]) }
            let (count, overflow) = b.subtractingReportingOverflow(a)
            if !overflow { try vm.work(count, site) }
            guard !overflow, count <= vm.limits.collectionSize else { throw fail("range \(a)..\(b) is over the collection limit of \(vm.limits.collectionSize) elements", site) }
            try vm.charge(count * 8, site)
            return .intList(Array(a..<b))
        case .args: return .list(vm.scriptArguments.map(Value.string))
        case .hex, .bytes, .sha256, .keccak256:
            return try hashing(function, args, vm: vm, site: site)
        case .randomSeed:
            guard case .int(let seed) = args[0] else { throw internalError("Int", site) }
            vm.random = SplitMix64(seed: UInt64(bitPattern: Int64(seed)))
            return .unit
        case .randomInt:
            guard case .int(let lo) = args[0], case .int(let hi) = args[1] else { throw internalError("Int", site) }
            guard lo <= hi else { throw fail("random.int: empty range \(lo)...\(hi)", site) }
            return .int(Int.random(in: lo...hi, using: &vm.random))
        case .randomFloat:
            return .float(Double.random(in: 0..<1, using: &vm.random))
        case .randomChoice:
            let n = args[0].listCount
            guard n > 0 else { throw fail("random.choice from an empty list", site) }
            return try element(args[0], Int.random(in: 0..<n, using: &vm.random), site)
        case .randomShuffle:
            switch args[0] {
            case .intList(var xs): xs.shuffle(using: &vm.random); return .intList(xs)
            case .list(var xs): xs.shuffle(using: &vm.random); return .list(xs)
            default: throw internalError("List", site)
            }
        }
    }

    static func toInt(_ v: Value, _ site: Site) throws(Unwind) -> Value {
        switch v {
        case .int: return v
        case .duration(let ms): return .int(ms)
        case .dec(let d):
            do throws(DecimalError) { return .int(try d.toInt()) } catch { throw fail(error.description, site) }
        case .float(let f):
            guard f.isFinite, f.rounded(.towardZero) == f, let i = Int(exactly: f) else {
                throw fail("cannot convert \(Display.float(f)) to Int exactly", site)
            }
            return .int(i)
        case .string(let s):
            guard let i = Int(s.trimmingSpaces) else { return .none }
            return .int(i)
        default: throw internalError("number", site)
        }
    }

    // MARK: methods

    static func method(_ method: BuiltinMethod, _ r: Value, _ args: [Value], intElements: Bool, vm: VM, frameOffset: Int, site: Site) throws(Unwind) -> Value {
        if method.walks(r) {
            switch r {
            case .string(let s): try vm.work(s.utf8.count >> 4, site)
            case .list, .intList: try vm.work(r.listCount, site)
            case .map(let m): try vm.work(m.entries.count, site)
            default: break
            }
        }
        switch r {
        case .list, .intList: return try listMethod(method, r, args, intElements: intElements, vm: vm, offset: frameOffset, site: site)
        case .map(let m): return try mapMethod(method, m, args, intElements: intElements, site: site)
        case .string(let s): return try stringMethod(method, s, args, vm: vm, site: site)
        case .bytes(let b):
            switch method {
            case .len: return .int(b.count)
            case .isEmpty: return .bool(b.isEmpty)
            case .hex: return .string(Hex.encode(b))
            case .reverse: return .bytes(b.reversed())
            case .base58: return .string(BaseN.base58.encode(b))
            case .base62: return .string(BaseN.base62.encode(b))
            case .slice: return .bytes(Array(b[try sliceRange(args, count: b.count, of: "a byte string of \(b.count) bytes", site: site)]))
            case .base64: return .string(base64(b))
            default: throw fail("unknown Bytes method '\(method.rawValue)'", site)
            }
        case .money(let d, let c): return try moneyMethod(method, d, c, args, site: site)
        case .dec(let d): return try decMethod(method, d, args, site: site)
        default: throw internalError("a value with methods", site)
        }
    }

    static func listMethod(_ method: BuiltinMethod, _ r: Value, _ args: [Value], intElements: Bool, vm: VM, offset: Int, site: Site) throws(Unwind) -> Value {
        if case .intList(let xs) = r, let fast = try intListMethod(method, xs, args, site: site) { return fast }
        let xs = r.listElements ?? []
        // Methods that build a new list pay for it up front.
        if method.buildsList {
            try vm.charge(xs.count * MemoryLayout<Value>.stride, site)
        }
        switch method {
        case .isEmpty: return .bool(xs.isEmpty)
        case .map:
            var out: [Value] = []
            out.reserveCapacity(xs.count)
            for x in xs { out.append(try call(vm, args[0], x, nil, offset, site)) }
            return Value.makeList(out, intElements: intElements)
        case .filter:
            var out: [Value] = []
            for x in xs where try truth(try call(vm, args[0], x, nil, offset, site), site) { out.append(x) }
            return Value.makeList(out, intElements: intElements)
        case .any:
            for x in xs where try truth(try call(vm, args[0], x, nil, offset, site), site) { return .bool(true) }
            return .bool(false)
        case .all:
            for x in xs where !(try truth(try call(vm, args[0], x, nil, offset, site), site)) { return .bool(false) }
            return .bool(true)
        case .find:
            for x in xs where try truth(try call(vm, args[0], x, nil, offset, site), site) { return x }
            return .none
        case .fold:
            var acc = args[0]
            for x in xs { acc = try call(vm, args[1], acc, x, offset, site) }
            return acc
        case .sort:
            return Value.makeList(try stableSort(xs, keys: xs, site: site), intElements: intElements)
        case .sortBy:
            var keys: [Value] = []
            keys.reserveCapacity(xs.count)
            for x in xs { keys.append(try call(vm, args[0], x, nil, offset, site)) }
            return Value.makeList(try stableSort(xs, keys: keys, site: site), intElements: intElements)
        case .sum:
            guard var total = xs.first else {
                throw fail("sum of an empty list has no type to take its zero from; use fold", site)
            }
            for x in xs.dropFirst() { total = try Arithmetic.add(total, x, site) }
            return total
        case .min, .max:
            guard var best = xs.first else { return .none }
            for x in xs.dropFirst() {
                let c = try Arithmetic.compare(x, best, site)
                if method == .min ? c < 0 : c > 0 { best = x }
            }
            return best
        case .contains:
            for x in xs where try Arithmetic.equal(x, args[0], site) { return .bool(true) }
            return .bool(false)
        case .indexOf:
            for (i, x) in xs.enumerated() where try Arithmetic.equal(x, args[0], site) { return .int(i) }
            return .none
        case .reverse: return Value.makeList(xs.reversed(), intElements: intElements)
        case .first: return xs.first ?? .none
        case .last: return xs.last ?? .none
        case .slice:
            return Value.makeList(Array(xs[try sliceRange(args, count: xs.count, of: "a list of \(xs.count) elements", site: site)]), intElements: intElements)
        case .join:
            guard case .string(let sep) = args[0] else { throw internalError("String", site) }
            return .string(xs.map(Display.text).joined(separator: sep))
        default: throw fail("unknown list method '\(method.rawValue)'", site)
        }
    }

    /// Methods on `List[Int]` that work on the unboxed array directly.
    static func intListMethod(_ method: BuiltinMethod, _ xs: [Int], _ args: [Value], site: Site) throws(Unwind) -> Value? {
        switch method {
        case .sum:
            var total = 0
            for x in xs {
                let (r, o) = total.addingReportingOverflow(x)
                if o { throw Arithmetic.intOverflow("+", total, x, site) }
                total = r
            }
            return .int(total)
        case .contains:
            guard case .int(let y) = args[0] else { return nil }
            return .bool(xs.contains(y))
        case .sort: return .intList(xs.sorted())
        case .min: return xs.min().map(Value.int) ?? Value.none
        case .max: return xs.max().map(Value.int) ?? Value.none
        case .reverse: return .intList(xs.reversed())
        default: return nil
        }
    }

    /// Merge sort by precomputed keys: stable, and comparison errors propagate.
    static func stableSort(_ xs: [Value], keys: [Value], site: Site) throws(Unwind) -> [Value] {
        var order = Array(xs.indices)
        var buffer = order
        var width = 1
        while width < order.count {
            var start = 0
            while start < order.count {
                let mid = min(start + width, order.count), end = min(start + 2 * width, order.count)
                var i = start, j = mid, k = start
                while i < mid && j < end {
                    if try Arithmetic.compare(keys[order[j]], keys[order[i]], site) < 0 {
                        buffer[k] = order[j]; j += 1
                    } else {
                        buffer[k] = order[i]; i += 1
                    }
                    k += 1
                }
                while i < mid { buffer[k] = order[i]; i += 1; k += 1 }
                while j < end { buffer[k] = order[j]; j += 1; k += 1 }
                start = end
            }
            swap(&order, &buffer)
            width *= 2
        }
        return order.map { xs[$0] }
    }

    static func mapMethod(_ method: BuiltinMethod, _ m: MapBox, _ args: [Value], intElements: Bool, site: Site) throws(Unwind) -> Value {
        switch method {
        case .isEmpty: return .bool(m.entries.isEmpty)
        case .keys: return Value.makeList(Array(m.entries.keys), intElements: intElements)
        case .values: return Value.makeList(Array(m.entries.values), intElements: intElements)
        case .contains: return .bool(m.entries[args[0]] != nil)
        case .get: return m.entries[args[0]] ?? .none
        default: throw fail("unknown map method '\(method.rawValue)'", site)
        }
    }

    static func stringMethod(_ method: BuiltinMethod, _ s: String, _ args: [Value], vm: VM, site: Site) throws(Unwind) -> Value {
        func text(_ i: Int) throws(Unwind) -> String {
            guard case .string(let t) = args[i] else { throw internalError("String", site) }
            return t
        }
        switch method {
        case .isEmpty: return .bool(s.isEmpty)
        case .upper: return .string(s.uppercased())
        case .lower: return .string(s.lowercased())
        case .trim: return .string(s.trimmingSpaces)
        case .chars: return .list(s.map { .string(String($0)) })
        case .contains:
            return .bool(s.firstMatch(of: try text(0)) != nil)
        case .startsWith: return .bool(s.hasPrefix(try text(0)))
        case .endsWith: return .bool(s.hasSuffix(try text(0)))
        case .split:
            let sep = try text(0)
            if sep.isEmpty { return .list(s.map { .string(String($0)) }) }
            return .list(s.splitting(by: sep).map(Value.string))
        case .replace:
            let target = try text(0), replacement = try text(1)
            if target.isEmpty { return .string(s) }
            return .string(s.splitting(by: target).joined(separator: replacement))
        case .slice:
            // Long strings find their characters through the positions `s[i]` uses.
            let positions = vm.characterPositions(of: s)
            let count = positions?.count ?? s.count
            let range = try sliceRange(args, count: count, of: "a string of \(count) character\(count == 1 ? "" : "s")", site: site)
            if let positions { return .string(String(s[positions.index(range.lowerBound)..<positions.index(range.upperBound)])) }
            let start = s.index(s.startIndex, offsetBy: range.lowerBound)
            return .string(String(s[start..<s.index(start, offsetBy: range.count)]))
        case .indexOf:
            // Characters before the first occurrence, as `s[i]` and `slice` count them.
            guard let match = s.firstMatch(of: try text(0)) else { return .none }
            return .int(String(s.unicodeScalars[..<match]).count)
        default: throw fail("unknown string method '\(method.rawValue)'", site)
        }
    }

    /// The range `a..<b` of a `slice(a, b)` call, checked against `count` elements.
    static func sliceRange(_ args: [Value], count: Int, of what: @autoclosure () -> String, site: Site) throws(Unwind) -> Range<Int> {
        guard case .int(let a) = args[0], case .int(let b) = args[1] else { throw internalError("Int", site) }
        guard a >= 0, b <= count, a <= b else { throw fail("slice \(a)..\(b) is out of range for \(what())", site) }
        return a..<b
    }

    /// Standard base64 with padding (RFC 4648).
    static func base64(_ bytes: [UInt8]) -> String {
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i < bytes.count {
            let n = min(3, bytes.count - i)
            var chunk = UInt32(bytes[i]) << 16
            if n > 1 { chunk |= UInt32(bytes[i + 1]) << 8 }
            if n > 2 { chunk |= UInt32(bytes[i + 2]) }
            for k in 0..<4 {
                out.append(k <= n ? alphabet[Int((chunk >> (18 - 6 * UInt32(k))) & 63)] : UInt8(ascii: "="))
            }
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }

    // MARK: money and decimals

    /// A `Rounding` variant from the prelude, by name.
    static func roundingMode(_ v: Value, _ site: Site) throws(Unwind) -> RoundingMode {
        guard case .variant(let box) = v else { throw internalError("Rounding", site) }
        switch box.shape.variants[box.tag] {
        case "half_even": return .halfEven
        case "half_up": return .halfUp
        case "half_down": return .halfDown
        case "up": return .up
        case "down": return .down
        case "ceiling": return .ceiling
        case "floor": return .floor
        default: return .zeroFiveUp
        }
    }

    static func moneyMethod(_ method: BuiltinMethod, _ d: Dec, _ c: CurrencyID, _ args: [Value], site: Site) throws(Unwind) -> Value {
        guard method == .round else { throw fail("unknown money method '\(method.rawValue)'", site) }
        let mode = try args.first.map { a throws(Unwind) in try roundingMode(a, site) } ?? .halfEven
        do throws(MoneyError) {
            return .money(try Money(d, CurrencyTable.shared.currency(c)).rounded(mode: mode).amount, c)
        } catch {
            throw fail(error.description, site)
        }
    }

    static func decMethod(_ method: BuiltinMethod, _ d: Dec, _ args: [Value], site: Site) throws(Unwind) -> Value {
        switch method {
        case .round:
            guard case .int(let places) = args[0] else { throw internalError("Int", site) }
            let mode = args.count > 1 ? try roundingMode(args[1], site) : .halfEven
            return .dec(try Arithmetic.checked(site) { () throws(DecimalError) in try d.rounded(places: places, rounding: mode) })
        case .sqrt:
            if d.isNegative { throw fail("square root of a negative number (\(d))", site) }
            return .dec(try Arithmetic.checked(site) { () throws(DecimalError) in try d.squareRoot() })
        case .pow:
            guard case .int(let n) = args[0] else { throw internalError("Int", site) }
            return .dec(try Arithmetic.checked(site) { () throws(DecimalError) in try d.power(n) })
        default: throw fail("unknown Dec method '\(method.rawValue)'", site)
        }
    }

    /// Splits a money amount by ratios, largest remainder first: the parts always sum to the total.
    static func allocate(_ total: Value, _ ratios: Value, _ site: Site) throws(Unwind) -> Value {
        guard case .money(let d, let c) = total, let elements = ratios.listElements else { throw internalError("Money", site) }
        let weights = elements.compactMap(Arithmetic.decimal)
        do throws(MoneyError) {
            let parts = try Money.allocate(Money(d, CurrencyTable.shared.currency(c)), ratios: weights)
            return .list(parts.map { .money($0.amount, c) })
        } catch {
            throw fail(error.description, site)
        }
    }

    // MARK: in-place changes

    static func mutate(_ method: BuiltinMethod, _ container: inout Value, _ args: [Value], site: Site) throws(Unwind) -> Value {
        if case .intList(let ints) = container, method == .push || method == .insert,
           !args.allSatisfy({ if case .int = $0 { return true } else { return false } }) {
            // A List[Int] widened to List[Int?] receives a non-Int: box it first.
            container = .list(ints.map(Value.int))
        }
        if var xs = takeInts(&container) {
            defer { container = .intList(xs) }
            switch method {
            case .push:
                guard case .int(let x) = args[0] else { throw internalError("Int", site) }
                xs.append(x)
                return .unit
            case .pop: return xs.popLast().map(Value.int) ?? .none
            case .clear: xs.removeAll(); return .unit
            case .remove:
                guard case .int(let i) = args[0] else { throw internalError("Int", site) }
                guard i >= 0 && i < xs.count else { throw outOfRange(i, xs.count, site) }
                return .int(xs.remove(at: i))
            case .insert:
                guard case .int(let i) = args[0], case .int(let x) = args[1] else { throw internalError("Int", site) }
                guard i >= 0 && i <= xs.count else { throw outOfRange(i, xs.count, site) }
                xs.insert(x, at: i)
                return .unit
            default: throw fail("unknown list method '\(method.rawValue)'", site)
            }
        } else if var xs = takeValues(&container) {
            defer { container = .list(xs) }
            switch method {
            case .push: xs.append(args[0]); return .unit
            case .pop: return xs.popLast() ?? .none
            case .clear: xs.removeAll(); return .unit
            case .remove:
                guard case .int(let i) = args[0] else { throw internalError("Int", site) }
                guard i >= 0 && i < xs.count else { throw outOfRange(i, xs.count, site) }
                return xs.remove(at: i)
            case .insert:
                guard case .int(let i) = args[0] else { throw internalError("Int", site) }
                guard i >= 0 && i <= xs.count else { throw outOfRange(i, xs.count, site) }
                xs.insert(args[1], at: i)
                return .unit
            default: throw fail("unknown list method '\(method.rawValue)'", site)
            }
        } else if var box = takeMap(&container) {
            if !isKnownUniquelyReferenced(&box) { box = MapBox(box.entries) }
            defer { container = .map(box) }
            switch method {
            case .remove: return box.entries.removeValue(forKey: args[0]) ?? .none
            case .clear: box.entries.removeAll(); return .unit
            default: throw fail("unknown map method '\(method.rawValue)'", site)
            }
        } else {
            throw internalError("a mutable collection", site)
        }
    }

    /// Changes one element in place. The storage is moved out of the container (and out of
    /// the switched-on copy) before it is edited, so it is uniquely referenced and never copied.
    static func modifyElement(_ container: inout Value, _ key: Value, inserting: Bool, vm: VM, site: Site,
                              _ f: (inout Value) throws(Unwind) -> Void) throws(Unwind) {
        if case .intList = container, case .int(let i) = key {
            guard var xs = takeInts(&container) else { return }
            guard i >= 0 && i < xs.count else { container = .intList(xs); throw outOfRange(i, xs.count, site) }
            var v = Value.int(xs[i])
            do throws(Unwind) { try f(&v) } catch { container = .intList(xs); throw error }
            if case .int(let n) = v {
                xs[i] = n
                container = .intList(xs)
            } else {
                // A List[Int] widened to List[Int?] now holds a non-Int: box it.
                var boxed = xs.map(Value.int)
                boxed[i] = v
                container = .list(boxed)
            }
            return
        }
        if var xs = takeValues(&container) {
            defer { container = .list(xs) }
            guard case .int(let i) = key else { throw internalError("Int", site) }
            guard i >= 0 && i < xs.count else { throw outOfRange(i, xs.count, site) }
            try f(&xs[i])
        } else if var box = takeMap(&container) {
            if !isKnownUniquelyReferenced(&box) { box = MapBox(box.entries) }
            defer { container = .map(box) }
            if let place = box.entries.place(ofKey: key) {
                var v = box.entries[valueAt: place]
                box.entries[valueAt: place] = .unit
                try f(&v)
                box.entries[valueAt: place] = v
            } else {
                guard inserting else { throw fail("key \(Display.literal(key)) is not in the map", site) }
                try vm.checkMapGrowth(to: box.entries.count + 1, site)
                var v = Value.unit
                try f(&v)
                box.entries[key] = v
            }
        } else if case .string = container {
            throw fail("strings cannot be changed in place; build a new one", site)
        } else {
            throw internalError("an indexable value", site)
        }
    }

    /// Moves a value out, leaving `.unit`, so the caller holds its storage's only reference.
    // Payload extraction that leaves `.unit` behind. A `switch` on an inout value keeps a
    // copy of the payload alive for the whole case body, so every edit would copy the
    // storage; `guard case` in a small function does not.
    static func takeString(_ v: inout Value) -> String? {
        guard case .string(let s) = v else { return nil }
        v = .unit
        return s
    }

    static func takeBytes(_ v: inout Value) -> [UInt8]? {
        guard case .bytes(let b) = v else { return nil }
        v = .unit
        return b
    }

    static func takeInts(_ v: inout Value) -> [Int]? {
        guard case .intList(let xs) = v else { return nil }
        v = .unit
        return xs
    }

    static func takeValues(_ v: inout Value) -> [Value]? {
        guard case .list(let xs) = v else { return nil }
        v = .unit
        return xs
    }

    static func takeMap(_ v: inout Value) -> MapBox? {
        guard case .map(let box) = v else { return nil }
        v = .unit
        return box
    }

    static func takeRecord(_ v: inout Value) -> RecordBox? {
        guard case .record(let box) = v else { return nil }
        v = .unit
        return box
    }

    static func modifyField(_ container: inout Value, _ i: Int, site: Site, _ f: (inout Value) throws(Unwind) -> Void) throws(Unwind) {
        guard var box = takeRecord(&container) else { throw internalError("record", site) }
        if !isKnownUniquelyReferenced(&box) { box = RecordBox(shape: box.shape, fields: box.fields) }
        defer { container = .record(box) }
        try f(&box.fields[i])
    }
}

extension String {
    var trimmingSpaces: String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.properties.isWhitespace }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.properties.isWhitespace })!
        return String(scalars[first...last])
    }

    /// Where `needle` first occurs, comparing Unicode scalars as `splitting(by:)` does;
    /// the start for an empty needle.
    func firstMatch(of needle: String) -> String.Index? {
        let scalars = unicodeScalars, wanted = needle.unicodeScalars
        var i = scalars.startIndex
        while true {
            if scalars[i...].starts(with: wanted) { return i }
            guard i < scalars.endIndex else { return nil }
            scalars.formIndex(after: &i)
        }
    }

    /// Splits on a non-empty separator, keeping empty pieces.
    func splitting(by separator: String) -> [String] {
        let s = Array(unicodeScalars), sep = Array(separator.unicodeScalars)
        var out: [String] = []
        var start = 0, i = 0
        while i + sep.count <= s.count {
            if s[i..<i + sep.count].elementsEqual(sep) {
                out.append(Self.fromScalars(s[start..<i]))
                i += sep.count
                start = i
            } else {
                i += 1
            }
        }
        out.append(Self.fromScalars(s[start...]))
        return out
    }

    static func fromScalars(_ scalars: ArraySlice<Unicode.Scalar>) -> String {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars)
        return String(view)
    }
}
