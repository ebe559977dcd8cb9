import Foundation
import ModelZoo
import PruningCore
import PruningTestSupport
import StructuralPruning
import Testing

@Suite("GAN compression: translation networks, local density, peer-conditioned agents")
struct GANCompressionTests {
    @Test("U-Net and ResNet generators and the PatchGAN: the exported model equals the hard-gated one, costs equal the exported counts, and it reloads")
    func exportMatchesGating() throws {
        let unet = UNetGenerator.Configuration(inputChannels: 2, outputChannels: 1, baseWidth: 4, levels: 3)
        try ChannelTests().checkExport(
            build: { var r = RandomGenerator(seed: 1); return UNetGenerator(configuration: unet, using: &r) }, base: unet,
            make: { var r = RandomGenerator(seed: 9); return UNetGenerator(configuration: $0, using: &r) }, inputShape: [2, 16, 16], seed: 1)
        let resnet = ResNetGenerator.Configuration(inputChannels: 1, outputChannels: 1, baseWidth: 4, downsamplings: 2, blocks: 2)
        try ChannelTests().checkExport(
            build: { var r = RandomGenerator(seed: 2); return ResNetGenerator(configuration: resnet, using: &r) }, base: resnet,
            make: { var r = RandomGenerator(seed: 9); return ResNetGenerator(configuration: $0, using: &r) }, inputShape: [1, 16, 16], seed: 2)
        let patch = PatchDiscriminator.Configuration(inputChannels: 3, baseWidth: 4, stridedLayers: 2)
        try ChannelTests().checkExport(
            build: { var r = RandomGenerator(seed: 3); return PatchDiscriminator(configuration: patch, using: &r) }, base: patch,
            make: { var r = RandomGenerator(seed: 9); return PatchDiscriminator(configuration: $0, using: &r) }, inputShape: [3, 16, 16], seed: 3)
    }
}

@Suite("GAN compression: networks, data, objective and agents")
struct GANObjectiveTests {
    @Test("U-Net, ResNet generator and PatchGAN: output shapes, parameter names, and input gradients against finite differences")
    func shapesAndGradients() throws {
        var random = RandomGenerator(seed: 4)
        let unet = UNetGenerator(configuration: .init(inputChannels: 2, outputChannels: 1, baseWidth: 3, levels: 3), using: &random)
        let resnet = ResNetGenerator(configuration: .init(inputChannels: 1, outputChannels: 2, baseWidth: 3, downsamplings: 2, blocks: 1), using: &random)
        let patch = PatchDiscriminator(configuration: .init(inputChannels: 3, baseWidth: 3, stridedLayers: 2), using: &random)
        for model in [unet, resnet, patch] as [any Layer] { randomize(model, seed: 5); model.eval() }
        let x = Tensor.randomNormal([2, 2, 16, 16], using: &random)
        #expect(withoutGradients { unet(x) }.shape == [2, 1, 16, 16])
        #expect(withoutGradients { unet(x) }.scalars.allSatisfy { abs($0) <= 1 }, "tanh output")
        #expect(withoutGradients { resnet(x.sliced(alongAxis: 1, from: 0, count: 1)) }.shape == [2, 2, 16, 16])
        // 16 → 8 → 4 (strided) → 3 (stride 1) → 2 (output): a 2×2 grid of patch logits.
        #expect(withoutGradients { patch(condition: x, image: x.sliced(alongAxis: 1, from: 0, count: 1)) }.shape == [2, 1, 2, 2])
        #expect(unet.namedParameters().map(\.name).contains("decoder.0.norm.running_mean"))
        #expect(resnet.prunableGroups.map(\.name) == ["stem.output", "down.0.output", "blocks.0.inner", "residual", "up.0.output", "up.1.output"])
        #expect(patch.prunableGroups.map(\.name) == ["layers.0.output", "layers.1.output", "layers.2.output"])
        let small = x.sliced(alongAxis: 0, from: 0, count: 1)
        checkGradients(of: { unet($0[0]) }, at: [small], step: 1e-3, relativeTolerance: 3e-2, absoluteTolerance: 3e-3)
        checkGradients(of: { resnet($0[0]) }, at: [small.sliced(alongAxis: 1, from: 0, count: 1)], step: 1e-3,
                       relativeTolerance: 3e-2, absoluteTolerance: 3e-3)
        checkGradients(of: { patch($0[0]) }, at: [Tensor.concatenate([small, small.sliced(alongAxis: 1, from: 0, count: 1)], alongAxis: 1)],
                       step: 1e-3, relativeTolerance: 3e-2, absoluteTolerance: 3e-3)
    }

