import PruningCore

/// The controller network of DISP-LLM, Auto-Train-Once and interpretation-steered pruning (the
/// `HyperStructure`/`hypernetwork` class of their code): fixed per-gate codes run through a
/// bidirectional GRU in gate order, then LayerNorm, an activation and one bias-free linear head
/// per gate:
///
/// ```
/// e_1 … e_N  (fixed codes, one per gate, a buffer)
/// h_1 … h_N = BiGRU(e_1 … e_N),  h_0 = 0
/// o_i = W_i · act(LayerNorm(h_i))            W_i ∈ R^{width_i × 2·hidden}
/// ```
///
/// The recurrence lets a gate's logits depend on every other gate's code, which is the papers'
/// argument for it over free logits. DISP-LLM uses codes of 32 from N(0, 1), hidden 64 and GELU;
/// Auto-Train-Once and interpretation-steered pruning use orthogonal codes of 64, hidden 128 and
/// ReLU (``Settings/dispLLM`` and ``Settings/channelPruning``). Parameter names: `codes` (buffer),
/// `gru.*` (PyTorch's GRU names), `norm.weight`, `norm.bias`, `heads.<i>.weight`.
public final class HyperStructure: MaskController {
    /// The architecture choices.
    public struct Settings: Sendable, Equatable {
        /// How the fixed codes are drawn.
        public enum Codes: Sendable, Equatable {
            /// Standard normal entries (DISP-LLM).
            case normal
            /// Orthonormal rows or columns of the `[gates, codeSize]` matrix (PyTorch's
            /// `orthogonal_`; Auto-Train-Once, interpretation-steered pruning).
            case orthogonal
        }
        /// The activation after the LayerNorm.
        public enum Activation: Sendable, Equatable {
            /// GELU (DISP-LLM).
            case gelu
            /// ReLU (Auto-Train-Once, interpretation-steered pruning).
            case relu
        }
        /// The size of each gate's code.
        public var codeSize: Int
        /// The GRU's hidden size per direction.
        public var hiddenSize: Int
        /// How the codes are drawn.
        public var codes: Codes
        /// The activation.
        public var activation: Activation

        /// Settings.
        public init(codeSize: Int, hiddenSize: Int, codes: Codes, activation: Activation) {
            self.codeSize = codeSize
            self.hiddenSize = hiddenSize
            self.codes = codes
            self.activation = activation
        }

        /// DISP-LLM's hypernetwork: codes of 32 from N(0, 1), hidden 64, GELU.
        public static let dispLLM = Settings(codeSize: 32, hiddenSize: 64, codes: .normal, activation: .gelu)
        /// The CNN papers' controller: orthogonal codes of 64, hidden 128, ReLU.
        public static let channelPruning = Settings(codeSize: 64, hiddenSize: 128, codes: .orthogonal, activation: .relu)
    }

    /// The gates.
    public let gates: GateSet
    /// The settings.
    public let settings: Settings
    /// The fixed codes `[1, gates, codeSize]` (a buffer: saved, never trained).
    public let codes: Parameter
    /// The bidirectional GRU.
    public let gru: GRU
    /// The LayerNorm over both directions' states.
    public let norm: LayerNorm
    /// One bias-free head per gate, `[width_i, 2·hidden]`.
    public let heads: [Linear]
    /// Whether the module is in training mode (no effect).
    public var isTraining = true

    /// A controller for `gates`, initialized from `generator`.
    ///
    /// - Throws: ``StructuralPruningError/invalidSetting(field:value:expected:)`` for a
    ///   non-positive code or hidden size.
    public init(gates: GateSet, settings: Settings = .dispLLM, using generator: inout RandomGenerator) throws(StructuralPruningError) {
        guard settings.codeSize > 0 else {
            throw .invalidSetting(field: "codeSize", value: Double(settings.codeSize), expected: "a positive size")
        }
        guard settings.hiddenSize > 0 else {
            throw .invalidSetting(field: "hiddenSize", value: Double(settings.hiddenSize), expected: "a positive size")
        }
        self.gates = gates
        self.settings = settings
        let n = gates.count, c = settings.codeSize
        var codeMatrix = Tensor.randomNormal([n, c], using: &generator)
        if settings.codes == .orthogonal {
            // Orthonormal columns of the tall orientation, as torch.nn.init.orthogonal_.
            let tall = n >= c ? codeMatrix : codeMatrix.transposed()
            if let q = try? LinearAlgebra.qr(tall).q {
                codeMatrix = n >= c ? q : q.transposed()
            }
        }
        codes = Parameter(codeMatrix.reshaped(to: [1, n, c]), isBuffer: true)
        gru = GRU(inputSize: c, hiddenSize: settings.hiddenSize, bidirectional: true, using: &generator)
        norm = LayerNorm(featureCount: 2 * settings.hiddenSize)
        heads = gates.gates.map { Linear(inputCount: 2 * settings.hiddenSize, outputCount: $0.width, bias: false, using: &generator) }
    }

    /// `codes`.
    public var ownParameters: [(String, Parameter)] { [("codes", codes)] }

    /// `gru`, `norm`, `heads.<i>`.
    public var children: [(String, any Module)] {
        [("gru", gru), ("norm", norm)] + heads.enumerated().map { ("heads.\($0.offset)", $0.element as any Module) }
    }

    /// The per-gate features `act(LayerNorm(BiGRU(codes)))`, `[gates, 2·hidden]`.
    public func features() -> Tensor {
        let states = norm(gru(codes.value).output).reshaped(to: [gates.count, 2 * settings.hiddenSize])
        switch settings.activation {
        case .gelu: return states.gelu()
        case .relu: return states.relu()
        }
    }

    /// One logit vector per gate.
    public func logits() -> [Tensor] {
        let features = features()
        return heads.enumerated().map { index, head in
            head(features.sliced(alongAxis: 0, from: index, count: 1)).reshaped(to: [head.outputCount])
        }
    }
}
