import PruningCore

/// pix2pix's conditional PatchGAN discriminator at small scale: the condition and the image
/// are concatenated along channels and mapped by 4×4 convolutions (`stridedLayers` with stride
/// 2 doubling the width from `w`, one more with stride 1, then a stride-1 convolution to one
/// channel) to a grid of real/fake logits, one per overlapping patch (Isola et al., 2017,
/// arXiv:1611.07004, §3.2.2, `NLayerDiscriminator`). LeakyReLU 0.2 throughout; no BatchNorm on
/// the first layer.
///
/// On 32×32 inputs with two strided layers the grid is 6×6 and each logit sees a 34×34 window.
public final class PatchDiscriminator: Layer {
    /// The architecture of a ``PatchDiscriminator``.
    public struct Configuration: Sendable, Codable, Equatable {
        /// The channels of the condition plus those of the image.
        public var inputChannels: Int
        /// The first layer's width `w`.
        public var baseWidth: Int
        /// The number of stride-2 layers.
        public var stridedLayers: Int

        /// A configuration.
        public init(inputChannels: Int, baseWidth: Int = 16, stridedLayers: Int = 2) {
            self.inputChannels = inputChannels
            self.baseWidth = baseWidth
            self.stridedLayers = stridedLayers
        }

        private enum CodingKeys: String, CodingKey { case inputChannels, baseWidth, stridedLayers }

        /// Decodes a configuration, checking every count against the vision limits and the network's
        /// size against ``VisionConfigurationLimits/maximumParameterCount``.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            typealias Limits = TranslationConfigurationLimits
            inputChannels = try Limits.count(.inputChannels, in: 1...(2 * Limits.channels.upperBound), from: container)
            baseWidth = try Limits.count(.baseWidth, in: Limits.width, from: container)
            stridedLayers = try Limits.count(.stridedLayers, in: Limits.levels, from: container)
            var parameters = 16 * inputChannels * baseWidth
            for index in 1...stridedLayers { parameters += 16 * (baseWidth << Swift.min(index - 1, 3)) * (baseWidth << Swift.min(index, 3)) }
            try VisionConfigurationLimits.check(parameters, in: 0...VisionConfigurationLimits.maximumParameterCount, key: .baseWidth, container: container)
        }
    }

    /// The architecture the model was built with.
    public let configuration: Configuration
    /// The hidden layers (`stridedLayers` strided ones, then one of stride 1).
    public let layers: [TranslationBlock]
    /// The last convolution to one logit per patch.
    public let output: TranslationBlock
    /// Whether the module is in training mode.
    public var isTraining = true

    /// A discriminator with PyTorch's default initialization drawn from `generator`.
    public init(configuration: Configuration, using generator: inout RandomGenerator) {
        precondition(configuration.inputChannels > 0 && configuration.baseWidth > 0 && configuration.stridedLayers >= 1,
                     "PatchDiscriminator: counts must be positive")
        self.configuration = configuration
        var layers: [TranslationBlock] = []
        var previous = configuration.inputChannels
        for index in 0...configuration.stridedLayers {
            let width = configuration.baseWidth << Swift.min(index, 3)
            layers.append(TranslationBlock(
                inputChannels: previous, outputChannels: width, kernelSize: 4, stride: index < configuration.stridedLayers ? 2 : 1,
                padding: 1, normalized: index > 0, activation: .leakyReLU, using: &generator))
            previous = width
        }
        self.layers = layers
        output = TranslationBlock(inputChannels: previous, outputChannels: 1, kernelSize: 4, padding: 1,
                                  normalized: false, activation: .identity, using: &generator)
    }

    /// `layers.<i>`, `output`.
    public var children: [(String, any Module)] {
        layers.enumerated().map { ("layers.\($0.offset)", $0.element as any Module) } + [("output", output)]
    }

    /// The patch logits `[batch, 1, h, w]` for the concatenated pair `[condition, image]`
    /// `[batch, inputChannels, H, W]`.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        precondition(input.rank == 4 && input.shape[1] == layers[0].conv.inputChannels,
                     "PatchDiscriminator: input \(input.shape) should be [batch, \(layers[0].conv.inputChannels), H, W]")
        var x = input
        for layer in layers { x = layer(x) }
        return output(x)
    }

    /// The patch logits for `image` given `condition` (both `[batch, c, H, W]`).
    public func callAsFunction(condition: Tensor, image: Tensor) -> Tensor {
        callAsFunction(Tensor.concatenate([condition, image], alongAxis: 1))
    }
}

extension PatchDiscriminator: ChannelPrunable {
    /// One group per hidden layer, `layers.<i>.output`: its rows (and BatchNorm), read by the
    /// next layer.
    public var prunableGroups: [PrunableGroup] {
        layers.enumerated().map { index, layer in
            let name = "layers.\(index)"
            let reader = index + 1 < layers.count ? "layers.\(index + 1).conv" : "output.conv"
            return PrunableGroup(
                name: "\(name).output", size: layer.conv.outputChannels,
                slices: GroupSlices.outputs(of: "\(name).conv", bias: layer.conv.bias != nil)
                    + (layer.norm == nil ? [] : GroupSlices.batchNorm("\(name).norm")) + GroupSlices.inputs(of: reader))
        }
    }
}