    @Test("pix2pix losses on hand values")
    func pix2pixLoss() {
        let loss = Pix2PixLoss(reconstructionWeight: 100)
        let zero = Tensor.zeros([1, 1, 2, 2])
        // BCE(0, 1) = BCE(0, 0) = log 2.
        #expect(abs(Double(loss.discriminator(realLogits: zero, fakeLogits: zero).scalars[0]) - log(2)) < 1e-6)
        let generated = Tensor(shape: [1, 1, 1, 2], scalars: [0.5, -0.5])
        let target = Tensor(shape: [1, 1, 1, 2], scalars: [0, 0])
        let value = loss.generator(fakeLogits: Tensor.zeros([1, 1, 1, 1]), generated: generated, target: target).scalars[0]
        #expect(abs(Double(value) - (log(2) + 100 * 0.5)) < 1e-4)
    }

    @Test("The density term on a hand case: value, zero when the student reproduces the teacher, and gradient against finite differences")
    func densityTerm() throws {
        // One neighbourhood of two members in one dimension, τ = 1: teacher {0, 1}, student {0, 2}.
        let teacher = Tensor(shape: [1, 2, 1], scalars: [0, 1])
        let student = Tensor(shape: [1, 2, 1], scalars: [0, 2])
        let e = { (d: Double) in exp(-d * d) }
        let tt = (2 + 2 * e(1)) / 4, ss = (2 + 2 * e(2)) / 4, ts = (1 + e(2) + e(1) + e(1)) / 4
        let value = Double(LocalDensityObjective.densityDistance(teacher: teacher, student: student, bandwidth: 1).scalars[0])
        #expect(abs(value - (tt + ss - 2 * ts)) < 1e-6, "\(value)")
        // A permutation of the teacher's members has zero distance.
        let permuted = Tensor(shape: [1, 2, 1], scalars: [1, 0])
        #expect(abs(LocalDensityObjective.densityDistance(teacher: teacher, student: permuted, bandwidth: 1).scalars[0]) < 1e-7)
        var random = RandomGenerator(seed: 8)
        let a = Tensor.randomNormal([2, 3, 4], using: &random), b = Tensor.randomNormal([2, 3, 4], using: &random)
        checkGradients(of: { LocalDensityObjective.densityDistance(teacher: a, student: $0[0], bandwidth: 1.5) }, at: [b], step: 1e-2)
        // Kernel weights: a distribution over members, the centre (distance 0) heaviest.
        let weights = LocalDensityObjective.kernelWeights(teacher: Tensor(shape: [1, 3, 1], scalars: [0, 1, 2]), bandwidth: 1).scalars
        expectClose(weights, [1, Float(exp(-1.0)), Float(exp(-4.0))].map { $0 / Float(1 + exp(-1.0) + exp(-4.0)) })
        // Median heuristic over the three pairs of {0, 1, 3}: mean squared distances 1, 9, 4 → 4.
        let objective = try LocalDensityObjective(neighbours: 2, bandwidthScale: 0.5)
        #expect(objective.medianBandwidth(Tensor(shape: [1, 3, 1], scalars: [0, 1, 3])) == 2)
        #expect(objective.grouped(Tensor.zeros([6, 1, 2, 2])).shape == [2, 3, 4])
        #expect(throws: StructuralPruningError.self) { try LocalDensityObjective(neighbours: 0) }
    }

    @Test("Neighbourhoods: the nearest other outputs, nearest first")
    func neighbourhoods() throws {
        let outputs = Tensor(shape: [4, 1, 1, 1], scalars: [0, 10, 1, 3])
        let index = try NeighbourhoodIndex(outputs: outputs, neighbours: 2)
        #expect(index.neighbours == [[2, 3], [3, 2], [0, 3], [2, 0]])
        #expect(index.batch(centres: [1]) == [1, 3, 2])
        #expect(throws: StructuralPruningError.self) { try NeighbourhoodIndex(outputs: outputs, neighbours: 4) }
    }

