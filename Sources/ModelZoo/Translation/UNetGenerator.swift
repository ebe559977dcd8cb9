import PruningCore

/// pix2pix's U-Net generator at small scale: `levels` strided 4×4 encoder convolutions (widths
/// `w, 2w, 4w, 8w, 8w, …`), a mirror decoder that upsamples, convolves and concatenates the
/// encoder feature of the same resolution (the skip connections), and a last upsampling 3×3
/// convolution to the output channels (Isola et al., 2017, arXiv:1611.07004, §3.2.1 and the
/// appendix's `UnetGenerator`).
///
/// Differences from the reference, chosen for small grayscale images: 2× nearest upsampling
/// plus a 3×3 convolution instead of a 4×4 transposed convolution; no dropout; zero padding.
/// The encoder's first layer has no BatchNorm, as in the reference.
///
/// Input `[batch, inputChannels, H, W]` with `H` and `W` multiples of `2^levels`; output
/// `[batch, outputChannels, H, W]` in [−1, 1] (``Configuration/outputActivation`` `.tanh`) or
/// raw scores (`.identity`, a per-pixel classifier).
public final class UNetGenerator: Layer {
    /// The architecture of a ``UNetGenerator``.
    public struct Configuration: Sendable, Codable, Equatable {
        /// The channels of the input image or label map.
        public var inputChannels: Int
        /// The channels of the output.
        public var outputChannels: Int
        /// The width `w` of the first encoder level.
        public var baseWidth: Int
        /// The number of down-sampling levels (at least 2).
        public var levels: Int
        /// The last layer's activation.
        public var outputActivation: TranslationBlock.Activation

        /// A configuration.
        public init(inputChannels: Int, outputChannels: Int, baseWidth: Int = 32, levels: Int = 3,
                    outputActivation: TranslationBlock.Activation = .tanh) {
            self.inputChannels = inputChannels
            self.outputChannels = outputChannels
            self.baseWidth = baseWidth
            self.levels = levels
            self.outputActivation = outputActivation
        }

        /// The width of encoder level `level`: `w · 2^min(level, 3)`.
        public func width(ofLevel level: Int) -> Int { baseWidth << Swift.min(level, 3) }

        private enum CodingKeys: String, CodingKey {
            case inputChannels, outputChannels, baseWidth, levels, outputActivation
        }

