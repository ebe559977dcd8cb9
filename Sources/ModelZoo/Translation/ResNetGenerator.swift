import PruningCore

/// pix2pix's and CycleGAN's ResNet generator at small scale: a 7×7 stem, `downsamplings`
/// strided 3×3 convolutions doubling the width, `blocks` residual blocks at the lowest
/// resolution, as many upsampling convolutions halving it, and a 7×7 convolution to the output
/// channels with `tanh` (Johnson et al., 2016, "Perceptual Losses for Real-Time Style Transfer";
/// the `ResnetGenerator` of pix2pix/CycleGAN, Zhu et al., 2017, arXiv:1703.10593).
///
/// As in ``UNetGenerator``, upsampling is nearest-neighbour 2× plus a 3×3 convolution, and
/// padding is zero padding. A residual block is `x + norm(conv(relu(norm(conv(x)))))` with no
/// activation after the addition, as in the reference.
public final class ResNetGenerator: Layer {
    /// The architecture of a ``ResNetGenerator``.
    public struct Configuration: Sendable, Codable, Equatable {
        /// The channels of the input.
        public var inputChannels: Int
        /// The channels of the output.
        public var outputChannels: Int
        /// The stem's width `w`; the residual blocks run at `w · 2^downsamplings`.
        public var baseWidth: Int
        /// The number of strided convolutions (and of upsampling ones).
        public var downsamplings: Int
        /// The number of residual blocks.
        public var blocks: Int

        /// A configuration.
        public init(inputChannels: Int, outputChannels: Int, baseWidth: Int = 16, downsamplings: Int = 2, blocks: Int = 3) {
            self.inputChannels = inputChannels
            self.outputChannels = outputChannels
            self.baseWidth = baseWidth
            self.downsamplings = downsamplings
            self.blocks = blocks
        }

        private enum CodingKeys: String, CodingKey {
            case inputChannels, outputChannels, baseWidth, downsamplings, blocks
        }

        /// Decodes a configuration, checking every count against the vision limits and the network's
        /// size against ``VisionConfigurationLimits/maximumParameterCount``.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            typealias Limits = TranslationConfigurationLimits
            inputChannels = try Limits.count(.inputChannels, in: Limits.channels, from: container)
            outputChannels = try Limits.count(.outputChannels, in: Limits.channels, from: container)
            baseWidth = try Limits.count(.baseWidth, in: Limits.width, from: container)
            downsamplings = try Limits.count(.downsamplings, in: 0...3, from: container)
            blocks = try Limits.count(.blocks, in: Limits.blocks, from: container)
            let deep = baseWidth << downsamplings
            var parameters = 49 * baseWidth * (inputChannels + outputChannels) + 18 * blocks * deep * deep
            for level in 0..<downsamplings { parameters += 18 * (baseWidth << level) * (baseWidth << (level + 1)) }
            try VisionConfigurationLimits.check(parameters, in: 0...VisionConfigurationLimits.maximumParameterCount, key: .baseWidth, container: container)
        }
    }

    /// One residual block at the lowest resolution.
    public final class ResidualBlock: Layer {
        /// `conv(x)`, BatchNorm, ReLU.
        public let first: TranslationBlock
        /// `conv`, BatchNorm, no activation.
        public let second: TranslationBlock
        /// Whether the module is in training mode.
        public var isTraining = true

        /// A block of `width` channels.
        public init(width: Int, using generator: inout RandomGenerator) {
            first = TranslationBlock(inputChannels: width, outputChannels: width, normalized: true, activation: .relu, using: &generator)
            second = TranslationBlock(inputChannels: width, outputChannels: width, normalized: true, activation: .identity, using: &generator)
        }

        /// `first`, `second`.
        public var children: [(String, any Module)] { [("first", first), ("second", second)] }

        /// `x + second(first(x))`.
        public func callAsFunction(_ input: Tensor) -> Tensor { input + second(first(input)) }
    }

    /// The architecture the model was built with.
    public let configuration: Configuration
    /// The 7×7 stem.
    public let stem: TranslationBlock
    /// The strided convolutions.
    public let downs: [TranslationBlock]
    /// The residual blocks.
    public let blocks: [ResidualBlock]
    /// The upsampling convolutions.
    public let ups: [TranslationBlock]
    /// The 7×7 output convolution with `tanh`.
    public let output: TranslationBlock
    /// Whether the module is in training mode.
    public var isTraining = true

    /// A generator with PyTorch's default initialization drawn from `generator`.
    public init(configuration: Configuration, using generator: inout RandomGenerator) {
        precondition(configuration.inputChannels > 0 && configuration.outputChannels > 0 && configuration.baseWidth > 0
                     && configuration.downsamplings >= 0 && configuration.blocks >= 0,
                     "ResNetGenerator: counts must be positive")
        self.configuration = configuration
        let w = configuration.baseWidth
        stem = TranslationBlock(inputChannels: configuration.inputChannels, outputChannels: w, kernelSize: 7,
                                normalized: true, activation: .relu, using: &generator)
        var downs: [TranslationBlock] = []
        for level in 0..<configuration.downsamplings {
            downs.append(TranslationBlock(inputChannels: w << level, outputChannels: w << (level + 1), stride: 2,
                                          normalized: true, activation: .relu, using: &generator))
        }
        let deep = w << configuration.downsamplings
        blocks = (0..<configuration.blocks).map { _ in ResidualBlock(width: deep, using: &generator) }
        var ups: [TranslationBlock] = []
        for level in (0..<configuration.downsamplings).reversed() {
            ups.append(TranslationBlock(inputChannels: w << (level + 1), outputChannels: w << level,
                                        normalized: true, activation: .relu, upsamples: true, using: &generator))
        }
        self.downs = downs
        self.ups = ups
        output = TranslationBlock(inputChannels: w, outputChannels: configuration.outputChannels, kernelSize: 7,
                                  normalized: false, activation: .tanh, using: &generator)
    }

    /// `stem`, `down.<i>`, `blocks.<i>`, `up.<i>`, `output`.
    public var children: [(String, any Module)] {
        [("stem", stem as any Module)]
            + downs.enumerated().map { ("down.\($0.offset)", $0.element as any Module) }
            + blocks.enumerated().map { ("blocks.\($0.offset)", $0.element as any Module) }
            + ups.enumerated().map { ("up.\($0.offset)", $0.element as any Module) }
            + [("output", output)]
    }

    /// The translated images for `input` `[batch, inputChannels, H, W]` (`H`, `W` multiples of
    /// `2^downsamplings`).
    public func callAsFunction(_ input: Tensor) -> Tensor {
        let side = 1 << configuration.downsamplings
        precondition(input.rank == 4 && input.shape[1] == stem.conv.inputChannels
                     && input.shape[2] % side == 0 && input.shape[3] % side == 0,
                     "ResNetGenerator: input \(input.shape) should be [batch, \(stem.conv.inputChannels), H, W] with H, W multiples of \(side)")
        var x = stem(input)
        for down in downs { x = down(x) }
        for block in blocks { x = block(x) }
        for up in ups { x = up(x) }
        return output(x)
    }
}

