import Foundation
import ModelZoo
import PruningCore
import PruningTestSupport
import Testing

@Suite struct LLaMAActivationTests {
    @Test("captured activations of a pruned model have the documented shapes")
    func shapes() throws {
        let model = try tinyPrunedModel()
        let (logits, records) = withoutGradients {
            model.logits(for: tinyTokens, capturing: Set(LlamaActivationKind.allCases))
        }
        #expect(logits.shape == [2, 7, 64])
        #expect(records.map(\.layer) == [0, 1])
        let expected: [[LlamaActivationKind: [Int]]] = [
            [.blockInput: [2, 7, 32], .attentionInput: [2, 7, 24], .query: [2, 4, 7, 6], .key: [2, 2, 7, 6],
             .value: [2, 2, 7, 5], .attentionOutput: [2, 7, 20], .attentionProjection: [2, 7, 20],
             .attentionResidual: [2, 7, 32], .mlpInput: [2, 7, 28], .gateActivation: [2, 7, 30], .upProjection: [2, 7, 30],
             .mlpIntermediate: [2, 7, 30], .mlpOutput: [2, 7, 16], .blockOutput: [2, 7, 32]],
            [.blockInput: [2, 7, 32], .attentionInput: [2, 7, 32], .query: [2, 4, 7, 4], .key: [2, 2, 7, 4],
             .value: [2, 2, 7, 8], .attentionOutput: [2, 7, 32], .attentionProjection: [2, 7, 32],
             .attentionResidual: [2, 7, 32], .mlpInput: [2, 7, 32], .gateActivation: [2, 7, 20], .upProjection: [2, 7, 20],
             .mlpIntermediate: [2, 7, 20], .mlpOutput: [2, 7, 32], .blockOutput: [2, 7, 32]],
        ]
        for (layer, shapes) in expected.enumerated() {
            #expect(records[layer].tensors.count == LlamaActivationKind.allCases.count)
            for (kind, shape) in shapes { #expect(records[layer][kind]?.shape == shape, "layer \(layer) \(kind)") }
        }
    }

    @Test("captured intermediates agree with the layer's weights")
    func consistency() throws {
        let model = try tinyPrunedModel()
        let (logits, records) = withoutGradients {
            model.logits(for: tinyTokens, capturing: Set(LlamaActivationKind.allCases))
        }
        try withoutGradients {
            for (layer, record) in zip(model.layers, records) {
                let mlpInput = try #require(record[.mlpInput])
                // MLP intermediate = silu(gate(x)) · up(x), from the captured MLP input.
                let recomputed = layer.mlp.gateProjection(mlpInput).silu() * layer.mlp.upProjection(mlpInput)
                expectClose(try #require(record[.mlpIntermediate]), recomputed, relativeTolerance: 1e-6, absoluteTolerance: 1e-6)
                expectClose(try #require(record[.mlpOutput]), layer.mlp.downProjection(recomputed), relativeTolerance: 1e-6, absoluteTolerance: 1e-6)
                // Queries before the rotary embedding = q_proj(attention input), split into heads.
                let attentionInput = try #require(record[.attentionInput])
                let attention = layer.attention
                let query = attention.queryProjection(attentionInput)
                    .reshaped(to: [2, 7, attention.headCount, attention.queryKeyHeadDimension]).permuted([0, 2, 1, 3])
                #expect(try #require(record[.query]).scalars == query.scalars)
                // Attention input = input_layernorm(block input) at the selected dimensions.
                var normed = layer.inputNorm(try #require(record[.blockInput]))
                if let indices = layer.attentionInputIndices { normed = normed.indexSelect(indices, alongAxis: -1) }
                #expect(attentionInput.scalars == normed.scalars)
                #expect(try #require(record[.attentionProjection]).scalars == attention.outputProjection(try #require(record[.attentionOutput])).scalars)
            }
            #expect(records[0][.blockOutput]!.scalars == records[1][.blockInput]!.scalars)
            #expect(records[0][.blockInput]!.scalars == model.embeddings(for: tinyTokens).scalars)
            let final = model.logits(fromHiddenStates: model.finalNorm(records[1][.blockOutput]!))
            #expect(final.scalars == logits.scalars)
        }
    }

    @Test("activations(for:) stops after the last requested layer and records only what was asked")
    func partialCapture() throws {
        let model = try tinyLlamaModel()
        var seen: [Int] = []
        let hook = LlamaActivationHook(kinds: [.blockOutput]) { layer, _, _ in
            seen.append(layer)
            return nil
        }
        _ = withoutGradients { model.logits(for: tinyTokens, hook: hook) }
        #expect(seen == [0, 1])
        let records = withoutGradients { model.activations(for: tinyTokens, capturing: [.key, .mlpInput], layers: [0]) }
        #expect(records.count == 2)
        #expect(Set(records[0].tensors.keys) == [.key, .mlpInput])
        #expect(records[1].tensors.isEmpty)
    }

    @Test("a hook's replacement changes the computation (zeroing the MLP output = zero down_proj)")
    func replacement() throws {
        let configuration = tinyLlamaConfiguration()
        var weights = randomLlamaWeights(configuration)
        let model = try LlamaModel(configuration: configuration, weights: weights, naming: .huggingFace)
        let hook = LlamaActivationHook(kinds: [.mlpOutput], layers: [1]) { _, _, x in Tensor.zeros(x.shape) }
        let hooked = withoutGradients { model.logits(for: tinyTokens, hook: hook) }
        weights["model.layers.1.mlp.down_proj.weight"] = Tensor.zeros([32, 48])
        let zeroed = try LlamaModel(configuration: configuration, weights: weights, naming: .huggingFace)
        #expect(hooked.scalars == evaluate(zeroed).scalars)
        #expect(maximumDifference(hooked, evaluate(model)) > 1e-3)
    }

    @Test("a soft mask applied through a hook receives gradients")
    func maskGradients() throws {
        let model = try tinyLlamaModel()
        let mask = Tensor.full([48], 0.9).requiringGradient()
        let hook = LlamaActivationHook(kinds: [.mlpIntermediate]) { _, _, x in x * mask }
        let loss = crossEntropy(
            logits: model.logits(for: tinyTokens, hook: hook).reshaped(to: [-1, 64]), labels: tinyTokens.flatMap { $0 })
        let gradient = loss.gradients(withRespectTo: [mask])[0]
        #expect(gradient.shape == [48])
        #expect(gradient.scalars.allSatisfy { $0 != 0 && $0.isFinite })
    }
}
