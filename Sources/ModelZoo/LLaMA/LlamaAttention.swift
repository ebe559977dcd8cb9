import PruningCore

/// The grouped-query self-attention of a LLaMA layer, with rotary embeddings, causal masking
/// and an optional key–value cache; children `q_proj`, `k_proj`, `v_proj`, `o_proj` as in
/// Hugging Face's `LlamaAttention`, no biases.
///
/// Unlike `MultiHeadAttention` the query/key head size `dq`, the value head size `dv` and the
/// rotary frequencies may be those of a pruned layer: `q_proj` is `[H · dq, input]`, `k_proj`
/// `[K · dq, input]`, `v_proj` `[K · dv, input]`, `o_proj` `[output, H · dv]`, and each
/// key–value head (with its group of query heads) may keep different rotary frequencies. The
/// scores are scaled by a fixed factor (`1 / √d` of the dense head) rather than by `1 / √dq`.
public final class LlamaAttention: Module {
    /// `q_proj`, `[headCount · queryKeyHeadDimension, inputCount]`.
    public let queryProjection: Linear
    /// `k_proj`, `[keyValueHeadCount · queryKeyHeadDimension, inputCount]`.
    public let keyProjection: Linear
    /// `v_proj`, `[keyValueHeadCount · valueHeadDimension, inputCount]`.
    public let valueProjection: Linear
    /// `o_proj`, `[outputCount, headCount · valueHeadDimension]`.
    public let outputProjection: Linear
    /// The number of query heads H.
    public let headCount: Int
    /// The number of key–value heads K; query head `h` reads key–value head `h / (H / K)`.
    public let keyValueHeadCount: Int
    /// The query/key size of each head, `dq`.
    public let queryKeyHeadDimension: Int
    /// The value size of each head, `dv`.
    public let valueHeadDimension: Int
    /// The rotary embeddings: one shared by every head, or one per key–value head (applied to
    /// that head and to its group of query heads).
    public let rotaries: [RotaryEmbedding]
    /// The factor applied to query–key products.
    public let scale: Float
    /// Whether the module is in training mode (no effect: the attention has no dropout).
    public var isTraining = true

    /// An attention layer holding the given weights.
    ///
    /// - Parameters:
    ///   - query: `[headCount · dq, input]`.
    ///   - key: `[keyValueHeadCount · dq, input]`.
    ///   - value: `[keyValueHeadCount · dv, input]`.
    ///   - output: `[output, headCount · dv]`.
    ///   - headCount: H, a multiple of `keyValueHeadCount`.
    ///   - keyValueHeadCount: K.
    ///   - rotaries: one rotary of head dimension `dq`, or K of them.
    ///   - scale: the factor applied to query–key products.
    public init(
        query: Tensor, key: Tensor, value: Tensor, output: Tensor, headCount: Int, keyValueHeadCount: Int,
        rotaries: [RotaryEmbedding], scale: Float
    ) {
        precondition(
            headCount > 0 && keyValueHeadCount > 0 && headCount % keyValueHeadCount == 0,
            "LlamaAttention: \(headCount) heads are not a positive multiple of \(keyValueHeadCount) key-value heads")
        precondition(
            query.rank == 2 && key.rank == 2 && value.rank == 2 && output.rank == 2
                && query.shape[0] % headCount == 0 && value.shape[0] % keyValueHeadCount == 0,
            "LlamaAttention: q \(query.shape) or v \(value.shape) does not split into \(headCount) / \(keyValueHeadCount) heads")
        let dq = query.shape[0] / headCount
        let dv = value.shape[0] / keyValueHeadCount
        precondition(
            key.shape[0] == keyValueHeadCount * dq && key.shape[1] == query.shape[1] && value.shape[1] == query.shape[1]
                && output.shape[1] == headCount * dv,
            "LlamaAttention: q \(query.shape), k \(key.shape), v \(value.shape), o \(output.shape) do not match \(headCount) heads of \(dq) (values \(dv)) and \(keyValueHeadCount) key-value heads")
        precondition(
            rotaries.count == 1 || rotaries.count == keyValueHeadCount,
            "LlamaAttention: \(rotaries.count) rotary embeddings for \(keyValueHeadCount) key-value heads (give 1 or one per head)")
        for rotary in rotaries {
            precondition(
                rotary.headDimension == dq,
                "LlamaAttention: rotary head dimension \(rotary.headDimension) differs from the query/key head dimension \(dq)")
        }
        queryProjection = Linear(weight: query)
        keyProjection = Linear(weight: key)
        valueProjection = Linear(weight: value)
        outputProjection = Linear(weight: output)
        self.headCount = headCount
        self.keyValueHeadCount = keyValueHeadCount
        self.queryKeyHeadDimension = dq
        self.valueHeadDimension = dv
        self.rotaries = rotaries
        self.scale = scale
    }

