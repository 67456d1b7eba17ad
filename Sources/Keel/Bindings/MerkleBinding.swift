import Merkle

/// The `merkle` module: RFC 6962 logs and trees, sorted-pair (OpenZeppelin) and Bitcoin
/// trees, proofs as `MerkleProof` / `ConsistencyProof` records that print, serialize to JSON
/// and hex and parse back, append-only logs, and chunking for content addressing.
enum MerkleBinding {
    static let source = """
        enum MerkleMode { log, sorted_pair, bitcoin }
        type MerkleProof = { mode: MerkleMode, index: Int, size: Int, path: List[Bytes] }
        type ConsistencyProof = { size1: Int, size2: Int, path: List[Bytes] }
        """

    static let proofType = KType.record("MerkleProof")
    static let consistencyType = KType.record("ConsistencyProof")
    static let logType = KType.host("MerkleLog")

    /// An append-only RFC 6962 log, shared by reference like a file.
    final class Log {
        var log = MerkleLog()
    }

    static func install(into engine: Engine) {
        engine.defineModuleSource("merkle", source)
        engine.defineType("MerkleLog")
        installTrees(engine)
        installProofs(engine)
        installLog(engine)
        installChunking(engine)
    }

    // MARK: trees over a list

    static func installTrees(_ engine: Engine) {
        let leaves = KType.list(.bytes)
        engine.define("merkle.root", params: [leaves], result: .bytes) { args in
            let data = try Arguments.byteList(args, 0)
            try VM.hostCaller?.hostWork(data.count)
            return bytes(RFC6962.rootHash(leaves: data))
        }
        engine.define("merkle.proof", params: [leaves, .int], result: proofType) { [unowned engine] args in
            let data = try Arguments.byteList(args, 0), index = try Arguments.int(args, 1)
            try VM.hostCaller?.hostWork(data.count)
            let path = try RFC6962.inclusionProof(index: index, size: data.count, leafHashes: data.map(RFC6962.leafHash))
            return try proofValue(engine, InclusionProof(mode: .log, index: index, size: data.count, path: path))
        }
        engine.define("merkle.consistency", params: [leaves, .int], result: consistencyType) { [unowned engine] args in
            let data = try Arguments.byteList(args, 0), size1 = try Arguments.int(args, 1)
            try VM.hostCaller?.hostWork(data.count)
            let path = try RFC6962.consistencyProof(size1: size1, size2: data.count, leafHashes: data.map(RFC6962.leafHash))
            return try consistencyValue(engine, ConsistencyProof(size1: size1, size2: data.count, path: path))
        }
        engine.define("merkle.sorted_root", params: [leaves], result: .bytes) { [unowned engine] args in
            let tree = try sortedTree(engine, args)
            return bytes(tree.root)
        }
        engine.define("merkle.sorted_proof", params: [leaves, .int], result: proofType) { [unowned engine] args in
            let tree = try sortedTree(engine, args), index = try Arguments.int(args, 1)
            guard index >= 0, index < tree.values.count else {
                throw HostError("leaf index \(index) is out of range for \(tree.values.count) leaves")
            }
            let proof = InclusionProof(mode: .sortedPair, index: index, size: tree.values.count, path: try tree.proof(forValueAt: index))
            return try proofValue(engine, proof)
        }
        engine.define("merkle.bitcoin_root", params: [leaves], result: .bytes) { args in
            let txids = try hashes(Arguments.list(args, 0), what: "txid")
            try VM.hostCaller?.hostWork(txids.count)
            guard !txids.isEmpty else { throw HostError("a Bitcoin tree needs at least one txid") }
            let result = BitcoinMerkle.merkleRoot(txids: txids)
            if result.mutated {
                throw HostError("these txids repeat at the end, so their root equals a shorter list's root (CVE-2012-2459); refusing it")
            }
            return bytes(result.root)
        }
        engine.define("merkle.bitcoin_proof", params: [leaves, .int], result: proofType) { [unowned engine] args in
            let txids = try hashes(Arguments.list(args, 0), what: "txid"), index = try Arguments.int(args, 1)
            try VM.hostCaller?.hostWork(txids.count)
            let path = try BitcoinMerkle.inclusionProof(index: index, txids: txids)
            return try proofValue(engine, InclusionProof(mode: .bitcoin, index: index, size: txids.count, path: path))
        }
    }

