import PruningCore

/// One stage of the image-to-image networks: an optional 2× nearest-neighbour upsampling, a
/// convolution, an optional BatchNorm and an activation — pix2pix's `Conv–BatchNorm–ReLU` unit
/// (Isola et al., 2017, "Image-to-Image Translation with Conditional Adversarial Networks",
/// arXiv:1611.07004).
///
/// Decoders upsample and then convolve instead of using a transposed convolution: the same
/// receptive field without checkerboard artefacts, and every weight stays a `Conv2d`, so the
/// package's cost models and channel pruning see it. Parameters are named `conv` and `norm`.
public final class TranslationBlock: Layer {
    /// What follows the (normalized) convolution.
    public enum Activation: String, Sendable, Codable, Equatable {
        /// `max(0, x)` (pix2pix decoders).
        case relu
        /// `max(0.2·x, x)` (pix2pix encoders and PatchGAN).
        case leakyReLU
        /// `tanh(x)`, images in [−1, 1] (the generators' last layer).
        case tanh
        /// Nothing: logits (the discriminator's last layer, a segmenter's scores).
        case identity
    }

    /// The convolution.
    public let conv: Conv2d
    /// The BatchNorm after the convolution, or nil.
    public let norm: BatchNorm?
    /// The activation.
    public let activation: Activation
    /// Whether the input is upsampled 2× (nearest neighbour) before the convolution.
    public let upsamples: Bool
    /// Whether the module is in training mode.
    public var isTraining = true

    /// A block from `inputChannels` to `outputChannels`; the convolution has a bias only when
    /// no BatchNorm follows it.
    public init(
        inputChannels: Int, outputChannels: Int, kernelSize: Int = 3, stride: Int = 1, padding: Int? = nil,
        normalized: Bool, activation: Activation, upsamples: Bool = false, using generator: inout RandomGenerator
    ) {
        conv = Conv2d(
            inChannels: inputChannels, outChannels: outputChannels, kernelSize: kernelSize, stride: stride,
            padding: padding ?? (kernelSize - 1) / 2, bias: !normalized, using: &generator)
        norm = normalized ? BatchNorm(featureCount: outputChannels) : nil
        self.activation = activation
        self.upsamples = upsamples
    }

    /// `conv` and, when present, `norm`.
    public var children: [(String, any Module)] {
        var result: [(String, any Module)] = [("conv", conv)]
        if let norm { result.append(("norm", norm)) }
        return result
    }

    /// The block's output for `input` `[batch, inputChannels, height, width]`.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        let x = upsamples ? input.upsampleNearest2d(scale: 2) : input
        if let norm, activation == .relu { return conv(x, normalizedBy: norm, relu: true) }
        let y = norm.map { conv(x, normalizedBy: $0, relu: false) } ?? conv(x)
        switch activation {
        case .relu: return y.relu()
        case .leakyReLU: return y.leakyReLU(negativeSlope: 0.2)
        case .tanh: return y.tanh()
        case .identity: return y
        }
    }
}
