import Foundation
import PruningCore

/// A sentence-embedding model in the sentence-transformers layout (Reimers & Gurevych, 2019,
/// "Sentence-BERT", https://arxiv.org/abs/1908.10084): WordPiece tokens, a ``BERTEncoder``,
/// mean pooling over the real tokens, and L2 normalization — all-MiniLM-L6-v2's pipeline.
///
/// ```swift
/// let encoder = try SentenceEncoder.miniLM()
/// let e = encoder.embed(["A cat sits.", "A kitten is sitting."])   // [2, 384], unit rows
/// let cosine = (e.sliced(alongAxis: 0, 0..<1) * e.sliced(alongAxis: 0, 1..<2)).sum()
/// ```
public final class SentenceEncoder {
    /// The tokenizer.
    public let tokenizer: WordPieceTokenizer
    /// The transformer.
    public let model: BERTEncoder
    /// The longest token sequence, `[CLS]` and `[SEP]` included; longer texts are truncated.
    public var maximumLength: Int {
        didSet { Self.checkLength(maximumLength, model: model) }
    }

    /// An encoder from its parts.
    ///
    /// - Parameters:
    ///   - model: the transformer; set it to evaluation mode (`Module/eval()`) for
    ///     deterministic embeddings.
    ///   - tokenizer: the tokenizer whose vocabulary the model was trained on.
    ///   - maximumLength: the longest token sequence (256, sentence-transformers' setting for
    ///     all-MiniLM-L6-v2); at most the model's number of positions.
    public init(model: BERTEncoder, tokenizer: WordPieceTokenizer, maximumLength: Int = 256) {
        precondition(
            tokenizer.vocabularySize <= model.configuration.vocabularySize,
            "SentenceEncoder: the tokenizer's \(tokenizer.vocabularySize) entries exceed the model's vocabulary of \(model.configuration.vocabularySize)")
        Self.checkLength(maximumLength, model: model)
        self.model = model
        self.tokenizer = tokenizer
        self.maximumLength = maximumLength
    }

    private static func checkLength(_ length: Int, model: BERTEncoder) {
        precondition(
            length >= 2 && length <= model.configuration.maximumPositionCount,
            "SentenceEncoder: maximumLength \(length) is outside 2...\(model.configuration.maximumPositionCount) (the model's positions)")
    }

    /// An encoder read from a Hugging Face model folder's files, in evaluation mode.
    ///
    /// - Throws: ``BERTError`` for the configuration or the weights, ``WordPieceError`` for the
    ///   vocabulary.
    public static func load(
        configuration: URL, weights: URL, vocabulary: URL, maximumLength: Int = 256
    ) throws -> SentenceEncoder {
        let model = try BERTEncoder.pretrained(configuration: configuration, weights: weights)
        let tokenizer = try WordPieceTokenizer(vocabulary: vocabulary)
        return SentenceEncoder(model: model, tokenizer: tokenizer, maximumLength: maximumLength)
    }

    /// all-MiniLM-L6-v2 from the files ``ModelFiles/miniLM()`` locates.
    ///
    /// - Throws: ``ModelFilesError`` when the files are absent, or the errors of
    ///   ``load(configuration:weights:vocabulary:maximumLength:)``.
    public static func miniLM(maximumLength: Int = 256) throws -> SentenceEncoder {
        let files = try ModelFiles.miniLM()
        return try load(
            configuration: files.configuration, weights: files.weights, vocabulary: files.vocabulary,
            maximumLength: maximumLength)
    }

    /// The embedding width (the model's hidden size).
    public var dimension: Int { model.configuration.hiddenSize }

    /// The unit-length embeddings of `sentences`, `[sentences.count, dimension]`, in order.
    ///
    /// Sentences are encoded in batches of `batchSize`, longest first (so each batch holds
    /// sequences of similar length), without recording gradients. The padding mask makes each
    /// embedding independent of its batch.
    public func embed(_ sentences: [String], batchSize: Int = 32) -> Tensor {
        precondition(batchSize > 0, "SentenceEncoder.embed: batchSize \(batchSize) must be positive")
        let sequences = sentences.map { tokenizer.encode($0, maxLength: maximumLength) }
        let order = sequences.indices.sorted { sequences[$0].count > sequences[$1].count }
        let width = dimension
        var result = [Float](repeating: 0, count: sentences.count * width)
        for start in stride(from: 0, to: order.count, by: batchSize) {
            let rows = Array(order[start..<min(start + batchSize, order.count)])
            let input = BERTInput(sequences: rows.map { sequences[$0] }, paddingID: tokenizer.paddingID)
            embed(input).withUnsafeBufferPointer { embeddings in
                for (k, row) in rows.enumerated() {
                    for j in 0..<width { result[row * width + j] = embeddings[k * width + j] }
                }
            }
        }
        return Tensor(shape: [sentences.count, width], scalars: result)
    }

    /// The unit-length embeddings `[batchSize, dimension]` of an encoded batch, without
    /// recording gradients.
    public func embed(_ input: BERTInput) -> Tensor {
        withoutGradients { Self.normalized(Self.meanPooled(model(input), mask: input.maskTensor)) }
    }

    /// The mean of the hidden states over the real tokens: `Σₜ mₜ hₜ / max(Σₜ mₜ, 1e-9)`,
    /// sentence-transformers' `mean` pooling. Differentiable.
    ///
    /// - Parameters:
    ///   - hidden: `[batch, length, hidden]`.
    ///   - mask: `[batch, length]`, 1 on tokens and 0 on padding.
    /// - Returns: `[batch, hidden]`.
    public static func meanPooled(_ hidden: Tensor, mask: Tensor) -> Tensor {
        precondition(
            hidden.rank == 3 && mask.shape == [hidden.shape[0], hidden.shape[1]],
            "SentenceEncoder.meanPooled: mask \(mask.shape) does not match hidden states \(hidden.shape)")
        let weights = mask.reshaped(to: [mask.shape[0], mask.shape[1], 1])
        let counts = mask.sum(alongAxis: 1, keepingDimensions: true).clamped(min: 1e-9)
        return (hidden * weights).sum(alongAxis: 1) / counts
    }

    /// Each row of `x` `[batch, width]` divided by its Euclidean norm (at least 1e-12), as
    /// PyTorch's `F.normalize(x, p: 2, dim: 1)`. Differentiable.
    public static func normalized(_ x: Tensor) -> Tensor {
        precondition(x.rank == 2, "SentenceEncoder.normalized: input \(x.shape) must be [batch, width]")
        return x / x.norm(alongAxes: [1], keepingDimensions: true).clamped(min: 1e-12)
    }
}