    static func sortedTree(_ engine: Engine, _ args: [Value]) throws -> SimpleMerkleTree {
        let values = try hashes(Arguments.list(args, 0), what: "sorted-pair leaf")
        try VM.hostCaller?.hostWork(values.count)
        return try SimpleMerkleTree(values: values, sortLeaves: true)
    }

    // MARK: proofs

    static func installProofs(_ engine: Engine) {
        engine.define("merkle.verify", params: [proofType, .bytes, .bytes], result: .bool) { args in
            guard let proof = try? inclusionProof(args[0]), let root = try? Hash(bytes: Arguments.bytes(args, 2)) else { return .bool(false) }
            return .bool(proof.verifies(leaf: try Arguments.bytes(args, 1), root: root))
        }
        engine.define("merkle.verify_consistency", params: [consistencyType, .bytes, .bytes], result: .bool) { args in
            guard let proof = try? consistencyProof(args[0]),
                  let root1 = try? Hash(bytes: Arguments.bytes(args, 1)), let root2 = try? Hash(bytes: Arguments.bytes(args, 2)) else {
                return .bool(false)
            }
            return .bool(proof.verifies(root1: root1, root2: root2))
        }
        engine.define("MerkleProof.to_json", params: [proofType], result: .string) { args in
            .string(ProofCodec.json(try inclusionProof(args[0])))
        }
        engine.define("MerkleProof.to_hex", params: [proofType], result: .string) { args in
            .string(Hex.encode(ProofCodec.bytes(try inclusionProof(args[0]))))
        }
        engine.define("ConsistencyProof.to_json", params: [consistencyType], result: .string) { args in
            .string(ProofCodec.json(try consistencyProof(args[0])))
        }
        engine.define("ConsistencyProof.to_hex", params: [consistencyType], result: .string) { args in
            .string(Hex.encode(ProofCodec.bytes(try consistencyProof(args[0]))))
        }
        // Text from outside is untrusted: anything that is not a well-formed proof is `none`.
        engine.define("merkle.parse_proof", params: [.string], result: .optional(proofType)) { [unowned engine] args in
            try parse(try Arguments.string(args, 0), json: ProofCodec.inclusion(json:), bytes: ProofCodec.inclusion(bytes:))
                .map { try proofValue(engine, $0) } ?? Value.none
        }
        engine.define("merkle.parse_consistency", params: [.string], result: .optional(consistencyType)) { [unowned engine] args in
            try parse(try Arguments.string(args, 0), json: ProofCodec.consistency(json:), bytes: ProofCodec.consistency(bytes:))
                .map { try consistencyValue(engine, $0) } ?? Value.none
        }
    }

    /// A proof from JSON (text starting with `{`) or hex; nil when it is neither.
    static func parse<P>(_ text: String, json: (String) throws -> P, bytes: ([UInt8]) throws -> P) -> P? {
        if text.hasPrefix("{") { return try? json(text) }
        return (try? Hex.decode(text)).flatMap { try? bytes($0) }
    }

    static func proofValue(_ engine: Engine, _ p: InclusionProof) throws -> Value {
        try engine.record("MerkleProof", ["mode": engine.variant("MerkleMode", p.mode.rawValue), "index": .int(p.index),
                                          "size": .int(p.size), "path": .list(p.path.map(bytes))])
    }

    static func consistencyValue(_ engine: Engine, _ p: ConsistencyProof) throws -> Value {
        try engine.record("ConsistencyProof", ["size1": .int(p.size1), "size2": .int(p.size2), "path": .list(p.path.map(bytes))])
    }

