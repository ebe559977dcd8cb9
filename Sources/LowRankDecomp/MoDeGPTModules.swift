/// The module types MoDeGPT compresses (Lin et al., 2025, "MoDeGPT: Modular Decomposition for
/// Large Language Model Compression", ICLR 2025, arXiv 2408.09632, Section 3): a set, so that
/// ablations can run one type, two or all three.
///
/// ```swift
/// var configuration = MoDeGPTConfiguration()
/// configuration.modules = [.mlp, .keyQuery]        // the "+ key-query" ablation
/// ```
public struct MoDeGPTModules: OptionSet, Sendable, Hashable, Codable, CustomStringConvertible {
    /// The raw bit set.
    public let rawValue: Int

    /// A set from its bits.
    public init(rawValue: Int) { self.rawValue = rawValue }

    /// Type I: the MLP (`gate_proj`, `up_proj` → `down_proj`), compressed by a Nyström
    /// approximation that keeps intermediate channels (``NystromMLPCompression``).
    public static let mlp = MoDeGPTModules(rawValue: 1 << 0)
    /// Type II: the query–key products, compressed by a CR decomposition that keeps whole
    /// rotary pairs (``RotaryPairSelection``).
    public static let keyQuery = MoDeGPTModules(rawValue: 1 << 1)
    /// Type III: the value–output products, compressed by a whitened SVD
    /// (``ValueOutputCompression``).
    public static let valueOutput = MoDeGPTModules(rawValue: 1 << 2)
    /// All three types: the method as published.
    public static let all: MoDeGPTModules = [.mlp, .keyQuery, .valueOutput]

    /// The names of the members, for example `mlp+keyQuery`.
    public var description: String {
        let names = [(Self.mlp, "mlp"), (Self.keyQuery, "keyQuery"), (Self.valueOutput, "valueOutput")]
            .filter { contains($0.0) }.map(\.1)
        return names.isEmpty ? "none" : names.joined(separator: "+")
    }
}
