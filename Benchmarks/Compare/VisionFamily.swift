import ExampleSupport
import Foundation
import ModelZoo
import PruningCore
import StructuralPruning
import TokenFusion

/// The vision families. CNN: the shipped Fashion-MNIST ResNet-20 pruned to one budget of
/// prunable FLOPs by Auto-Train-Once, RLAL, interpretation-steered pruning and the classic
/// prune-then-fine-tune baselines, every method starting from the shipped weights with the same
/// number of training epochs. ViT: the shipped Fashion-MNIST ViT with ToMe, ToFu and EViT-style
/// pruning removing the same number of tokens per block.
struct VisionFamily {
    /// The CNN methods, in table order.
    static let methods = ["ato", "rlal", "isp", "l1", "random", "tome", "tofu", "evit"]

    /// The kept fraction of prunable FLOPs (0.3: 70 % of what the gates can reach removed).
    var keptFraction = 0.3
    /// The methods to run (keys of ``methods``).
    var chosen = Set(methods)
    /// Training images (the first of the training split) and held-out images (the last; the
    /// controller, reward and saliency-target set).
    var trainingImages = 10_000, heldOutImages = 2_000
    /// Test images scored.
    var testImages = 10_000
    /// Epochs of weight training every CNN method gets after leaving the shipped weights
    /// (fine-tuning for the prune-then-fine-tune methods, joint training for ATO and RLAL).
    var epochs = 3
    /// Interpretation-steered pruning's predictor and selector epochs and controller epochs.
    var interpretationEpochs = 1, controllerEpochs = 10
    /// RLAL's episodes per search epoch.
    var episodes = 16
    /// Tokens the ViT methods remove per block.
    var tokensPerBlock = 4

    /// The settings of `--quick`.
    static var quick: VisionFamily {
        var family = VisionFamily()
        family.trainingImages = 1_024
        family.heldOutImages = 256
        family.testImages = 1_000
        family.epochs = 1
        family.controllerEpochs = 2
        family.episodes = 4
        return family
    }

    /// A description for the summary.
    var settings: String {
        "ResNet-20 keeping \(Int((100 * keptFraction).rounded())) % of prunable FLOPs, \(epochs) training epochs per method on \(trainingImages) images "
            + "(\(heldOutImages) held out), \(testImages) test images; ViT with r = \(tokensPerBlock) tokens removed per block"
    }

