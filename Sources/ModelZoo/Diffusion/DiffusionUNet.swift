import Foundation
import PruningCore

/// A small text-conditioned diffusion U-Net for 28×28 images: a stem, two levels of residual
/// blocks with strided downsampling, a middle of two residual blocks around multi-head
/// self-attention at 7×7, and a mirror decoder of nearest upsampling, concatenated skip features
/// and residual blocks; GroupNorm throughout; the step and the prompt embedding enter every
/// residual block through FiLM (``DiffusionResidualBlock``). It predicts `v`
/// (``NoiseSchedule/velocity(clean:noise:steps:)``).
///
/// Gate sites for prompt-routed pruning: the inner channels of each of the six residual blocks
/// (in whole GroupNorm groups), the attention heads, and each residual block's depth gate —
/// passed per sample in ``Masks``; ``prune(keptGroups:keptHeads:)`` removes what hard masks drop.
public final class DiffusionUNet: Module {
    /// The architecture of a ``DiffusionUNet``.
    public struct Configuration: Sendable, Codable, Equatable {
        /// The image channels.
        public var imageChannels: Int
        /// The widths of the three levels (28×28, 14×14, 7×7).
        public var widths: [Int]
        /// The size of the prompt embedding.
        public var conditionSize: Int
        /// The size of the step-and-prompt embedding inside the network.
        public var embeddingSize: Int
        /// The channels of one GroupNorm group.
        public var groupSize: Int
        /// The attention heads at the lowest level.
        public var heads: Int

        /// A configuration (defaults: 16/32/64 channels, MiniLM's 384-dimensional embeddings).
        public init(imageChannels: Int = 1, widths: [Int] = [16, 32, 64], conditionSize: Int = 384, embeddingSize: Int = 128,
                    groupSize: Int = 4, heads: Int = 4) {
            self.imageChannels = imageChannels
            self.widths = widths
            self.conditionSize = conditionSize
            self.embeddingSize = embeddingSize
            self.groupSize = groupSize
            self.heads = heads
        }

        private enum CodingKeys: String, CodingKey { case imageChannels, widths, conditionSize, embeddingSize, groupSize, heads }

