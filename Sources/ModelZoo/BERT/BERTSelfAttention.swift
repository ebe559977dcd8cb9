import PruningCore

/// BERT's multi-head self-attention projections and scaled dot-product attention, without the
/// output projection (Hugging Face's `BertSelfAttention`).
///
/// Children `query`, `key` and `value`, each a `Linear` `[heads · headDim, hidden]` with bias.
/// Head `h` owns output rows `h · headDim ..< (h + 1) · headDim` of each projection. The head
/// count and head dimension are variables so that head pruning can shrink the projections and
/// update them; the forward pass checks that they agree with the projection shapes.
///
/// Dropout on the attention weights is not applied (the functional attention has none), so in
/// training mode the layer behaves like a model with `attention_probs_dropout_prob = 0`.
public final class BERTSelfAttention: Module {
    /// The query projection, `query`.
    public var query: Linear
    /// The key projection, `key`.
    public var key: Linear
    /// The value projection, `value`.
    public var value: Linear
    /// The number of heads.
    public var headCount: Int
    /// The width of each head.
    public var headDimension: Int
    /// Whether the module is in training mode.
    public var isTraining = true

    /// Projections for `configuration`, filled by `initializer`.
    public init(configuration: BERTConfiguration, initializer: inout BERTParameterInitializer) {
        let hidden = configuration.hiddenSize
        query = initializer.linear(inputCount: hidden, outputCount: hidden)
        key = initializer.linear(inputCount: hidden, outputCount: hidden)
        value = initializer.linear(inputCount: hidden, outputCount: hidden)
        headCount = configuration.headCount
        headDimension = configuration.headDimension
    }

    /// The projections, named as in Hugging Face.
    public var children: [(String, any Module)] { [("query", query), ("key", key), ("value", value)] }

    /// The queries, keys and values of `x` `[batch, length, hidden]`, each split into heads
    /// `[batch, heads, length, headDim]`.
    ///
    /// Token-merging methods use the keys (averaged over heads) as the similarity metric.
    public func projections(_ x: Tensor) -> (query: Tensor, key: Tensor, value: Tensor) {
        precondition(x.rank == 3, "BERTSelfAttention: input \(x.shape) must be [batch, length, hidden]")
        let width = headCount * headDimension
        precondition(
            query.outputCount == width && key.outputCount == width && value.outputCount == width,
            "BERTSelfAttention: projections query \(query.weight.shape), key \(key.weight.shape), value \(value.weight.shape) do not match \(headCount) heads of dimension \(headDimension)")
        let (batch, length) = (x.shape[0], x.shape[1])
        func heads(_ t: Tensor) -> Tensor {
            t.reshaped(to: [batch, length, headCount, headDimension]).permuted([0, 2, 1, 3])
        }
        return (heads(query(x)), heads(key(x)), heads(value(x)))
    }

    /// The attended values `[batch, length, heads · headDim]`, heads concatenated in order.
    ///
    /// - Parameters:
    ///   - x: the hidden states `[batch, length, hidden]`.
    ///   - mask: which keys each query may see, broadcastable to `[batch, heads, length,
    ///     length]` (for padding, ``BERTInput/keyPaddingMask``; an additive mask can also carry
    ///     per-key biases such as the log token sizes of proportional attention).
    public func callAsFunction(_ x: Tensor, mask: AttentionMask? = nil) -> Tensor {
        let (q, k, v) = projections(x)
        return Self.attend(query: q, key: k, value: v, mask: mask)
    }

    /// Scaled dot-product attention of per-head queries, keys and values
    /// `[batch, heads, length, headDim]`, returning `[batch, length, heads · headDim]`.
    public static func attend(query: Tensor, key: Tensor, value: Tensor, mask: AttentionMask?) -> Tensor {
        let attended = Tensor.scaledDotProductAttention(query: query, key: key, value: value, mask: mask)
        let (batch, heads, length, width) = (attended.shape[0], attended.shape[1], attended.shape[2], attended.shape[3])
        return attended.permuted([0, 2, 1, 3]).reshaped(to: [batch, length, heads * width])
    }
}