    /// Runs every chosen method, appending rows to `report` and writing it to `folder` after each.
    func run(into report: inout ComparisonReport, writingTo folder: URL, seed: UInt64) throws {
        let began = ContinuousClock.now
        let normalization = FashionMNIST.normalization
        let all = try FashionMNIST.load(split: .train).normalized(by: normalization)
        let training = all.prefix(min(trainingImages, all.count - heldOutImages))
        let heldOut = all.subset(Array((all.count - heldOutImages)..<all.count))
        let test = try FashionMNIST.load(split: .test).normalized(by: normalization).prefix(testImages)
        let fill = (0 - normalization.mean[0]) / normalization.standardDeviation[0]
        let augmentation = ImageAugmentation(cropPadding: 2, fillValue: fill, flipProbability: 0.5)
        let inputShape = [1, 28, 28]
        let sample = test.images.sliced(alongAxis: 0, from: 0, count: 1).reshaped(to: inputShape)
        writeLine("vision: \(settings)")

        let dense = try ShippedCheckpoints.resnet20FashionMNIST()
        let percent = Int((100 * (1 - keptFraction)).rounded())
        let gated = ChannelGating.defaultGroupNames(of: dense)
        let flopsModel = try ChannelCostModel(model: dense, inputShape: inputShape, gatedGroups: gated, measure: .flops)
        var denseSpeed = 1.0
        var tuning = ClassifierTraining(epochs: epochs)
        tuning.augmentation = augmentation
        tuning.learningRate = 0.01
        tuning.seed = seed &+ 1

        func record(_ model: ResNet, method: String, seconds: Double?, training: String) throws {
            let start = ContinuousClock.now
            model.eval()
            let accuracy = ImageClassificationEvaluation.accuracy(of: model, on: test)
            let speed = ImageClassificationEvaluation.imagesPerSecond(of: model, sample: sample, batchSize: 64, repeats: 3)
            if method == "dense" { denseSpeed = speed }
            let flops = Double(ChannelCostModel.count(model, inputShape: inputShape, measure: .flops))
            let prunableKept = (flops - (flopsModel.fullCost - flopsModel.prunableCost)) / flopsModel.prunableCost
            report.rows.append(ComparisonRow(
                family: "CNN", model: "ResNet-20, Fashion-MNIST", method: method,
                budget: method == "dense" ? "–" : String(format: "−%d %% prunable FLOPs (got −%.1f %%)", percent, 100 * (1 - prunableKept)),
                qualityName: "test accuracy", higherIsBetter: true, quality: accuracy,
                parameters: ChannelCostModel.count(model, inputShape: inputShape, measure: .parameters),
                megaMACs: Double(ChannelCostModel.count(model, inputShape: inputShape, measure: .macs)) / 1e6,
                speedName: "images/s b=64", speed: speed, speedup: speed / denseSpeed, secondsToPrune: seconds, training: training))
            try report.write(to: folder)
            writeLine(String(format: "  %@: accuracy %.2f %%, prunable FLOPs kept %.3f, %.0f images/s (%.2f×)  [%.0f s evaluating, %.0f s total]",
                             method, 100 * accuracy, prunableKept, speed, speed / denseSpeed, elapsedSeconds(since: start), elapsedSeconds(since: began)))
        }

        writeLine("dense ResNet-20 (shipped)")
        try record(dense, method: "dense", seconds: nil, training: "–")
        let epochText = "\(epochs) epoch\(epochs == 1 ? "" : "s") from the shipped weights"
        if chosen.contains("ato") {
            // ATO needs two epochs at least: the mask is refreshed only at the start of an epoch.
            let atoEpochs = max(epochs, 2)
            writeLine("Auto-Train-Once −\(percent) %: \(atoEpochs) epochs of joint training from the shipped weights")
            let model = try dense.replica()
            var configuration = AutoTrainOnceConfiguration(keptFraction: keptFraction, epochs: atoEpochs)
            // A short schedule from trained weights: controller and group lasso from the first
            // epoch, a controller step after every weight step, the mask frozen for the last
            // epoch (from three epochs on).
            configuration.controllerStartEpoch = 0
            configuration.groupLassoStartEpoch = 0
            configuration.maskFreezeEpoch = atoEpochs >= 3 ? atoEpochs - 1 : atoEpochs
            configuration.controllerInterval = 1
            configuration.learningRate = 0.01
            configuration.seed = seed
            let start = ContinuousClock.now
            let run = try AutoTrainOnce(model: model, inputShape: inputShape, configuration: configuration)
            _ = try run.train(training: training, controllerSet: heldOut, validation: test.prefix(512), augmentation: augmentation)
            try run.export()
            try record(model, method: "Auto-Train-Once", seconds: elapsedSeconds(since: start), training: "\(atoEpochs) epochs from the shipped weights")
        }
        if chosen.contains("rlal") {
            writeLine("RLAL −\(percent) %: search with weight training, then fine-tuning, from the shipped weights")
            let model = try dense.replica()
            var configuration = RLALConfiguration(keptFraction: keptFraction)
            configuration.warmUpEpochs = 0
            configuration.searchEpochs = max(1, epochs - 1)
            configuration.randomSearchEpochs = configuration.searchEpochs > 1 ? 1 : 0
            configuration.alignedEpochs = 0
            configuration.fineTuneEpochs = epochs - configuration.searchEpochs
            configuration.episodesPerEpoch = episodes
            configuration.learningRate = 0.01
            configuration.seed = seed
            let start = ContinuousClock.now
            let run = try RLAL(model: model, inputShape: inputShape, rewardSet: heldOut, configuration: configuration)
            _ = try run.run(training: training, validation: test.prefix(512), augmentation: augmentation)
            try record(model, method: "RLAL", seconds: elapsedSeconds(since: start), training: epochText)
        }
        if chosen.contains("isp") {
            writeLine("interpretation-steered pruning −\(percent) %: predictor, selector, \(controllerEpochs) controller epochs, fine-tuning")
            var configuration = InterpretationSteeredConfiguration()
            configuration.keptFraction = keptFraction
            configuration.predictorEpochs = interpretationEpochs
            configuration.selectorEpochs = interpretationEpochs
            configuration.controllerEpochs = controllerEpochs
            configuration.fineTuneEpochs = epochs
            configuration.seed = seed
            let start = ContinuousClock.now
            let pipeline = try InterpretationSteeredPruning(original: dense, inputShape: inputShape, classCount: 10, configuration: configuration)
            _ = try pipeline.trainPredictor(on: training)
            _ = try pipeline.trainSelector(on: training)
            let targets = try pipeline.targets(for: heldOut)
            let result = try pipeline.trainController(signal: .saliency, targets: targets)
            let model = try pipeline.exportAndFineTune(result.masks, training: training, recipe: tuning)
            try record(model, method: "interpretation-steered", seconds: elapsedSeconds(since: start),
                       training: "\(epochs) fine-tuning + \(2 * interpretationEpochs) interpreter epochs")
        }
        for (key, name, importance, scope) in [("l1", "L1 norm (global), prune + fine-tune", ChannelImportance.l1Norm, BudgetedChannelSelection.Scope.global),
                                               ("random", "random (uniform), prune + fine-tune", .random, .local)] where chosen.contains(key) {
            writeLine("\(name) −\(percent) %")
            let model = try dense.replica()
            var baseline = ClassicChannelPruning(importance: importance, scope: scope, keptFraction: keptFraction, fineTuning: tuning)
            baseline.seed = seed
            let start = ContinuousClock.now
            _ = try baseline.run(model, inputShape: inputShape, training: training, validation: test.prefix(512))
            try record(model, method: name, seconds: elapsedSeconds(since: start), training: epochText)
        }

        // Token reduction on the ViT: no training, the same r for every method.
        let vitMethods: [(String, String, TokenFusionConfiguration)] = [
            ("tome", "ToMe (average)", .tome(.constant(tokensPerBlock))),
            ("tofu", "ToFu (prune, MLERP)", .tofu(.constant(tokensPerBlock))),
            ("evit", "EViT-style top-k pruning", .attentionPruning(.constant(tokensPerBlock), droppedTokens: .discarded)),
        ].filter { chosen.contains($0.0) }
        guard !vitMethods.isEmpty else { return }
        let vit = try ShippedCheckpoints.visionTransformerFashionMNIST()
        let edges = vit.configuration
        // The patch embedding and the head, the same for every method.
        let fixedMACs = Double(edges.patchCount * edges.patchSize * edges.patchSize * edges.inputChannels * edges.width + edges.width * edges.classCount)
        var denseViTSpeed = 1.0
        writeLine("ViT (shipped): r = \(tokensPerBlock) tokens removed per block")
        for (key, name, configuration) in [("dense", "dense", TokenFusionConfiguration.identity)] + vitMethods {
            let start = ContinuousClock.now
            let merged = TokenMergingViT(model: vit, configuration: configuration)
            let accuracy = ImageClassificationEvaluation.accuracy(of: { merged($0) }, on: test)
            let speed = ImageClassificationEvaluation.imagesPerSecond(of: { merged($0) }, sample: sample, batchSize: 64, repeats: 5)
            if key == "dense" { denseViTSpeed = speed }
            report.rows.append(ComparisonRow(
                family: "ViT", model: "ViT (6 blocks, width 96), Fashion-MNIST", method: name,
                budget: key == "dense" ? "–" : "r = \(tokensPerBlock) tokens per block",
                qualityName: "test accuracy", higherIsBetter: true, quality: accuracy, parameters: vit.parameterCount,
                megaMACs: (merged.blockMultiplyAccumulates + fixedMACs) / 1e6,
                speedName: "images/s b=64", speed: speed, speedup: speed / denseViTSpeed,
                secondsToPrune: key == "dense" ? nil : 0, training: key == "dense" ? "–" : "none"))
            try report.write(to: folder)
            writeLine(String(format: "  %@: accuracy %.2f %%, %.0f images/s (%.2f×)  [%.0f s]", name, 100 * accuracy, speed, speed / denseViTSpeed, elapsedSeconds(since: start)))
        }
    }
}
