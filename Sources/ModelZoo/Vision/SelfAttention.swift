import PruningCore

/// Multi-head self-attention with a fused `qkv` projection (timm's `Attention`), the attention
/// layer of ``VisionTransformer``.
///
/// `qkv` is `Linear(width, 3 · heads · headDimension)`: its output holds the queries, keys and
/// values in that order, each `heads · headDimension` wide, head-major. `proj` maps the
/// concatenated heads back to `width`. The head dimension is fixed at construction, so the
/// head count follows the weights when heads are pruned.
///
/// Input and output `[batch, tokens, width]`.
public final class SelfAttention: Layer {
    /// The fused query–key–value projection `[3 · heads · headDimension, width]`.
    public let qkv: Linear
    /// The output projection `[width, heads · headDimension]`.
    public let proj: Linear
    /// The width of one head.
    public let headDimension: Int
    /// Whether the module is in training mode.
    public var isTraining = true

    /// An attention layer of `heads` heads over `width` features (`headDimension = width / heads`),
    /// with truncated-normal weights (standard deviation 0.02) and zero biases.
    public init(width: Int, heads: Int, using generator: inout RandomGenerator) {
        precondition(heads > 0 && width % heads == 0, "SelfAttention: width \(width) is not a multiple of heads \(heads)")
        headDimension = width / heads
        qkv = Initialization.transformerLinear(width, 3 * width, using: &generator)
        proj = Initialization.transformerLinear(width, width, using: &generator)
    }

    /// The current number of heads.
    public var headCount: Int { qkv.outputCount / (3 * headDimension) }

    /// `qkv` and `proj`.
    public var children: [(String, any Module)] { [("qkv", qkv), ("proj", proj)] }

    /// The attention output `[batch, tokens, width]`.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        precondition(input.rank == 3 && input.shape[2] == qkv.inputCount,
                     "SelfAttention: input \(input.shape) should be [batch, tokens, \(qkv.inputCount)]")
        return proj(Tensor.packedSelfAttention(qkv(input), heads: headCount))
    }

    /// The attention output and the keys averaged over heads, `[batch, tokens, headDimension]`
    /// (the similarity metric of token merging, Bolya et al., 2023, "Token Merging: Your ViT
    /// but Faster", arXiv:2210.09461).
    ///
    /// - Parameters:
    ///   - input: the tokens `[batch, tokens, channels]`.
    ///   - mask: an optional mask broadcastable to `[batch, heads, tokens, tokens]`; an
    ///     additive `[batch, 1, 1, tokens]` mask holding `log(size)` gives proportional attention.
    public func forward(_ input: Tensor, mask: AttentionMask? = nil) -> (output: Tensor, keys: Tensor) {
        let (query, key, value) = heads(of: input)
        let attended = Tensor.scaledDotProductAttention(query: query, key: key, value: value, mask: mask)
        return (merged(attended), key.mean(alongAxis: 1))
    }

    /// Queries, keys and values `[batch, heads, tokens, headDimension]` of `input`.
    private func heads(of input: Tensor) -> (query: Tensor, key: Tensor, value: Tensor) {
        precondition(input.rank == 3 && input.shape[2] == qkv.inputCount,
                     "SelfAttention: input \(input.shape) should be [batch, tokens, \(qkv.inputCount)]")
        let (batch, tokens) = (input.shape[0], input.shape[1])
        // [batch, tokens, 3, heads, d] → [3, batch, heads, tokens, d].
        let projected = qkv(input).reshaped(to: [batch, tokens, 3, headCount, headDimension]).permuted([2, 0, 3, 1, 4])
        let parts = projected.chunked(into: 3, alongAxis: 0).map { $0.squeezed(at: 0) }
        return (parts[0], parts[1], parts[2])
    }

    /// The output projection of attended heads `[batch, heads, tokens, headDimension]`.
    private func merged(_ attended: Tensor) -> Tensor {
        let (batch, heads, tokens) = (attended.shape[0], attended.shape[1], attended.shape[2])
        return proj(attended.permuted([0, 2, 1, 3]).reshaped(to: [batch, tokens, heads * headDimension]))
    }
}
