import ModelZoo
import PruningCore
import PruningTestSupport
import Testing

@Suite struct VisionMLPTests {
    @Test("shapes, names and parameter count")
    func shapes() {
        var random = RandomGenerator(seed: 0)
        let model = MLPClassifier(inputCount: 12, hidden: [10, 6], classCount: 3, using: &random)
        #expect(model.namedParameters().map(\.name) == [
            "layers.0.weight", "layers.0.bias", "layers.2.weight", "layers.2.bias", "layers.4.weight", "layers.4.bias",
        ])
        #expect(model.parameterCount == 12 * 10 + 10 + 10 * 6 + 6 + 6 * 3 + 3)
        #expect(withoutGradients { model(testTensor([2, 12])) }.shape == [2, 3])
        #expect(withoutGradients { model(testTensor([2, 3, 2, 2])) }.shape == [2, 3])
        VisionTestHelpers.checkEveryParameterLearns(model, input: testTensor([4, 12]), labels: [0, 1, 2, 1])
    }

    @Test("hidden-unit groups prune by hand count and match zeroing")
    func pruning() throws {
        var random = RandomGenerator(seed: 1)
        let model = MLPClassifier(inputCount: 12, hidden: [10, 6], classCount: 3, using: &random)
        #expect(model.prunableGroups.map(\.name) == ["layers.0.output", "layers.2.output"])
        let count = model.parameterCount
        // Three of ten units: rows 3·12 + bias 3, next layer's columns 6·3.
        try model.pruneGroup("layers.0.output", keeping: [0, 2, 4, 5, 6, 8, 9])
        #expect(model.parameterCount == count - 57)
        #expect(model.linearLayers[1].weight.shape == [6, 7])
        try VisionTestHelpers.checkPruningMatchesZeroing(
            build: {
                var random = RandomGenerator(seed: 2)
                return MLPClassifier(inputCount: 12, hidden: [10, 6], classCount: 3, using: &random)
            },
            input: testTensor([3, 12], seed: 3))
    }
}