    @Test("A peer-conditioned agent's logits change with its peer's mask, and its gradients reach every parameter")
    func peerConditioning() throws {
        var random = RandomGenerator(seed: 3)
        let gates = try GateSet([.init(name: "a", width: 3), .init(name: "b", width: 2)])
        let agent = try PeerConditionedController(gates: gates, peerWidth: 4, hidden: 5, using: &random)
        let full = try agent.logits(peer: Tensor.ones([4]))
        let half = try agent.logits(peer: Tensor([1, 0, 1, 0]))
        #expect(full.map(\.shape) == [[3], [2]])
        #expect(maximumDifference(full[0], half[0]) > 1e-3 && maximumDifference(full[1], half[1]) > 1e-3)
        let (_, gradients) = try valueAndGradient(of: agent) { try agent.logits(peer: Tensor([1, 0, 1, 0])).map { $0.sum() }.reduce(Tensor(0), +) }
        for (name, parameter) in agent.namedParameters() {
            #expect(gradients[parameter] != nil, "\(name) has no gradient")
        }
        #expect(throws: StructuralPruningError.self) { try agent.logits(peer: Tensor.ones([3])) }
    }

    @Test("Segmentation score, edge maps and label-map scenes on hand cases")
    func dataAndScores() throws {
        let score = try SegmentationScore(predicted: [0, 0, 1, 1, 2], truth: [0, 1, 1, 1, 0], classCount: 3)
        // Class 0: TP 1, FP 1, FN 1 → 1/3; class 1: TP 2, FN 1 → 2/3; class 2: FP 1 → 0.
        #expect(abs(score.meanIoU - (1.0 / 3 + 2.0 / 3 + 0) / 3) < 1e-12)
        #expect(abs(score.pixelAccuracy - 0.6) < 1e-12)
        #expect(throws: SegmentationScoreError.self) { try SegmentationScore(predicted: [0, 3], truth: [0, 1], classCount: 3) }
        // Scores [1, 3, 1, 2]: pixel 0 → class 2, pixel 1 → class 0.
        #expect(SegmentationScore.classes(ofScores: Tensor(shape: [1, 3, 1, 2], scalars: [0.5, 0.9, 0.1, 0.2, 0.7, 0.3])) == [2, 0])
        // A bright 4×4 square in a 10×10 image: edges on its border only.
        var pixels = [Float](repeating: 0, count: 100)
        for y in 3..<7 { for x in 3..<7 { pixels[y * 10 + x] = 1 } }
        let data = ImageClassificationDataSet(images: Tensor(shape: [1, 1, 10, 10], scalars: pixels), labels: [4], classCount: 10)
        let pairs = FashionMNISTEdges.pairs(from: data, side: 12)
        #expect(pairs.inputs.shape == [1, 1, 12, 12] && pairs.labels == [4])
        let edges = pairs.inputs.scalars
        #expect(edges[(1 + 1) * 12 + (1 + 1)] == -1, "far from the square")
        #expect(edges[(1 + 3) * 12 + (1 + 3)] == 1, "the square's corner")
        #expect(edges[(1 + 5) * 12 + (1 + 2)] == 1, "just outside its left side")
        #expect(pairs.targets.scalars[(1 + 4) * 12 + (1 + 4)] == 1 && pairs.targets.scalars[0] == -1)
        let scenes = SyntheticLabelMaps.pairs(count: 6, side: 16, seed: 3)
        #expect(scenes.labelMaps! == SyntheticLabelMaps.pairs(count: 6, side: 16, seed: 3).labelMaps!, "deterministic")
        #expect(scenes.inputs.shape == [6, 5, 16, 16] && scenes.targets.shape == [6, 1, 16, 16])
        #expect(Set(scenes.labelMaps!).isSuperset(of: [0, 1, 2]), "background, blocks and discs in every set")
        #expect(scenes.subset([2]).labelMaps! == Array(scenes.labelMaps![(2 * 256)..<(3 * 256)]))
    }

