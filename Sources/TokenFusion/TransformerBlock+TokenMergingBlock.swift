import ModelZoo
import PruningCore

extension TransformerBlock: TokenMergingBlock {
    /// `x + proj(attention(norm1(x)))` with its queries and keys (timm's pre-norm `Block` up to
    /// the first residual, where `ToMeBlock` merges).
    ///
    /// The attention is computed with the same operations as `SelfAttention` (the fused `qkv`
    /// projection split into heads, scaled dot-product attention, `proj`), so an unreduced run is
    /// bit-identical to `TransformerBlock/callAsFunction(_:)`; it is spelled out here because
    /// the queries are needed too (class attention).
    public func attentionHalf(_ x: Tensor, mask: AttentionMask?) -> (hidden: Tensor, query: Tensor, key: Tensor) {
        precondition(x.rank == 3 && x.shape[2] == attention.qkv.inputCount,
                     "TransformerBlock: input \(x.shape) should be [batch, tokens, \(attention.qkv.inputCount)]")
        let (batch, tokens) = (x.shape[0], x.shape[1])
        let (heads, width) = (attention.headCount, attention.headDimension)
        // [batch, tokens, 3, heads, d] → [3, batch, heads, tokens, d].
        let packed = attention.qkv(norm1(x))
        let projected = packed.reshaped(to: [batch, tokens, 3, heads, width]).permuted([2, 0, 3, 1, 4])
        let parts = projected.chunked(into: 3, alongAxis: 0).map { $0.squeezed(at: 0) }
        guard let mask else {
            // Unmasked: the same kernel as ``SelfAttention/callAsFunction(_:)``, so that an
            // unreduced run is bit-identical to the model.
            return (x + attention.proj(Tensor.packedSelfAttention(packed, heads: heads)), parts[0], parts[1])
        }
        let attended = Tensor.scaledDotProductAttention(query: parts[0], key: parts[1], value: parts[2], mask: mask)
        let output = attention.proj(attended.permuted([0, 2, 1, 3]).reshaped(to: [batch, tokens, heads * width]))
        return (x + output, parts[0], parts[1])
    }

    /// `x + mlp(norm2(x))`, token by token.
    public func feedForward(_ x: Tensor) -> Tensor { x + mlp(norm2(x)) }
}
