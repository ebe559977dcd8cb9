import Foundation
import ModelZoo
import PruningCore

/// A LLaMA causal language model whose block projections may be factorized
/// (``LowRankLinear``): the output of the truncated-SVD baselines, which replace each weight
/// matrix by two thinner factors — a change that `LlamaModel` cannot express. Embeddings,
/// norms, the rotary embedding and the LM head are those of the source model.
///
/// It computes what `LlamaModel` computes for the same (effective) weights, and offers the
/// same evaluation entry points: ``logits(for:)`` and
/// ``perplexity(of:windowLength:prependBOS:)`` under the non-overlapping-window protocol.
public final class LowRankLlamaModel: Module {
    /// The source model's configuration (dense rotary pairs, full residual stream).
    public let configuration: LlamaConfiguration
    /// `embed_tokens`, `[vocab, hidden]`; also the LM head when the embeddings are tied.
    public let embedding: Embedding
    /// The decoder blocks.
    public let layers: [LowRankLlamaLayer]
    /// The final norm.
    public let finalNorm: RMSNorm
    /// `lm_head`, when the embeddings are not tied.
    public let languageModelHead: Linear?
    /// Whether the module is in training mode (no effect).
    public var isTraining = true
    /// The rotary embedding shared by every block.
    private let rotary: RotaryEmbedding

    /// A model from `source`'s embeddings, norms and head with the given blocks.
    ///
    /// - Precondition: `layers.count == source.layers.count`.
    public convenience init(source: LlamaModel, layers: [LowRankLlamaLayer]) {
        precondition(
            layers.count == source.layers.count,
            "LowRankLlamaModel: \(layers.count) blocks for a model of \(source.layers.count)")
        let configuration = source.configuration
        let finalNorm = RMSNorm(featureCount: configuration.hiddenSize, epsilon: configuration.rmsNormEpsilon)
        finalNorm.weight.value = source.finalNorm.weight.value
        self.init(
            configuration: configuration, embedding: Embedding(weight: source.embedding.weight.value), layers: layers,
            finalNorm: finalNorm, languageModelHead: source.languageModelHead.map { Linear(weight: $0.weight.value) })
    }

    /// A model from its parts (used when loading a saved model).
    init(
        configuration: LlamaConfiguration, embedding: Embedding, layers: [LowRankLlamaLayer], finalNorm: RMSNorm,
        languageModelHead: Linear?
    ) {
        self.configuration = configuration
        self.embedding = embedding
        self.finalNorm = finalNorm
        self.languageModelHead = languageModelHead
        self.layers = layers
        rotary = RotaryEmbedding(
            frequencies: configuration.rotaryFrequencies, maxPositions: configuration.maxPositions,
            pairing: configuration.ropePairing.rotaryPairing)
    }

    /// The embedding, blocks, final norm and (untied) LM head.
    public var children: [(String, any Module)] {
        var result: [(String, any Module)] = [("model.embed_tokens", embedding)]
        for (index, layer) in layers.enumerated() { result.append(("model.layers.\(index)", layer)) }
        result.append(("model.norm", finalNorm))
        if let languageModelHead { result.append(("lm_head", languageModelHead)) }
        return result
    }

    /// The parameters of the decoder blocks (projections and norms).
    public var blockParameterCount: Int { layers.reduce(0) { $0 + $1.parameterCount } }

    /// The final hidden states (after the final norm) for `tokens` (rows of equal length),
    /// `[batch, length, hidden]`.
    public func hiddenStates(for tokens: [[Int]]) -> Tensor {
        let length = tokens.first?.count ?? 0
        precondition(
            tokens.allSatisfy { $0.count == length } && length <= configuration.maxPositions,
            "LowRankLlamaModel: token rows \(tokens.map(\.count)) must share one length ≤ \(configuration.maxPositions)")
        var h = embedding(tokens.flatMap { $0 }, shape: [tokens.count, length])
        for layer in layers { h = layer(h, rotary: rotary, scale: configuration.attentionScale) }
        return finalNorm(h)
    }

    /// The LM head applied to hidden states `[..., hidden]`, giving `[..., vocab]`.
    public func logits(fromHiddenStates hidden: Tensor) -> Tensor {
        if let languageModelHead { return languageModelHead(hidden) }
        return hidden.matmul(embedding.weight.value, transposingOther: true)
    }

    /// Next-token logits `[batch, length, vocab]` for `tokens` (rows of equal length).
    public func logits(for tokens: [[Int]]) -> Tensor {
        logits(fromHiddenStates: hiddenStates(for: tokens))
    }

    /// The perplexity of `ids` under the protocol of `LlamaModel/perplexity(of:windowLength:prependBOS:)`:
    /// non-overlapping windows of `windowLength` tokens evaluated alone; without a BOS the first
    /// token of each window is not scored.
    ///
    /// - Returns: `exp` of the mean negative log-likelihood, that mean (nats), and the number of
    ///   scored tokens.
    /// - Precondition: as for `LlamaModel`: `windowLength ≥ 2` (1 with a BOS), the window fits
    ///   the positions, and a BOS is configured when `prependBOS` is set.
    public func perplexity(
        of ids: [Int], windowLength: Int, prependBOS: Bool = false
    ) -> (perplexity: Double, meanNegativeLogLikelihood: Double, tokenCount: Int) {
        precondition(windowLength >= (prependBOS ? 1 : 2), "LowRankLlamaModel.perplexity: windowLength \(windowLength) scores no token")
        let bos = configuration.bosTokenID
        precondition(!prependBOS || bos != nil, "LowRankLlamaModel.perplexity: prependBOS needs configuration.bosTokenID")
        let result = windowedPerplexity(of: ids, windowLength: windowLength, beginningOfSequence: prependBOS ? bos : nil)
        return (result.perplexity, result.meanNegativeLogLikelihood, result.tokenCount)
    }
}

extension LowRankLlamaModel: CausalLanguageModel {
    /// ``parameterCount``.
    public var totalParameterCount: Int { parameterCount }
    /// ``hiddenStates(for:)``.
    public func finalHiddenStates(for tokens: [[Int]]) -> Tensor { hiddenStates(for: tokens) }
    /// ``logits(fromHiddenStates:)``.
    public func outputLogits(fromHiddenStates hidden: Tensor) -> Tensor { logits(fromHiddenStates: hidden) }
}
