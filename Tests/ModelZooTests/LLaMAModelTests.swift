import Foundation
import ModelZoo
import PruningCore
import PruningTestSupport
import Testing

// MARK: - Shared helpers for the LLaMA tests

/// The tiny test shape: 2 layers, hidden 32, 4 query / 2 key–value heads of 8, MLP 48,
/// vocabulary 64, 32 positions.
func tinyLlamaConfiguration(
    pairing: LlamaConfiguration.RopePairing = .halves, tied: Bool = true
) -> LlamaConfiguration {
    LlamaConfiguration(
        vocabularySize: 64, hiddenSize: 32, layerCount: 2, headCount: 4, keyValueHeadCount: 2, headDimension: 8,
        intermediateSize: 48, rmsNormEpsilon: 1e-5, ropeTheta: 10_000, ropePairing: pairing, tiedEmbeddings: tied,
        maxPositions: 32, bosTokenID: 1, eosTokenID: 2)
}

/// Random weights for `configuration` (Hugging Face names): matrices N(0, 0.3²), norm weights
/// uniform in [0.5, 1.5), so that every weight matters.
func randomLlamaWeights(_ configuration: LlamaConfiguration, seed: UInt64 = 5) -> [String: Tensor] {
    var random = RandomGenerator(seed: seed)
    var weights: [String: Tensor] = [:]
    for (name, shape) in configuration.parameterShapes() {
        weights[name] = shape.count == 1
            ? Tensor.randomUniform(shape, lower: 0.5, upper: 1.5, using: &random)
            : Tensor.randomNormal(shape, standardDeviation: 0.3, using: &random)
    }
    return weights
}

/// A tiny model with ``randomLlamaWeights(_:seed:)``.
func tinyLlamaModel(_ configuration: LlamaConfiguration = tinyLlamaConfiguration(), seed: UInt64 = 5) throws -> LlamaModel {
    try LlamaModel(configuration: configuration, weights: randomLlamaWeights(configuration, seed: seed), naming: .huggingFace)
}

/// Two rows of seven tokens.
let tinyTokens: [[Int]] = [[3, 17, 42, 5, 63, 0, 28], [9, 9, 31, 2, 50, 11, 7]]

/// Logits without recording gradients.
func evaluate(_ model: LlamaModel, _ tokens: [[Int]] = tinyTokens) -> Tensor {
    withoutGradients { model.logits(for: tokens) }
}

/// The largest absolute difference of two tensors of equal shape.
func maximumDifference(_ a: Tensor, _ b: Tensor) -> Float {
    precondition(a.shape == b.shape, "shapes \(a.shape) and \(b.shape) differ")
    return zip(a.scalars, b.scalars).reduce(0) { max($0, abs($1.0 - $1.1)) }
}

// MARK: - Model structure, caching and gradients

@Suite struct LLaMAModelTests {
    @Test("parameters carry Hugging Face names in configuration order")
    func parameterNames() throws {
        for tied in [true, false] {
            let configuration = tinyLlamaConfiguration(tied: tied)
            let model = try tinyLlamaModel(configuration)
            let names = model.namedParameters().map(\.name)
            #expect(names == configuration.parameterShapes().map(\.name))
            #expect(names.contains("model.layers.1.self_attn.q_proj.weight"))
            #expect(names.contains("model.layers.0.post_attention_layernorm.weight"))
            #expect(names.contains("lm_head.weight") == !tied)
            #expect(model.parameterCount == configuration.parameterCount)
        }
        // SmolLM2-135M: 134,515,008 weights (smollm2-gguf.md).
        #expect(LlamaConfiguration.smolLM2_135M.parameterCount == 134_515_008)
    }

    @Test("the forward pass gives [batch, length, vocab] and depends on earlier tokens only")
    func causality() throws {
        let model = try tinyLlamaModel()
        let logits = evaluate(model)
        #expect(logits.shape == [2, 7, 64])
        var changed = tinyTokens
        changed[0][4] = 1
        let other = evaluate(model, changed)
        // Positions before the change are untouched, the changed position and later ones move.
        let before = logits.sliced(alongAxis: 1, from: 0, count: 4)
        #expect(before.scalars == other.sliced(alongAxis: 1, from: 0, count: 4).scalars)
        #expect(maximumDifference(logits.sliced(alongAxis: 1, from: 4, count: 3), other.sliced(alongAxis: 1, from: 4, count: 3)) > 1e-3)
        // Row 1 is independent of row 0.
        #expect(logits.sliced(alongAxis: 0, from: 1, count: 1).scalars == other.sliced(alongAxis: 0, from: 1, count: 1).scalars)
    }

