/// A 2-D transposed convolution layer over `[batch, channels, height, width]` (PyTorch's
/// `nn.ConvTranspose2d`), the usual learned upsampling of decoders.
///
/// The weight has shape `[inChannels, outChannels/groups, kernelHeight, kernelWidth]` and the
/// optional bias `[outChannels]`, named as in PyTorch. See
/// `Tensor/convTranspose2d(_:_:bias:stride:padding:outputPadding:dilation:groups:)`.
public final class ConvTranspose2d: Layer {
    /// The filters, `[inChannels, outChannels/groups, kernelHeight, kernelWidth]`.
    public let weight: Parameter
    /// The bias, `[outChannels]`, when present.
    public let bias: Parameter?
    /// The upsampling step, `(height, width)`.
    public let stride: (Int, Int)
    /// Rows and columns trimmed from both sides of the full output, `(height, width)`.
    public let padding: (Int, Int)
    /// Rows and columns added at the bottom and right of the output, `(height, width)`.
    public let outputPadding: (Int, Int)
    /// The spacing between kernel taps, `(height, width)`.
    public let dilation: (Int, Int)
    /// The number of channel groups.
    public var groups: Int
    /// Whether the module is in training mode.
    public var isTraining = true

    /// A layer initialized like PyTorch's default: weight and bias uniform in `±1/√fanIn`, where
    /// (as PyTorch computes it from the weight's shape) `fanIn = outChannels/groups · kernelHeight · kernelWidth`.
    ///
    /// - Precondition: `groups` divides both channel counts; sizes are positive.
    public init(
        inChannels: Int, outChannels: Int, kernelSize: (Int, Int), stride: (Int, Int) = (1, 1),
        padding: (Int, Int) = (0, 0), outputPadding: (Int, Int) = (0, 0), dilation: (Int, Int) = (1, 1),
        groups: Int = 1, bias hasBias: Bool = true, using generator: inout RandomGenerator
    ) {
        precondition(
            groups >= 1 && inChannels % groups == 0 && outChannels % groups == 0,
            "ConvTranspose2d: groups = \(groups) must divide inChannels = \(inChannels) and outChannels = \(outChannels)")
        precondition(kernelSize.0 >= 1 && kernelSize.1 >= 1, "ConvTranspose2d: kernel size \(kernelSize) must be positive")
        let fanIn = outChannels / groups * kernelSize.0 * kernelSize.1
        let bound = 1 / Float(fanIn).squareRoot()
        weight = Parameter(Tensor.randomUniform(
            [inChannels, outChannels / groups, kernelSize.0, kernelSize.1], lower: -bound, upper: bound, using: &generator))
        bias = hasBias
            ? Parameter(Tensor.randomUniform([outChannels], lower: -bound, upper: bound, using: &generator)) : nil
        self.stride = stride
        self.padding = padding
        self.outputPadding = outputPadding
        self.dilation = dilation
        self.groups = groups
    }

    /// ``init(inChannels:outChannels:kernelSize:stride:padding:outputPadding:dilation:groups:bias:using:)``
    /// with square kernel, stride, padding, output padding and dilation.
    public convenience init(
        inChannels: Int, outChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
        outputPadding: Int = 0, dilation: Int = 1, groups: Int = 1, bias hasBias: Bool = true,
        using generator: inout RandomGenerator
    ) {
        self.init(
            inChannels: inChannels, outChannels: outChannels, kernelSize: (kernelSize, kernelSize),
            stride: (stride, stride), padding: (padding, padding), outputPadding: (outputPadding, outputPadding),
            dilation: (dilation, dilation), groups: groups, bias: hasBias, using: &generator)
    }

    /// A layer with the given weight `[inChannels, outChannels/groups, kH, kW]` and optional bias
    /// `[outChannels]`.
    public init(
        weight: Tensor, bias: Tensor? = nil, stride: (Int, Int) = (1, 1), padding: (Int, Int) = (0, 0),
        outputPadding: (Int, Int) = (0, 0), dilation: (Int, Int) = (1, 1), groups: Int = 1
    ) {
        precondition(
            weight.rank == 4 && groups >= 1 && weight.shape[0] % groups == 0,
            "ConvTranspose2d: weight \(weight.shape) must be [inChannels, outChannels/groups, kH, kW] with inChannels divisible by groups = \(groups)")
        if let bias {
            precondition(
                bias.shape == [weight.shape[1] * groups],
                "ConvTranspose2d: bias shape \(bias.shape) does not match weight \(weight.shape) with groups = \(groups)")
        }
        self.weight = Parameter(weight)
        self.bias = bias.map { Parameter($0) }
        self.stride = stride
        self.padding = padding
        self.outputPadding = outputPadding
        self.dilation = dilation
        self.groups = groups
    }

    /// The number of input channels the layer expects.
    public var inputChannels: Int { weight.shape[0] }
    /// The number of output channels.
    public var outputChannels: Int { weight.shape[1] * groups }
    /// The kernel size `(height, width)`.
    public var kernelSize: (Int, Int) { (weight.shape[2], weight.shape[3]) }

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
            ConvolutionGeometry.transposedSize(
                input: height, kernel: size.0, stride: stride.0, padding: padding.0,
                outputPadding: outputPadding.0, dilation: dilation.0),
            ConvolutionGeometry.transposedSize(
                input: width, kernel: size.1, stride: stride.1, padding: padding.1,
                outputPadding: outputPadding.1, dilation: dilation.1))
    }

    /// Applies the transposed convolution to `input` `[batch, inputChannels, height, width]`,
    /// giving `[batch, outputChannels, outHeight, outWidth]`.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        Tensor.convTranspose2d(
            input, weight.value, bias: bias?.value, stride: stride, padding: padding,
            outputPadding: outputPadding, dilation: dilation, groups: groups)
    }
}
