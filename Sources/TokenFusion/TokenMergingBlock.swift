import PruningCore

/// A transformer layer that can be run in two halves, so that tokens can be reduced between
/// its attention and its MLP — where ToMe merges (`ToMeBlock.forward` in `tome/patch/timm.py`)
/// and EViT reorganizes.
///
/// The MLP half must act on each token separately (it does in BERT and ViT), so it can run on
/// any number of tokens.
public protocol TokenMergingBlock {
    /// The attention half: the hidden states after attention and its residual connection
    /// `[batch, tokens, width]`, with the per-head queries and keys it used `[batch, heads,
    /// tokens, headDim]` (the keys averaged over heads are ToMe's similarity metric).
    ///
    /// - Parameters:
    ///   - x: the layer's input `[batch, tokens, width]`.
    ///   - mask: a key mask `[batch, 1, 1, tokens]` (padding, or proportional attention's
    ///     `log s`), or nil.
    func attentionHalf(_ x: Tensor, mask: AttentionMask?) -> (hidden: Tensor, query: Tensor, key: Tensor)

    /// The MLP half, applied to the (possibly reduced) output of ``attentionHalf(_:mask:)``.
    func feedForward(_ x: Tensor) -> Tensor
}
