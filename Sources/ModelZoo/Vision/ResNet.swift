import PruningCore

/// A residual network of ``BasicBlock``s (He et al., 2016, "Deep Residual Learning for Image
/// Recognition", arXiv:1512.03385), in the CIFAR layout (``cifar(depth:inputChannels:classCount:width:using:)``)
/// or the ResNet-18 layout (``small(blocksPerStage:widths:inputChannels:classCount:stem:using:)``).
///
/// Parameters are named as torchvision's ResNet: `conv1`, `bn1`, `layer1.0.conv1`, …,
/// `layer2.0.downsample.0`, …, `fc`. Shortcuts that change the channel count or the resolution
/// are 1×1 convolution + BatchNorm projections (the paper's option B; the CIFAR experiments of
/// the paper used option A, zero-padded identity, which has no parameters — option B adds
/// 2,752 parameters to ResNet-20 and keeps every channel group a plain slice).
///
/// Input `[batch, inputChannels, height, width]` (any size at least the total stride; 28×28
/// grayscale and 32×32 RGB both work), output logits `[batch, classCount]`.
///
/// ```swift
/// var random = RandomGenerator(seed: 0)
/// let model = ResNet.cifar(depth: 20, inputChannels: 1, classCount: 10, using: &random)
/// let logits = model(images)   // [batch, 10]
/// ```
public final class ResNet: Layer {
    /// How the first layers reduce the input.
    public enum Stem: String, Sendable, Codable, CaseIterable {
        /// A 3×3 convolution with stride 1 (the CIFAR ResNets; small inputs keep their size).
        case cifar
        /// A 7×7 convolution with stride 2, then 3×3 max pooling with stride 2 (ImageNet).
        case imageNet
    }

    /// The architecture of a ``ResNet``.
    public struct Configuration: Sendable, Codable, Equatable {
        /// The input image channels (1 for grayscale, 3 for RGB).
        public var inputChannels: Int
        /// The number of output classes.
        public var classCount: Int
        /// The channel count of each stage; the stem outputs `stageWidths[0]` channels.
        public var stageWidths: [Int]
        /// The number of blocks in each stage; every stage after the first halves the resolution.
        public var blocksPerStage: [Int]
        /// The stem.
        public var stem: Stem

        /// A configuration; `stageWidths` and `blocksPerStage` must have the same positive count.
        public init(inputChannels: Int, classCount: Int, stageWidths: [Int], blocksPerStage: [Int], stem: Stem) {
            self.inputChannels = inputChannels
            self.classCount = classCount
            self.stageWidths = stageWidths
            self.blocksPerStage = blocksPerStage
            self.stem = stem
        }

        /// The depth counted as in the paper: convolutions on the main path plus the classifier.
        public var depth: Int { 2 * blocksPerStage.reduce(0, +) + 2 }

        private enum CodingKeys: String, CodingKey {
            case inputChannels, classCount, stageWidths, blocksPerStage, stem
        }