        /// Decodes a configuration, checking every count against the vision limits and the network's
        /// size against ``VisionConfigurationLimits/maximumParameterCount``.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            typealias Limits = TranslationConfigurationLimits
            inputChannels = try Limits.count(.inputChannels, in: Limits.channels, from: container)
            outputChannels = try Limits.count(.outputChannels, in: Limits.channels, from: container)
            baseWidth = try Limits.count(.baseWidth, in: Limits.width, from: container)
            levels = try Limits.count(.levels, in: 2...Limits.levels.upperBound, from: container)
            outputActivation = try container.decode(TranslationBlock.Activation.self, forKey: .outputActivation)
            var parameters = 16 * inputChannels * width(ofLevel: 0) + 18 * width(ofLevel: 0) * outputChannels
            for level in 1..<levels { parameters += 16 * width(ofLevel: level - 1) * width(ofLevel: level) + 18 * width(ofLevel: level) * width(ofLevel: level - 1) }
            try VisionConfigurationLimits.check(parameters, in: 0...VisionConfigurationLimits.maximumParameterCount, key: .baseWidth, container: container)
        }
    }

    /// The architecture the model was built with (channel pruning changes the actual widths).
    public let configuration: Configuration
    /// The encoder levels, each halving the resolution.
    public let encoders: [TranslationBlock]
    /// The decoder levels: `decoders[k]` produces the feature concatenated with `encoders[k]`'s.
    public let decoders: [TranslationBlock]
    /// The last upsampling convolution to the output channels.
    public let output: TranslationBlock
    /// Whether the module is in training mode.
    public var isTraining = true

    /// A generator with PyTorch's default initialization drawn from `generator`.
    public init(configuration: Configuration, using generator: inout RandomGenerator) {
        precondition(configuration.levels >= 2, "UNetGenerator: levels = \(configuration.levels) must be at least 2")
        precondition(configuration.inputChannels > 0 && configuration.outputChannels > 0 && configuration.baseWidth > 0,
                     "UNetGenerator: channel counts must be positive")
        self.configuration = configuration
        let levels = configuration.levels
        var encoders: [TranslationBlock] = []
        var previous = configuration.inputChannels
        for level in 0..<levels {
            let width = configuration.width(ofLevel: level)
            encoders.append(TranslationBlock(
                inputChannels: previous, outputChannels: width, kernelSize: 4, stride: 2, padding: 1,
                normalized: level > 0, activation: .leakyReLU, using: &generator))
            previous = width
        }
        var decoders: [TranslationBlock?] = Array(repeating: nil, count: levels - 1)
        for k in (0..<(levels - 1)).reversed() {
            let input = k == levels - 2 ? configuration.width(ofLevel: levels - 1) : 2 * configuration.width(ofLevel: k + 1)
            decoders[k] = TranslationBlock(
                inputChannels: input, outputChannels: configuration.width(ofLevel: k), normalized: true, activation: .relu,
                upsamples: true, using: &generator)
        }
        self.encoders = encoders
        self.decoders = decoders.map { $0! }
        output = TranslationBlock(
            inputChannels: 2 * configuration.width(ofLevel: 0), outputChannels: configuration.outputChannels,
            normalized: false, activation: configuration.outputActivation, upsamples: true, using: &generator)
    }

    /// `encoder.<i>`, `decoder.<k>`, `output`.
    public var children: [(String, any Module)] {
        encoders.enumerated().map { ("encoder.\($0.offset)", $0.element as any Module) }
            + decoders.enumerated().map { ("decoder.\($0.offset)", $0.element as any Module) }
            + [("output", output)]
    }

    /// The translated images for `input` `[batch, inputChannels, H, W]`.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        let side = 1 << configuration.levels
        precondition(input.rank == 4 && input.shape[1] == encoders[0].conv.inputChannels
                     && input.shape[2] % side == 0 && input.shape[3] % side == 0,
                     "UNetGenerator: input \(input.shape) should be [batch, \(encoders[0].conv.inputChannels), H, W] with H, W multiples of \(side)")
        var features: [Tensor] = []
        var x = input
        for encoder in encoders {
            x = encoder(x)
            features.append(x)
        }
        var y = features[features.count - 1]
        for k in (0..<decoders.count).reversed() {
            y = Tensor.concatenate([decoders[k](y), features[k]], alongAxis: 1)
        }
        return output(y)
    }
}

extension UNetGenerator: ChannelPrunable {
    /// The channel groups:
    ///
    /// - `encoder.<i>.output`: encoder level `i`'s output rows (and BatchNorm), read by the next
    ///   encoder level and, through the skip connection, by the decoder layer that reads the
    ///   concatenation `[decoder.<i>, encoder.<i>]` (at the offset of the decoder's channels);
    ///   the deepest level is read by `decoder.<levels − 2>` alone.
    /// - `decoder.<k>.output`: decoder `k`'s output rows and BatchNorm, read by the next
    ///   decoder (or `output`) as the first part of its concatenated input.
    public var prunableGroups: [PrunableGroup] {
        func consumerOfLevel(_ k: Int) -> String { k == 0 ? "output" : "decoder.\(k - 1)" }
        func outputs(_ block: TranslationBlock, _ name: String) -> [ParameterSlice] {
            GroupSlices.outputs(of: "\(name).conv", bias: block.conv.bias != nil)
                + (block.norm == nil ? [] : GroupSlices.batchNorm("\(name).norm"))
        }
        var groups: [PrunableGroup] = []
        let last = encoders.count - 1
        for (i, encoder) in encoders.enumerated() {
            var slices = outputs(encoder, "encoder.\(i)")
            if i < last { slices += GroupSlices.inputs(of: "encoder.\(i + 1).conv") }
            if i == last {
                slices += GroupSlices.inputs(of: "decoder.\(last - 1).conv")
            } else {
                slices.append(ParameterSlice("\(consumerOfLevel(i)).conv.weight", axis: 1, offset: decoders[i].conv.outputChannels, role: .input))
            }
            groups.append(PrunableGroup(name: "encoder.\(i).output", size: encoder.conv.outputChannels, slices: slices))
        }
        for (k, decoder) in decoders.enumerated() {
            groups.append(PrunableGroup(
                name: "decoder.\(k).output", size: decoder.conv.outputChannels,
                slices: outputs(decoder, "decoder.\(k)") + GroupSlices.inputs(of: "\(consumerOfLevel(k)).conv")))
        }
        return groups
    }
}
