import ExampleSupport
import Foundation
import ModelZoo
import PruningCore
import StructuralPruning

/// The GAN family: the shipped pix2pix edges → garment teacher compressed to one budget of the
/// generator's MACs by manifold-guided compression (MGGC) and the two distillation baselines,
/// scored by Fréchet distance and class accuracy of the generated garments.
struct GANFamily {
    /// The methods, in table order.
    static let methods = ["mggc", "l1-distill", "uniform-distill"]

    /// The kept fraction of the generator's MACs.
    var keptFraction = 0.25
    /// The methods to run.
    var chosen = Set(methods)
    /// Training pairs (Fashion-MNIST training split) and held-out pairs (test split).
    var pool = 4_096, evaluationPairs = 1_000
    /// MGGC's pruning updates and the fine-tuning updates after it; the baselines train for
    /// their sum.
    var pruneSteps = 300, fineTuneSteps = 300

    /// The settings of `--quick`.
    static var quick: GANFamily {
        var family = GANFamily()
        family.pool = 256
        family.evaluationPairs = 200
        family.pruneSteps = 10
        family.fineTuneSteps = 10
        return family
    }

    /// A description for the summary.
    var settings: String {
        "pix2pix U-Net (edges → garment) keeping \(Int((100 * keptFraction).rounded())) % of the generator's MACs; \(pool) training pairs, "
            + "\(evaluationPairs) held-out; MGGC \(pruneSteps) + \(fineTuneSteps) updates, baselines \(pruneSteps + fineTuneSteps)"
    }

    /// Runs every chosen method, appending rows to `report` and writing it to `folder` after each.
    func run(into report: inout ComparisonReport, writingTo folder: URL, seed: UInt64) throws {
        let began = ContinuousClock.now
        let pairs = FashionMNISTEdges.pairs(from: try FashionMNIST.load(split: .train).prefix(pool))
        let evaluation = FashionMNISTEdges.pairs(from: try FashionMNIST.load(split: .test).prefix(evaluationPairs))
        let (teacher, critic, _) = try ShippedTranslationModels.teacher(.fashionEdges)
        let teacherOutputs = TranslationTraining.outputs(of: teacher, for: pairs.inputs)
        let scorer = try FashionMNISTImageScorer.shipped()
        let realFeatures = scorer.classify(evaluation.targets).features
        let shape = [pairs.inputChannels, pairs.height, pairs.width]
        let sample = evaluation.inputs.sliced(alongAxis: 0, from: 0, count: 1).reshaped(to: shape)
        let teacherMACs = Double(ChannelCostModel.count(teacher, inputShape: shape, measure: .macs))
        let percent = Int((100 * (1 - keptFraction)).rounded())
        var tuning = TranslationTraining(steps: fineTuneSteps)
        tuning.distillationWeight = 100
        tuning.seed = seed &+ 5
        writeLine("GAN: \(settings)")
        var denseSpeed = 1.0
        var baselineFraction = keptFraction

        func record(_ generator: UNetGenerator, method: String, seconds: Double?, training: String) throws {
            let start = ContinuousClock.now
            generator.eval()
            let generated = TranslationTraining.outputs(of: generator, for: evaluation.inputs)
            let scores = try scorer.scores(of: generated, realFeatures: realFeatures, labels: evaluation.labels)
            let speed = ImageClassificationEvaluation.imagesPerSecond(of: generator, sample: sample, batchSize: 64, repeats: 3)
            if method == "dense" { denseSpeed = speed }
            let macs = Double(ChannelCostModel.count(generator, inputShape: shape, measure: .macs))
            report.rows.append(ComparisonRow(
                family: "GAN", model: "pix2pix U-Net, edges → garment", method: method,
                budget: method == "dense" ? "–" : String(format: "−%d %% generator MACs (got −%.1f %%)", percent, 100 * (1 - macs / teacherMACs)),
                qualityName: "FD", higherIsBetter: false, quality: scores.frechetDistance,
                secondaryName: "class accuracy", secondary: scores.accuracy,
                parameters: ChannelCostModel.count(generator, inputShape: shape, measure: .parameters), megaMACs: macs / 1e6,
                speedName: "images/s b=64", speed: speed, speedup: speed / denseSpeed, secondsToPrune: seconds, training: training))
            try report.write(to: folder)
            writeLine(String(format: "  %@: FD %.3f, class accuracy %.1f %%, %.2f M MACs, %.0f images/s (%.2f×)  [%.0f s evaluating, %.0f s total]",
                             method, scores.frechetDistance, 100 * scores.accuracy, macs / 1e6, speed, speed / denseSpeed,
                             elapsedSeconds(since: start), elapsedSeconds(since: began)))
        }

        writeLine("teacher (shipped)")
        try record(teacher, method: "dense", seconds: nil, training: "–")
        if chosen.contains("mggc") {
            writeLine("MGGC −\(percent) %: \(pruneSteps) pruning updates (G and D agents, local density), \(fineTuneSteps) fine-tuning")
            let start = ContinuousClock.now
            let generator = try GeneratorBaseline.copy(teacher)
            let discriminator = try GeneratorBaseline.copy(critic)
            var configuration = ManifoldGuidedCompressionConfiguration(keptFraction: keptFraction)
            configuration.steps = pruneSteps
            configuration.seed = seed
            let compression = try ManifoldGuidedCompression(
                generator: generator, discriminator: discriminator, pairs: pairs, teacherOutputs: teacherOutputs, configuration: configuration)
            _ = try compression.run()
            try compression.export()
            _ = try tuning.train(generator, discriminator: discriminator, on: pairs, teacherOutputs: teacherOutputs)
            // The one-shot baselines meet the MACs MGGC reached.
            baselineFraction = min(0.999, Double(ChannelCostModel.count(generator, inputShape: shape, measure: .macs)) / teacherMACs + 1e-9)
            try record(generator, method: "MGGC", seconds: elapsedSeconds(since: start), training: "\(pruneSteps) + \(fineTuneSteps) updates")
        }
        for (key, name, baseline) in [("l1-distill", "L1 channels + distillation", GeneratorBaseline.l1Channels),
                                      ("uniform-distill", "uniform slimmer G + distillation", .uniformWidth)] where chosen.contains(key) {
            writeLine("\(name) at \(String(format: "%.1f", 100 * baselineFraction)) % of the teacher's MACs")
            let start = ContinuousClock.now
            var recipe = tuning
            recipe.steps = pruneSteps + fineTuneSteps
            let (generator, _) = try baseline.run(
                teacher: teacher, teacherDiscriminator: critic, pairs: pairs, teacherOutputs: teacherOutputs,
                keptFraction: baselineFraction, training: recipe, seed: seed)
            try record(generator, method: name, seconds: elapsedSeconds(since: start), training: "\(recipe.steps) updates")
        }
    }
}

