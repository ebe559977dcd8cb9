import ModelZoo
import PruningCore
import PruningTestSupport
import StructuralPruning
import Testing

/// A ResNet with one block of width 8 (8×8 positions) and one of width 16 (stride 2: 4×4).
private func tinyResNet(seed: UInt64 = 1) -> ResNet {
    var random = RandomGenerator(seed: seed)
    return ResNet(
        configuration: .init(inputChannels: 1, classCount: 3, stageWidths: [8, 16], blocksPerStage: [1, 1], stem: .cifar),
        using: &random)
}

/// Synthetic 8×8 images whose label depends on the sign of two image regions.
private func syntheticImages(_ count: Int, seed: UInt64 = 3) -> ImageClassificationDataSet {
    var random = RandomGenerator(seed: seed)
    let images = Tensor.randomNormal([count, 1, 8, 8], using: &random)
    let labels = (0..<count).map { i in
        let top = images.scalars[(i * 64)..<(i * 64 + 32)].reduce(0, +), bottom = images.scalars[(i * 64 + 32)..<(i * 64 + 64)].reduce(0, +)
        return top > 0 ? (bottom > 0 ? 2 : 1) : 0
    }
    return ImageClassificationDataSet(images: images, labels: labels, classCount: 3)
}

/// The environment of most tests: half the prunable FLOPs, `a_max` 0.75, at least 2 channels.
private func tinyEnvironment(_ model: ResNet, rewardSet: ImageClassificationDataSet = syntheticImages(16)) throws -> LayerwisePruningEnvironment<ResNet> {
    try LayerwisePruningEnvironment(
        model: model, inputShape: [1, 8, 8], keptFraction: 0.5, maximumRatio: 0.75, minimumChannels: 2, rewardSet: rewardSet)
}