    /// The projections, named as in Hugging Face LLaMA.
    public var children: [(String, any Module)] {
        [("q_proj", queryProjection), ("k_proj", keyProjection), ("v_proj", valueProjection), ("o_proj", outputProjection)]
    }

    /// Causal self-attention over `x` `[batch, length, input]`, giving `[batch, length, output]`.
    ///
    /// - Parameters:
    ///   - x: `[batch, length, input]`.
    ///   - cache: when given, positions start at its length, the new keys (after the rotary
    ///     embedding) and values are appended to it, and attention covers every cached position.
    ///   - mask: an optional extra mask broadcastable to `[batch, heads, length, keyLength]`
    ///     (for example key padding).
    ///   - hook: observes or replaces ``LlamaActivationKind/query``, ``LlamaActivationKind/key``,
    ///     ``LlamaActivationKind/value`` and ``LlamaActivationKind/attentionOutput``.
    ///   - layer: the block index reported to the hook.
    public func callAsFunction(
        _ x: Tensor, cache: KeyValueCache? = nil, mask: AttentionMask? = nil,
        hook: LlamaActivationHook? = nil, layer: Int = 0
    ) -> Tensor {
        precondition(x.rank == 3, "LlamaAttention: input \(x.shape) must be [batch, length, features]")
        let (batch, length) = (x.shape[0], x.shape[1])
        let offset = cache?.length ?? 0
        var query = hook.apply(splitHeads(queryProjection(x), headCount, queryKeyHeadDimension), .query, layer: layer)
        var key = hook.apply(splitHeads(keyProjection(x), keyValueHeadCount, queryKeyHeadDimension), .key, layer: layer)
        var value = hook.apply(splitHeads(valueProjection(x), keyValueHeadCount, valueHeadDimension), .value, layer: layer)
        query = rotate(query, headsPerRotary: headCount / keyValueHeadCount, offset: offset)
        key = rotate(key, headsPerRotary: 1, offset: offset)
        if let cache { (key, value) = cache.append(keys: key, values: value) }
        let attended = Tensor.scaledDotProductAttention(
            query: query, key: key, value: value, mask: mask, scale: scale, isCausal: true)
        let merged = attended.permuted([0, 2, 1, 3]).reshaped(to: [batch, length, headCount * valueHeadDimension])
        return outputProjection(hook.apply(merged, .attentionOutput, layer: layer))
    }

    /// `[batch, length, heads · size]` → `[batch, heads, length, size]`.
    private func splitHeads(_ x: Tensor, _ heads: Int, _ size: Int) -> Tensor {
        x.reshaped(to: [x.shape[0], x.shape[1], heads, size]).permuted([0, 2, 1, 3])
    }

    /// Applies the rotary embeddings to `x` `[batch, heads, length, dq]`; with one rotary per
    /// key–value head, head group `g` (`headsPerRotary` consecutive heads) uses rotary `g`.
    private func rotate(_ x: Tensor, headsPerRotary: Int, offset: Int) -> Tensor {
        if rotaries.count == 1 { return rotaries[0](x, offset: offset) }
        let groups = rotaries.enumerated().map { g, rotary in
            rotary(x.sliced(alongAxis: 1, from: g * headsPerRotary, count: headsPerRotary), offset: offset)
        }
        return Tensor.concatenate(groups, alongAxis: 1)
    }
}
