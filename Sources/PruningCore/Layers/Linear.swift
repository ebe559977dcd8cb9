/// A fully connected layer `y = x Wᵀ + b`.
///
/// The weight has shape `[outputCount, inputCount]` (the PyTorch and safetensors convention), so
/// checkpoints load by name without transposing. Input `[..., inputCount]`, output
/// `[..., outputCount]`.
public final class Linear: Layer {
    /// The weight, `[outputCount, inputCount]`.
    public let weight: Parameter
    /// The bias, `[outputCount]`, when present.
    public let bias: Parameter?
    /// Whether the module is in training mode.
    public var isTraining = true

    /// A layer initialized like PyTorch's default: weight and bias uniform in ±1/√inputCount.
    public init(inputCount: Int, outputCount: Int, bias hasBias: Bool = true, using generator: inout RandomGenerator) {
        let bound = 1 / Float(inputCount).squareRoot()
        weight = Parameter(Tensor.randomUniform([outputCount, inputCount], lower: -bound, upper: bound, using: &generator))
        bias = hasBias ? Parameter(Tensor.randomUniform([outputCount], lower: -bound, upper: bound, using: &generator)) : nil
    }

    /// A layer with the given weight `[outputCount, inputCount]` and optional bias `[outputCount]`.
    public init(weight: Tensor, bias: Tensor? = nil) {
        precondition(weight.rank == 2, "Linear: weight must be [outputCount, inputCount], got \(weight.shape)")
        if let bias { precondition(bias.shape == [weight.shape[0]], "Linear: bias shape \(bias.shape) does not match weight \(weight.shape)") }
        self.weight = Parameter(weight)
        self.bias = bias.map { Parameter($0) }
    }

    /// The number of input features.
    public var inputCount: Int { weight.shape[1] }
    /// The number of output features.
    public var outputCount: Int { weight.shape[0] }

    /// The weight and, when present, the bias.
    public var ownParameters: [(String, Parameter)] {
        var result = [("weight", weight)]
        if let bias { result.append(("bias", bias)) }
        return result
    }

    /// `x Wᵀ + b` over the last dimension of `input`.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        precondition(input.shape.last == inputCount, "Linear: input \(input.shape) does not end in \(inputCount)")
        let output = Tensor.linear(input, weight: weight.value, bias: bias?.value)
        LayerCallRecorder.current?.record(.linear, weight: weight, input: input.shape, output: output.shape)
        return output
    }
}
