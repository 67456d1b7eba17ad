/// The thin layers that bind each primitive family's engine into the language: they
/// convert values at the edge and nothing more.
enum Bindings {
    static func install(into engine: Engine) {
        MerkleBinding.install(into: engine)
        OrdersBinding.install(into: engine)
        LedgerBinding.install(into: engine)
    }
}

/// Reading arguments and building results, for bindings. Argument types are already
/// checked by the type checker, so a mismatch here is an internal error, not user error.
extension Engine {
    /// A record of a type a loaded script or module declares, from its fields by name.
    public func record(_ type: String, _ fields: [String: Value]) throws -> Value {
        guard let shape = shapes.records[type] else { throw HostError("record type \(type) is not loaded") }
        var values: [Value] = []
        values.reserveCapacity(shape.fields.count)
        for name in shape.fields {
            guard let v = fields[name] else { throw HostError("\(type) needs field '\(name)'") }
            values.append(v)
        }
        return .record(RecordBox(shape: shape, fields: values))
    }

    /// A value of a loaded enum type.
    public func variant(_ type: String, _ name: String, _ payload: [Value] = []) throws -> Value {
        guard let shape = shapes.enums[type], let tag = shape.variants.firstIndex(of: name) else {
            throw HostError("enum \(type) has no variant '\(name)'")
        }
        return .variant(VariantBox.make(shape, tag: tag, payload: payload))
    }
}

enum Arguments {
    static func int(_ args: [Value], _ i: Int) throws -> Int {
        guard case .int(let n) = args[i] else { throw HostError("argument \(i + 1) must be an Int") }
        return n
    }

    /// A `Dec` argument; an Int given for it is widened, as the checker allows.
    static func dec(_ args: [Value], _ i: Int) throws -> Dec {
        guard let d = args[i].decValue else { throw HostError("argument \(i + 1) must be a Dec") }
        return d
    }

    static func string(_ args: [Value], _ i: Int) throws -> String {
        guard case .string(let s) = args[i] else { throw HostError("argument \(i + 1) must be a String") }
        return s
    }

    static func bytes(_ args: [Value], _ i: Int) throws -> [UInt8] {
        guard case .bytes(let b) = args[i] else { throw HostError("argument \(i + 1) must be Bytes") }
        return b
    }

    static func list(_ args: [Value], _ i: Int) throws -> [Value] {
        guard let items = args[i].listElements else { throw HostError("argument \(i + 1) must be a List") }
        return items
    }

    static func byteList(_ args: [Value], _ i: Int) throws -> [[UInt8]] {
        try list(args, i).map { item in
            guard case .bytes(let b) = item else { throw HostError("argument \(i + 1) must be a List[Bytes]") }
            return b
        }
    }

    static func fields(_ args: [Value], _ i: Int) throws -> [Value] {
        guard case .record(let r) = args[i] else { throw HostError("argument \(i + 1) must be a record") }
        return r.fields
    }

    static func object<T: AnyObject>(_ args: [Value], _ i: Int, as: T.Type) throws -> T {
        guard case .host(let o) = args[i], let t = o as? T else { throw HostError("argument \(i + 1) must be a \(T.self)") }
        return t
    }
}