        /// Decodes a configuration, checking every count against the vision limits: three
        /// widths, each a multiple of the group size, the last a multiple of the head count, and
        /// at most ``VisionConfigurationLimits/maximumParameterCount`` parameters.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            typealias Limits = VisionConfigurationLimits
            imageChannels = try Limits.decode(.imageChannels, in: 1...Limits.maximumInputChannels, from: container)
            widths = try container.decode([Int].self, forKey: .widths)
            try Limits.check(widths.count, in: 3...3, key: .widths, container: container)
            for width in widths { try Limits.check(width, in: 1...Limits.maximumWidth, key: .widths, container: container) }
            conditionSize = try Limits.decode(.conditionSize, in: 1...Limits.maximumWidth, from: container)
            embeddingSize = try Limits.decode(.embeddingSize, in: 1...Limits.maximumWidth, from: container)
            groupSize = try Limits.decode(.groupSize, in: 1...Limits.maximumWidth, from: container)
            heads = try Limits.decode(.heads, in: 1...Limits.maximumWidth, from: container)
            for width in widths where width % groupSize != 0 {
                throw DecodingError.dataCorruptedError(forKey: .groupSize, in: container, debugDescription: "\(groupSize) does not divide the width \(width)")
            }
            guard widths[2] % heads == 0 else {
                throw DecodingError.dataCorruptedError(forKey: .heads, in: container, debugDescription: "\(heads) heads do not divide the width \(widths[2])")
            }
            let (w0, w1, w2) = (widths[0], widths[1], widths[2])
            let convolutions = 9 * (2 * w0 * w0 + 2 * w1 * w1 + 4 * w2 * w2 + (w2 + w1) * w1 + w1 * w1 + (w1 + w0) * w0 + w0 * w0 + w0 * w1 + w1 * w2)
            let parameters = convolutions + 4 * w2 * w2 + 2 * embeddingSize * (w0 + w1 + w2) * 4 + conditionSize * embeddingSize
            try Limits.check(parameters, in: 0...Limits.maximumParameterCount, key: .widths, container: container)
        }
    }

    /// Per-sample masks for the gate sites; nil entries keep everything.
    public struct Masks {
        /// Per residual block (``blocks`` order): the inner-channel mask `[batch, innerChannels]`.
        public var width: [Tensor?]
        /// The attention head mask `[batch, heads]`.
        public var heads: Tensor?
        /// Per residual block: the depth gate `[batch]`.
        public var depth: [Tensor?]

        /// Masks for `blockCount` residual blocks.
        public init(width: [Tensor?], heads: Tensor?, depth: [Tensor?]) {
            self.width = width
            self.heads = heads
            self.depth = depth
        }
    }

    /// The architecture it was built with.
    public let configuration: Configuration
    /// The stem convolution.
    public let stem: Conv2d
    /// The first linear map of the sinusoidal step features.
    public let time1: Linear
    /// The second linear map of the step features.
    public let time2: Linear
    /// The projection of the prompt embedding.
    public let condition: Linear
    /// The residual blocks: `down.0`, `down.1`, `mid.0`, `mid.1`, `up.1`, `up.0`.
    public let blocks: [DiffusionResidualBlock]
    /// The two strided 3×3 convolutions.
    public let downsamples: [Conv2d]
    /// The attention between the middle blocks.
    public let attention: DiffusionAttentionBlock
    /// GroupNorm before the output convolution.
    public let outputNorm: GroupNorm
    /// The output convolution.
    public let output: Conv2d
    /// Whether the module is in training mode.
    public var isTraining = true

    /// The names of the residual blocks, in ``blocks`` order.
    public static let blockNames = ["down.0", "down.1", "mid.0", "mid.1", "up.1", "up.0"]

    /// A network with PyTorch's default initialization drawn from `generator`.
    public init(configuration: Configuration, using generator: inout RandomGenerator) {
        precondition(configuration.widths.count == 3, "DiffusionUNet: three level widths, got \(configuration.widths)")
        self.configuration = configuration
        let (w0, w1, w2) = (configuration.widths[0], configuration.widths[1], configuration.widths[2])
        let e = configuration.embeddingSize, g = configuration.groupSize
        stem = Conv2d(inChannels: configuration.imageChannels, outChannels: w0, kernelSize: 3, padding: 1, using: &generator)
        time1 = Linear(inputCount: 64, outputCount: e, using: &generator)
        time2 = Linear(inputCount: e, outputCount: e, using: &generator)
        condition = Linear(inputCount: configuration.conditionSize, outputCount: e, using: &generator)
        blocks = [
            DiffusionResidualBlock(inputChannels: w0, outputChannels: w0, embeddingSize: e, groupSize: g, using: &generator),
            DiffusionResidualBlock(inputChannels: w1, outputChannels: w1, embeddingSize: e, groupSize: g, using: &generator),
            DiffusionResidualBlock(inputChannels: w2, outputChannels: w2, embeddingSize: e, groupSize: g, using: &generator),
            DiffusionResidualBlock(inputChannels: w2, outputChannels: w2, embeddingSize: e, groupSize: g, using: &generator),
            DiffusionResidualBlock(inputChannels: w2 + w1, outputChannels: w1, embeddingSize: e, groupSize: g, using: &generator),
            DiffusionResidualBlock(inputChannels: w1 + w0, outputChannels: w0, embeddingSize: e, groupSize: g, using: &generator),
        ]
        downsamples = [
            Conv2d(inChannels: w0, outChannels: w1, kernelSize: 3, stride: 2, padding: 1, using: &generator),
            Conv2d(inChannels: w1, outChannels: w2, kernelSize: 3, stride: 2, padding: 1, using: &generator),
        ]
        attention = DiffusionAttentionBlock(channels: w2, heads: configuration.heads, groupSize: g, using: &generator)
        outputNorm = GroupNorm(groupCount: w0 / g, channelCount: w0)
        output = Conv2d(inChannels: w0, outChannels: configuration.imageChannels, kernelSize: 3, padding: 1, using: &generator)
    }

    /// `stem`, `time1`, `time2`, `condition`, the blocks by name, `downsample.<i>`, `attention`,
    /// `outputNorm`, `output`.
    public var children: [(String, any Module)] {
        [("stem", stem as any Module), ("time1", time1), ("time2", time2), ("condition", condition)]
            + zip(Self.blockNames, blocks).map { ($0, $1 as any Module) }
            + downsamples.enumerated().map { ("downsample.\($0.offset)", $0.element as any Module) }
            + [("attention", attention), ("outputNorm", outputNorm), ("output", output)]
    }

    /// Sinusoidal features `[batch, 64]` of the steps (Vaswani et al., 2017; 32 frequencies from
    /// 1 to 1/10,000).
    public static func stepFeatures(_ steps: [Int]) -> Tensor {
        let half = 32
        var values = [Float](repeating: 0, count: steps.count * 2 * half)
        for (row, t) in steps.enumerated() {
            for i in 0..<half {
                let angle = Double(t) * Foundation.exp(-Foundation.log(10_000.0) * Double(i) / Double(half))
                values[row * 2 * half + i] = Float(Foundation.sin(angle))
                values[row * 2 * half + half + i] = Float(Foundation.cos(angle))
            }
        }
        return Tensor(shape: [steps.count, 2 * half], scalars: values)
    }

    /// The v-prediction for noised images `[batch, c, 28, 28]` at `steps`, given prompt
    /// embeddings `[batch, conditionSize]` and optional per-sample masks.
    public func callAsFunction(_ noised: Tensor, steps: [Int], condition prompt: Tensor, masks: Masks? = nil) -> Tensor {
        outputs(noised, steps: steps, condition: prompt, masks: masks).prediction
    }

    /// The v-prediction and the output of every residual block (``blocks`` order; each keeps
    /// the residual stream's shape whatever is pruned, which is what block-wise distillation
    /// compares).
    public func outputs(_ noised: Tensor, steps: [Int], condition prompt: Tensor, masks: Masks? = nil) -> (prediction: Tensor, blocks: [Tensor]) {
        precondition(noised.rank == 4 && noised.shape[2] % 4 == 0 && noised.shape[3] % 4 == 0 && steps.count == noised.shape[0]
                     && prompt.shape == [noised.shape[0], configuration.conditionSize],
                     "DiffusionUNet: images \(noised.shape), \(steps.count) steps and prompts \(prompt.shape) disagree")
        let e = time2(time1(Self.stepFeatures(steps)).silu()) + condition(prompt)
        var outputs: [Tensor] = []
        func block(_ index: Int, _ x: Tensor) -> Tensor {
            let y = blocks[index](x, embedding: e, widthMask: masks?.width[index], depthGate: masks?.depth[index])
            outputs.append(y)
            return y
        }
        let s0 = block(0, stem(noised))
        let s1 = block(1, downsamples[0](s0))
        var x = block(2, downsamples[1](s1))
        x = attention(x, headMask: masks?.heads)
        x = block(3, x)
        x = block(4, Tensor.concatenate([x.upsampleNearest2d(scale: 2), s1], alongAxis: 1))
        x = block(5, Tensor.concatenate([x.upsampleNearest2d(scale: 2), s0], alongAxis: 1))
        return (output(outputNorm(x).silu()), outputs)
    }
}
