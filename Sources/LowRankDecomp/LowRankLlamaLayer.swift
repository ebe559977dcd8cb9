import ModelZoo
import PruningCore

/// A LLaMA decoder block whose seven projections are ``LowRankLinear`` layers (dense or
/// factorized): `h += o(attention(q, k, v of input_layernorm(h)))`, then
/// `h += down(silu(gate(x)) · up(x))` with `x = post_attention_layernorm(h)`. Input and output
/// `[batch, length, hidden]`.
public final class LowRankLlamaLayer: Module {
    /// `q_proj`, `[H · dq, d]`.
    public let query: LowRankLinear
    /// `k_proj`, `[K · dq, d]`.
    public let key: LowRankLinear
    /// `v_proj`, `[K · dv, d]`.
    public let value: LowRankLinear
    /// `o_proj`, `[d, H · dv]`.
    public let output: LowRankLinear
    /// `gate_proj`, `[I, d]`.
    public let gate: LowRankLinear
    /// `up_proj`, `[I, d]`.
    public let up: LowRankLinear
    /// `down_proj`, `[d, I]`.
    public let down: LowRankLinear
    /// `input_layernorm`.
    public let inputNorm: RMSNorm
    /// `post_attention_layernorm`.
    public let postAttentionNorm: RMSNorm
    /// The number of query heads H.
    public let headCount: Int
    /// The number of key–value heads K.
    public let keyValueHeadCount: Int
    /// Whether the module is in training mode (no effect).
    public var isTraining = true

    /// A block from its projections and norms.
    ///
    /// - Precondition: the projections' shapes form a block of `headCount` query heads and
    ///   `keyValueHeadCount` key–value heads over a residual stream of the norms' width.
    public init(
        query: LowRankLinear, key: LowRankLinear, value: LowRankLinear, output: LowRankLinear,
        gate: LowRankLinear, up: LowRankLinear, down: LowRankLinear, inputNorm: RMSNorm, postAttentionNorm: RMSNorm,
        headCount: Int, keyValueHeadCount: Int
    ) {
        let d = inputNorm.featureCount
        precondition(
            headCount > 0 && keyValueHeadCount > 0 && headCount % keyValueHeadCount == 0
                && query.outputCount % headCount == 0 && value.outputCount % keyValueHeadCount == 0
                && key.outputCount * headCount == query.outputCount * keyValueHeadCount
                && output.inputCount * keyValueHeadCount == value.outputCount * headCount,
            "LowRankLlamaLayer: q \(query.outputCount), k \(key.outputCount), v \(value.outputCount), o \(output.inputCount) do not split into \(headCount)/\(keyValueHeadCount) heads")
        precondition(
            [query, key, value, gate, up].allSatisfy { $0.inputCount == d } && output.outputCount == d
                && down.outputCount == d && gate.outputCount == up.outputCount && down.inputCount == gate.outputCount,
            "LowRankLlamaLayer: projection shapes do not match the hidden size \(d)")
        self.query = query
        self.key = key
        self.value = value
        self.output = output
        self.gate = gate
        self.up = up
        self.down = down
        self.inputNorm = inputNorm
        self.postAttentionNorm = postAttentionNorm
        self.headCount = headCount
        self.keyValueHeadCount = keyValueHeadCount
    }

    /// The projections and norms, named as in Hugging Face LLaMA.
    public var children: [(String, any Module)] {
        [("self_attn.q_proj", query), ("self_attn.k_proj", key), ("self_attn.v_proj", value),
         ("self_attn.o_proj", output), ("mlp.gate_proj", gate), ("mlp.up_proj", up), ("mlp.down_proj", down),
         ("input_layernorm", inputNorm), ("post_attention_layernorm", postAttentionNorm)]
    }

    /// The block applied to `h` `[batch, length, hidden]`, with causal attention, the rotary
    /// embedding `rotary` (head dimension `dq`) and the attention scale `scale`.
    public func callAsFunction(_ h: Tensor, rotary: RotaryEmbedding, scale: Float) -> Tensor {
        precondition(h.rank == 3, "LowRankLlamaLayer: input \(h.shape) must be [batch, length, hidden]")
        let (batch, length) = (h.shape[0], h.shape[1])
        let dq = query.outputCount / headCount
        let dv = value.outputCount / keyValueHeadCount
        func heads(_ x: Tensor, _ count: Int, _ size: Int) -> Tensor {
            x.reshaped(to: [batch, length, count, size]).permuted([0, 2, 1, 3])
        }
        let x = inputNorm(h)
        let q = rotary(heads(query(x), headCount, dq))
        let k = rotary(heads(key(x), keyValueHeadCount, dq))
        let v = heads(value(x), keyValueHeadCount, dv)
        let attended = Tensor.scaledDotProductAttention(query: q, key: k, value: v, scale: scale, isCausal: true)
        let merged = attended.permuted([0, 2, 1, 3]).reshaped(to: [batch, length, headCount * dv])
        let residual = h + output(merged)
        let normed = postAttentionNorm(residual)
        return residual + down(gate(normed).silu() * up(normed))
    }
}
