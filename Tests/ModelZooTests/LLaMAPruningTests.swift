import Foundation
import ModelZoo
import PruningCore
import PruningTestSupport
import Testing

/// The first `count` entries of a seeded permutation of `0..<size` (distinct, unsorted).
func randomSubset(_ count: Int, of size: Int, seed: UInt64) -> [Int] {
    var random = RandomGenerator(seed: seed)
    return Array(random.permutation(size).prefix(count))
}

/// A pruning of the tiny model touching every structure: layer 0 keeps 30 MLP neurons,
/// different rotary pairs per key–value head, 5 value dimensions, and residual subsets; layer 1
/// keeps 20 neurons and two shared rotary pairs.
func tinyPrunedSelections() -> [LlamaLayerSelection] {
    [
        LlamaLayerSelection(
            intermediateIndices: randomSubset(30, of: 48, seed: 1), rotaryPairs: [[0, 3, 1], [2, 1, 3]],
            valueDimensions: [[0, 2, 5, 7, 1]], attentionInputIndices: randomSubset(24, of: 32, seed: 2),
            attentionOutputIndices: randomSubset(20, of: 32, seed: 3), mlpInputIndices: randomSubset(28, of: 32, seed: 4),
            mlpOutputIndices: randomSubset(16, of: 32, seed: 5)),
        LlamaLayerSelection(intermediateIndices: randomSubset(20, of: 48, seed: 6), rotaryPairs: [[1, 2]]),
    ]
}

/// The tiny model pruned with ``tinyPrunedSelections()``.
func tinyPrunedModel(pairing: LlamaConfiguration.RopePairing = .halves) throws -> LlamaModel {
    try tinyLlamaModel(tinyLlamaConfiguration(pairing: pairing)).selecting(tinyPrunedSelections())
}

/// Dense weights with everything a dense-index selection removes set to zero: a dense model
/// that computes what the pruned model computes.
func maskedWeights(
    _ dense: [String: Tensor], selections: [LlamaLayerSelection], configuration: LlamaConfiguration
) -> [String: Tensor] {
    var weights = dense
    let (heads, keyValueHeads, d) = (configuration.headCount, configuration.keyValueHeadCount, configuration.headDimension)
    func zero(_ name: String, rows: [Int]? = nil, columns: [Int]? = nil) {
        var w = weights[name]!
        let (rowCount, columnCount) = (w.shape[0], w.shape[1])
        w.withUnsafeMutableBufferPointer { p in
            for r in rows ?? [] { for c in 0..<columnCount { p[r * columnCount + c] = 0 } }
            for c in columns ?? [] { for r in 0..<rowCount { p[r * columnCount + c] = 0 } }
        }
        weights[name] = w
    }
    func complement(_ kept: [Int], _ size: Int) -> [Int] { (0..<size).filter { !kept.contains($0) } }
    for (index, selection) in selections.enumerated() {
        let p = "model.layers.\(index)."
        if let kept = selection.intermediateIndices {
            let removed = complement(kept, configuration.intermediateSize)
            zero(p + "mlp.gate_proj.weight", rows: removed)
            zero(p + "mlp.up_proj.weight", rows: removed)
            zero(p + "mlp.down_proj.weight", columns: removed)
        }
        if let lists = selection.rotaryPairs {
            for g in 0..<keyValueHeads {
                let kept = lists.count == 1 ? lists[0] : lists[g]
                let removedPairs = complement(kept, d / 2)
                let dims = LlamaTensorNaming.headDimensions(keepingPairs: removedPairs, headDimension: d, pairing: configuration.ropePairing)
                zero(p + "self_attn.k_proj.weight", rows: dims.map { g * d + $0 })
                for h in (g * heads / keyValueHeads)..<((g + 1) * heads / keyValueHeads) {
                    zero(p + "self_attn.q_proj.weight", rows: dims.map { h * d + $0 })
                }
            }
        }
        if let lists = selection.valueDimensions {
            for g in 0..<keyValueHeads {
                let removed = complement(lists.count == 1 ? lists[0] : lists[g], d)
                zero(p + "self_attn.v_proj.weight", rows: removed.map { g * d + $0 })
            }
        }
        if let kept = selection.attentionInputIndices {
            for name in ["q_proj", "k_proj", "v_proj"] {
                zero(p + "self_attn.\(name).weight", columns: complement(kept, configuration.hiddenSize))
            }
        }
        if let kept = selection.attentionOutputIndices {
            zero(p + "self_attn.o_proj.weight", rows: complement(kept, configuration.hiddenSize))
        }
        if let kept = selection.mlpInputIndices {
            zero(p + "mlp.gate_proj.weight", columns: complement(kept, configuration.hiddenSize))
            zero(p + "mlp.up_proj.weight", columns: complement(kept, configuration.hiddenSize))
        }
        if let kept = selection.mlpOutputIndices {
            zero(p + "mlp.down_proj.weight", rows: complement(kept, configuration.hiddenSize))
        }
    }
    return weights
}

