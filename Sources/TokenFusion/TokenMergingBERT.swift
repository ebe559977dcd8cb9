import ModelZoo
import PruningCore

/// A BERT encoder run with token reduction (ToMe, ToFu or EViT-style pruning) between the
/// attention and the feed-forward half of every layer, and sentence embeddings pooled by token
/// size.
///
/// Text needs three things ToMe's ViT patch does not: padding (each row is reduced on its real
/// tokens only, so an embedding does not depend on its batch), a `[CLS]` token to protect
/// (on by default, as a ViT's class token), and size-weighted mean pooling (as ToMe's MAE
/// patch) — plain mean pooling over merged tokens would weigh a token standing for five words
/// like one standing for one.
///
/// ```swift
/// let encoder = try SentenceEncoder.miniLM()
/// let merged = TokenMergingBERT(encoder: encoder.model, configuration: .tofu(.constant(8)))
/// let input = BERTInput(sequences: sentences.map { encoder.tokenizer.encode($0) })
/// let embeddings = merged.sentenceEmbeddings(input)   // [batch, 384], unit rows
/// ```
///
/// With a configuration that removes nothing the hidden states and embeddings are bit-identical
/// to `BERTEncoder/callAsFunction(_:)` and `SentenceEncoder/embed(_:)`. Gradients flow to the
/// encoder's parameters (train with `valueAndGradient(of:_:)` on ``encoder``).
///
/// What to expect on a CPU (all-MiniLM-L6-v2, 48 WikiText-2 passages of 128 tokens, batches of
/// 16, one thread): ToMe at r = 4, 8, 16 runs 1.11×, 1.28×, 1.63× faster (close to the
/// 1.12×, 1.25×, 1.66× the token counts predict) with mean cosine 0.988, 0.970, 0.871 to the
/// unreduced embeddings; MLERP everywhere keeps 0.989, 0.972, 0.880. `r` is a count per layer,
/// so short texts lose most of their tokens: a 6-token sentence keeps 2 after four layers at
/// r = 1, and its embedding changes a lot.
public final class TokenMergingBERT {
    /// The encoder whose layers are run.
    public let encoder: BERTEncoder
    /// The reduction settings.
    public var configuration: TokenFusionConfiguration

    /// A wrapper running `encoder` with `configuration`.
    public init(encoder: BERTEncoder, configuration: TokenFusionConfiguration) {
        self.encoder = encoder
        self.configuration = configuration
    }

    /// The final tokens of `input` with their sizes and padding.
    public func callAsFunction(_ input: BERTInput) -> ReducedTokens {
        configuration.forward(encoder.embeddings(input), validLengths: input.validLengths, through: encoder.layers)
    }

    /// The unit-length sentence embeddings `[batch, hidden]`: the size-weighted mean of the
    /// final real tokens, L2-normalized (all-MiniLM-L6-v2's pooling).
    public func sentenceEmbeddings(_ input: BERTInput) -> Tensor {
        SentenceEncoder.normalized(self(input).sizeWeightedMean())
    }
}
