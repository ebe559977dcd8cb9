/// A 2-D convolution layer over `[batch, channels, height, width]` (PyTorch's `nn.Conv2d`).
///
/// The weight has shape `[outChannels, inChannels/groups, kernelHeight, kernelWidth]` and the
/// optional bias `[outChannels]`, named `weight` and `bias` as in PyTorch, so checkpoints load
/// by name. Channel counts are read from the weight, so a channel-pruned layer (a smaller
/// weight assigned to ``weight``) reports its new sizes.
public final class Conv2d: Layer {
    /// The filters, `[outChannels, inChannels/groups, kernelHeight, kernelWidth]`.
    public let weight: Parameter
    /// The bias, `[outChannels]`, when present.
    public let bias: Parameter?
    /// The step between output positions, `(height, width)`.
    public let stride: (Int, Int)
    /// The implicit zero border on both sides, `(height, width)`.
    public let padding: (Int, Int)
    /// The spacing between kernel taps, `(height, width)`.
    public let dilation: (Int, Int)
    /// The number of channel groups. Changes with the channel count when a depthwise layer
    /// (`groups == inputChannels`) is pruned.
    public var groups: Int
    /// Whether the module is in training mode.
    public var isTraining = true

    /// A layer initialized like PyTorch's default (Kaiming-uniform with `a = √5`): weight and
    /// bias uniform in `±1/√fanIn`, where `fanIn = inChannels/groups · kernelHeight · kernelWidth`.
    ///
    /// - Precondition: `groups` divides both channel counts; sizes are positive.
    public init(
        inChannels: Int, outChannels: Int, kernelSize: (Int, Int), stride: (Int, Int) = (1, 1),
        padding: (Int, Int) = (0, 0), dilation: (Int, Int) = (1, 1), groups: Int = 1, bias hasBias: Bool = true,
        using generator: inout RandomGenerator
    ) {
        precondition(
            groups >= 1 && inChannels % groups == 0 && outChannels % groups == 0,
            "Conv2d: groups = \(groups) must divide inChannels = \(inChannels) and outChannels = \(outChannels)")
        precondition(kernelSize.0 >= 1 && kernelSize.1 >= 1, "Conv2d: kernel size \(kernelSize) must be positive")
        let fanIn = inChannels / groups * kernelSize.0 * kernelSize.1
        let bound = 1 / Float(fanIn).squareRoot()
        weight = Parameter(Tensor.randomUniform(
            [outChannels, inChannels / groups, kernelSize.0, kernelSize.1], lower: -bound, upper: bound, using: &generator))
        bias = hasBias
            ? Parameter(Tensor.randomUniform([outChannels], lower: -bound, upper: bound, using: &generator)) : nil
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.groups = groups
    }

    /// ``init(inChannels:outChannels:kernelSize:stride:padding:dilation:groups:bias:using:)``
    /// with square kernel, stride, padding and dilation.
    public convenience init(
        inChannels: Int, outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
        dilation: Int = 1, groups: Int = 1, bias hasBias: Bool = true, using generator: inout RandomGenerator
    ) {
        self.init(
            inChannels: inChannels, outChannels: outChannels, kernelSize: (kernelSize, kernelSize),
            stride: (stride, stride), padding: (padding, padding), dilation: (dilation, dilation), groups: groups,
            bias: hasBias, using: &generator)
    }

    /// A layer with the given weight `[outChannels, inChannels/groups, kH, kW]` and optional bias
    /// `[outChannels]`.
    public init(
        weight: Tensor, bias: Tensor? = nil, stride: (Int, Int) = (1, 1), padding: (Int, Int) = (0, 0),
        dilation: (Int, Int) = (1, 1), groups: Int = 1
    ) {
        precondition(
            weight.rank == 4 && groups >= 1 && weight.shape[0] % groups == 0,
            "Conv2d: weight \(weight.shape) must be [outChannels, inChannels/groups, kH, kW] with outChannels divisible by groups = \(groups)")
        if let bias {
            precondition(bias.shape == [weight.shape[0]], "Conv2d: bias shape \(bias.shape) does not match weight \(weight.shape)")
        }
        self.weight = Parameter(weight)
        self.bias = bias.map { Parameter($0) }
        self.stride = stride
        self.padding = padding
        self.dilation = dilation
        self.groups = groups
    }

