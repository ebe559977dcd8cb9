import PruningCore

/// A Vision Transformer (Dosovitskiy et al., 2021, "An Image is Worth 16x16 Words: Transformers
/// for Image Recognition at Scale", arXiv:2010.11929): non-overlapping patches embedded by a
/// strided convolution, a learned class token, learned position embeddings, pre-norm
/// ``TransformerBlock``s, a final LayerNorm and a linear head on the class token.
///
/// Parameters are named as timm's `VisionTransformer`: `cls_token` `[1, 1, width]`, `pos_embed`
/// `[1, 1 + patches, width]`, `patch_embed.proj`, `blocks.N.{norm1, attn.qkv, attn.proj, norm2,
/// mlp.fc1, mlp.fc2}`, `norm`, `head`.
///
/// The blocks can be run one at a time (token merging between blocks): ``embed(_:)`` gives the
/// tokens, each of ``blocks`` maps tokens to tokens (``TransformerBlock/forward(_:mask:)`` also
/// returns the keys averaged over heads), and ``classify(_:)`` maps the final tokens to logits.
///
/// Input `[batch, inputChannels, imageSize, imageSize]`, output logits `[batch, classCount]`.
public final class VisionTransformer: Layer {
    /// The architecture of a ``VisionTransformer``.
    public struct Configuration: Sendable, Codable, Equatable {
        /// The side of the square input images.
        public var imageSize: Int
        /// The side of the square patches (it divides ``imageSize``).
        public var patchSize: Int
        /// The image channels.
        public var inputChannels: Int
        /// The number of classes.
        public var classCount: Int
        /// The token width.
        public var width: Int
        /// The number of blocks.
        public var depth: Int
        /// The number of attention heads (it divides ``width``).
        public var heads: Int
        /// The MLP hidden units per token width (4 in the paper).
        public var mlpRatio: Double

        /// A configuration; see the properties.
        public init(
            imageSize: Int, patchSize: Int, inputChannels: Int, classCount: Int, width: Int, depth: Int, heads: Int,
            mlpRatio: Double = 4
        ) {
            self.imageSize = imageSize
            self.patchSize = patchSize
            self.inputChannels = inputChannels
            self.classCount = classCount
            self.width = width
            self.depth = depth
            self.heads = heads
            self.mlpRatio = mlpRatio
        }

        /// The number of patches `(imageSize / patchSize)²`.
        public var patchCount: Int { (imageSize / patchSize) * (imageSize / patchSize) }
        /// The MLP hidden units `round(width · mlpRatio)`.
        public var mlpHidden: Int { Int((Double(width) * mlpRatio).rounded()) }

        private enum CodingKeys: String, CodingKey {
            case imageSize, patchSize, inputChannels, classCount, width, depth, heads, mlpRatio
        }

