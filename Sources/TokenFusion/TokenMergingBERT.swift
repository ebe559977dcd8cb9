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
/// to ``BERTEncoder/callAsFunction(_:)`` and ``SentenceEncoder/embed(_:)``. Gradients flow to the
/// encoder's parameters (train with ``valueAndGradient(of:_:)`` on ``encoder``).
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