    @Test("Manifold-guided compression on a tiny task: both networks shrink towards the budget, and the export equals the gated generator")
    func smallRun() throws {
        var random = RandomGenerator(seed: 11)
        let scenes = SyntheticLabelMaps.pairs(count: 24, side: 16, seed: 5)
        let generator = UNetGenerator(configuration: .init(inputChannels: 5, outputChannels: 1, baseWidth: 4, levels: 2), using: &random)
        let discriminator = PatchDiscriminator(configuration: .init(inputChannels: 6, baseWidth: 4, stridedLayers: 1), using: &random)
        let teacherOutputs = TranslationTraining.outputs(of: generator, for: scenes.inputs)
        var settings = ManifoldGuidedCompressionConfiguration(keptFraction: 0.5)
        settings.steps = 40
        settings.centresPerBatch = 2
        settings.controllerLearningRate = 0.2
        settings.localDensity = try LocalDensityObjective(neighbours: 3)
        let compression = try ManifoldGuidedCompression(
            generator: generator, discriminator: discriminator, pairs: scenes, teacherOutputs: teacherOutputs, configuration: settings)
        let records = try compression.run()
        #expect(records.count == 40)
        #expect(records.allSatisfy { $0.discriminator.isFinite && $0.density.isFinite && $0.density >= -1e-6 })
        #expect(records.last!.generatorKept < 0.9 && records.last!.discriminatorKept < 0.9, "\(records.last!)")
        let masks = try compression.finalMasks()
        let gated = try withoutGradients {
            try compression.generatorGating.withMasks(masks.generator, on: generator) { generator(scenes.inputs) }
        }
        let full = Double(compression.generatorCost.fullCost)
        let discriminatorParameters = discriminator.parameterCount
        try compression.export()
        let exported = withoutGradients { generator(scenes.inputs) }
        #expect(maximumDifference(exported, gated) < 1e-5)
        let macs = ChannelCostModel.count(generator, inputShape: [5, 16, 16], measure: .macs)
        #expect(Double(macs) < 0.9 * full, "\(macs) of \(full)")
        #expect(discriminator.parameterCount < discriminatorParameters, "the discriminator is physically pruned too")
    }
}

@Suite("GAN compression: the one-shot generator baselines")
struct GeneratorBaselineTests {
    @Test("L1 channels and uniform width meet the MAC budget, train with distillation, and leave the teacher unchanged")
    func baselinesMeetBudget() throws {
        var random = RandomGenerator(seed: 11)
        let teacher = UNetGenerator(configuration: .init(inputChannels: 1, outputChannels: 1, baseWidth: 8, levels: 3), using: &random)
        let critic = PatchDiscriminator(configuration: .init(inputChannels: 2, baseWidth: 4, stridedLayers: 2), using: &random)
        let inputs = Tensor.randomUniform([8, 1, 16, 16], lower: -1, upper: 1, using: &random)
        let pairs = PairedImages(inputs: inputs, targets: inputs.tanh(), labels: Array(repeating: 0, count: 8))
        teacher.eval()
        let teacherOutputs = TranslationTraining.outputs(of: teacher, for: inputs)
        let before = teacher.stateDictionary()
        let shape = [1, 16, 16]
        let full = Double(ChannelCostModel.count(teacher, inputShape: shape, measure: .macs))
        var recipe = TranslationTraining(steps: 3)
        recipe.batchSize = 4
        recipe.distillationWeight = 100
        for baseline in GeneratorBaseline.allCases {
            let (student, records) = try baseline.run(
                teacher: teacher, teacherDiscriminator: critic, pairs: pairs, teacherOutputs: teacherOutputs, keptFraction: 0.3, training: recipe)
            let macs = Double(ChannelCostModel.count(student, inputShape: shape, measure: .macs))
            #expect(macs <= 0.3 * full + 1, "\(baseline): \(macs / full)")
            #expect(macs >= 0.1 * full, "\(baseline): \(macs / full)")
            #expect(records.count == 3 && records.allSatisfy { $0.reconstruction.isFinite })
        }
        // The widest uniform U-Net under the budget: one more channel of base width exceeds it.
        let uniform = GeneratorBaseline.uniformConfiguration(teacher: teacher, keptFraction: 0.3, shape: shape)
        var wider = uniform
        wider.baseWidth += 1
        var r = RandomGenerator(seed: 0)
        #expect(Double(ChannelCostModel.count(UNetGenerator(configuration: wider, using: &r), inputShape: shape, measure: .macs)) > 0.3 * full)
        for (name, value) in teacher.stateDictionary() { #expect(value.scalars == before[name]!.scalars, "teacher changed: \(name)") }
        #expect(throws: StructuralPruningError.self) {
            try GeneratorBaseline.l1Channels.run(teacher: teacher, teacherDiscriminator: critic, pairs: pairs, teacherOutputs: teacherOutputs,
                                                 keptFraction: 1.2, training: recipe)
        }
    }
}
