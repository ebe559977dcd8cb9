import PruningCore

/// The inverted residual block of MobileNetV2 (Sandler et al., 2018, "MobileNetV2: Inverted
/// Residuals and Linear Bottlenecks", arXiv:1801.04381): a 1×1 expansion to
/// `expansion · inputChannels` channels, a 3×3 depthwise convolution (carrying the stride), each
/// with BatchNorm and ReLU6, then a linear 1×1 projection with BatchNorm; the input is added when
/// the stride is 1 and the channel counts agree.
///
/// Parameters are named as torchvision's `InvertedResidual`: with expansion,
/// `conv.0.0`/`conv.0.1` (expand convolution and norm), `conv.1.0`/`conv.1.1` (depthwise),
/// `conv.2`/`conv.3` (projection); with expansion 1 there is no expansion layer and the indices
/// shift down by one. Convolutions have no bias.
///
/// Input `[batch, inputChannels, height, width]`, output `[batch, outputChannels, ⌈height/stride⌉,
/// ⌈width/stride⌉]`.
public final class InvertedResidual: Layer {
    /// The expansion convolution and its norm (absent when the expansion factor is 1).
    public let expansion: (convolution: Conv2d, norm: BatchNorm)?
    /// The 3×3 depthwise convolution (`groups` equals its channel count).
    public let depthwise: Conv2d
    /// The BatchNorm after ``depthwise``.
    public let depthwiseNorm: BatchNorm
    /// The linear 1×1 projection.
    public let projection: Conv2d
    /// The BatchNorm after ``projection``.
    public let projectionNorm: BatchNorm
    /// Whether the input is added to the output.
    public let usesResidual: Bool
    private let body: Sequential
    /// Whether the module is in training mode.
    public var isTraining = true

    /// A block from `inputChannels` to `outputChannels` with the given stride and expansion
    /// factor (6 in the paper, 1 for the first block).
    public init(
        inputChannels: Int, outputChannels: Int, stride: Int, expansionFactor: Int, using generator: inout RandomGenerator
    ) {
        precondition(stride == 1 || stride == 2, "InvertedResidual: stride \(stride) must be 1 or 2")
        let hidden = inputChannels * expansionFactor
        var layers: [any Layer] = []
        if expansionFactor != 1 {
            let convolution = Initialization.convolution(inputChannels, hidden, kernelSize: 1, using: &generator)
            let norm = BatchNorm(featureCount: hidden)
            expansion = (convolution, norm)
            layers.append(Sequential([convolution, norm, ReLU6()]))
        } else {
            expansion = nil
        }
        depthwise = Initialization.convolution(hidden, hidden, kernelSize: 3, stride: stride, groups: hidden, using: &generator)
        depthwiseNorm = BatchNorm(featureCount: hidden)
        projection = Initialization.convolution(hidden, outputChannels, kernelSize: 1, using: &generator)
        projectionNorm = BatchNorm(featureCount: outputChannels)
        layers += [Sequential([depthwise, depthwiseNorm, ReLU6()]), projection, projectionNorm]
        body = Sequential(layers)
        usesResidual = stride == 1 && inputChannels == outputChannels
    }

    /// `conv`: the block's layers in order.
    public var children: [(String, any Module)] { [("conv", body)] }

    /// The expanded channel count (the depthwise convolution's channels).
    public var hiddenChannels: Int { depthwise.outputChannels }

    /// The block's output, with the input added when ``usesResidual``.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        usesResidual ? input + body(input) : body(input)
    }
}