    /// A script builds proof records freely, so every field is checked again here.
    static func inclusionProof(_ v: Value) throws -> InclusionProof {
        guard case .record(let r) = v, r.shape.fields == ["mode", "index", "size", "path"],
              case .variant(let m) = r.fields[0], let mode = TreeMode(rawValue: m.shape.variants[m.tag]),
              case .int(let index) = r.fields[1], case .int(let size) = r.fields[2], let path = r.fields[3].listElements else {
            throw HostError("not a MerkleProof")
        }
        return InclusionProof(mode: mode, index: index, size: size, path: try hashes(path, what: "proof element"))
    }

    static func consistencyProof(_ v: Value) throws -> ConsistencyProof {
        guard case .record(let r) = v, r.shape.fields == ["size1", "size2", "path"],
              case .int(let size1) = r.fields[0], case .int(let size2) = r.fields[1], let path = r.fields[2].listElements else {
            throw HostError("not a ConsistencyProof")
        }
        return ConsistencyProof(size1: size1, size2: size2, path: try hashes(path, what: "proof element"))
    }

    // MARK: logs

    static func installLog(_ engine: Engine) {
        engine.define("merkle.log", params: [], result: logType) { _ in .host(Log()) }
        engine.define("MerkleLog.append", params: [logType, .bytes], result: .int) { args in
            let log = try Arguments.object(args, 0, as: Log.self)
            return .int(log.log.append(try Arguments.bytes(args, 1)))
        }
        engine.define("MerkleLog.size", params: [logType], result: .int) { args in
            .int(try Arguments.object(args, 0, as: Log.self).log.count)
        }
        engine.define("MerkleLog.root", params: [logType], result: .bytes) { args in
            bytes(try Arguments.object(args, 0, as: Log.self).log.root())
        }
        engine.define("MerkleLog.root_at", params: [logType, .int], result: .bytes) { args in
            bytes(try Arguments.object(args, 0, as: Log.self).log.root(at: try Arguments.int(args, 1)))
        }
        engine.define("MerkleLog.proof", params: [logType, .int, .int], labels: [nil, nil, "size"], result: proofType) { [unowned engine] args in
            let log = try Arguments.object(args, 0, as: Log.self).log
            let index = try Arguments.int(args, 1), size = try Arguments.int(args, 2)
            let path = try log.inclusionProof(index: index, size: size)
            return try proofValue(engine, InclusionProof(mode: .log, index: index, size: size, path: path))
        }
        engine.define("MerkleLog.consistency", params: [logType, .int, .int], result: consistencyType) { [unowned engine] args in
            let log = try Arguments.object(args, 0, as: Log.self).log
            let size1 = try Arguments.int(args, 1), size2 = try Arguments.int(args, 2)
            let path = try log.consistencyProof(from: size1, to: size2)
            return try consistencyValue(engine, ConsistencyProof(size1: size1, size2: size2, path: path))
        }
    }

    // MARK: chunking

    static func installChunking(_ engine: Engine) {
        engine.define("merkle.chunks", params: [.bytes, .int], labels: [nil, "average"], result: .list(.bytes)) { args in
            let data = try Arguments.bytes(args, 0)
            try VM.hostCaller?.hostWork(data.count >> 6)
            let chunker = try ContentChunker(averageSize: try Arguments.int(args, 1))
            return .list(chunker.chunks(data).map { .bytes(Array($0)) })
        }
        engine.define("merkle.fixed_chunks", params: [.bytes, .int], result: .list(.bytes)) { args in
            let data = try Arguments.bytes(args, 0)
            try VM.hostCaller?.hostWork(data.count >> 6)
            return .list(try ChunkedMerkle.chunks(of: data, chunkSize: try Arguments.int(args, 1)).map { .bytes(Array($0)) })
        }
    }

    // MARK: conversions

    static func bytes(_ h: Hash) -> Value { .bytes(h.bytes) }

    static func hashes(_ items: [Value], what: String) throws -> [Hash] {
        try items.enumerated().map { i, item in
            guard case .bytes(let b) = item, b.count == Hash.byteCount else {
                throw HostError("\(what) \(i) is not a 32-byte hash")
            }
            return try Hash(bytes: b)
        }
    }
}
