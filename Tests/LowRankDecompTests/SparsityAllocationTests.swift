import Foundation
import LowRankDecomp
import ModelZoo
import PruningCore
import Testing

@Suite struct SparsityAllocationTests {
    @Test("without capping, φ = L · φ̄ · softmax(−BI/ε) (tolerance 1e-12)")
    func softmaxFormula() {
        let scores = [0.1, 0.3, 0.2, 0.05]
        let result = SparsityAllocation.blockInfluence(scores: scores, averageSparsity: 0.2, temperature: 0.5, maximum: 0.9)
        let exponentials = scores.map { exp(-$0 / 0.5) }
        let total = exponentials.reduce(0, +)
        for (value, e) in zip(result, exponentials) { #expect(abs(value - 4 * 0.2 * e / total) < 1e-12) }
        // More influential layers are pruned less.
        #expect(result[1] < result[2] && result[2] < result[0] && result[0] < result[3])
    }

    @Test("capped layers sit at the cap, the excess is redistributed, the mean is kept (1e-12)")
    func cappingRedistributes() {
        let scores = [0.0, 1.0, 1.0, 1.0]
        let result = SparsityAllocation.blockInfluence(scores: scores, averageSparsity: 0.4, temperature: 0.1, maximum: 0.6)
        #expect(abs(result[0] - 0.6) < 1e-12)
        #expect(abs(result.reduce(0, +) / 4 - 0.4) < 1e-12)
        // The three equal layers share the rest equally: (1.6 − 0.6) / 3.
        for value in result.dropFirst() { #expect(abs(value - 1.0 / 3) < 1e-12) }
        #expect(result.allSatisfy { $0 <= 0.6 + 1e-12 })
    }

    @Test("cascading caps: redistribution that pushes another layer over the cap is capped again")
    func cascadingCaps() {
        // Layer 1 is below the cap at first (0.60) and above it once layer 0's excess arrives.
        let scores = [0.0, 0.05, 0.2, 0.2, 0.2]
        let result = SparsityAllocation.blockInfluence(scores: scores, averageSparsity: 0.4, temperature: 0.1, maximum: 0.7)
        #expect(abs(result[0] - 0.7) < 1e-12 && abs(result[1] - 0.7) < 1e-12)
        for value in result.dropFirst(2) { #expect(abs(value - 0.2) < 1e-12) }
    }

    @Test("a high temperature approaches the uniform allocation")
    func highTemperatureIsUniform() {
        let result = SparsityAllocation.blockInfluence(
            scores: [0.1, 0.5, 0.9], averageSparsity: 0.3, temperature: 1e6, maximum: 0.8)
        for value in result { #expect(abs(value - 0.3) < 1e-6) }
        #expect(SparsityAllocation.uniform(layerCount: 3, averageSparsity: 0.3) == [0.3, 0.3, 0.3])
    }

    @Test("block influence is 1 − cos per token, averaged (tolerance 1e-12)")
    func blockInfluence() {
        var influence = BlockInfluence()
        let input = Tensor(shape: [1, 3, 2], scalars: [1, 0, 0, 2, 3, 4])
        let output = Tensor(shape: [1, 3, 2], scalars: [1, 1, 0, -5, 3, 4])
        influence.add(input: input, output: output)
        let first: Double = 1 - 1 / Double(2).squareRoot()    // 45°
        let expected: Double = (first + 2 + 0) / 3             // then opposite, then equal
        #expect(abs(influence.score - expected) < 1e-12)
        #expect(influence.tokenCount == 3)
    }

    @Test("layer widths: 0 keeps everything; all modules remove about the target; ablations shrink more")
    func layerWidths() {
        let configuration = LlamaConfiguration.smolLM2_135M
        let dimensions = configuration.dimensions(ofLayer: 0)
        let dense = LayerWidths(dimensions)
        #expect(LayerWidths(removing: 0, of: dimensions, hiddenSize: 576, modules: .all) == dense)
        let block = dense.blockParameterCount(headCount: 9, keyValueHeadCount: 3, hiddenSize: 576)
        #expect(block == 3_540_096)   // projections and norms of one SmolLM2 block
        for modules in [MoDeGPTModules.all, [.mlp], [.mlp, .keyQuery]] {
            let widths = LayerWidths(removing: 0.3, of: dimensions, hiddenSize: 576, modules: modules)
            let removed = 1 - Double(widths.blockParameterCount(headCount: 9, keyValueHeadCount: 3, hiddenSize: 576)) / Double(block)
            #expect(abs(removed - 0.3) < 0.01, "\(modules): removed \(removed)")
            if !modules.contains(.valueOutput) { #expect(widths.valueHeadDimension == 64) }
            if !modules.contains(.keyQuery) { #expect(widths.rotaryPairCount == 32) }
        }
    }
}
