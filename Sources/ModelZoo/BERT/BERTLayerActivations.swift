import PruningCore

/// The intermediate tensors of one ``BERTLayer`` forward pass, for methods that score heads,
/// units or tokens (pruning, low-rank decomposition, token merging).
public struct BERTLayerActivations: Sendable {
    /// The per-head queries `[batch, heads, length, headDim]`.
    public var query: Tensor
    /// The per-head keys `[batch, heads, length, headDim]`.
    public var key: Tensor
    /// The per-head values `[batch, heads, length, headDim]`.
    public var value: Tensor
    /// The attended values, heads concatenated `[batch, length, heads · headDim]`: the input of
    /// the attention output projection (`attention.output.dense`).
    public var context: Tensor
    /// The attention sub-layer's output after its residual and normalization
    /// `[batch, length, hidden]`: the input of the feed-forward block.
    public var attentionOutput: Tensor
    /// The activated feed-forward units `[batch, length, intermediate]`: the input of the
    /// feed-forward output projection (`output.dense`).
    public var intermediate: Tensor
    /// The layer's output `[batch, length, hidden]`.
    public var output: Tensor
}