extension ResNetGenerator: ChannelPrunable {
    /// The channel groups: `stem.output` and `down.<i>.output` (read by the next layer), the
    /// residual stream `residual` (the last strided convolution's rows and every block's
    /// `second` rows, read by every block's `first` and by the first upsampling layer),
    /// `blocks.<i>.inner` (between a block's two convolutions) and `up.<i>.output`.
    /// Without down-sampling the stem opens the residual stream.
    public var prunableGroups: [PrunableGroup] {
        func outputs(_ name: String) -> [ParameterSlice] {
            GroupSlices.outputs(of: "\(name).conv", bias: false) + GroupSlices.batchNorm("\(name).norm")
        }
        let producers = ["stem"] + downs.indices.map { "down.\($0)" }
        let widths = [stem.conv.outputChannels] + downs.map(\.conv.outputChannels)
        let afterStream = ups.isEmpty ? "output" : "up.0"
        var groups: [PrunableGroup] = []
        for (index, name) in producers.dropLast().enumerated() {
            groups.append(PrunableGroup(name: "\(name).output", size: widths[index],
                                        slices: outputs(name) + GroupSlices.inputs(of: "\(producers[index + 1]).conv")))
        }
        var stream = outputs(producers.last!) + GroupSlices.inputs(of: "\(afterStream).conv")
        for (index, block) in blocks.enumerated() {
            let prefix = "blocks.\(index)"
            stream += GroupSlices.inputs(of: "\(prefix).first.conv") + outputs("\(prefix).second")
            groups.append(PrunableGroup(name: "\(prefix).inner", size: block.first.conv.outputChannels,
                                        slices: outputs("\(prefix).first") + GroupSlices.inputs(of: "\(prefix).second.conv")))
        }
        groups.append(PrunableGroup(name: "residual", size: widths.last!, slices: stream))
        for (index, up) in ups.enumerated() {
            let reader = index + 1 < ups.count ? "up.\(index + 1)" : "output"
            groups.append(PrunableGroup(name: "up.\(index).output", size: up.conv.outputChannels,
                                        slices: outputs("up.\(index)") + GroupSlices.inputs(of: "\(reader).conv")))
        }
        return groups
    }
}
