import Foundation
import ModelZoo
import PruningCore
import PruningTestSupport
import StructuralPruning
import Testing

@Suite("LLaMA structural baselines")
struct BaselineTests {
    @Test("Dependent pruning shares one residual subset across blocks and meets the budget within one dimension")
    func dependentPruning() throws {
        let model = try tinyModel()
        let calibration = randomSequences(count: 3, length: 10)
        for criterion in DependentDimensionPruning.Criterion.allCases {
            let result = try DependentDimensionPruning(keptFraction: 0.5, criterion: criterion).prune(model, calibration: calibration)
            let layers = result.model.configuration.layers
            let subset = layers[0].attentionInputIndices!
            #expect(subset.count == 12)
            #expect(layers.allSatisfy { [$0.attentionInputIndices, $0.attentionOutputIndices, $0.mlpInputIndices, $0.mlpOutputIndices].allSatisfy { $0 == subset } })
            #expect(layers.allSatisfy { $0.intermediateSize == nil })
            #expect(abs(result.keptFraction - 0.5) < 1.0 / 24)
        }
        #expect(throws: StructuralPruningError.textTooShort(field: "calibration", tokens: 0, needed: 2)) {
            try DependentDimensionPruning(keptFraction: 0.5, criterion: .activationEnergy).prune(model, calibration: [])
        }
        #expect(throws: StructuralPruningError.budgetOutOfRange(field: "keptFraction", value: 1)) {
            try DependentDimensionPruning(keptFraction: 1, criterion: .weightMagnitude)
        }
    }

    @Test("Selecting query heads equals zeroing those heads' attention outputs")
    func queryHeadSelection() throws {
        let model = try tinyModel()
        let tokens = randomSequences(count: 1, length: 7)
        let kept = [1, 2]  // one of heads {0, 1} and one of heads {2, 3}
        var selections = Array(repeating: LlamaLayerSelection(), count: 2)
        selections[1] = LlamaLayerSelection(queryHeads: kept)
        let pruned = model.selecting(selections)
        #expect(pruned.configuration.layers[1].headCount == 2)
        let zeroing = LlamaActivationHook(kinds: [.attentionOutput], layers: [1]) { _, _, x in
            let mask = Tensor((0..<24).map { kept.contains($0 / 6) ? 1 : 0 })
            return x * mask
        }
        let expected = withoutGradients { model.logits(for: tokens, hook: zeroing) }
        #expect(maximumDifference(withoutGradients { pruned.logits(for: tokens) }, expected) < 1e-5)
    }

    @Test("Taylor (LLM-Pruner-style) pruning keeps equal head groups, leaves the protected layers whole and meets the budget within 1 %")
    func taylorPruning() throws {
        let model = try tinyModel(tinyConfiguration(layers: 4))
        let calibration = randomSequences(count: 2, length: 12)
        let result = try TaylorHeadChannelPruning(keptFraction: 0.7, firstLayer: 1, protectedLastLayers: 1).prune(model, calibration: calibration)
        let layers = result.model.configuration.layers
        #expect(layers[0] == LlamaLayerConfiguration() && layers[3] == LlamaLayerConfiguration())
        #expect(layers[1].intermediateSize != nil && layers[1].intermediateSize == layers[2].intermediateSize)
        #expect(abs(result.keptFraction - 0.7) < 0.01, "\(result.keptFraction)")
        let importances = try TaylorHeadChannelPruning.importances(of: model, calibration: calibration, importance: .elementwise)
        #expect(importances[0].heads.count == 4 && importances[0].neurons.count == 40)
        #expect(importances.allSatisfy { $0.heads.allSatisfy { $0 >= 0 } })
        #expect(throws: StructuralPruningError.self) {
            try TaylorHeadChannelPruning(keptFraction: 0.5, firstLayer: 3, protectedLastLayers: 1).prune(model, calibration: calibration)
        }
    }
}
