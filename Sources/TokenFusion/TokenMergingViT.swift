import ModelZoo
import PruningCore

/// A Vision Transformer run with token reduction between the attention and the MLP of every
/// block — ToMe's `tome.patch.timm` (Bolya et al., 2023), ToFu, or EViT-style pruning —
/// classifying from the class token, which is protected and stays first.
///
/// ```swift
/// let merged = TokenMergingViT(model: vit, configuration: .tome(.constant(8)))
/// let logits = merged(images)   // [batch, classCount]
/// ```
///
/// With a configuration that removes nothing the logits are bit-identical to
/// `VisionTransformer/callAsFunction(_:)`. Gradients flow to the model's parameters, so the
/// wrapper can be used for fine-tuning with merging (train with `valueAndGradient(of:_:)` on
/// ``model``).
public final class TokenMergingViT {
    /// The model whose blocks are run.
    public let model: VisionTransformer
    /// The reduction settings; ``TokenFusionConfiguration/protectsClassToken`` must be on.
    public var configuration: TokenFusionConfiguration {
        didSet { Self.check(configuration) }
    }

    /// A wrapper running `model` with `configuration`.
    ///
    /// - Precondition: the configuration protects the class token.
    public init(model: VisionTransformer, configuration: TokenFusionConfiguration) {
        Self.check(configuration)
        self.model = model
        self.configuration = configuration
    }

    private static func check(_ configuration: TokenFusionConfiguration) {
        precondition(configuration.protectsClassToken,
                     "TokenMergingViT: the class token must be protected (it is classified from)")
    }

    /// The final tokens of `images` `[batch, channels, size, size]` with their sizes (class
    /// token first).
    public func tokens(_ images: Tensor) -> ReducedTokens {
        configuration.forward(model.embed(images), through: model.blocks)
    }

    /// The logits `[batch, classCount]`: `head(norm(class token))` after the reduced blocks.
    public func callAsFunction(_ images: Tensor) -> Tensor {
        model.classify(tokens(images).tokens)
    }
}

extension TokenMergingViT {
    /// The multiply–accumulates of one image's transformer blocks under ``configuration``: per
    /// block, the `qkv` and output projections and the two attention products on the block's
    /// input tokens, the MLP on its output tokens (the reduction happens between attention and
    /// MLP). The patch embedding and the head are the same for every configuration and left out.
    public var blockMultiplyAccumulates: Double {
        let architecture = model.configuration
        let (tokens, layers) = (architecture.patchCount + 1, architecture.depth)
        let counts = configuration.schedule.tokenCounts(initialTokenCount: tokens, layerCount: layers, protectedCount: 1)
        let (d, h) = (Double(architecture.width), Double(architecture.mlpHidden))
        return zip([tokens] + counts.dropLast(), counts).reduce(0.0) { total, layer in
            let (n, m) = (Double(layer.0), Double(layer.1))
            return total + 4 * d * d * n + 2 * n * n * d + 2 * d * h * m
        }
    }
}