        /// Decodes and checks a configuration: as many stages as block counts (1 to 8), every
        /// count within ``VisionConfigurationLimits``, and at most
        /// ``VisionConfigurationLimits/maximumParameterCount`` parameters.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            typealias Limits = VisionConfigurationLimits
            inputChannels = try Limits.decode(.inputChannels, in: 1...Limits.maximumInputChannels, from: container)
            classCount = try Limits.decode(.classCount, in: 1...Limits.maximumClassCount, from: container)
            stageWidths = try container.decode([Int].self, forKey: .stageWidths)
            blocksPerStage = try container.decode([Int].self, forKey: .blocksPerStage)
            stem = try container.decode(Stem.self, forKey: .stem)
            try Limits.check(stageWidths.count, in: 1...8, key: .stageWidths, container: container)
            guard blocksPerStage.count == stageWidths.count else {
                throw DecodingError.dataCorruptedError(
                    forKey: .blocksPerStage, in: container,
                    debugDescription: "\(blocksPerStage.count) block counts for \(stageWidths.count) stages")
            }
            for width in stageWidths { try Limits.check(width, in: 1...Limits.maximumWidth, key: .stageWidths, container: container) }
            for blocks in blocksPerStage { try Limits.check(blocks, in: 1...Limits.maximumDepth, key: .blocksPerStage, container: container) }
            // Two 3×3 convolutions per block, a 1×1 shortcut per stage, the stem and the classifier.
            var parameters = 49 * inputChannels * stageWidths[0] + (stageWidths.last! + 1) * classCount
            var previous = stageWidths[0]
            for (width, blocks) in zip(stageWidths, blocksPerStage) {
                parameters += 9 * width * (previous + width) + (2 * blocks - 1) * 9 * width * width + previous * width
                previous = width
            }
            try Limits.check(parameters, in: 0...Limits.maximumParameterCount, key: .stageWidths, container: container)
        }
    }

    /// The architecture the model was built with (channel pruning changes the actual widths).
    public let configuration: Configuration
    /// The stem convolution.
    public let conv1: Conv2d
    /// The stem BatchNorm.
    public let bn1: BatchNorm
    /// The stem's max pooling (ImageNet stem only).
    public let maxPool: MaxPool2d?
    /// The blocks of each stage (`layer1`, `layer2`, …).
    public let stages: [[BasicBlock]]
    private let stageSequences: [Sequential]
    /// The classifier on the globally average-pooled features.
    public let fc: Linear
    /// Whether the module is in training mode.
    public var isTraining = true

    /// A network with the given architecture and freshly initialized weights: Kaiming-normal
    /// (fan-out) convolutions, BatchNorm scale 1 and shift 0, PyTorch-default classifier.
    public init(configuration: Configuration, using generator: inout RandomGenerator) {
        let widths = configuration.stageWidths
        precondition(
            !widths.isEmpty && widths.count == configuration.blocksPerStage.count
                && widths.allSatisfy { $0 > 0 } && configuration.blocksPerStage.allSatisfy { $0 > 0 },
            "ResNet: stage widths \(widths) and blocks per stage \(configuration.blocksPerStage) must be positive and of equal count")
        self.configuration = configuration
        switch configuration.stem {
        case .cifar:
            conv1 = Initialization.convolution(configuration.inputChannels, widths[0], kernelSize: 3, using: &generator)
            maxPool = nil
        case .imageNet:
            conv1 = Initialization.convolution(configuration.inputChannels, widths[0], kernelSize: 7, stride: 2, using: &generator)
            maxPool = MaxPool2d(kernelSize: 3, stride: 2, padding: 1)
        }
        bn1 = BatchNorm(featureCount: widths[0])
        var stages: [[BasicBlock]] = []
        var channels = widths[0]
        for (index, (width, count)) in zip(widths, configuration.blocksPerStage).enumerated() {
            var blocks: [BasicBlock] = []
            for block in 0..<count {
                let stride = index > 0 && block == 0 ? 2 : 1
                blocks.append(BasicBlock(inputChannels: channels, outputChannels: width, stride: stride, using: &generator))
                channels = width
            }
            stages.append(blocks)
        }
        self.stages = stages
        stageSequences = stages.map { Sequential($0) }
        fc = Linear(inputCount: channels, outputCount: configuration.classCount, using: &generator)
    }

    /// A CIFAR-style ResNet (ResNet-20, -32, -44, -56, -110: `depth = 6n + 2`): a 3×3 stem,
    /// three stages of `n` basic blocks with `width`, `2·width` and `4·width` channels (16, 32,
    /// 64 by default), global average pooling and a linear classifier.
    ///
    /// - Precondition: `depth − 2` is a positive multiple of 6.
    public static func cifar(
        depth: Int = 20, inputChannels: Int = 3, classCount: Int = 10, width: Int = 16,
        using generator: inout RandomGenerator
    ) -> ResNet {
        precondition(depth > 2 && (depth - 2) % 6 == 0, "ResNet.cifar: depth \(depth) is not 6n + 2 (20, 32, 44, 56, 110)")
        let blocks = (depth - 2) / 6
        return ResNet(
            configuration: Configuration(
                inputChannels: inputChannels, classCount: classCount, stageWidths: [width, 2 * width, 4 * width],
                blocksPerStage: [blocks, blocks, blocks], stem: .cifar),
            using: &generator)
    }

    /// An ImageNet-style ResNet: by default the ResNet-18 layout (four stages of two blocks,
    /// 64–128–256–512 channels, 7×7 stride-2 stem with max pooling); narrower `widths` and the
    /// ``Stem/cifar`` stem give a small network for small images.
    public static func small(
        blocksPerStage: [Int] = [2, 2, 2, 2], widths: [Int] = [64, 128, 256, 512], inputChannels: Int = 3,
        classCount: Int = 1000, stem: Stem = .imageNet, using generator: inout RandomGenerator
    ) -> ResNet {
        ResNet(
            configuration: Configuration(
                inputChannels: inputChannels, classCount: classCount, stageWidths: widths,
                blocksPerStage: blocksPerStage, stem: stem),
            using: &generator)
    }

    /// `conv1`, `bn1`, `layer1` … `layerN`, `fc`.
    public var children: [(String, any Module)] {
        var result: [(String, any Module)] = [("conv1", conv1), ("bn1", bn1)]
        for (index, stage) in stageSequences.enumerated() { result.append(("layer\(index + 1)", stage)) }
        result.append(("fc", fc))
        return result
    }

    /// The pooled features `[batch, channels]` before the classifier.
    public func features(_ input: Tensor) -> Tensor {
        precondition(input.rank == 4 && input.shape[1] == conv1.inputChannels,
                     "ResNet: input \(input.shape) should be [batch, \(conv1.inputChannels), height, width]")
        var x = conv1(input, normalizedBy: bn1, relu: true)
        if let maxPool { x = maxPool(x) }
        for stage in stageSequences { x = stage(x) }
        return x.mean(alongAxes: [2, 3])
    }

    /// The output of every stage, `[batch, stageWidths[s], H_s, W_s]` from the first stage to
    /// the last — the multi-scale features an explainer's decoder reads (CIFAR stem on 28×28:
    /// 28×28, 14×14, 7×7). The last one, averaged over space, is ``features(_:)``.
    public func stageOutputs(_ input: Tensor) -> [Tensor] {
        precondition(input.rank == 4 && input.shape[1] == conv1.inputChannels,
                     "ResNet: input \(input.shape) should be [batch, \(conv1.inputChannels), height, width]")
        var x = conv1(input, normalizedBy: bn1, relu: true)
        if let maxPool { x = maxPool(x) }
        var outputs: [Tensor] = []
        for stage in stageSequences {
            x = stage(x)
            outputs.append(x)
        }
        return outputs
    }

    /// The logits `[batch, classCount]` for images `[batch, inputChannels, height, width]`.
    public func callAsFunction(_ input: Tensor) -> Tensor { fc(features(input)) }
}
