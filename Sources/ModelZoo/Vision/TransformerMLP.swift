import PruningCore

/// The two-layer GELU perceptron of a transformer block (timm's `Mlp`): `fc2(gelu(fc1(x)))`.
///
/// Input and output `[batch, tokens, width]`; `fc1` maps to the hidden units.
public final class TransformerMLP: Layer {
    /// The first layer `[hidden, width]`.
    public let fc1: Linear
    /// The second layer `[width, hidden]`.
    public let fc2: Linear
    /// Whether the module is in training mode.
    public var isTraining = true

    /// An MLP `width → hidden → width` with truncated-normal weights and zero biases.
    public init(width: Int, hidden: Int, using generator: inout RandomGenerator) {
        fc1 = Initialization.transformerLinear(width, hidden, using: &generator)
        fc2 = Initialization.transformerLinear(hidden, width, using: &generator)
    }

    /// The current number of hidden units.
    public var hiddenCount: Int { fc1.outputCount }

    /// `fc1` and `fc2`.
    public var children: [(String, any Module)] { [("fc1", fc1), ("fc2", fc2)] }

    /// `fc2(gelu(fc1(x)))` with the exact GELU.
    public func callAsFunction(_ input: Tensor) -> Tensor { fc2(fc1(input).gelu()) }
}