    @Test("KV-cached incremental decoding equals the full forward (1e-5)", arguments: [false, true])
    func incrementalDecoding(pruned: Bool) throws {
        let model = pruned ? try tinyPrunedModel() : try tinyLlamaModel()
        let full = evaluate(model)
        let caches = model.makeCaches()
        var pieces: [Tensor] = []
        var start = 0
        for chunk in [3, 1, 2, 1] {
            let tokens = tinyTokens.map { Array($0[start..<(start + chunk)]) }
            pieces.append(withoutGradients { model.logits(for: tokens, caches: caches) })
            start += chunk
        }
        #expect(caches.allSatisfy { $0.length == 7 })
        expectClose(Tensor.concatenate(pieces, alongAxis: 1), full, relativeTolerance: 1e-5, absoluteTolerance: 1e-5)
    }

    @Test("a loss gradient reaches every parameter", arguments: [false, true])
    func gradientsReachEveryParameter(pruned: Bool) throws {
        let model = pruned ? try tinyPrunedModel() : try tinyLlamaModel(tinyLlamaConfiguration(tied: false))
        let labels = tinyTokens.flatMap { Array($0.dropFirst()) + [0] }
        let (loss, gradients) = valueAndGradient(of: model) {
            crossEntropy(logits: model.logits(for: tinyTokens).reshaped(to: [-1, 64]), labels: labels)
        }
        #expect(loss.scalar.isFinite && loss.scalar > 0)
        for (name, parameter) in model.namedParameters() {
            let gradient = try #require(gradients[parameter], "no gradient for \(name)")
            #expect(gradient.shape == parameter.shape)
            #expect(gradient.scalars.contains { $0 != 0 }, "zero gradient for \(name)")
            let finite = gradient.scalars.allSatisfy { $0.isFinite }
            #expect(finite, "non-finite gradient for \(name)")
        }
    }

    @Test("gradients with respect to input embeddings match finite differences", arguments: [false, true])
    func embeddingGradients(pruned: Bool) throws {
        let model = pruned ? try tinyPrunedModel() : try tinyLlamaModel()
        let input = withoutGradients { model.embeddings(for: [[4, 20, 33]]) }
        // Central differences of step 3e-3 on inputs of order 0.3 (RMSNorm makes the function
        // strongly curved near small inputs, so the default step of 1e-2 is too coarse).
        checkGradients(
            of: { model.logits(embeddings: $0[0]) }, at: [input], step: 3e-3, relativeTolerance: 3e-2, absoluteTolerance: 5e-3)
    }

    @Test("tied models share the embedding as LM head; untied ones use lm_head")
    func tiedHead() throws {
        let model = try tinyLlamaModel()
        let hidden = withoutGradients { model.hiddenStates(for: tinyTokens) }
        let expected = hidden.matmul(model.embedding.weight.value, transposingOther: true)
        #expect(model.languageModelHead == nil)
        #expect(evaluate(model).scalars == expected.scalars)
        let untied = try tinyLlamaModel(tinyLlamaConfiguration(tied: false))
        let head = try #require(untied.languageModelHead)
        let states = withoutGradients { untied.hiddenStates(for: tinyTokens) }
        #expect(evaluate(untied).scalars == states.matmul(head.weight.value, transposingOther: true).scalars)
    }

    @Test("weights are checked by name and shape in the caller's naming")
    func weightErrors() throws {
        let configuration = tinyLlamaConfiguration(pairing: .interleaved)
        let (gguf, _) = try LlamaTensorNaming.ggufWeights(
            fromHuggingFace: randomLlamaWeights(tinyLlamaConfiguration()), configuration: tinyLlamaConfiguration())
        _ = try LlamaModel(configuration: configuration, weights: gguf)
        var missing = gguf
        missing["blk.1.ffn_up.weight"] = nil
        #expect(throws: LlamaWeightsError.missingTensor(name: "blk.1.ffn_up.weight")) {
            try LlamaModel(configuration: configuration, weights: missing)
        }
        var extra = gguf
        extra["output.weight"] = Tensor.zeros([64, 32])
        #expect(throws: LlamaWeightsError.unexpectedTensor(name: "output.weight")) {
            try LlamaModel(configuration: configuration, weights: extra)
        }
        var wrong = gguf
        wrong["blk.0.attn_k.weight"] = Tensor.zeros([8, 32])
        #expect(throws: LlamaWeightsError.shapeMismatch(name: "blk.0.attn_k.weight", expected: [16, 32], found: [8, 32])) {
            try LlamaModel(configuration: configuration, weights: wrong)
        }
        var invalid = configuration
        invalid.keyValueHeadCount = 3
        #expect(throws: LlamaConfigurationError.self) { try LlamaModel(configuration: invalid, weights: gguf) }
    }
}
