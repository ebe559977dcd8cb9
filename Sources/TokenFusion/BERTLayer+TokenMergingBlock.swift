import ModelZoo
import PruningCore

extension BERTLayer: TokenMergingBlock {
    /// `LayerNorm(x + dense(attention(x)))` with its queries and keys — the same operations as
    /// `BERTLayer/callAsFunction(_:mask:)`'s first half, so an unreduced run is bit-identical.
    public func attentionHalf(_ x: Tensor, mask: AttentionMask?) -> (hidden: Tensor, query: Tensor, key: Tensor) {
        let (query, key, value) = attention.selfAttention.projections(x)
        let context = BERTSelfAttention.attend(query: query, key: key, value: value, mask: mask)
        return (attention.output(context, residual: x), query, key)
    }
}