/// The diffusion family: the shipped text-conditioned Fashion-MNIST U-Net pruned to one average
/// MAC budget by APTP (per-prompt experts), one pruned architecture for every prompt, and
/// magnitude pruning at APTP's MACs, all fine-tuned with the same number of updates and scored
/// on DDIM samples of held-out prompts drawn from the same noise.
struct DiffusionFamily {
    /// The methods, in table order.
    static let methods = ["aptp", "single-architecture", "magnitude"]

    /// The kept fraction of the U-Net's MACs.
    var keptFraction = 0.6
    /// The methods to run.
    var chosen = Set(methods)
    /// Training images (with their prompts) and held-out prompts.
    var trainingImages = 20_000, evaluationPrompts = 500
    /// APTP's codes, pruning updates, warm-up updates, fine-tuning updates (shared by the
    /// experts) and learning rate.
    var codes = 4, pruneSteps = 300, warmupSteps = 75, fineTuneSteps = 400
    var learningRate: Float = 3e-2
    /// DDIM steps per sample.
    var samplingSteps = 20

    /// The settings of `--quick`.
    static var quick: DiffusionFamily {
        var family = DiffusionFamily()
        family.trainingImages = 1_024
        family.evaluationPrompts = 64
        family.pruneSteps = 6
        family.warmupSteps = 2
        family.fineTuneSteps = 6
        family.samplingSteps = 5
        return family
    }

    /// A description for the summary.
    var settings: String {
        "diffusion U-Net keeping \(Int((100 * keptFraction).rounded())) % of its MACs; \(trainingImages) training prompts, \(evaluationPrompts) held-out; "
            + "APTP K = \(codes), \(pruneSteps) pruning updates (\(warmupSteps) warm-up), \(fineTuneSteps) fine-tuning updates per method; \(samplingSteps) DDIM steps"
    }

