import ModelZoo
import PruningCore

/// The number of decoder-block weights a LLaMA model keeps under DISP-LLM's five masks, as a
/// differentiable function of the masks — the grouped-query-correct count of the official
/// code's later revision:
///
/// `P_l = |m1|·(d_q + 2·d_kv) + |m2|·d_q + 2·|m3|·|m4| + |m4|·|m5|`
///
/// with `d_q = heads · head_dim`, `d_kv = kv_heads · head_dim` and `|m| = Σ m` (so a
/// straight-through hard mask passes gradients to its logits). Embeddings, the LM head and the
/// norms are not counted: the budget is a fraction of the seven projection matrices of every
/// block. For all-ones masks the count equals the dense block parameters, and for hard masks it
/// equals the count of the exported model's tensors (``LlamaMaskExport/blockParameterCount(of:)``).
public struct LlamaParameterCost: StructureCostModel {
    /// The gates priced.
    public let gates: GateSet
    /// `d_q = heads · head_dim`.
    public let queryWidth: Int
    /// `d_kv = kv_heads · head_dim`.
    public let keyValueWidth: Int
    /// The dense block parameters, `Σ_l d·(2·d_q + 2·d_kv) + 3·d·d_ff`.
    public let fullCost: Double

    /// The cost model for `gates` (``LlamaBlockGates``).
    public init(_ blockGates: LlamaBlockGates) {
        let configuration = blockGates.configuration
        gates = blockGates.gates
        queryWidth = configuration.headCount * configuration.headDimension
        keyValueWidth = configuration.keyValueHeadCount * configuration.headDimension
        let d = Double(configuration.hiddenSize), ff = Double(configuration.intermediateSize)
        fullCost = Double(configuration.layerCount)
            * (d * Double(2 * queryWidth + 2 * keyValueWidth) + 3 * d * ff)
    }

    /// `Σ_l P_l` (differentiable in `masks`).
    public func cost(_ masks: [Tensor]) -> Tensor {
        precondition(masks.count == gates.count, "LlamaParameterCost: \(masks.count) masks for \(gates.count) gates")
        let stride = LlamaBlockStructure.allCases.count
        var total: Tensor? = nil
        for layer in 0..<(masks.count / stride) {
            let sums = (0..<stride).map { masks[layer * stride + $0].sum() }
            let attention = sums[0] * Float(queryWidth + 2 * keyValueWidth) + sums[1] * Float(queryWidth)
            let mlp = sums[2] * sums[3] * 2 + sums[3] * sums[4]
            let block = attention + mlp
            total = total.map { $0 + block } ?? block
        }
        return total ?? Tensor(shape: [], scalars: [0])
    }

    /// The kept block parameters for hard 0/1 masks, counted exactly in integers.
    public func count(hardMasks masks: [Tensor]) -> Int {
        let stride = LlamaBlockStructure.allCases.count
        var total = 0
        for layer in 0..<(masks.count / stride) {
            let n = (0..<stride).map { GateSet.keptIndices(masks[layer * stride + $0]).count }
            total += n[0] * (queryWidth + 2 * keyValueWidth) + n[1] * queryWidth + 2 * n[2] * n[3] + n[3] * n[4]
        }
        return total
    }
}