@Suite struct LLaMAPruningTests {
    @Test("keeping every index, in order, computes exactly the dense model")
    func identitySelection() throws {
        let dense = try tinyLlamaModel()
        let all = LlamaLayerSelection(
            intermediateIndices: Array(0..<48), rotaryPairs: [Array(0..<4)], valueDimensions: [Array(0..<8), Array(0..<8)],
            attentionInputIndices: Array(0..<32), attentionOutputIndices: Array(0..<32),
            mlpInputIndices: Array(0..<32), mlpOutputIndices: Array(0..<32))
        let kept = dense.selecting([all, all])
        // The residual index lists are explicit, so the pruned code path (index_select /
        // index_add) runs; with every index in order it adds the same numbers.
        #expect(kept.layers[1].attentionInputIndices == Array(0..<32))
        #expect(kept.configuration.layers[0].intermediateSize == 48)
        #expect(evaluate(kept).scalars == evaluate(dense).scalars)
    }

    @Test("keeping every index in another order computes the dense model (1e-5)")
    func permutedSelection() throws {
        let dense = try tinyLlamaModel()
        let all = LlamaLayerSelection(
            intermediateIndices: Array((0..<48).reversed()), rotaryPairs: [[3, 2, 1, 0], [1, 0, 3, 2]],
            valueDimensions: [[7, 6, 5, 4, 3, 2, 1, 0]], attentionInputIndices: randomSubset(32, of: 32, seed: 8),
            attentionOutputIndices: randomSubset(32, of: 32, seed: 9), mlpInputIndices: randomSubset(32, of: 32, seed: 10),
            mlpOutputIndices: randomSubset(32, of: 32, seed: 11))
        let permuted = dense.selecting([all, all])
        #expect(permuted.configuration.layers[0].rotaryPairs == [[3, 2, 1, 0], [1, 0, 3, 2]])
        #expect(permuted.layers[0].attention.rotaries.count == 2)
        expectClose(evaluate(permuted), evaluate(dense), relativeTolerance: 1e-5, absoluteTolerance: 1e-5)
    }

    @Test("a pruned model equals the dense model with the removed weights zeroed (1e-5)", arguments: LlamaConfiguration.RopePairing.allCases)
    func prunedEqualsMaskedDense(pairing: LlamaConfiguration.RopePairing) throws {
        let configuration = tinyLlamaConfiguration(pairing: pairing)
        let dense = try tinyLlamaModel(configuration)
        let pruned = dense.selecting(tinyPrunedSelections())
        let masked = try LlamaModel(
            configuration: configuration,
            weights: maskedWeights(dense.weights(), selections: tinyPrunedSelections(), configuration: configuration),
            naming: .huggingFace)
        expectClose(evaluate(pruned), evaluate(masked), relativeTolerance: 1e-5, absoluteTolerance: 1e-5)
        #expect(maximumDifference(evaluate(pruned), evaluate(dense)) > 1e-3)
    }

    @Test("a pruned configuration records widths, kept frequencies and residual indices")
    func prunedConfiguration() throws {
        let pruned = try tinyPrunedModel()
        let configuration = pruned.configuration
        try configuration.validate()
        let first = configuration.dimensions(ofLayer: 0)
        #expect(first.intermediateSize == 30)
        #expect(first.rotaryPairs == [[0, 3, 1], [2, 1, 3]])
        #expect(first.queryKeyHeadDimension == 6)
        #expect(first.valueHeadDimension == 5)
        #expect(first.attentionInputIndices == randomSubset(24, of: 32, seed: 2))
        #expect(first.mlpOutputIndices == randomSubset(16, of: 32, seed: 5))
        let second = configuration.dimensions(ofLayer: 1)
        #expect(second.rotaryPairs == [[1, 2], [1, 2]] && second.sharesRotaryPairs)
        #expect(second.attentionInputIndices == nil && second.valueHeadDimension == 8)
        // The parameters have the shapes the configuration describes, and fewer weights remain.
        #expect(pruned.namedParameters().map { $0.parameter.shape } == configuration.parameterShapes().map(\.shape))
        #expect(pruned.layers[0].attention.queryProjection.weight.shape == [24, 24])
        #expect(pruned.layers[0].attention.outputProjection.weight.shape == [20, 20])
        #expect(pruned.parameterCount < tinyLlamaConfiguration().parameterCount)
        // Rebuilding from the configuration alone gives the same model.
        let rebuilt = try LlamaModel(configuration: configuration, weights: pruned.weights(), naming: .huggingFace)
        #expect(evaluate(rebuilt).scalars == evaluate(pruned).scalars)
    }

    @Test("selecting twice composes positions into dense indices")
    func composedSelection() throws {
        let dense = try tinyLlamaModel()
        let first = dense.selecting([
            LlamaLayerSelection(rotaryPairs: [[3, 1, 2]], attentionInputIndices: [5, 3, 9, 30, 12]),
            LlamaLayerSelection(intermediateIndices: [40, 2, 7, 19]),
        ])
        let twice = first.selecting([
            LlamaLayerSelection(rotaryPairs: [[2, 0]], attentionInputIndices: [1, 0, 4]),
            LlamaLayerSelection(intermediateIndices: [3, 1]),
        ])
        let once = dense.selecting([
            LlamaLayerSelection(rotaryPairs: [[2, 3]], attentionInputIndices: [3, 5, 12]),
            LlamaLayerSelection(intermediateIndices: [19, 2]),
        ])
        #expect(twice.configuration == once.configuration)
        #expect(twice.configuration.layers[0].attentionInputIndices == [3, 5, 12])
        #expect(evaluate(twice).scalars == evaluate(once).scalars)
    }
}
