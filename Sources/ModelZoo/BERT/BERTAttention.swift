import PruningCore

/// BERT's attention sub-layer: self-attention, output projection, residual and layer
/// normalization, Hugging Face's `BertAttention`.
///
/// Children `self` (a ``BERTSelfAttention`` with `query`, `key`, `value`) and `output` (a
/// ``BERTResidualOutput`` with `dense` and `LayerNorm`).
public final class BERTAttention: Module {
    /// The multi-head attention, `self`.
    public var selfAttention: BERTSelfAttention
    /// The output projection with residual and normalization, `output`.
    public var output: BERTResidualOutput
    /// Whether the module is in training mode.
    public var isTraining = true

    /// A sub-layer for `configuration`, filled by `initializer`.
    public init(configuration: BERTConfiguration, initializer: inout BERTParameterInitializer) {
        selfAttention = BERTSelfAttention(configuration: configuration, initializer: &initializer)
        output = BERTResidualOutput(inputWidth: configuration.hiddenSize, configuration: configuration, initializer: &initializer)
    }

    /// The attention and its output, named as in Hugging Face.
    public var children: [(String, any Module)] { [("self", selfAttention), ("output", output)] }

    /// `LayerNorm(x + dense(attention(x)))`, `[batch, length, hidden]`.
    ///
    /// - Parameters:
    ///   - x: the hidden states `[batch, length, hidden]`.
    ///   - mask: which keys each query may see (see ``BERTSelfAttention/callAsFunction(_:mask:)``).
    public func callAsFunction(_ x: Tensor, mask: AttentionMask? = nil) -> Tensor {
        output(selfAttention(x, mask: mask), residual: x)
    }
}
