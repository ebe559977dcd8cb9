import ModelZoo
import PruningCore
import PruningTestSupport
import StructuralPruning
import Testing

@Suite("Classic channel criteria and budgeted selection")
struct ChannelBaselineTests {
    @Test("L1, BatchNorm-scale, Taylor and random scores on hand cases")
    func criteria() throws {
        let model = UserCNN()
        randomize(model, seed: 2)
        let gating = try ChannelGating(model: model)
        // Filter L1 norms: channel c of conv1 gets weights of magnitude c + 1 (9 taps, one input).
        model.conv1.weight.value = Tensor(shape: [6, 1, 3, 3], scalars: (0..<54).map { Float($0 / 9 + 1) * ($0 % 2 == 0 ? 1 : -1) })
        model.conv1.bias!.value = Tensor.zeros([6])
        let l1 = try ChannelImportance.l1Norm.scores(model, gating: gating)
        let expectedL1: [Double] = [9, 18, 27, 36, 45, 54]
        #expect(l1[0] == expectedL1)
        model.bn1.weight.value = Tensor([0.1, 3, -2, 0.5, 1, 0])
        let scale = try ChannelImportance.batchNormScale.scores(model, gating: gating)
        let magnitudes: [Float] = scale[0].map { Float($0) }
        #expect(magnitudes == [0.1, 3, 2, 0.5, 1, 0])
        // A channel nobody reads has zero Taylor importance (the others, with γ = 1 and β > 0, do not).
        model.bn1.weight.value = Tensor.ones([6])
        model.bn1.bias.value = Tensor(Array(repeating: 0.5, count: 6))
        var reads = model.conv2.weight.value.scalars
        for o in 0..<8 { for k in 0..<9 { reads[(o * 6 + 2) * 9 + k] = 0 } }
        model.conv2.weight.value = Tensor(shape: [8, 6, 3, 3], scalars: reads)
        let batch = ImageBatch(images: testTensor([4, 1, 8, 8], seed: 5), labels: [0, 1, 2, 1])
        let taylor = try ChannelImportance.taylor.scores(model, gating: gating, batches: [batch])
        let others: [Double] = taylor[0].enumerated().filter { $0.offset != 2 }.map(\.element)
        #expect(taylor[0][2] == 0)
        #expect(others.allSatisfy { $0 > 0 })
        #expect(throws: StructuralPruningError.self) { try ChannelImportance.taylor.scores(model, gating: gating) }
        let random = try ChannelImportance.random.scores(model, gating: gating, seed: 4)
        let again = try ChannelImportance.random.scores(model, gating: gating, seed: 4)
        #expect(random == again)
        let flat: [Double] = random.flatMap { $0 }
        #expect(flat.allSatisfy { $0 >= 0 && $0 < 1 })
    }

    @Test("Local selection keeps the same fraction per group, global one normalized ranking; both meet the budget from below")
    func selection() throws {
        let model = UserCNN()
        let cost = try ChannelCostModel(model: model, inputShape: [1, 8, 8], measure: .macs)
        let scores: [[Double]] = [[6, 5, 4, 3, 2, 1], [1, 1, 1, 1, 9, 9, 9, 9]]
        let local = try BudgetedChannelSelection(target: 0.5, scope: .local).masks(scores: scores, cost: cost)
        let keptLocal = local.map { GateSet.keptIndices($0) }
        #expect(keptLocal[0] == Array(0..<keptLocal[0].count))
        #expect(Set(keptLocal[1]).isSubset(of: [4, 5, 6, 7]) || keptLocal[1].count > 4)
        let fractions: (Double, Double) = (Double(keptLocal[0].count) / 6, Double(keptLocal[1].count) / 8)
        #expect(abs(fractions.0 - fractions.1) < 0.2)
        let ratio = Double(cost.count(hardMasks: local)) / cost.fullCost
        #expect(ratio <= 0.5 && ratio > 0.35, "\(ratio)")
        let global = try BudgetedChannelSelection(target: 0.5, scope: .global).masks(scores: scores, cost: cost)
        #expect(Double(cost.count(hardMasks: global)) / cost.fullCost <= 0.5)
        #expect(GateSet.keptIndices(global[1]).allSatisfy { $0 >= 4 })
        #expect(throws: StructuralPruningError.budgetOutOfRange(field: "target", value: 0)) {
            try BudgetedChannelSelection(target: 0, scope: .local)
        }
        #expect(throws: StructuralPruningError.self) {
            try BudgetedChannelSelection(target: 0.001, scope: .local).masks(scores: scores, cost: cost)
        }
    }
}

@Suite("Prune-then-fine-tune in one call")
struct ClassicChannelPruningTests {
    @Test("Every criterion and scope meets the prunable-FLOPs budget, removes channels and fine-tunes")
    func oneCall() throws {
        var random = RandomGenerator(seed: 8)
        let images = Tensor.randomNormal([64, 1, 8, 8], using: &random)
        let labels = (0..<64).map { $0 % 3 }
        let data = ImageClassificationDataSet(images: images, labels: labels, classCount: 3)
        for importance in ChannelImportance.allCases {
            for scope in BudgetedChannelSelection.Scope.allCases {
                let model = UserCNN(seed: 4)
                var tuning = ClassifierTraining(epochs: 1)
                tuning.batchSize = 16
                tuning.learningRate = 0.01
                let report = try ClassicChannelPruning(importance: importance, scope: scope, keptFraction: 0.5, fineTuning: tuning)
                    .run(model, inputShape: [1, 8, 8], gatedGroups: ["conv1.output", "conv2.output"],
                         training: data.prefix(48), validation: data.subset(Array(48..<64)))
                #expect(report.prunableRatio <= 0.5 && report.prunableRatio > 0.2, "\(importance) \(scope): \(report.prunableRatio)")
                #expect(report.flopsAfter < report.flopsBefore && report.parametersAfter < report.parametersBefore)
                #expect(report.kept.map(\.count) == [model.conv1.outputChannels, model.conv2.outputChannels])
                #expect((0...1).contains(report.accuracyFineTuned))
            }
        }
    }
}
