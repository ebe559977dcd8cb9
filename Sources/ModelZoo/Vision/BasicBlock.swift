import PruningCore

/// The basic residual block of ResNet-18/34 and the CIFAR ResNets (He et al., 2016, "Deep
/// Residual Learning for Image Recognition", arXiv:1512.03385): two 3×3 convolutions with
/// BatchNorm, a ReLU between them, added to the (possibly projected) input, then a ReLU.
///
/// Parameters are named as torchvision's `BasicBlock`: `conv1`, `bn1`, `conv2`, `bn2`, and
/// `downsample.0` (1×1 convolution) / `downsample.1` (BatchNorm) when the block changes the
/// channel count or the resolution. The projection shortcut is the paper's "option B".
///
/// Input `[batch, inputChannels, height, width]`, output
/// `[batch, outputChannels, ⌈height/stride⌉, ⌈width/stride⌉]`.
public final class BasicBlock: Layer {
    /// The first 3×3 convolution (carries the stride).
    public let conv1: Conv2d
    /// The BatchNorm after ``conv1``.
    public let bn1: BatchNorm
    /// The second 3×3 convolution.
    public let conv2: Conv2d
    /// The BatchNorm after ``conv2``.
    public let bn2: BatchNorm
    /// The projection shortcut (1×1 convolution with the block's stride, then BatchNorm), or nil
    /// for the identity shortcut.
    public let downsample: (convolution: Conv2d, norm: BatchNorm)?
    private let downsampleSequence: Sequential?
    /// Whether the module is in training mode.
    public var isTraining = true

    /// A block from `inputChannels` to `outputChannels` with the given stride; the shortcut is a
    /// projection when the stride is not 1 or the channel counts differ.
    public init(inputChannels: Int, outputChannels: Int, stride: Int = 1, using generator: inout RandomGenerator) {
        conv1 = Initialization.convolution(inputChannels, outputChannels, kernelSize: 3, stride: stride, using: &generator)
        bn1 = BatchNorm(featureCount: outputChannels)
        conv2 = Initialization.convolution(outputChannels, outputChannels, kernelSize: 3, using: &generator)
        bn2 = BatchNorm(featureCount: outputChannels)
        if stride != 1 || inputChannels != outputChannels {
            let convolution = Initialization.convolution(
                inputChannels, outputChannels, kernelSize: 1, stride: stride, using: &generator)
            let norm = BatchNorm(featureCount: outputChannels)
            downsample = (convolution, norm)
            downsampleSequence = Sequential([convolution, norm])
        } else {
            downsample = nil
            downsampleSequence = nil
        }
    }

    /// `conv1`, `bn1`, `conv2`, `bn2` and, for a projection shortcut, `downsample`.
    public var children: [(String, any Module)] {
        var result: [(String, any Module)] = [("conv1", conv1), ("bn1", bn1), ("conv2", conv2), ("bn2", bn2)]
        if let downsampleSequence { result.append(("downsample", downsampleSequence)) }
        return result
    }

    /// The number of channels between the two convolutions.
    public var innerChannels: Int { conv1.outputChannels }

    /// `relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x))`.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        let inner = conv1(input, normalizedBy: bn1, relu: true)
        let residual = conv2(inner, normalizedBy: bn2, relu: false)
        let shortcut = downsampleSequence.map { $0(input) } ?? input
        return Tensor.reluOfSum(residual, shortcut)
    }
}
