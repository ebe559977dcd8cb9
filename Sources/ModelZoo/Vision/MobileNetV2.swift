import PruningCore

/// MobileNetV2 (Sandler et al., 2018, "MobileNetV2: Inverted Residuals and Linear Bottlenecks",
/// arXiv:1801.04381): a 3×3 stem with 32 channels, seventeen ``InvertedResidual`` blocks, a 1×1
/// convolution to 1280 channels, global average pooling, dropout and a linear classifier.
///
/// Parameters are named as torchvision's `mobilenet_v2`: `features.0.0`/`features.0.1` (stem),
/// `features.1` … `features.17` (blocks), `features.18.0`/`features.18.1` (last convolution),
/// `classifier.1` (the linear layer after `classifier.0`, dropout).
///
/// **Strides for small inputs.** The ImageNet network reduces the resolution 32-fold (stem
/// stride 2, then strides 1, 2, 2, 2, 1, 2, 1 for the seven block groups). With
/// `smallInputs` (the default), the stem and the second block group (24 channels) use stride 1,
/// so the network reduces 8-fold: 32×32 → 4×4 and 28×28 → 4×4, the usual CIFAR adaptation.
///
/// Input `[batch, inputChannels, height, width]`, output logits `[batch, classCount]`.
public final class MobileNetV2: Layer {
    /// One row of the paper's Table 2: expansion factor *t*, output channels *c*, repeats *n*,
    /// stride *s* of the first block.
    public struct BlockGroup: Sendable, Equatable {
        /// The expansion factor *t*.
        public var expansionFactor: Int
        /// The output channels *c* before the width multiplier.
        public var outputChannels: Int
        /// The number of blocks *n*.
        public var count: Int
        /// The stride *s* of the first block.
        public var stride: Int
    }

    /// The paper's block groups (ImageNet strides).
    public static let standardBlockGroups: [BlockGroup] = [
        BlockGroup(expansionFactor: 1, outputChannels: 16, count: 1, stride: 1),
        BlockGroup(expansionFactor: 6, outputChannels: 24, count: 2, stride: 2),
        BlockGroup(expansionFactor: 6, outputChannels: 32, count: 3, stride: 2),
        BlockGroup(expansionFactor: 6, outputChannels: 64, count: 4, stride: 2),
        BlockGroup(expansionFactor: 6, outputChannels: 96, count: 3, stride: 1),
        BlockGroup(expansionFactor: 6, outputChannels: 160, count: 3, stride: 2),
        BlockGroup(expansionFactor: 6, outputChannels: 320, count: 1, stride: 1),
    ]

    /// The architecture: everything the initializer needs besides the weights (saved beside
    /// checkpoints and pruned models so they can be rebuilt).
    public struct Configuration: Sendable, Codable, Equatable {
        /// The width multiplier α.
        public var widthMultiplier: Float
        /// The image channels.
        public var inputChannels: Int
        /// The number of classes.
        public var classCount: Int
        /// Whether the 8-fold reduction for small images is used.
        public var smallInputs: Bool
        /// The classifier dropout.
        public var dropoutProbability: Double

        /// An architecture record (defaults as ``MobileNetV2/init(widthMultiplier:inputChannels:classCount:smallInputs:dropoutProbability:using:)``).
        public init(
            widthMultiplier: Float = 1, inputChannels: Int = 3, classCount: Int = 10, smallInputs: Bool = true,
            dropoutProbability: Double = 0.2
        ) {
            self.widthMultiplier = widthMultiplier
            self.inputChannels = inputChannels
            self.classCount = classCount
            self.smallInputs = smallInputs
            self.dropoutProbability = dropoutProbability
        }

        private enum CodingKeys: String, CodingKey {
            case widthMultiplier, inputChannels, classCount, smallInputs, dropoutProbability
        }

