import Foundation
import ModelZoo
import PruningCore

/// The dynamic soft prompt of Wang et al. (EMNLP 2024): a small transformer, built from the
/// target's own configuration, maps the last prefix tokens to prompt vectors, so that every
/// prefix gets its own prompt.
///
/// At initialization its blocks are the identity (zeroed output projections) and its embedding
/// is a copy of the target's, so the prompt equals the ``DynamicHardPrompt`` of the same length
/// bit for bit; training moves it from there with the target frozen (``PromptTraining``).
/// LLaMA blocks use rotary positions, so there is no position table to zero as in the official
/// GPT-Neo code.
///
/// ```swift
/// let generator = try DynamicSoftPromptGenerator(target: model, configuration: .init(length: 16))
/// let report = try PromptTraining(configuration: .init(steps: 150)).train(generator, target: model, splits: splits)
/// let result = try ExtractionEvaluator().evaluate(model, prompt: generator, samples: splits.test)
/// ```
public final class DynamicSoftPromptGenerator: TrainablePrompt {
    /// The configuration it was built with.
    public let configuration: DynamicSoftPromptConfiguration
    /// The copied embedding table.
    public let embedding: Embedding
    /// The decoder blocks.
    public let blocks: [LlamaDecoderLayer]
    /// Whether the module is in training mode (no effect).
    public var isTraining = true

    /// A generator for `target`.
    ///
    /// - Throws: ``MemorizationError/invalidConfiguration(field:reason:)``.
    public init(target: LlamaModel, configuration: DynamicSoftPromptConfiguration = .init()) throws(MemorizationError) {
        try configuration.validate()
        var shape = target.configuration
        shape.layerCount = configuration.blockCount
        shape.layers = []
        var random = RandomGenerator(seed: configuration.seed)
        let model: LlamaModel
        do {
            model = try LlamaModel(configuration: shape, standardDeviation: configuration.standardDeviation, using: &random)
        } catch {
            throw .invalidConfiguration(field: "target", reason: "its configuration does not build generator blocks: \(error)")
        }
        for block in model.layers {
            block.attention.outputProjection.weight.value = Tensor.zeros(block.attention.outputProjection.weight.shape)
            block.mlp.downProjection.weight.value = Tensor.zeros(block.mlp.downProjection.weight.shape)
        }
        self.configuration = configuration
        let table = target.embedding.weight.value
        embedding = Embedding(weight: Tensor(shape: table.shape, scalars: table.scalars))
        if configuration.freezesEmbedding { embedding.weight.isFrozen = true }
        blocks = model.layers
    }

    /// `dynamic-soft` (`dynamic-soft-constant-input` for the constant-input ablation).
    public var methodName: String { configuration.constantInput ? "dynamic-soft-constant-input" : "dynamic-soft" }
    /// ``DynamicSoftPromptConfiguration/length``.
    public var length: Int { configuration.length }

    /// Refuses prefixes shorter than the prompt (unless the input is constant).
    public func validate(prefixLength: Int, vocabularySize: Int) throws(MemorizationError) {
        if !configuration.constantInput { try validateReadsTail(prefixLength: prefixLength) }
    }

    /// `embed_tokens` and `layers.N`.
    public var children: [(String, any Module)] {
        [("embed_tokens", embedding)] + blocks.enumerated().map { ("layers.\($0.offset)", $0.element as any Module) }
    }

    /// The embedding table (empty when frozen).
    public var embeddingParameters: [Parameter] { embedding.weight.isTrainable ? [embedding.weight] : [] }

    /// The generator's input ids for `prefixes`: each prefix's last ``length`` tokens, or
    /// `0..<length` with ``DynamicSoftPromptConfiguration/constantInput``.
    public func inputTokens(forPrefixes prefixes: [[Int]]) -> [[Int]] {
        if configuration.constantInput { return Array(repeating: Array(0..<length), count: prefixes.count) }
        return prefixes.map { DynamicHardPrompt.tail(of: $0, length: length) }
    }

    /// The residual stream after the readout blocks for each prefix, `[batch, length, hidden]`.
    public func embeddings(forPrefixes prefixes: [[Int]], target: LlamaModel) -> Tensor? {
        let ids = inputTokens(forPrefixes: prefixes)
        var h = embedding(ids.flatMap { $0 }, shape: [ids.count, length])
        for block in blocks.prefix(configuration.readoutBlocks) { h = block(h) }
        return h
    }
}
