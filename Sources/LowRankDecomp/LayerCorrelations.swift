import ModelZoo
import PruningCore

/// The float64 activation correlations of one decoder layer, accumulated over a calibration
/// set from a `LlamaActivationHook` and divided by the number of tokens.
///
/// Which correlations are gathered is chosen at creation (``Kind``): MoDeGPT needs the MLP
/// intermediate (Type I), the per-head queries and keys before the rotary embedding (Type II)
/// and the attention input (Type III); the activation-aware SVD baseline also needs the MLP
/// input and the o_proj input.
public final class LayerCorrelations {
    /// A correlation a ``LayerCorrelations`` can gather.
    public enum Kind: Hashable, Sendable, CaseIterable {
        /// `E[z zᵀ]` of the down_proj input `z = silu(gate x) ⊙ up x`, `[I, I]`.
        case mlpIntermediate
        /// `E[q_h q_hᵀ]` of every query head before the rotary embedding, `[dq, dq]` each.
        case queries
        /// `E[k_g k_gᵀ]` of every key head before the rotary embedding, `[dq, dq]` each.
        case keys
        /// `E[x xᵀ]` of the attention input (the q/k/v_proj input), `[d, d]`.
        case attentionInput
        /// `E[x xᵀ]` of the MLP input (the gate/up_proj input), `[d, d]`.
        case mlpInput
        /// `E[a aᵀ]` of the o_proj input (heads merged), `[H · dv, H · dv]`.
        case attentionOutput

        /// The hook place this correlation reads.
        var activation: LlamaActivationKind {
            switch self {
            case .mlpIntermediate: .mlpIntermediate
            case .queries: .query
            case .keys: .key
            case .attentionInput: .attentionInput
            case .mlpInput: .mlpInput
            case .attentionOutput: .attentionOutput
            }
        }
    }

    /// The layer these statistics describe.
    public let layer: Int
    /// The number of tokens accumulated.
    public private(set) var tokenCount = 0
    /// Values computed from the statistics, by key (see ``derived(_:_:)``).
    private var derivedValues: [String: Any] = [:]
    /// The running sums (not yet divided by ``tokenCount``), by kind; per-head kinds hold one
    /// matrix per head.
    private var sums: [Kind: [Matrix64]] = [:]

    /// Empty statistics of `kinds` for layer `layer` with the given widths.
    public init(layer: Int, kinds: Set<Kind>, dimensions: LlamaLayerDimensions, hiddenSize: Int) {
        self.layer = layer
        let dq = dimensions.queryKeyHeadDimension
        for kind in kinds {
            switch kind {
            case .mlpIntermediate:
                sums[kind] = [.zeros(rows: dimensions.intermediateSize, columns: dimensions.intermediateSize)]
            case .queries:
                sums[kind] = Array(repeating: .zeros(rows: dq, columns: dq), count: dimensions.headCount)
            case .keys:
                sums[kind] = Array(repeating: .zeros(rows: dq, columns: dq), count: dimensions.keyValueHeadCount)
            case .attentionInput:
                let width = dimensions.attentionInputIndices?.count ?? hiddenSize
                sums[kind] = [.zeros(rows: width, columns: width)]
            case .mlpInput:
                let width = dimensions.mlpInputIndices?.count ?? hiddenSize
                sums[kind] = [.zeros(rows: width, columns: width)]
            case .attentionOutput:
                let width = dimensions.headCount * dimensions.valueHeadDimension
                sums[kind] = [.zeros(rows: width, columns: width)]
            }
        }
    }

    /// The kinds being gathered.
    public var kinds: Set<Kind> { Set(sums.keys) }

    /// A hook that adds this layer's activations to the sums (the tensors are left unchanged).
    public func hook() -> LlamaActivationHook {
        let places = Set(sums.keys.map(\.activation))
        return LlamaActivationHook(kinds: places, layers: [layer]) { [self] _, kind, x in
            add(x, at: kind)
            return nil
        }
    }

    /// Adds an activation observed at `place`, then counts its tokens once per batch (at the
    /// block's first observed place).
    private func add(_ x: Tensor, at place: LlamaActivationKind) {
        for kind in sums.keys where kind.activation == place {
            switch kind {
            case .queries, .keys:
                // [b, heads, t, dq]: one correlation per head.
                for head in 0..<x.shape[1] {
                    sums[kind]![head].addOuterProducts(of: x.sliced(alongAxis: 1, from: head, count: 1))
                }
            default:
                sums[kind]![0].addOuterProducts(of: x)
            }
        }
        if place == countedPlace {
            tokenCount += place == .query || place == .key ? x.shape[0] * x.shape[2] : x.count / x.shape[x.rank - 1]
        }
    }

    /// The place whose tokens are counted (the earliest in the block among those observed).
    private var countedPlace: LlamaActivationKind {
        let order: [LlamaActivationKind] = [.attentionInput, .query, .key, .attentionOutput, .mlpInput, .mlpIntermediate]
        let places = Set(sums.keys.map(\.activation))
        return order.first { places.contains($0) }!
    }

    /// The mean correlation of `kind`: one matrix, or one per head for ``Kind/queries`` and
    /// ``Kind/keys``.
    ///
    /// - Precondition: `kind` is gathered and at least one token was seen.
    public func mean(_ kind: Kind) -> [Matrix64] {
        guard let sum = sums[kind] else { preconditionFailure("LayerCorrelations: \(kind) is not gathered") }
        precondition(tokenCount > 0, "LayerCorrelations: no token was accumulated for layer \(layer)")
        return sum.map { $0 * (1 / Double(tokenCount)) }
    }

    /// Returns the value stored under `key`, computing and storing it first if absent: a
    /// factorization of these statistics that several compressions of the layer share (a sweep
    /// over compression ratios computes, for example, the MLP's ridge-leverage scores once).
    func derived<T>(_ key: String, _ compute: () throws(LinearAlgebraError) -> T) throws(LinearAlgebraError) -> T {
        if let value = derivedValues[key] as? T { return value }
        let value = try compute()
        derivedValues[key] = value
        return value
    }
}
