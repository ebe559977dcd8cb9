import PruningCore

/// BERT's input embeddings: the sum of word, absolute position and token-type embeddings,
/// layer-normalized, then dropout (Devlin et al., 2019, "BERT", https://arxiv.org/abs/1810.04805).
///
/// Children named as in Hugging Face's `BertEmbeddings`: `word_embeddings` `[vocabulary,
/// hidden]`, `position_embeddings` `[positions, hidden]`, `token_type_embeddings` `[types,
/// hidden]`, `LayerNorm`. Positions count from 0 in every sequence (right padding).
public final class BERTEmbeddings: Module {
    /// The token embeddings, `word_embeddings`.
    public var wordEmbeddings: Embedding
    /// The learned absolute position embeddings, `position_embeddings`.
    public var positionEmbeddings: Embedding
    /// The segment embeddings, `token_type_embeddings`.
    public var tokenTypeEmbeddings: Embedding
    /// The normalization of the sum, `LayerNorm`.
    public var layerNorm: LayerNorm
    /// The dropout after the normalization (active in training mode only).
    public var dropout: Dropout
    /// Whether the module is in training mode.
    public var isTraining = true

    /// Embeddings for `configuration`, filled by `initializer`.
    ///
    /// - Parameters:
    ///   - configuration: the sizes, epsilon and dropout probability.
    ///   - initializer: the source of the initial weights.
    public init(configuration: BERTConfiguration, initializer: inout BERTParameterInitializer) {
        let hidden = configuration.hiddenSize
        wordEmbeddings = initializer.embedding(count: configuration.vocabularySize, dimension: hidden)
        positionEmbeddings = initializer.embedding(count: configuration.maximumPositionCount, dimension: hidden)
        tokenTypeEmbeddings = initializer.embedding(count: configuration.tokenTypeCount, dimension: hidden)
        layerNorm = LayerNorm(featureCount: hidden, epsilon: Float(configuration.layerNormEpsilon))
        dropout = initializer.dropout(probability: configuration.hiddenDropoutProbability)
    }

    /// The embedding tables and the normalization, named as in Hugging Face.
    public var children: [(String, any Module)] {
        [("word_embeddings", wordEmbeddings), ("position_embeddings", positionEmbeddings),
         ("token_type_embeddings", tokenTypeEmbeddings), ("LayerNorm", layerNorm), ("dropout", dropout)]
    }

    /// The embedded batch `[batchSize, length, hidden]`.
    ///
    /// - Precondition: the ids are in the vocabulary, the token types in `0..<types`, and
    ///   `input.length` does not exceed the number of positions.
    public func callAsFunction(_ input: BERTInput) -> Tensor {
        precondition(
            input.length <= positionEmbeddings.count,
            "BERTEmbeddings: sequence length \(input.length) exceeds the \(positionEmbeddings.count) position embeddings")
        let shape = [input.batchSize, input.length]
        let words = wordEmbeddings(input.tokenIDs, shape: shape)
        let types = tokenTypeEmbeddings(input.tokenTypeIDs, shape: shape)
        let positions = positionEmbeddings.weight.value.sliced(alongAxis: 0, from: 0, count: input.length)
        return dropout(layerNorm(words + types + positions))
    }
}