@Suite("RLAL")
struct RLALTests {
    @Test("The environment's state on a hand-built ResNet: widths, FLOPs shares, removed and remaining FLOPs, actions so far")
    func state() throws {
        let model = tinyResNet()
        let environment = try tinyEnvironment(model)
        #expect(environment.layerCount == 2 && environment.stateSize == 9)
        // FLOPs per kept inner channel: block 1 (8 → k → 8, 8×8): 64 · (9·8 + 3 + 9·8) = 9408;
        // block 2 (8 → k → 16, stride 2, 4×4): 16 · (9·8 + 3 + 9·16) = 3504.
        let prunable = 8.0 * 9408 + 16.0 * 3504
        #expect(abs(environment.cost.prunableCost - prunable) < 0.5)
        let first = environment.state(layer: 0, keptCounts: [], actions: [])
        let expected: [Float] = [0, 0.5, Float(8 * 9408 / prunable), 0, Float(16 * 3504 / prunable), 0.5, 0, 0, 0]
        for (a, b) in zip(first, expected) { #expect(abs(a - b) < 1e-6, "\(first) vs \(expected)") }
        // After keeping 6 of 8 channels (ratio 0.25) in block 1.
        let second = environment.state(layer: 1, keptCounts: [6], actions: [0.25])
        let removed = Float(2 * 9408 / prunable)
        let expectedSecond: [Float] = [1, 1, Float(16 * 3504 / prunable), removed, 0, 0.5 - removed, 0.25, 0.25, 0]
        for (a, b) in zip(second, expectedSecond) { #expect(abs(a - b) < 1e-6, "\(second) vs \(expectedSecond)") }
    }

    @Test("Every episode's final architecture meets the FLOPs target; proposing nothing meets it to within one channel")
    func budget() throws {
        let model = tinyResNet()
        let environment = try tinyEnvironment(model)
        var random = RandomGenerator(seed: 5)
        let channel = 9408.0 / environment.cost.prunableCost
        for trial in 0..<60 {
            let episode = try environment.episode { _, _ in trial % 3 == 0 ? 0 : random.nextUniformDouble() }
            #expect(episode.prunableFraction <= 0.5 + 1e-9, "\(episode.keptCounts)")
            #expect(episode.ratios.allSatisfy { $0 >= 0 && $0 <= 0.75 + 1e-9 })
            #expect(episode.reward >= 0 && episode.reward <= 1)
            if trial % 3 == 0 { #expect(episode.prunableFraction > 0.5 - channel, "\(episode.keptCounts)") }
        }
        // An unreachable budget is refused with the reachable fraction in the message.
        #expect(throws: StructuralPruningError.self) {
            try LayerwisePruningEnvironment(model: model, inputShape: [1, 8, 8], keptFraction: 0.1, maximumRatio: 0.5, rewardSet: syntheticImages(4))
        }
    }

    @Test("The imagined episode has the real episode's states, and its continuous clip meets the budget exactly")
    func imagined() throws {
        let model = tinyResNet()
        let environment = try tinyEnvironment(model)
        // Ratios 0.5 keep whole channels (4 of 8, 8 of 16): the imagined states equal the real ones.
        let (states, ratios) = environment.imaginedEpisode(count: 2) { _, _ in Tensor.full([2, 1], 0.5) }
        let real = try environment.episode { _, _ in 0.5 }
        for layer in 0..<2 {
            for (a, b) in zip(states[layer].scalars.prefix(environment.stateSize), real.states[layer]) { #expect(abs(a - b) < 1e-6) }
            #expect(abs(ratios[layer].scalars[0] - Float(real.ratios[layer])) < 1e-6)
        }
        // Proposing nothing: the clip makes the last group remove what the budget still needs.
        let (_, forced) = environment.imaginedEpisode(count: 1) { _, _ in Tensor.zeros([1, 1]) }
        let removed = Double(forced[0].scalars[0]) * 8 * 9408 + Double(forced[1].scalars[0]) * 16 * 3504
        #expect(abs(removed / environment.cost.prunableCost - 0.5) < 1e-5, "\(forced.map(\.scalars))")
        // Block 2 may remove at most 12 of 16 channels (42,048 FLOPs of the 65,664 needed), so block 1
        // must remove the other 23,616: a ratio of 23,616 / (8 · 9408) ≈ 0.3138.
        #expect(abs(forced[1].scalars[0] - 0.75) < 1e-6 && abs(forced[0].scalars[0] - Float(23_616.0 / (8 * 9408))) < 1e-5)
    }

    @Test("The reward is the masked network's accuracy on the reward set (batch or running BatchNorm statistics), with the top filter-L1 channels kept")
    func reward() throws {
        let model = tinyResNet()
        let data = syntheticImages(40)
        let environment = try tinyEnvironment(model, rewardSet: data)
        let masks = environment.masks(keptCounts: [4, 8])
        let scores = try ChannelImportance.l1Norm.scores(model, gating: environment.gating)
        let top = Set(scores[0].indices.sorted { scores[0][$0] > scores[0][$1] }.prefix(4))
        #expect(Set(GateSet.keptIndices(masks[0])) == top)
        // By default BatchNorm uses the reward batch's statistics, and the running statistics survive.
        let before = model.namedParameters().filter(\.parameter.isBuffer).map(\.parameter.value.scalars)
        model.eval()
        model.visitModules { if $0 is BatchNorm { $0.isTraining = true } }
        let batchLogits = try withoutGradients { try environment.gating.withMasks(masks, on: model) { model(data.images) } }
        for (parameter, values) in zip(model.namedParameters().filter(\.parameter.isBuffer).map(\.parameter), before) {
            parameter.value = Tensor(shape: parameter.shape, scalars: values)
        }
        #expect(try environment.reward(keptCounts: [4, 8]) == accuracy(logits: batchLogits, labels: data.labels))
        #expect(model.namedParameters().filter(\.parameter.isBuffer).map(\.parameter.value.scalars) == before)
        // With the running statistics: the eval-mode masked accuracy.
        environment.usesBatchStatistics = false
        model.eval()
        let logits = try withoutGradients { try environment.gating.withMasks(masks, on: model) { model(data.images) } }
        #expect(try environment.reward(keptCounts: [4, 8]) == accuracy(logits: logits, labels: data.labels))
    }

    @Test("The decoder loss trains the epoch embeddings and the GRU: non-zero gradients equal to finite differences")
    func dynamicsGradients() throws {
        var random = RandomGenerator(seed: 11)
        let dynamics = RewardDynamicsModel(stateSize: 3, epochCapacity: 3, embeddingSize: 2, codeSize: 3, hidden: [5], using: &random)
        let transitions = (0..<9).map { i in
            PruningTransition(
                state: [Float(i) / 9, 0.5, -0.25], action: Float(i % 4) / 5, reward: 0.3 + 0.1 * Float(i / 3), epoch: i / 3)
        }
        let (_, gradients) = valueAndGradient(of: dynamics) { dynamics.loss(transitions) }
        let checked = [dynamics.embeddings.weight] + dynamics.recurrent.trainableParameters()
        for parameter in checked {
            let analytic = try #require(gradients[parameter]).scalars
            #expect(analytic.contains { abs($0) > 1e-6 }, "zero gradient for a parameter of shape \(parameter.shape)")
            let original = parameter.value
            for index in stride(from: 0, to: original.count, by: max(1, original.count / 6)) {
                func loss(_ delta: Float) -> Double {
                    var values = original.scalars
                    values[index] += delta
                    parameter.value = Tensor(shape: original.shape, scalars: values)
                    return Double(withoutGradients { dynamics.loss(transitions) }.scalars[0])
                }
                let h: Float = 1e-2
                let numeric = (loss(h) - loss(-h)) / Double(2 * h)
                parameter.value = original
                #expect(abs(numeric - Double(analytic[index])) <= 2e-3 + 2e-2 * abs(numeric), "entry \(index): \(numeric) vs \(analytic[index])")
            }
        }
    }

    @Test("With the code the decoder explains per-epoch reward shifts that the ablation cannot; the ablation has no embeddings")
    func codeHelpsFit() throws {
        var transitions: [PruningTransition] = []
        var random = RandomGenerator(seed: 2)
        for epoch in 0..<4 {
            for _ in 0..<24 {
                let action = random.nextUniform()
                transitions.append(PruningTransition(state: [0.5, 0.2], action: action, reward: 0.2 * Float(epoch) + 0.3 * action, epoch: epoch))
            }
        }
        var errors: [Double] = []
        for usesCode in [true, false] {
            var initialization = RandomGenerator(seed: 4)
            let dynamics = RewardDynamicsModel(
                stateSize: 2, epochCapacity: 4, embeddingSize: 4, codeSize: 4, hidden: [16], usesCode: usesCode, using: &initialization)
            if !usesCode { #expect(dynamics.trainableParameters().count == 4) }
            let optimizer = Adam(learningRate: 1e-2)
            for _ in 0..<300 {
                let (_, gradients) = valueAndGradient(of: dynamics) { dynamics.loss(transitions) }
                optimizer.update(dynamics, along: gradients)
            }
            errors.append(Double(withoutGradients { dynamics.loss(transitions) }.scalars[0]).squareRoot())
        }
        // The ablation's best is the within-epoch spread of the offsets, ≈ 0.2 · std(0,1,2,3) ≈ 0.22.
        #expect(errors[0] < 0.05 && errors[1] > 0.15, "\(errors)")
    }

    @Test("Seeded runs reproduce bit for bit; every epoch's incumbent meets the budget")
    func reproducible() throws {
        let data = syntheticImages(96)
        var settings = RLALConfiguration(keptFraction: 0.5)
        settings.warmUpEpochs = 1
        settings.searchEpochs = 2
        settings.randomSearchEpochs = 1
        settings.alignedEpochs = 1
        settings.fineTuneEpochs = 1
        settings.episodesPerEpoch = 3
        settings.decoderUpdates = 5
        settings.agentUpdates = 5
        settings.batchSize = 16
        settings.minimumChannels = 2
        settings.seed = 9
        func run() throws -> (RLAL<ResNet>, [RLALEpoch]) {
            let model = tinyResNet()
            let rlal = try RLAL(model: model, inputShape: [1, 8, 8], rewardSet: data.subset(Array(64..<80)), configuration: settings)
            let history = try rlal.run(training: data.prefix(64), validation: data.subset(Array(80..<96)))
            return (rlal, history)
        }
        let (first, a) = try run()
        let (second, b) = try run()
        func timeless(_ records: [RLALEpoch]) -> [RLALEpoch] { records.map { var r = $0; r.seconds = 0; return r } }
        #expect(timeless(a) == timeless(b))
        #expect(a.count == settings.totalEpochs)
        #expect(first.episodes == second.episodes)
        // The random phase explores: its episodes differ.
        #expect(Set(first.episodes[0].map(\.keptCounts)).count > 1, "\(first.episodes[0].map(\.keptCounts))")
        for (x, y) in zip(first.model.namedParameters(), second.model.namedParameters()) {
            #expect(x.parameter.value.scalars == y.parameter.value.scalars, "\(x.name)")
        }
        for record in a where record.phase == .search { #expect(record.incumbentPrunableFraction! <= 0.5 + 1e-9) }
        #expect(a.map(\.phase) == [.warmUp, .search, .search, .aligned, .fineTune])
    }

    @Test("The exported network computes what the masked one computes")
    func exportEqualsMasked() throws {
        let data = syntheticImages(48)
        var settings = RLALConfiguration(keptFraction: 0.5)
        settings.trainsWeights = false
        settings.usesEnvironmentCode = false
        settings.searchEpochs = 2
        settings.fineTuneEpochs = 0
        settings.episodesPerEpoch = 4
        settings.decoderUpdates = 3
        settings.agentUpdates = 3
        settings.minimumChannels = 2
        let model = tinyResNet(seed: 4)
        let reference = tinyResNet(seed: 4)
        let rlal = try RLAL(model: model, inputShape: [1, 8, 8], rewardSet: data.prefix(16), configuration: settings)
        try rlal.run(training: data.prefix(16), validation: data.subset(Array(16..<48)))
        let mask = try #require(rlal.alignmentMask)
        let gating = try ChannelGating(model: reference, gatedGroups: rlal.environment.gating.groups.map(\.name))
        reference.eval()
        model.eval()
        let masked = try withoutGradients { try gating.withMasks(mask, on: reference) { reference(data.images) } }
        let exported = withoutGradients { model(data.images) }
        #expect(maximumDifference(masked, exported) < 1e-4)
        #expect(model.prunableGroups.map(\.size) != reference.prunableGroups.map(\.size))
        #expect(throws: StructuralPruningError.self) { try rlal.export() }
    }

    @Test("Invalid settings are refused with the field named")
    func validation() {
        var settings = RLALConfiguration(keptFraction: 0.5)
        settings.randomSearchEpochs = 9
        #expect(throws: StructuralPruningError.invalidSetting(field: "randomSearchEpochs", value: 9, expected: "≤ searchEpochs (7)")) {
            try settings.validate()
        }
        settings = RLALConfiguration(keptFraction: 1.2)
        #expect(throws: StructuralPruningError.budgetOutOfRange(field: "keptFraction", value: 1.2)) { try settings.validate() }
        settings = RLALConfiguration(keptFraction: 0.5)
        settings.decoderLearningRate = .nan
        #expect(throws: StructuralPruningError.self) { try settings.validate() }
    }
}

@Suite("Default gated groups")
struct DefaultGroupTests {
    @Test("The CNN methods gate ResNet's inner, MobileNetV2's expanded and only those groups by default")
    func defaults() {
        var random = RandomGenerator(seed: 0)
        let resnet = ResNet.cifar(depth: 20, inputChannels: 1, classCount: 10, using: &random)
        let names = ChannelGating.defaultGroupNames(of: resnet)
        #expect(names.count == 9 && names.allSatisfy { $0.hasSuffix(".inner") })
        let mobile = MobileNetV2(widthMultiplier: 0.5, inputChannels: 1, classCount: 10, using: &random)
        let expanded = ChannelGating.defaultGroupNames(of: mobile)
        #expect(!expanded.isEmpty && expanded.allSatisfy { $0.hasSuffix(".expanded") })
        #expect(expanded.count == mobile.prunableGroups.filter { $0.name.hasSuffix(".expanded") }.count)
    }
}
