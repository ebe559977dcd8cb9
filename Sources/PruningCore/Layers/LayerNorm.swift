/// Layer normalization over the last dimension (Ba, Kiros & Hinton, 2016), as PyTorch's
/// `nn.LayerNorm(featureCount)`.
///
/// Input `[..., featureCount]`, output of the same shape. With `affine`, the learned `weight`
/// (initialized to ones) and `bias` (zeros), both `[featureCount]`, scale and shift the result.
public final class LayerNorm: Layer {
    /// The scale `[featureCount]`, when affine.
    public let weight: Parameter?
    /// The shift `[featureCount]`, when affine.
    public let bias: Parameter?
    /// The number of features normalized together.
    public let featureCount: Int
    /// Added to the variance for stability.
    public let epsilon: Float
    /// Whether the module is in training mode (layer norm behaves the same in both modes).
    public var isTraining = true

    /// A layer normalizing `featureCount` features, with a learned scale and shift when `affine`.
    public init(featureCount: Int, epsilon: Float = 1e-5, affine: Bool = true) {
        precondition(featureCount > 0, "LayerNorm: featureCount must be positive, got \(featureCount)")
        self.featureCount = featureCount
        self.epsilon = epsilon
        weight = affine ? Parameter(Tensor.ones([featureCount])) : nil
        bias = affine ? Parameter(Tensor.zeros([featureCount])) : nil
    }

    /// The weight and bias, when affine.
    public var ownParameters: [(String, Parameter)] {
        var result: [(String, Parameter)] = []
        if let weight { result.append(("weight", weight)) }
        if let bias { result.append(("bias", bias)) }
        return result
    }

    /// Normalizes the last dimension of `input` `[..., featureCount]`.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        precondition(input.shape.last == featureCount, "LayerNorm: input \(input.shape) does not end in \(featureCount)")
        return input.layerNorm(weight: weight?.value, bias: bias?.value, epsilon: epsilon)
    }
}
