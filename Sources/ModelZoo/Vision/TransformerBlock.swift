import PruningCore

/// A pre-norm transformer encoder block (timm's `Block`):
/// `x + attn(norm1(x))`, then `+ mlp(norm2(·))`.
///
/// Input and output `[batch, tokens, width]`.
public final class TransformerBlock: Layer {
    /// The norm before attention.
    public let norm1: LayerNorm
    /// The self-attention.
    public let attention: SelfAttention
    /// The norm before the MLP.
    public let norm2: LayerNorm
    /// The MLP.
    public let mlp: TransformerMLP
    /// Whether the module is in training mode.
    public var isTraining = true

    /// A block of `width` features, `heads` heads and `mlpHidden` MLP units.
    public init(width: Int, heads: Int, mlpHidden: Int, using generator: inout RandomGenerator) {
        norm1 = LayerNorm(featureCount: width, epsilon: 1e-6)
        attention = SelfAttention(width: width, heads: heads, using: &generator)
        norm2 = LayerNorm(featureCount: width, epsilon: 1e-6)
        mlp = TransformerMLP(width: width, hidden: mlpHidden, using: &generator)
    }

    /// `norm1`, `attn`, `norm2`, `mlp`.
    public var children: [(String, any Module)] {
        [("norm1", norm1), ("attn", attention), ("norm2", norm2), ("mlp", mlp)]
    }

    /// The block's output `[batch, tokens, width]`.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        let x = input + attention(norm1(input))
        return x + mlp(norm2(x))
    }

    /// The block's output and the attention keys averaged over heads `[batch, tokens,
    /// headDimension]`; see ``SelfAttention/forward(_:mask:)``.
    public func forward(_ input: Tensor, mask: AttentionMask? = nil) -> (output: Tensor, keys: Tensor) {
        let (attended, keys) = attention.forward(norm1(input), mask: mask)
        let x = input + attended
        return (x + mlp(norm2(x)), keys)
    }
}
