/// Multi-head self-attention with optional grouped-query heads, rotary embeddings and a
/// key–value cache, laid out like Hugging Face's `LlamaAttention`.
///
/// Children `q_proj` `[heads · headDim, model]`, `k_proj` and `v_proj`
/// `[kvHeads · headDim, model]`, `o_proj` `[model, heads · headDim]` (all ``Linear``), so a
/// LLaMA, Mistral or Qwen2 checkpoint loads by name. Input and output `[batch, length, model]`.
///
/// The head counts and head dimension are variables so that structured pruning (removing
/// heads, or rotary pairs within heads) can shrink the projections and update them; the forward
/// pass checks that they agree with the projection shapes.
public final class MultiHeadAttention: Module {
    /// The query projection, `q_proj`.
    public var queryProjection: Linear
    /// The key projection, `k_proj`.
    public var keyProjection: Linear
    /// The value projection, `v_proj`.
    public var valueProjection: Linear
    /// The output projection, `o_proj`.
    public var outputProjection: Linear
    /// The number of query heads.
    public var headCount: Int
    /// The number of key–value heads (equal to ``headCount`` for plain multi-head attention,
    /// 1 for multi-query attention).
    public var keyValueHeadCount: Int
    /// The size of each head.
    public var headDimension: Int
    /// The rotary embedding applied to queries and keys, if any.
    public var rotary: RotaryEmbedding?
    /// Whether each position attends only to itself and earlier positions.
    public var isCausal: Bool
    /// Whether the module is in training mode.
    public var isTraining = true

    /// An attention layer with PyTorch-style uniform initialization of its projections.
    ///
    /// - Parameters:
    ///   - modelDimension: the input and output feature size.
    ///   - headCount: the number of query heads.
    ///   - keyValueHeadCount: the number of key–value heads, a divisor of `headCount`
    ///     (defaults to `headCount`).
    ///   - headDimension: the size of each head (defaults to `modelDimension / headCount`).
    ///   - rotary: a rotary embedding whose ``RotaryEmbedding/headDimension`` is `headDimension`.
    ///   - isCausal: whether to mask future positions.
    ///   - projectionBias: whether `q_proj`, `k_proj`, `v_proj` have biases (Qwen2: true).
    ///   - outputBias: whether `o_proj` has a bias.
    ///   - generator: the source of the initial weights.
    public init(
        modelDimension: Int, headCount: Int, keyValueHeadCount: Int? = nil, headDimension: Int? = nil,
        rotary: RotaryEmbedding? = nil, isCausal: Bool = true, projectionBias: Bool = false,
        outputBias: Bool = false, using generator: inout RandomGenerator
    ) {
        let kvHeads = keyValueHeadCount ?? headCount
        let dimension = headDimension ?? modelDimension / max(headCount, 1)
        precondition(
            headCount > 0 && kvHeads > 0 && headCount % kvHeads == 0,
            "MultiHeadAttention: \(headCount) heads are not a positive multiple of \(kvHeads) key-value heads")
        precondition(dimension > 0, "MultiHeadAttention: head dimension \(dimension) must be positive")
        if let rotary {
            precondition(
                rotary.headDimension == dimension,
                "MultiHeadAttention: rotary head dimension \(rotary.headDimension) differs from head dimension \(dimension)")
        }
        queryProjection = Linear(inputCount: modelDimension, outputCount: headCount * dimension, bias: projectionBias, using: &generator)
        keyProjection = Linear(inputCount: modelDimension, outputCount: kvHeads * dimension, bias: projectionBias, using: &generator)
        valueProjection = Linear(inputCount: modelDimension, outputCount: kvHeads * dimension, bias: projectionBias, using: &generator)
        outputProjection = Linear(inputCount: headCount * dimension, outputCount: modelDimension, bias: outputBias, using: &generator)
        self.headCount = headCount
        self.keyValueHeadCount = kvHeads
        self.headDimension = dimension
        self.rotary = rotary
        self.isCausal = isCausal
    }

    /// The projections, named as in Hugging Face LLaMA.
    public var children: [(String, any Module)] {
        [("q_proj", queryProjection), ("k_proj", keyProjection), ("v_proj", valueProjection), ("o_proj", outputProjection)]
    }

    /// Self-attention over `x` `[batch, length, model]`, returning `[batch, length, model]`.
    ///
    /// - Parameters:
    ///   - x: `[batch, length, model]`.
    ///   - mask: an optional mask broadcastable to `[batch, heads, length, keyLength]`, where
    ///     `keyLength` counts the cached positions plus `length`.
    ///   - cache: when given, the new keys and values are appended to it, positions start at
    ///     its ``KeyValueCache/length``, and attention covers all cached positions.
    public func callAsFunction(_ x: Tensor, mask: AttentionMask? = nil, cache: KeyValueCache? = nil) -> Tensor {
        precondition(x.rank == 3, "MultiHeadAttention: input \(x.shape) must be [batch, length, model]")
        precondition(
            queryProjection.outputCount == headCount * headDimension
                && keyProjection.outputCount == keyValueHeadCount * headDimension
                && valueProjection.outputCount == keyValueHeadCount * headDimension
                && outputProjection.inputCount == headCount * headDimension,
            "MultiHeadAttention: projections q \(queryProjection.weight.shape), k \(keyProjection.weight.shape), v \(valueProjection.weight.shape), o \(outputProjection.weight.shape) do not match \(headCount) heads, \(keyValueHeadCount) key-value heads of dimension \(headDimension)")
        let (batch, length) = (x.shape[0], x.shape[1])
        let offset = cache?.length ?? 0

        var query = splitHeads(queryProjection(x), heads: headCount, batch: batch, length: length)
        var key = splitHeads(keyProjection(x), heads: keyValueHeadCount, batch: batch, length: length)
        var value = splitHeads(valueProjection(x), heads: keyValueHeadCount, batch: batch, length: length)
        if let rotary {
            query = rotary(query, offset: offset)
            key = rotary(key, offset: offset)
        }
        if let cache { (key, value) = cache.append(keys: key, values: value) }

        let attended = Tensor.scaledDotProductAttention(
            query: query, key: key, value: value, mask: mask, isCausal: isCausal)
        let merged = attended.permuted([0, 2, 1, 3]).reshaped(to: [batch, length, headCount * headDimension])
        return outputProjection(merged)
    }

    /// `[batch, length, heads · headDim]` → `[batch, heads, length, headDim]`.
    private func splitHeads(_ x: Tensor, heads: Int, batch: Int, length: Int) -> Tensor {
        x.reshaped(to: [batch, length, heads, headDimension]).permuted([0, 2, 1, 3])
    }
}