        /// Decodes and checks a configuration: patches that tile the image, heads that divide
        /// the width, an MLP ratio in (0, 16], sizes within ``VisionConfigurationLimits``.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            typealias Limits = VisionConfigurationLimits
            imageSize = try Limits.decode(.imageSize, in: 1...Limits.maximumImageSize, from: container)
            patchSize = try Limits.decode(.patchSize, in: 1...imageSize, from: container)
            guard imageSize % patchSize == 0 else {
                throw DecodingError.dataCorruptedError(forKey: .patchSize, in: container, debugDescription: "\(patchSize) does not divide the image size \(imageSize)")
            }
            inputChannels = try Limits.decode(.inputChannels, in: 1...Limits.maximumInputChannels, from: container)
            classCount = try Limits.decode(.classCount, in: 1...Limits.maximumClassCount, from: container)
            width = try Limits.decode(.width, in: 1...Limits.maximumWidth, from: container)
            depth = try Limits.decode(.depth, in: 1...Limits.maximumDepth, from: container)
            heads = try Limits.decode(.heads, in: 1...width, from: container)
            guard width % heads == 0 else {
                throw DecodingError.dataCorruptedError(forKey: .heads, in: container, debugDescription: "\(heads) heads do not divide the width \(width)")
            }
            mlpRatio = try Limits.decode(.mlpRatio, in: 1e-6...16, from: container)
            let parameters = depth * width * width * Int(4 + 2 * mlpRatio) + patchSize * patchSize * inputChannels * width
            try Limits.check(parameters, in: 0...Limits.maximumParameterCount, key: .width, container: container)
        }
    }

    /// The architecture the model was built with (pruning changes heads and MLP widths).
    public let configuration: Configuration
    /// The patch embedding: a convolution with kernel and stride `patchSize`.
    public let patchEmbedding: Conv2d
    /// The class token `[1, 1, width]`.
    public let classToken: Parameter
    /// The position embeddings `[1, 1 + patches, width]` (class token first).
    public let positionEmbedding: Parameter
    /// The transformer blocks.
    public let blocks: [TransformerBlock]
    /// The final LayerNorm.
    public let norm: LayerNorm
    /// The classifier on the class token.
    public let head: Linear
    private let patchEmbeddingContainer: ModuleList
    private let blockSequence: Sequential
    /// Whether the module is in training mode.
    public var isTraining = true

    /// A model with the given architecture: truncated-normal (0.02) linear weights, class token
    /// and position embeddings, zero biases, PyTorch-default patch embedding.
    public init(configuration: Configuration, using generator: inout RandomGenerator) {
        let c = configuration
        precondition(c.patchSize > 0 && c.imageSize % c.patchSize == 0,
                     "VisionTransformer: patch size \(c.patchSize) does not divide image size \(c.imageSize)")
        precondition(c.depth > 0 && c.heads > 0 && c.width % c.heads == 0 && c.mlpHidden > 0,
                     "VisionTransformer: need depth > 0 and heads dividing width (depth \(c.depth), width \(c.width), heads \(c.heads))")
        self.configuration = c
        patchEmbedding = Conv2d(
            inChannels: c.inputChannels, outChannels: c.width, kernelSize: c.patchSize, stride: c.patchSize,
            using: &generator)
        patchEmbeddingContainer = ModuleList([("proj", patchEmbedding)])
        classToken = Parameter(Initialization.truncatedNormal([1, 1, c.width], standardDeviation: 0.02, using: &generator))
        positionEmbedding = Parameter(
            Initialization.truncatedNormal([1, 1 + c.patchCount, c.width], standardDeviation: 0.02, using: &generator))
        var blocks: [TransformerBlock] = []
        for _ in 0..<c.depth {
            blocks.append(TransformerBlock(width: c.width, heads: c.heads, mlpHidden: c.mlpHidden, using: &generator))
        }
        self.blocks = blocks
        blockSequence = Sequential(blocks)
        norm = LayerNorm(featureCount: c.width, epsilon: 1e-6)
        head = Initialization.transformerLinear(c.width, c.classCount, using: &generator)
    }

    /// A model built from the individual settings; see ``Configuration``.
    public convenience init(
        imageSize: Int, patchSize: Int, inputChannels: Int, classCount: Int, width: Int, depth: Int, heads: Int,
        mlpRatio: Double = 4, using generator: inout RandomGenerator
    ) {
        self.init(
            configuration: Configuration(
                imageSize: imageSize, patchSize: patchSize, inputChannels: inputChannels, classCount: classCount,
                width: width, depth: depth, heads: heads, mlpRatio: mlpRatio),
            using: &generator)
    }

    /// `cls_token` and `pos_embed`.
    public var ownParameters: [(String, Parameter)] { [("cls_token", classToken), ("pos_embed", positionEmbedding)] }

    /// `patch_embed`, `blocks`, `norm`, `head`.
    public var children: [(String, any Module)] {
        [("patch_embed", patchEmbeddingContainer), ("blocks", blockSequence), ("norm", norm), ("head", head)]
    }

    /// The input tokens `[batch, 1 + patches, width]`: the class token, then the patch
    /// embeddings in row-major patch order, plus the position embeddings.
    public func embed(_ images: Tensor) -> Tensor {
        let c = configuration
        precondition(
            images.rank == 4 && images.shape[1] == c.inputChannels && images.shape[2] == c.imageSize
                && images.shape[3] == c.imageSize,
            "VisionTransformer: images \(images.shape) should be [batch, \(c.inputChannels), \(c.imageSize), \(c.imageSize)]")
        let batch = images.shape[0]
        let patches = patchEmbedding(images).flattened(from: 2).transposed(1, 2)
        let classTokens = classToken.value.expanded(to: [batch, 1, c.width])
        return Tensor.concatenate([classTokens, patches], alongAxis: 1) + positionEmbedding.value
    }

    /// The logits `[batch, classCount]` from the final tokens `[batch, tokens, width]` (the
    /// class token first): `head(norm(tokens[:, 0]))`.
    public func classify(_ tokens: Tensor) -> Tensor {
        let classFeatures = tokens.sliced(alongAxis: 1, from: 0, count: 1).squeezed(at: 1)
        return head(norm(classFeatures))
    }

    /// The logits `[batch, classCount]`.
    public func callAsFunction(_ images: Tensor) -> Tensor { classify(blockSequence(embed(images))) }

    /// The logits and, for each block, the keys averaged over heads `[batch, tokens,
    /// headDimension]`.
    public func forwardReturningKeys(_ images: Tensor) -> (logits: Tensor, keys: [Tensor]) {
        var tokens = embed(images)
        var keys: [Tensor] = []
        for block in blocks {
            let (output, blockKeys) = block.forward(tokens)
            tokens = output
            keys.append(blockKeys)
        }
        return (classify(tokens), keys)
    }
}