    /// The number of output channels (filters).
    public var outputChannels: Int { weight.shape[0] }
    /// The number of input channels the layer expects.
    public var inputChannels: Int { weight.shape[1] * groups }
    /// The number of input channels each filter sees (`inputChannels / groups`).
    public var inputChannelsPerGroup: Int { weight.shape[1] }
    /// The kernel size `(height, width)`.
    public var kernelSize: (Int, Int) { (weight.shape[2], weight.shape[3]) }
    /// Whether each input channel is filtered on its own (`groups == inputChannels > 1`).
    public var isDepthwise: Bool { groups > 1 && weight.shape[1] == 1 }

    /// The weight and, when present, the bias.
    public var ownParameters: [(String, Parameter)] {
        var result = [("weight", weight)]
        if let bias { result.append(("bias", bias)) }
        return result
    }

    /// The spatial output size for an input of `height × width`.
    public func outputSize(height: Int, width: Int) -> (height: Int, width: Int) {
        let size = kernelSize
        return (
            ConvolutionGeometry.convolvedSize(
                input: height, kernel: size.0, stride: stride.0, padding: padding.0, dilation: dilation.0),
            ConvolutionGeometry.convolvedSize(
                input: width, kernel: size.1, stride: stride.1, padding: padding.1, dilation: dilation.1))
    }

    /// Convolves `input` `[batch, inputChannels, height, width]` into
    /// `[batch, outputChannels, outHeight, outWidth]`.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        let output = Tensor.conv2d(
            input, weight.value, bias: bias?.value, stride: stride, padding: padding, dilation: dilation, groups: groups)
        LayerCallRecorder.current?.record(.convolution(groups: groups), weight: weight, input: input.shape, output: output.shape)
        return output
    }

    /// `normalization(self(input))`, followed by a ReLU when `relu` is true.
    ///
    /// When `normalization` is in evaluation mode and nothing is being differentiated (no
    /// operand requires a gradient, or inside ``withoutGradients(_:)``), the normalization is
    /// folded into the convolution: each output channel is scaled and shifted, and rectified,
    /// right after its GEMM while it is still in cache — one pass over the output instead of
    /// three. Otherwise the layers run one after the other (a training-mode normalization with
    /// its ReLU fused, see ``BatchNorm/callAsFunction(_:relu:)``).
    public func callAsFunction(_ input: Tensor, normalizedBy normalization: BatchNorm, relu: Bool) -> Tensor {
        let operands = [input, weight.value, normalization.weight.value, normalization.bias.value] + (bias.map { [$0.value] } ?? [])
        let differentiating = GradientMode.isEnabled && operands.contains { $0.node != nil }
        guard !normalization.isTraining, !differentiating, normalization.featureCount == outputChannels else {
            return normalization(self(input), relu: relu)
        }
        let (mean, variance) = (normalization.runningMean.value.scalars, normalization.runningVariance.value.scalars)
        let (gamma, beta) = (normalization.weight.value.scalars, normalization.bias.value.scalars)
        let convolutionBias = bias?.value.scalars
        var scale = [Float](repeating: 0, count: outputChannels)
        var shift = scale
        for c in 0..<outputChannels {
            scale[c] = gamma[c] / (variance[c] + normalization.epsilon).squareRoot()
            shift[c] = beta[c] + ((convolutionBias?[c] ?? 0) - mean[c]) * scale[c]
        }
        let output = Tensor.conv2dInference(
            input, weight.value, stride: stride, padding: padding, dilation: dilation, groups: groups,
            scale: scale, shift: shift, relu: relu)
        LayerCallRecorder.current?.record(.convolution(groups: groups), weight: weight, input: input.shape, output: output.shape)
        return output
    }
}
