import Merkle

/// The `Bytes` built-ins: hex and UTF-8 conversion and the hash functions of the Merkle engine.
extension Builtins {
    static func bytesOf(_ h: Hash) -> Value { .bytes(h.bytes) }

    static func hashing(_ function: BuiltinFunction, _ args: [Value], vm: VM, site: Site) throws(Unwind) -> Value {
        switch function {
        case .hex:
            guard case .string(let s) = args[0] else { throw internalError("String", site) }
            do { return .bytes(try Hex.decode(s)) } catch { throw fail("malformed hex: \(error)", site) }
        case .bytes:
            guard case .string(let s) = args[0] else { throw internalError("String", site) }
            return .bytes(Array(s.utf8))
        case .sha256, .keccak256:
            guard case .bytes(let b) = args[0] else { throw internalError("Bytes", site) }
            try vm.work(b.count >> 6, site)
            return bytesOf(function == .sha256 ? Digest.sha256(b) : Digest.keccak256(b))
        default:
            throw internalError("a hashing built-in", site)
        }
    }
}
