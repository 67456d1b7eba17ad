import Merkle

/// The `Bytes` built-ins and the `merkle` module: thin bindings over the Merkle engine.
extension Builtins {
    static func byteList(_ v: Value, _ site: Site) throws(Unwind) -> [[UInt8]] {
        guard let items = v.listElements else { throw internalError("List[Bytes]", site) }
        var out: [[UInt8]] = []
        out.reserveCapacity(items.count)
        for item in items {
            guard case .bytes(let b) = item else { throw internalError("Bytes", site) }
            out.append(b)
        }
        return out
    }

    static func hash32(_ v: Value) -> Hash? {
        guard case .bytes(let b) = v else { return nil }
        return try? Hash(bytes: b)
    }

    static func hashes(_ v: Value) -> [Hash]? {
        guard let items = v.listElements else { return nil }
        var out: [Hash] = []
        for item in items {
            guard let h = hash32(item) else { return nil }
            out.append(h)
        }
        return out
    }

    static func bytesOf(_ h: Hash) -> Value { .bytes(h.bytes) }

    static func hashing(_ name: String, _ args: [Value], vm: VM, site: Site) throws(Unwind) -> Value? {
        switch name {
        case "hex":
            guard case .string(let s) = args[0] else { throw internalError("String", site) }
            do { return .bytes(try Hex.decode(s)) } catch { throw fail("malformed hex: \(error)", site) }
        case "bytes":
            guard case .string(let s) = args[0] else { throw internalError("String", site) }
            return .bytes(Array(s.utf8))
        case "sha256", "keccak256":
            guard case .bytes(let b) = args[0] else { throw internalError("Bytes", site) }
            try vm.work(b.count >> 6, site)
            return bytesOf(name == "sha256" ? Digest.sha256(b) : Digest.keccak256(b))
        case "merkle.root":
            let leaves = try byteList(args[0], site)
            try vm.work(leaves.count, site)
            return bytesOf(RFC6962.rootHash(leaves: leaves))
        case "merkle.proof":
            let leaves = try byteList(args[0], site)
            guard case .int(let index) = args[1] else { throw internalError("Int", site) }
            try vm.work(leaves.count, site)
            do {
                let proof = try RFC6962.inclusionProof(index: index, size: leaves.count, leafHashes: leaves.map(RFC6962.leafHash))
                return .list(proof.map(bytesOf))
            } catch {
                throw fail("\(error)", site)
            }
        case "merkle.verify":
            guard case .bytes(let leaf) = args[0], case .int(let index) = args[1], case .int(let size) = args[2],
                  let proof = args[3].listElements, case .bytes(let root) = args[4] else { throw internalError("arguments", site) }
            guard index >= 0, size >= 0 else { return .bool(false) }
            var elements: [[UInt8]] = []
            for p in proof {
                guard case .bytes(let b) = p else { return .bool(false) }
                elements.append(b)
            }
            do {
                try RFC6962.verifyInclusion(index: UInt64(index), size: UInt64(size), leafHash: RFC6962.leafHash(leaf).bytes,
                                            proof: elements, root: root)
                return .bool(true)
            } catch {
                return .bool(false)
            }
        case "merkle.sorted_root", "merkle.sorted_proof":
            guard let leaves = hashes(args[0]) else { throw fail("sorted-pair trees take 32-byte leaves", site) }
            try vm.work(leaves.count, site)
            do {
                let tree = try SimpleMerkleTree(values: leaves, sortLeaves: true)
                if name == "merkle.sorted_root" { return bytesOf(tree.root) }
                guard case .int(let index) = args[1], index >= 0, index < leaves.count else {
                    throw fail("leaf index out of range for \(leaves.count) leaves", site)
                }
                return .list(try tree.proof(forValueAt: index).map(bytesOf))
            } catch let u as Unwind {
                throw u
            } catch {
                throw fail("\(error)", site)
            }
        case "merkle.sorted_verify":
            guard let leaf = hash32(args[0]), let proof = hashes(args[1]), let root = hash32(args[2]) else { return .bool(false) }
            return .bool(SimpleMerkleTree.verify(root: root, leaf: leaf, proof: proof))
        default:
            return nil
        }
    }
}
