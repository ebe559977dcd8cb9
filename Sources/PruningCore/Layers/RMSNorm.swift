/// Root-mean-square normalization over the last dimension (Zhang & Sennrich, 2019), in the
/// LLaMA form `x / √(mean(x²) + ε) · weight`; PyTorch's `nn.RMSNorm(featureCount)`.
///
/// Input `[..., featureCount]`, output of the same shape; `weight` `[featureCount]` starts at
/// ones.
public final class RMSNorm: Layer {
    /// The scale `[featureCount]`.
    public let weight: Parameter
    /// Added to the mean square for stability.
    public let epsilon: Float
    /// Whether the module is in training mode (RMS norm behaves the same in both modes).
    public var isTraining = true

    /// A layer normalizing `featureCount` features (`epsilon` 1e-6 as in LLaMA).
    public init(featureCount: Int, epsilon: Float = 1e-6) {
        precondition(featureCount > 0, "RMSNorm: featureCount must be positive, got \(featureCount)")
        self.epsilon = epsilon
        weight = Parameter(Tensor.ones([featureCount]))
    }

    /// The number of features normalized together.
    public var featureCount: Int { weight.shape[0] }

    /// The weight.
    public var ownParameters: [(String, Parameter)] { [("weight", weight)] }

    /// Normalizes the last dimension of `input` `[..., featureCount]`.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        precondition(input.shape.last == featureCount, "RMSNorm: input \(input.shape) does not end in \(featureCount)")
        return input.rmsNorm(weight: weight.value, epsilon: epsilon)
    }
}
