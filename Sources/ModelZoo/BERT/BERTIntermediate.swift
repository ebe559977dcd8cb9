import PruningCore

/// The first half of BERT's feed-forward block: `activation(dense(x))`, Hugging Face's
/// `BertIntermediate`.
///
/// Child `dense`, a `Linear` `[intermediate, hidden]`; row `i` of its weight (and column `i`
/// of the following ``BERTResidualOutput/dense``) belongs to intermediate unit `i`.
public final class BERTIntermediate: Module {
    /// The expansion, `dense`.
    public var dense: Linear
    /// The activation applied after it.
    public var activation: BERTActivation
    /// Whether the module is in training mode.
    public var isTraining = true

    /// An expansion for `configuration`, filled by `initializer`.
    public init(configuration: BERTConfiguration, initializer: inout BERTParameterInitializer) {
        dense = initializer.linear(inputCount: configuration.hiddenSize, outputCount: configuration.intermediateSize)
        activation = configuration.hiddenActivation
    }

    /// The expansion, named as in Hugging Face.
    public var children: [(String, any Module)] { [("dense", dense)] }

    /// `activation(dense(x))`: `[batch, length, hidden]` → `[batch, length, intermediate]`.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        activation(dense(x))
    }
}
