import ArgumentParser
import CNNExampleSupport
import ExampleSupport
import Foundation
import ModelZoo
import PruningCore
import StructuralPruning

/// Reproduces the shape of Auto-Train-Once's table on Fashion-MNIST.
@main
struct AutoTrainOnceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "auto-train-once",
        abstract: "Auto-Train-Once against train-prune-fine-tune baselines on a CIFAR-style ResNet and Fashion-MNIST.",
        discussion: """
            The classic baselines start from a dense network trained for --pretrain-epochs (or read \
            from --base, a train-baselines checkpoint), remove channels of the blocks' inner groups \
            to meet the FLOPs budget (filter L1, BatchNorm scale, first-order Taylor, random; local \
            and global ranking), and fine-tune for --fine-tune-epochs. Auto-Train-Once trains from \
            scratch for the same total number of epochs and is exported without fine-tuning; the \
            ablation trains the same way with a fixed random mask instead of the controller.

            Budgets (--ratios) are fractions of the prunable FLOPs removed, as in the paper's code. \
            Exported models are timed at batch 1 and 64 on one thread next to the dense model. \
            Writes summary.md, results.csv, results.json and accuracy.svg to --output, and every \
            exported model to --output/models (reloaded and compared). --retime re-measures a \
            finished run's saved models, e.g. on another machine.
            """)

    @Option(help: "ResNet depth (6n + 2: 20, 56).")
    var depth: Int = 20

    @Option(help: "Fractions of prunable FLOPs to remove, comma-separated.")
    var ratios: String = "0.5,0.7"

    @Option(help: "Methods: ato, ato-random-mask, l1, bn-scale, taylor, random.")
    var methods: String = "ato,ato-random-mask,l1,bn-scale,taylor,random"

    @Option(help: "Ranking scopes of the classic baselines: local, global.")
    var scopes: String = "global"

    @Option(help: "Training images (the first N of the training split; 0: all 60,000 less the controller set).")
    var trainImages: Int = 15_000

    @Option(help: "Images held out from the training split for the controller steps.")
    var controllerImages: Int = 1_000

    @Option(help: "Test images (0: all 10,000).")
    var testImages: Int = 0

    @Option(help: "Epochs of the dense pre-training the baselines start from.")
    var pretrainEpochs: Int = 10

    @Option(help: "Fine-tuning epochs of the baselines (Auto-Train-Once trains pretrain + fine-tune epochs).")
    var fineTuneEpochs: Int = 4

    @Option(help: "A dense checkpoint to start the baselines from, or 'shipped' for the package's trained ResNet-20 (skips the pre-training).")
    var base: String?

    @Option(help: "Threads for training (timings always use 1).")
    var threads: Int = 2

    @Option(help: "Weight steps between Auto-Train-Once's controller steps (the code's hyper_step).")
    var controllerInterval: Int = 5

    @Option(help: "Rounds of the final timing pass (each model keeps its best round).")
    var timingRounds: Int = 3

    @Flag(help: "Re-measure the saved models of a finished run in --output (MACs, images/s) and rewrite its files, without training.")
    var retime = false

    @Option(help: "Seed.")
    var seed: UInt64 = 0

    @Option(help: "Folder for the result files.")
    var output: String = "results/auto-train-once"

    mutating func validate() throws {
        if let base, base != "shipped" { try InputPaths.checkReadable(base, flag: "--base") }
        try InputPaths.checkOutputDirectory(output, flag: "--output")
        guard depth > 2, (depth - 2) % 6 == 0 else { throw ValidationError("--depth \(depth) is not 6n + 2 (20, 56, ...)") }
        guard trainImages >= 0, controllerImages > 0, testImages >= 0, pretrainEpochs >= 1, fineTuneEpochs >= 0, threads > 0, timingRounds >= 1, controllerInterval >= 1 else {
            throw ValidationError("image counts, epochs and threads must be positive (--train-images/--test-images 0: all)")
        }
        _ = try parsedRatios()
        _ = try parsedList(methods, known: ["ato", "ato-random-mask", "l1", "bn-scale", "taylor", "random"], flag: "--methods")
        _ = try parsedList(scopes, known: ["local", "global"], flag: "--scopes")
    }

    mutating func run() throws {
        BLAS.relaunchWithFasterKernelsIfNeeded()
        if retime {
            try retimeSavedModels()
            return
        }
        let began = ContinuousClock.now
        func elapsed() -> String { String(format: "%.0f s", (ContinuousClock.now - began) / .seconds(1)) }
        let ratioList = try parsedRatios()
        let chosen = try parsedList(methods, known: [], flag: "--methods")
        let scopeList = try parsedList(scopes, known: [], flag: "--scopes").map { $0 == "local" ? BudgetedChannelSelection.Scope.local : .global }

        let normalization = FashionMNIST.normalization
        let all = try FashionMNIST.load(split: .train).normalized(by: normalization)
        let available = all.count - controllerImages
        guard available > 0 else { throw ValidationError("--controller-images \(controllerImages) leaves no training images") }
        let training = all.prefix(trainImages == 0 ? available : min(trainImages, available))
        let controllerSet = all.subset(Array((all.count - controllerImages)..<all.count))
        var test = try FashionMNIST.load(split: .test).normalized(by: normalization)
        if testImages > 0 { test = test.prefix(testImages) }
        let fill = (0 - normalization.mean[0]) / normalization.standardDeviation[0]
        let augmentation = ImageAugmentation(cropPadding: 2, fillValue: fill, flipProbability: 0.5)
        let inputShape = [1, 28, 28]
        let totalEpochs = pretrainEpochs + fineTuneEpochs
        writeLine("Fashion-MNIST: \(training.count) training, \(controllerSet.count) held-out controller, \(test.count) test images; "
            + "ResNet-\(depth); \(threads) thread(s), kernels \(KernelLevel.active)")

        func makeModel(_ seed: UInt64) -> ResNet {
            var random = RandomGenerator(seed: seed)
            return ResNet.cifar(depth: depth, inputChannels: 1, classCount: 10, using: &random)
        }
        func setThreads(_ count: Int) {
            BLAS.setThreadCount(count)
            ThreadPolicy.maximumThreads = count
        }
        setThreads(threads)
        var recipe = ClassifierTraining(epochs: pretrainEpochs)
        recipe.augmentation = augmentation
        recipe.seed = seed

        // The dense base model of the train-prune-fine-tune baselines.
        let dense = makeModel(seed)
        if base == "shipped" {
            guard depth == 20 else { throw ValidationError("--base shipped: the package ships a ResNet-20 only; use --depth 20") }
            try dense.load(from: try ShippedCheckpoints.weightsURL(.resnet20FashionMNIST), strict: true)
            writeLine("dense base: the shipped ResNet-20 (trained on all 60,000 training images)")
        } else if let base {
            try dense.load(from: URL(fileURLWithPath: base), strict: true)
            writeLine("dense base: \(base)")
        } else {
            let planned = pretrainEpochs
            writeLine("dense pre-training: \(planned) epochs")
            try recipe.train(dense, on: training) { epoch, loss, seconds in
                writeLine(String(format: "  epoch %d/%d: loss %.4f  [%.0f s/epoch, %@ total]", epoch, planned, loss, seconds, elapsed()))
            }
        }
        let denseState = dense.stateDictionary()
        try ChannelMaskExport.save(dense, base: dense.configuration, to: SavedModels.denseFolder(output: output))
        let baseAccuracy = ImageClassificationEvaluation.accuracy(of: dense, on: test)
        let sample = test.images.sliced(alongAxis: 0, from: 0, count: 1).reshaped(to: inputShape)
        let denseCounts = (
            flops: Double(ChannelCostModel.count(dense, inputShape: inputShape, measure: .flops)),
            parameters: Double(ChannelCostModel.count(dense, inputShape: inputShape, measure: .parameters)))
        writeLine(String(format: "dense: test accuracy %.2f %%, %.2f M FLOPs, %.3f M parameters",
                         100 * baseAccuracy, denseCounts.flops / 1e6, denseCounts.parameters / 1e6))

        var rows: [ResultRow] = []
        let settings = ["depth": "\(depth)", "trainImages": "\(training.count)", "controllerImages": "\(controllerSet.count)",
                        "testImages": "\(test.count)", "pretrainEpochs": "\(pretrainEpochs)", "fineTuneEpochs": "\(fineTuneEpochs)",
                        "seed": "\(seed)", "threads": "\(threads)"]
        var exported: [ResNet] = []
        let probe = test.images.sliced(alongAxis: 0, from: 0, count: min(256, test.count))
        func record(_ method: String, ratio: Double, model: ResNet, accuracy: Double, prunableRatio: Double, epochs: Int,
                    seconds: Double, reference: Double) throws {
            // Every exported model is saved, reloaded by the one-call loader and compared.
            let folder = SavedModels.folder(output: output, method: method, ratio: ratio)
            try ChannelMaskExport.save(model, base: model.configuration, to: folder)
            let reloaded = try SavedModels.load(from: folder)
            model.eval()
            reloaded.eval()
            let difference = withoutGradients { Double((model(probe) - reloaded(probe)).abs().max().scalars[0]) }
            let row = ResultRow(
                method: method, targetRemoved: ratio, baseAccuracy: reference, prunedAccuracy: accuracy,
                flopsReduction: 1 - Double(ChannelCostModel.count(model, inputShape: inputShape, measure: .flops)) / denseCounts.flops,
                parameterReduction: 1 - Double(ChannelCostModel.count(model, inputShape: inputShape, measure: .parameters)) / denseCounts.parameters,
                macs: Double(ChannelCostModel.count(model, inputShape: inputShape, measure: .macs)) / 1e6,
                prunableRatio: prunableRatio, imagesPerSecondBatch1: nil, imagesPerSecondBatch64: nil,
                denseImagesPerSecondBatch64: nil, reloadMaximumDifference: difference, totalEpochs: epochs, seconds: seconds)
            rows.append(row)
            exported.append(model)
            writeLine(String(format: "  %@ −%.0f %%: accuracy %.2f %% (base %.2f %%), FLOPs −%.1f %%, reload max |Δ| %.1g  [%@]",
                             method, 100 * ratio, 100 * accuracy, 100 * reference, 100 * row.flopsReduction, difference, elapsed()))
            try ResultTable.write(rows, settings: settings, title: "ResNet-\(depth) on Fashion-MNIST", to: URL(fileURLWithPath: output))
        }

        for ratio in ratioList {
            let kept = 1 - ratio
            for (key, criterion) in [("l1", ChannelImportance.l1Norm), ("bn-scale", .batchNormScale), ("taylor", .taylor), ("random", .random)]
            where chosen.contains(key) {
                for scope in scopeList {
                    let model = makeModel(seed)
                    try model.load(denseState)
                    var tuning = ClassifierTraining(epochs: fineTuneEpochs)
                    tuning.augmentation = augmentation
                    tuning.learningRate = 0.01
                    tuning.seed = seed &+ 1
                    let start = ContinuousClock.now
                    let report = try ClassicChannelPruning(importance: criterion, scope: scope, keptFraction: kept, fineTuning: tuning)
                        .run(model, inputShape: inputShape, training: training, validation: test)
                    try record("\(key) (\(scope.rawValue))", ratio: ratio, model: model, accuracy: report.accuracyFineTuned,
                               prunableRatio: report.prunableRatio, epochs: totalEpochs,
                               seconds: (ContinuousClock.now - start) / .seconds(1), reference: baseAccuracy)
                }
            }
            for key in ["ato", "ato-random-mask"] where chosen.contains(key) {
                let model = makeModel(seed)
                let run = try AutoTrainOnce(model: model, inputShape: inputShape, configuration: {
                    var settings = AutoTrainOnceConfiguration(keptFraction: kept, epochs: totalEpochs)
                    settings.seed = seed
                    settings.controllerInterval = controllerInterval
                    return settings
                }())
                if key == "ato-random-mask" {
                    let cost = run.cost
                    let fixed = cost.fullCost - cost.prunableCost
                    let scores = try ChannelImportance.random.scores(model, gating: run.gating, seed: seed &+ 7)
                    try run.fixMask(try BudgetedChannelSelection(target: (fixed + kept * cost.prunableCost) / cost.fullCost, scope: .local)
                        .masks(scores: scores, cost: cost))
                }
                let start = ContinuousClock.now
                writeLine("\(key) −\(Int(100 * ratio)) %: \(totalEpochs) epochs from scratch")
                _ = try run.train(training: training, controllerSet: controllerSet, validation: test, augmentation: augmentation) { record, position in
                    if let record {
                        writeLine(String(
                            format: "  epoch %d/%d: loss %.4f, controller %@, prunable FLOPs kept %.3f, masked accuracy %.2f %%, off-norm %.3g  [%.0f s, ETA %.0f s]",
                            record.epoch, totalEpochs, record.trainingLoss, record.controllerLoss.map { String(format: "%.3f", $0) } ?? "–",
                            record.prunableRatio, 100 * record.maskedAccuracy, record.switchedOffNorm, record.seconds,
                            record.seconds * Double(totalEpochs - record.epoch)))
                    }
                    _ = position
                }
                let ratioKept = Double(run.prunableRatio(run.mask).scalars[0])
                try run.export()
                // The dense reference of a from-scratch method: the same schedule without pruning
                // is the pre-trained model (its total epochs differ by the fine-tuning only).
                try record(key, ratio: ratio, model: model, accuracy: ImageClassificationEvaluation.accuracy(of: model, on: test),
                           prunableRatio: ratioKept, epochs: totalEpochs, seconds: (ContinuousClock.now - start) / .seconds(1),
                           reference: baseAccuracy)
            }
        }
        // One timing pass over every exported model and the dense one, after all training, on
        // one thread: rounds interleave the models and each keeps its best round.
        writeLine("timing \(exported.count) exported models and the dense one (1 thread, batch 1 and 64, best of \(timingRounds) rounds)")
        var timedSettings = settings
        SavedModels.measure(
            dense: dense, models: exported, rows: &rows, settings: &timedSettings, sample: sample, inputShape: inputShape,
            rounds: timingRounds)
        try ResultTable.write(rows, settings: timedSettings, title: "ResNet-\(depth) on Fashion-MNIST", to: URL(fileURLWithPath: output))
        writeLine("dense: \(timedSettings["denseImagesPerSecondBatch1"] ?? "?") images/s at batch 1, \(timedSettings["denseImagesPerSecondBatch64"] ?? "?") at batch 64")
        writeLine("")
        writeLine(ResultTable.markdown(rows))
        writeLine("wrote \(output)/{summary.md, results.csv, results.json, accuracy.svg} in \(elapsed())")
    }

    /// `--retime`: reloads every model a finished run saved in `output`, recounts its MACs and
    /// times them all (with the dense model) in one pass, then rewrites the result files.
    private func retimeSavedModels() throws {
        let folder = URL(fileURLWithPath: output)
        var document = try ResultTable.read(from: folder)
        let inputShape = [1, 28, 28]
        let test = try FashionMNIST.load(split: .test).normalized(by: FashionMNIST.normalization)
        let sample = test.images.sliced(alongAxis: 0, from: 0, count: 1).reshaped(to: inputShape)
        let dense: ResNet
        if FileManager.default.fileExists(atPath: SavedModels.denseFolder(output: output).path) {
            dense = try SavedModels.load(from: SavedModels.denseFolder(output: output))
        } else {
            // Runs before the dense model was saved: its speed does not depend on the weights.
            guard let depth = document.settings["depth"].flatMap(Int.init), depth > 2, (depth - 2) % 6 == 0 else {
                throw ValidationError("\(output)/results.json: settings.depth is missing or not 6n + 2")
            }
            var random = RandomGenerator(seed: 0)
            dense = ResNet.cifar(depth: depth, inputChannels: 1, classCount: 10, using: &random)
            writeLine("no saved dense model in \(output)/models/dense: timing a freshly initialized ResNet-\(depth)")
        }
        let models = try document.rows.map { try SavedModels.load(from: SavedModels.folder(output: output, method: $0.method, ratio: $0.targetRemoved)) }
        writeLine("timing \(models.count) saved models and the dense one (1 thread, batch 1 and 64, best of \(timingRounds) rounds); kernels \(KernelLevel.active)")
        SavedModels.measure(
            dense: dense, models: models, rows: &document.rows, settings: &document.settings, sample: sample,
            inputShape: inputShape, rounds: timingRounds)
        let depth = document.settings["depth"] ?? "?"
        try ResultTable.write(document.rows, settings: document.settings, title: "ResNet-\(depth) on Fashion-MNIST", to: folder)
        writeLine("dense: \(document.settings["denseImagesPerSecondBatch1"] ?? "?") images/s at batch 1, \(document.settings["denseImagesPerSecondBatch64"] ?? "?") at batch 64")
        writeLine(ResultTable.markdown(document.rows))
    }

    private func parsedRatios() throws -> [Double] {
        try ratios.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.map { part in
            guard let value = Double(part), value > 0, value < 1 else { throw ValidationError("--ratios: '\(part)' is not a fraction in (0, 1)") }
            return value
        }
    }

    private func parsedList(_ text: String, known: Set<String>, flag: String) throws -> Set<String> {
        let parts = Set(text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        if !known.isEmpty, let unknown = parts.subtracting(known).first {
            throw ValidationError("\(flag): unknown value '\(unknown)' (known: \(known.sorted().joined(separator: ", ")))")
        }
        return parts
    }
}
