import PruningCore

/// One pre-norm LLaMA block: `h += attention(input_layernorm(h))`, then
/// `h += mlp(post_attention_layernorm(h))`; children `self_attn`, `mlp`, `input_layernorm`,
/// `post_attention_layernorm` as in Hugging Face's `LlamaDecoderLayer`.
///
/// A DISP-LLM-pruned block (see ``LlamaLayerConfiguration``) normalizes the full residual
/// stream, feeds its sub-blocks the selected dimensions (`index_select`) and adds their outputs
/// back at the selected dimensions (`index_add`); with all four index lists nil this is the plain
/// residual block. Input and output `[batch, length, hidden]`.
public final class LlamaDecoderLayer: Module {
    /// The block's position in the model, reported to activation hooks.
    public let index: Int
    /// `self_attn`.
    public let attention: LlamaAttention
    /// `mlp`.
    public let mlp: LlamaMLP
    /// `input_layernorm`, full width.
    public let inputNorm: RMSNorm
    /// `post_attention_layernorm`, full width.
    public let postAttentionNorm: RMSNorm
    /// S1: the residual dimensions the attention reads (nil: all).
    public let attentionInputIndices: [Int]?
    /// S2: the residual dimensions the attention output is added to (nil: all).
    public let attentionOutputIndices: [Int]?
    /// S3: the residual dimensions the MLP reads (nil: all).
    public let mlpInputIndices: [Int]?
    /// S5: the residual dimensions the MLP output is added to (nil: all).
    public let mlpOutputIndices: [Int]?
    /// Whether the module is in training mode (no effect: the block has no dropout).
    public var isTraining = true

    /// A block from its sub-modules and residual index sets.
    ///
    /// - Precondition: the sub-modules' input and output widths match the index lists (the
    ///   hidden size when a list is nil).
    public init(
        index: Int, attention: LlamaAttention, mlp: LlamaMLP, inputNorm: RMSNorm, postAttentionNorm: RMSNorm,
        attentionInputIndices: [Int]? = nil, attentionOutputIndices: [Int]? = nil,
        mlpInputIndices: [Int]? = nil, mlpOutputIndices: [Int]? = nil
    ) {
        let hidden = inputNorm.featureCount
        precondition(
            postAttentionNorm.featureCount == hidden,
            "LlamaDecoderLayer \(index): norms of widths \(hidden) and \(postAttentionNorm.featureCount)")
        let widths = [
            ("attention input", attention.queryProjection.inputCount, attentionInputIndices),
            ("attention output", attention.outputProjection.outputCount, attentionOutputIndices),
            ("MLP input", mlp.gateProjection.inputCount, mlpInputIndices),
            ("MLP output", mlp.downProjection.outputCount, mlpOutputIndices),
        ]
        for (name, width, indices) in widths {
            precondition(
                width == (indices?.count ?? hidden),
                "LlamaDecoderLayer \(index): \(name) width \(width) does not match \(indices.map { "\($0.count) indices" } ?? "hidden size \(hidden)")")
        }
        self.index = index
        self.attention = attention
        self.mlp = mlp
        self.inputNorm = inputNorm
        self.postAttentionNorm = postAttentionNorm
        self.attentionInputIndices = attentionInputIndices
        self.attentionOutputIndices = attentionOutputIndices
        self.mlpInputIndices = mlpInputIndices
        self.mlpOutputIndices = mlpOutputIndices
    }

    /// The sub-modules, named as in Hugging Face LLaMA.
    public var children: [(String, any Module)] {
        [("self_attn", attention), ("mlp", mlp), ("input_layernorm", inputNorm),
         ("post_attention_layernorm", postAttentionNorm)]
    }

    /// The block applied to the residual stream `h` `[batch, length, hidden]`.
    ///
    /// - Parameters:
    ///   - h: the residual stream `[batch, length, hidden]`.
    ///   - cache: this block's key–value cache for incremental decoding.
    ///   - mask: an optional extra attention mask (see ``LlamaAttention``).
    ///   - hook: observes or replaces the intermediates listed in ``LlamaActivationKind``.
    public func callAsFunction(
        _ h: Tensor, cache: KeyValueCache? = nil, mask: AttentionMask? = nil, hook: LlamaActivationHook? = nil
    ) -> Tensor {
        let input = hook.apply(h, .blockInput, layer: index)
        var normed = inputNorm(input)
        if let indices = attentionInputIndices { normed = normed.indexSelect(indices, alongAxis: -1) }
        normed = hook.apply(normed, .attentionInput, layer: index)
        var update = attention(normed, cache: cache, mask: mask, hook: hook, layer: index)
        update = hook.apply(update, .attentionProjection, layer: index)
        var residual = Self.add(update, to: input, at: attentionOutputIndices)
        residual = hook.apply(residual, .attentionResidual, layer: index)

        normed = postAttentionNorm(residual)
        if let indices = mlpInputIndices { normed = normed.indexSelect(indices, alongAxis: -1) }
        normed = hook.apply(normed, .mlpInput, layer: index)
        update = hook.apply(mlp(normed, hook: hook, layer: index), .mlpOutput, layer: index)
        return hook.apply(Self.add(update, to: residual, at: mlpOutputIndices), .blockOutput, layer: index)
    }

    /// `residual + update`, or `residual.index_add(−1, indices, update)`.
    private static func add(_ update: Tensor, to residual: Tensor, at indices: [Int]?) -> Tensor {
        guard let indices else { return residual + update }
        return residual.indexAdding(update, at: indices, alongAxis: -1)
    }
}
