import PruningCore

/// A projection added to the residual stream and layer-normalized (post-norm):
/// `LayerNorm(dropout(dense(x)) + residual)` — Hugging Face's `BertSelfOutput` (after
/// attention) and `BertOutput` (after the feed-forward block).
///
/// Children `dense` (a `Linear` `[hidden, inputWidth]`) and `LayerNorm`.
public final class BERTResidualOutput: Module {
    /// The projection back to the hidden size, `dense`.
    public var dense: Linear
    /// The normalization of the sum, `LayerNorm`.
    public var layerNorm: LayerNorm
    /// The dropout on the projection (active in training mode only).
    public var dropout: Dropout
    /// Whether the module is in training mode.
    public var isTraining = true

    /// A block projecting `inputWidth` features to the hidden size, filled by `initializer`.
    public init(inputWidth: Int, configuration: BERTConfiguration, initializer: inout BERTParameterInitializer) {
        dense = initializer.linear(inputCount: inputWidth, outputCount: configuration.hiddenSize)
        layerNorm = LayerNorm(featureCount: configuration.hiddenSize, epsilon: Float(configuration.layerNormEpsilon))
        dropout = initializer.dropout(probability: configuration.hiddenDropoutProbability)
    }

    /// The projection and the normalization, named as in Hugging Face.
    public var children: [(String, any Module)] { [("dense", dense), ("LayerNorm", layerNorm), ("dropout", dropout)] }

    /// `LayerNorm(dropout(dense(x)) + residual)`, shaped like `residual` `[batch, length, hidden]`.
    ///
    /// - Parameters:
    ///   - x: the block's input `[batch, length, inputWidth]`.
    ///   - residual: the hidden states that entered the sub-layer `[batch, length, hidden]`.
    public func callAsFunction(_ x: Tensor, residual: Tensor) -> Tensor {
        layerNorm(dropout(dense(x)) + residual)
    }
}
