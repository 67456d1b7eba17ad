/// Merkle: a plain-Swift Merkle tree engine with no knowledge of any language built on it.
///
/// Modes:
/// - `RFC6962` / `MerkleLog` — Certificate-Transparency style logs (RFC 6962 / RFC 9162 §2.1):
///   SHA-256, leaf `H(0x00‖d)`, node `H(0x01‖l‖r)`, inclusion and consistency proofs with
///   transparency-dev's strict verifier policy.
/// - `BitcoinMerkle` — block merkle roots (SHA-256d, odd levels duplicate their last node) with
///   Bitcoin Core's CVE-2012-2459 `mutated` flag.
/// - `SortedPairMerkle`, `StandardMerkleTree`, `SimpleMerkleTree` — OpenZeppelin's keccak256
///   sorted-pair trees in array form, with `ABI.encode` for standard leaves, single proofs and
///   multiproofs.
/// - `ChunkedMerkle` — fixed-size chunking of a byte stream with an RFC 6962 root over the chunks.
///
/// Hashes are `Hash` values (32 bytes inline). Hash functions live in `Digest` (SHA-256 and
/// SHA-256d via swift-crypto, Keccak-256 implemented in `Keccak256`). Every failure is a
/// `MerkleError`; nothing traps on hostile input.
public enum Merkle {
    /// Version of this engine's API.
    public static let version = "1.0.0"
}