    /// Runs every chosen method, appending rows to `report` and writing it to `folder` after each.
    func run(into report: inout ComparisonReport, writingTo folder: URL, seed: UInt64) throws {
        let began = ContinuousClock.now
        let (teacher, schedule, summary) = try ShippedDiffusionModel.teacher()
        let train = try FashionMNIST.load(split: .train).prefix(trainingImages)
        let test = try FashionMNIST.load(split: .test).prefix(evaluationPrompts)
        let encoder = try SentenceEncoder.miniLM()
        let trainAttributes = FashionPrompts.attributes(of: train, thresholds: summary.thresholds)
        let testAttributes = FashionPrompts.attributes(of: test, thresholds: summary.thresholds)
        let prompts = Array(Set((trainAttributes + testAttributes).map(\.prompt))).sorted()
        let embeddings = encoder.embed(prompts)
        let row = Dictionary(uniqueKeysWithValues: prompts.enumerated().map { ($0.element, $0.offset) })
        let trainConditions = embeddings.indexSelect(trainAttributes.map { row[$0.prompt]! }, alongAxis: 0)
        let testConditions = embeddings.indexSelect(testAttributes.map { row[$0.prompt]! }, alongAxis: 0)
        let trainImages = train.images * 2 - 1
        let scorer = try FashionMNISTImageScorer.shipped()
        let realFeatures = scorer.classify(test.images * 2 - 1).features
        var random = RandomGenerator(seed: seed &+ 1000)
        let noise = Tensor.randomNormal([test.count, 1, 28, 28], using: &random)
        let sampler = DDIMSampler(schedule: schedule, steps: samplingSteps)
        let fullMACs = Double(teacher.multiplyAccumulates())
        let percent = Int((100 * (1 - keptFraction)).rounded())
        writeLine("diffusion: \(settings)")
        var denseSpeed = 1.0
        var magnitudeFraction = keptFraction

        func record(_ experts: [DiffusionUNet], assignment: [Int], method: String, seconds: Double?, training: String) throws {
            let start = ContinuousClock.now
            experts.forEach { $0.eval() }
            let sampling = ContinuousClock.now
            let samples = sampler.sample(models: experts, assignment: assignment, noise: noise, conditions: testConditions)
            let speed = Double(test.count) / elapsedSeconds(since: sampling)
            if method == "dense" { denseSpeed = speed }
            let scores = try scorer.scores(of: samples, realFeatures: realFeatures, labels: test.labels)
            let share = experts.indices.map { code in Double(assignment.count { $0 == code }) / Double(assignment.count) }
            let macs = zip(share, experts).reduce(0.0) { $0 + $1.0 * Double($1.1.multiplyAccumulates()) }
            let parameters = zip(share, experts).reduce(0.0) { $0 + $1.0 * Double($1.1.parameterCount) }
            if method.hasPrefix("APTP") { magnitudeFraction = min(0.999, macs / fullMACs) }
            report.rows.append(ComparisonRow(
                family: "diffusion", model: "text-conditioned U-Net, Fashion-MNIST prompts", method: method,
                budget: method == "dense" ? "–" : String(format: "−%d %% MACs (got −%.1f %%)", percent, 100 * (1 - macs / fullMACs)),
                qualityName: "FD", higherIsBetter: false, quality: scores.frechetDistance,
                secondaryName: "class probability", secondary: scores.classProbability,
                parameters: Int(parameters.rounded()), megaMACs: macs / 1e6,
                speedName: "samples/s (\(samplingSteps) DDIM steps)", speed: speed, speedup: speed / denseSpeed,
                secondsToPrune: seconds, training: training))
            try report.write(to: folder)
            writeLine(String(format: "  %@: FD %.3f, class probability %.3f, %.2f M MACs per call (usage-weighted), %.1f samples/s (%.2f×)  [%.0f s evaluating, %.0f s total]",
                             method, scores.frechetDistance, scores.classProbability, macs / 1e6, speed, speed / denseSpeed,
                             elapsedSeconds(since: start), elapsedSeconds(since: began)))
        }

        writeLine("teacher (shipped)")
        try record([teacher], assignment: Array(repeating: 0, count: test.count), method: "dense", seconds: nil, training: "–")
        var tuning = ExpertFineTuning(steps: 0)
        tuning.seed = seed
        for (key, name, codeCount) in [("aptp", "APTP, K = \(codes)", codes), ("single-architecture", "one pruned architecture (K = 1)", 1)]
        where chosen.contains(key) {
            writeLine("\(name) −\(percent) %: \(pruneSteps) pruning updates, then \(fineTuneSteps) fine-tuning updates shared by the experts")
            let start = ContinuousClock.now
            var configuration = APTPConfiguration()
            configuration.codeCount = codeCount
            configuration.keptFraction = keptFraction
            configuration.steps = pruneSteps
            configuration.warmupSteps = warmupSteps
            configuration.learningRate = learningRate
            configuration.seed = seed
            let pruner = try PromptRoutedPruning(
                network: teacher, schedule: schedule, images: trainImages, conditions: trainConditions, configuration: configuration)
            _ = pruner.run()
            let experts = try (0..<codeCount).map { try pruner.expert($0) }
            try tuning.train(experts: experts, assignment: try pruner.router.route(trainConditions), totalSteps: fineTuneSteps,
                             teacher: teacher, schedule: schedule, images: trainImages, conditions: trainConditions)
            try record(experts, assignment: try pruner.router.route(testConditions), method: name, seconds: elapsedSeconds(since: start),
                       training: "\(pruneSteps) + \(fineTuneSteps) updates")
        }
        if chosen.contains("magnitude") {
            writeLine("magnitude pruning of groups and heads at \(String(format: "%.1f", 100 * magnitudeFraction)) % of the MACs, \(fineTuneSteps) fine-tuning updates")
            let start = ContinuousClock.now
            let space = try DiffusionArchitectureSpace(network: teacher)
            let gates = try DiffusionMagnitudePruning.gates(for: teacher, keptFraction: magnitudeFraction, cost: DiffusionCostModel(network: teacher, space: space))
            let pruned = try PromptRoutedPruning.pruned(teacher, gates: gates, space: space)
            try tuning.train(experts: [pruned], assignment: Array(repeating: 0, count: train.count), totalSteps: fineTuneSteps,
                             teacher: teacher, schedule: schedule, images: trainImages, conditions: trainConditions)
            try record([pruned], assignment: Array(repeating: 0, count: test.count), method: "magnitude (L1 of groups and heads)",
                       seconds: elapsedSeconds(since: start), training: "\(fineTuneSteps) updates")
        }
    }
}
