import PruningCore

/// One post-norm BERT transformer layer (Devlin et al., 2019; Vaswani et al., 2017):
/// `h = LayerNorm(x + attention(x))`, `y = LayerNorm(h + dense₂(gelu(dense₁(h))))` — Hugging
/// Face's `BertLayer`.
///
/// Children `attention` (``BERTAttention``), `intermediate` (``BERTIntermediate``) and `output`
/// (``BERTResidualOutput``), so parameters are named `attention.self.query.weight`,
/// `attention.output.dense.weight`, `attention.output.LayerNorm.weight`,
/// `intermediate.dense.weight`, `output.dense.weight`, `output.LayerNorm.weight`, ….
///
/// The layer can be driven piece by piece: ``callAsFunction(_:mask:)`` runs it whole;
/// ``attention`` and ``feedForward(_:)`` run its two halves (a token-merging method reduces
/// tokens between them); ``activations(_:mask:)`` also returns the queries, keys, values and
/// the inputs of each projection.
public final class BERTLayer: Module {
    /// The attention sub-layer, `attention`.
    public var attention: BERTAttention
    /// The feed-forward expansion, `intermediate`.
    public var intermediate: BERTIntermediate
    /// The feed-forward projection with residual and normalization, `output`.
    public var output: BERTResidualOutput
    /// Whether the module is in training mode.
    public var isTraining = true

    /// A layer for `configuration`, filled by `initializer`.
    public init(configuration: BERTConfiguration, initializer: inout BERTParameterInitializer) {
        attention = BERTAttention(configuration: configuration, initializer: &initializer)
        intermediate = BERTIntermediate(configuration: configuration, initializer: &initializer)
        output = BERTResidualOutput(
            inputWidth: configuration.intermediateSize, configuration: configuration, initializer: &initializer)
    }

    /// The sub-layers, named as in Hugging Face.
    public var children: [(String, any Module)] {
        [("attention", attention), ("intermediate", intermediate), ("output", output)]
    }

    // MARK: Projections

    /// The query projection `attention.self.query` `[heads · headDim, hidden]`.
    public var query: Linear {
        get { attention.selfAttention.query }
        set { attention.selfAttention.query = newValue }
    }

    /// The key projection `attention.self.key` `[heads · headDim, hidden]`.
    public var key: Linear {
        get { attention.selfAttention.key }
        set { attention.selfAttention.key = newValue }
    }

    /// The value projection `attention.self.value` `[heads · headDim, hidden]`.
    public var value: Linear {
        get { attention.selfAttention.value }
        set { attention.selfAttention.value = newValue }
    }

    /// The attention output projection `attention.output.dense` `[hidden, heads · headDim]`.
    public var attentionProjection: Linear {
        get { attention.output.dense }
        set { attention.output.dense = newValue }
    }

    /// The feed-forward expansion `intermediate.dense` `[intermediate, hidden]`.
    public var feedForwardExpansion: Linear {
        get { intermediate.dense }
        set { intermediate.dense = newValue }
    }

    /// The feed-forward projection `output.dense` `[hidden, intermediate]`.
    public var feedForwardProjection: Linear {
        get { output.dense }
        set { output.dense = newValue }
    }

    /// The number of attention heads.
    public var headCount: Int { attention.selfAttention.headCount }

    // MARK: Forward

    /// The layer's output `[batch, length, hidden]` for hidden states `x` `[batch, length,
    /// hidden]`.
    ///
    /// - Parameters:
    ///   - x: the hidden states `[batch, length, hidden]`.
    ///   - mask: which keys each query may see, broadcastable to `[batch, heads,
    ///     length, length]` (``BERTInput/keyPaddingMask`` for padded batches).
    public func callAsFunction(_ x: Tensor, mask: AttentionMask? = nil) -> Tensor {
        feedForward(attention(x, mask: mask))
    }

    /// The feed-forward half, `LayerNorm(x + dense₂(activation(dense₁(x))))`, applied to the
    /// attention sub-layer's output `x` `[batch, length, hidden]`.
    public func feedForward(_ x: Tensor) -> Tensor {
        output(intermediate(x), residual: x)
    }

    /// Runs the layer on `x` `[batch, length, hidden]` and returns its intermediate tensors
    /// along with the output (equal to ``callAsFunction(_:mask:)``'s).
    public func activations(_ x: Tensor, mask: AttentionMask? = nil) -> BERTLayerActivations {
        let (q, k, v) = attention.selfAttention.projections(x)
        let context = BERTSelfAttention.attend(query: q, key: k, value: v, mask: mask)
        let attended = attention.output(context, residual: x)
        let expanded = intermediate(attended)
        let result = output(expanded, residual: attended)
        return BERTLayerActivations(
            query: q, key: k, value: v, context: context, attentionOutput: attended, intermediate: expanded,
            output: result)
    }
}
