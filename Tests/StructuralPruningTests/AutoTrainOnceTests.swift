import ModelZoo
import PruningCore
import PruningTestSupport
import StructuralPruning
import Testing

@Suite("Auto-Train-Once")
struct AutoTrainOnceTests {
    @Test("The proximal group-lasso step on known vectors: shrink by λρη jointly over filter and BatchNorm, to zero below it")
    func proximalStep() throws {
        let model = UserCNN()
        let gating = try ChannelGating(model: model, gatedGroups: ["conv1.output"])
        // Channel 0: filter of nine 1s (norm² 9), bias 0, γ = 4, β = 0 → norm 5.
        var w = model.conv1.weight.value.scalars
        for k in 0..<9 { w[k] = 1 }
        model.conv1.weight.value = Tensor(shape: [6, 1, 3, 3], scalars: w)
        var b = model.conv1.bias!.value.scalars; b[0] = 0; b[1] = 0.1
        model.conv1.bias!.value = Tensor(b)
        model.bn1.weight.value = Tensor([4, 0.1, 1, 1, 1, 1])
        model.bn1.bias.value = Tensor.zeros([6])
        let before = model.conv1.weight.value.scalars
        let mask = Tensor([0, 0, 1, 1, 1, 1])
        // One gated group holds every switched-off channel, so ρ = 1; step λη = 2 → the norm 5 becomes 3.
        try GroupLassoProjection.apply(to: model, gating: gating, masks: [mask], step: 2)
        let after = model.conv1.weight.value.scalars
        for k in 0..<9 { #expect(abs(after[k] - 0.6) < 1e-6) }
        #expect(abs(model.bn1.weight.value.scalars[0] - 2.4) < 1e-6)
        // Channel 1's joint norm is below 2: it goes to exactly zero; kept channels are untouched.
        #expect(after[9..<18].allSatisfy { $0 == 0 } && model.bn1.weight.value.scalars[1] == 0 && model.conv1.bias!.value.scalars[1] == 0)
        #expect(Array(after[18...]) == Array(before[18...]))
        // Running statistics are not projected.
        #expect(model.bn1.runningMean.value.scalars == Tensor.zeros([6]).scalars)
    }

    @Test("A short run on synthetic images: the mask moves to the budget, switched-off channels shrink, the export equals the masked network")
    func shortRun() throws {
        var random = RandomGenerator(seed: 3)
        let images = Tensor.randomNormal([96, 1, 8, 8], using: &random)
        let labels = (0..<96).map { i in images.scalars[(i * 64)..<(i * 64 + 32)].reduce(0, +) > 0 ? 1 : (i % 3 == 0 ? 2 : 0) }
        let data = ImageClassificationDataSet(images: images, labels: labels, classCount: 3)
        let model = UserCNN(seed: 2)
        var settings = AutoTrainOnceConfiguration(keptFraction: 0.5, epochs: 8)
        settings.controllerStartEpoch = 0
        settings.groupLassoStartEpoch = 1
        settings.maskFreezeEpoch = 6
        settings.batchSize = 16
        settings.controllerInterval = 1
        settings.controllerLearningRate = 0.1
        settings.controller = .init(codeSize: 8, hiddenSize: 8, codes: .orthogonal, activation: .relu)
        let run = try AutoTrainOnce(model: model, inputShape: [1, 8, 8], gatedGroups: ["conv1.output", "conv2.output"], configuration: settings)
        let history = try run.train(training: data.prefix(64), controllerSet: data.subset(Array(64..<80)), validation: data.subset(Array(80..<96)))
        #expect(history.count == 8)
        #expect(history.first!.prunableRatio > 0.99)
        #expect(abs(history.last!.prunableRatio - 0.5) < 0.25, "\(history.map(\.prunableRatio))")
        #expect(history.allSatisfy { $0.trainingLoss.isFinite })
        let probe = Tensor.randomNormal([4, 1, 8, 8], using: &random)
        model.eval()
        let masked = try withoutGradients { try run.gating.withMasks(run.mask, on: model) { model(probe) } }
        let flopsBefore = ChannelCostModel.count(model, inputShape: [1, 8, 8], measure: .flops)
        try run.export()
        let exported = withoutGradients { model(probe) }
        #expect(maximumDifference(exported, masked) < 1e-5)
        #expect(ChannelCostModel.count(model, inputShape: [1, 8, 8], measure: .flops) < flopsBefore)
    }

    @Test("The schedule of short runs leaves the controller at least one epoch before the freeze")
    func shortSchedules() throws {
        for epochs in 1...30 {
            let settings = AutoTrainOnceConfiguration(keptFraction: 0.5, epochs: epochs)
            try settings.validate()
            #expect(settings.controllerStartEpoch < settings.maskFreezeEpoch, "E = \(epochs)")
        }
        // The official code's schedule for long runs: controller from ⌈E/10⌉, freeze at (E − 5)/2 + 5.
        let long = AutoTrainOnceConfiguration(keptFraction: 0.5, epochs: 245)
        #expect(long.controllerStartEpoch == 25 && long.maskFreezeEpoch == 125 && long.groupLassoStartEpoch == 49)
    }

    @Test("Bad settings name the field")
    func badSettings() {
        #expect(throws: StructuralPruningError.budgetOutOfRange(field: "keptFraction", value: 1.5)) {
            try AutoTrainOnce(model: UserCNN(), inputShape: [1, 8, 8], configuration: .init(keptFraction: 1.5, epochs: 4))
        }
        var settings = AutoTrainOnceConfiguration(keptFraction: 0.5, epochs: 4)
        settings.maskFreezeEpoch = 0
        #expect(throws: StructuralPruningError.self) { try AutoTrainOnce(model: UserCNN(), inputShape: [1, 8, 8], configuration: settings) }
    }
}