        /// Decodes and checks a configuration: a width multiplier in (0, 4], a dropout
        /// probability in [0, 1), channel and class counts within ``VisionConfigurationLimits``.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            typealias Limits = VisionConfigurationLimits
            widthMultiplier = try Limits.decode(.widthMultiplier, in: Float.leastNonzeroMagnitude...4, from: container)
            inputChannels = try Limits.decode(.inputChannels, in: 1...Limits.maximumInputChannels, from: container)
            classCount = try Limits.decode(.classCount, in: 1...Limits.maximumClassCount, from: container)
            smallInputs = try container.decode(Bool.self, forKey: .smallInputs)
            dropoutProbability = try Limits.decode(.dropoutProbability, in: 0...0.999_999, from: container)
        }
    }

    /// The architecture this network was built with (before any pruning).
    public let configuration: Configuration
    /// The stem convolution, its norm (followed by ReLU6).
    public let stem: (convolution: Conv2d, norm: BatchNorm)
    /// The seventeen inverted residual blocks.
    public let blocks: [InvertedResidual]
    /// The last 1×1 convolution and its norm (followed by ReLU6).
    public let head: (convolution: Conv2d, norm: BatchNorm)
    /// The classifier.
    public let classifier: Linear
    /// The dropout before the classifier.
    public let dropout: Dropout
    private let featureList: ModuleList
    private let classifierSequence: Sequential
    /// Whether the module is in training mode.
    public var isTraining = true

    /// A network whose channel counts are the paper's times `widthMultiplier`, rounded to
    /// multiples of 8 as in the reference implementation (the last convolution keeps at least
    /// 1280 channels).
    ///
    /// - Parameters:
    ///   - widthMultiplier: the width multiplier α (1 in the paper's base model).
    ///   - inputChannels: the image channels.
    ///   - classCount: the number of classes.
    ///   - smallInputs: use the 8-fold reduction for 28×28 or 32×32 images (see the type's
    ///     documentation); false gives the ImageNet strides.
    ///   - dropoutProbability: the classifier dropout (0.2 in the reference implementation).
    ///   - generator: the source of the initial weights and of the dropout seed.
    public init(
        widthMultiplier: Float = 1, inputChannels: Int = 3, classCount: Int = 10, smallInputs: Bool = true,
        dropoutProbability: Double = 0.2, using generator: inout RandomGenerator
    ) {
        precondition(widthMultiplier > 0, "MobileNetV2: width multiplier \(widthMultiplier) must be positive")
        configuration = Configuration(
            widthMultiplier: widthMultiplier, inputChannels: inputChannels, classCount: classCount, smallInputs: smallInputs,
            dropoutProbability: dropoutProbability)
        func scaled(_ channels: Int) -> Int { Self.roundedChannels(Float(channels) * widthMultiplier) }
        let stemChannels = scaled(32)
        let stemConvolution = Initialization.convolution(
            inputChannels, stemChannels, kernelSize: 3, stride: smallInputs ? 1 : 2, using: &generator)
        let stemNorm = BatchNorm(featureCount: stemChannels)
        stem = (stemConvolution, stemNorm)
        var features: [(String, any Module)] = [("0", Sequential([stemConvolution, stemNorm, ReLU6()]))]
        var blocks: [InvertedResidual] = []
        var channels = stemChannels
        for (groupIndex, group) in Self.standardBlockGroups.enumerated() {
            let output = scaled(group.outputChannels)
            let firstStride = smallInputs && groupIndex == 1 ? 1 : group.stride
            for repeatIndex in 0..<group.count {
                let block = InvertedResidual(
                    inputChannels: channels, outputChannels: output, stride: repeatIndex == 0 ? firstStride : 1,
                    expansionFactor: group.expansionFactor, using: &generator)
                blocks.append(block)
                features.append(("\(blocks.count)", block))
                channels = output
            }
        }
        let lastChannels = Self.roundedChannels(1280 * max(1, widthMultiplier))
        let headConvolution = Initialization.convolution(channels, lastChannels, kernelSize: 1, using: &generator)
        let headNorm = BatchNorm(featureCount: lastChannels)
        head = (headConvolution, headNorm)
        features.append(("\(blocks.count + 1)", Sequential([headConvolution, headNorm, ReLU6()])))
        self.blocks = blocks
        featureList = ModuleList(features)
        dropout = Dropout(probability: dropoutProbability, seed: generator.next())
        let bound = 1 / Float(lastChannels).squareRoot()
        classifier = Linear(
            weight: Tensor.randomUniform([classCount, lastChannels], lower: -bound, upper: bound, using: &generator),
            bias: Tensor.zeros([classCount]))
        classifierSequence = Sequential([dropout, classifier])
    }

    /// A network with the architecture `configuration` and freshly initialized weights.
    public convenience init(configuration: Configuration, using generator: inout RandomGenerator) {
        self.init(
            widthMultiplier: configuration.widthMultiplier, inputChannels: configuration.inputChannels,
            classCount: configuration.classCount, smallInputs: configuration.smallInputs,
            dropoutProbability: configuration.dropoutProbability, using: &generator)
    }

    /// The reference implementation's channel rounding: the nearest multiple of 8, at least 8,
    /// and not below 90% of `channels`.
    public static func roundedChannels(_ channels: Float) -> Int {
        var rounded = max(8, Int(channels + 4) / 8 * 8)
        if Float(rounded) < 0.9 * channels { rounded += 8 }
        return rounded
    }

    /// `features` (the stem, the blocks and the last convolution) and `classifier`.
    public var children: [(String, any Module)] {
        [("features", featureList), ("classifier", classifierSequence)]
    }

    /// The pooled features `[batch, lastChannels]` before dropout and the classifier.
    public func features(_ input: Tensor) -> Tensor {
        precondition(input.rank == 4 && input.shape[1] == stem.convolution.inputChannels,
                     "MobileNetV2: input \(input.shape) should be [batch, \(stem.convolution.inputChannels), height, width]")
        var x = stem.norm(stem.convolution(input)).clamped(min: 0, max: 6)
        for block in blocks { x = block(x) }
        x = head.norm(head.convolution(x)).clamped(min: 0, max: 6)
        return x.mean(alongAxes: [2, 3])
    }

    /// The logits `[batch, classCount]` for images `[batch, inputChannels, height, width]`.
    public func callAsFunction(_ input: Tensor) -> Tensor { classifierSequence(features(input)) }
}
