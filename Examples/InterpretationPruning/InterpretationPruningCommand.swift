import ArgumentParser
import CNNExampleSupport
import ExampleSupport
import Foundation
import ModelZoo
import PruningCore
import StructuralPruning

/// Reproduces the shape of interpretation-steered pruning's table on Fashion-MNIST, with the
/// explanation fidelity the paper claims to preserve.
@main
struct InterpretationPruningCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "interpretation-pruning",
        abstract: "Interpretation-steered channel pruning (amortized RBF saliency maps) against output distillation, cross-entropy and classic baselines, with explanation fidelity.",
        discussion: """
            Starts from a dense ResNet (--base: 'shipped' for the package's trained ResNet-20 or \
            ResNet-56, a checkpoint, or 'train' for --pretrain-epochs on the training images). \
            Stage 1 trains a predictor on randomly RBF-masked images, stage 2 the amortized \
            saliency selector, stage 3 stores the original's RBF parameters on --target-images held \
            out from the end of the training split, stage 4 trains a gate controller with every \
            network frozen — 'isp' on the RBF-parameter MSE, 'kd' on output distillation, 'ce' on \
            the labels — under the FLOPs budget (--ratios: fractions of the prunable FLOPs \
            removed), stage 5 exports and fine-tunes. 'l1-local', 'l1-global' and 'random' prune the \
            same base by filter norm or at random. Every pruned model gets the same fine-tuning. \
            Stages 1, 2 and 4 save to --checkpoints and a rerun with the same settings resumes. \
            Fidelity: IoU of the top 10 % pixels of each model's RBF and gradient saliency maps \
            against the original's, the distance of the RBF centres, and the deletion and \
            insertion areas under the original's gradient ranking, on --fidelity-images test images.
            """)

    @Option(help: "ResNet depth (6n + 2: 20, 56).")
    var depth: Int = 20

    @Option(help: "Fractions of the prunable FLOPs to remove, comma-separated.")
    var ratios: String = "0.5,0.7"

    @Option(help: "Methods: isp, isp-ce (ISP plus cross-entropy), kd, ce, l1-local, l1-global, random.")
    var methods: String = "isp,kd,ce,l1-global,l1-local,random"

    @Option(help: "Training images (the first N of the training split; 0: all but the target split).")
    var trainImages: Int = 15_000

    @Option(help: "Images held out from the end of the training split for the controller (stage 3).")
    var targetImages: Int = 1_000

    @Option(help: "Test images (0: all 10,000).")
    var testImages: Int = 0

    @Option(help: "Test images the explanation fidelity is measured on.")
    var fidelityImages: Int = 1_000

    @Option(help: "Stage 1 epochs (the predictor starts from the classifier).")
    var predictorEpochs: Int = 3

    @Option(help: "Stage 2 epochs.")
    var selectorEpochs: Int = 3

    @Option(help: "Stage 2 area weight λ₁ (ours; the official 0.2 saturates the masks on Fashion-MNIST).")
    var areaWeight: Float = 1

    @Option(help: "Stage 4 weight of the standardized RBF-parameter MSE.")
    var saliencyWeight: Float = 1

    @Option(help: "Stage 4 weight of the FLOPs loss (official 1).")
    var budgetWeight: Float = 1

    @Option(help: "Stage 4 epochs over the target split.")
    var controllerEpochs: Int = 30

    @Option(help: "Stage 4 controller: free-logits or hyper-structure.")
    var controller: String = "free-logits"

    @Option(help: "Fine-tuning epochs of every pruned model (SGD, cosine from 0.01, random crop + flip).")
    var fineTuneEpochs: Int = 3

    @Option(help: "Dense base: 'shipped', a checkpoint file, or 'train'.")
    var base: String = "shipped"

    @Option(help: "With --base train: epochs of dense training.")
    var pretrainEpochs: Int = 10

    @Option(help: "Images in the saliency grid (PNG).")
    var gridImages: Int = 8

    @Option(help: "Folder of the stage checkpoints (resumed when the settings match); 'none' to keep none.")
    var checkpoints: String = "results/interpretation-pruning/checkpoints"

    @Option(help: "Threads for training (timings always use 1).")
    var threads: Int = 2

    @Option(help: "Rounds of the final timing pass (each model keeps its best round).")
    var timingRounds: Int = 3

    @Option(help: "Seed.")
    var seed: UInt64 = 0

    @Option(help: "Folder for the result files.")
    var output: String = "results/interpretation-pruning"

    static let knownMethods: Set<String> = ["isp", "isp-ce", "kd", "ce", "l1-local", "l1-global", "random"]

    mutating func validate() throws {
        if base != "shipped" && base != "train" { try InputPaths.checkReadable(base, flag: "--base") }
        try InputPaths.checkOutputDirectory(output, flag: "--output")
        if checkpoints != "none" { try InputPaths.checkOutputDirectory(checkpoints, flag: "--checkpoints") }
        guard depth > 2, (depth - 2) % 6 == 0 else { throw ValidationError("--depth \(depth) is not 6n + 2 (20, 56, ...)") }
        _ = try parsedRatios()
        let counts = [("--train-images", trainImages, 0), ("--target-images", targetImages, 1), ("--test-images", testImages, 0),
                      ("--fidelity-images", fidelityImages, 1), ("--predictor-epochs", predictorEpochs, 0),
                      ("--selector-epochs", selectorEpochs, 0), ("--controller-epochs", controllerEpochs, 1),
                      ("--fine-tune-epochs", fineTuneEpochs, 0), ("--pretrain-epochs", pretrainEpochs, 1), ("--grid-images", gridImages, 0),
                      ("--threads", threads, 1), ("--timing-rounds", timingRounds, 1)]
        for (flag, value, minimum) in counts where value < minimum {
            throw ValidationError("\(flag) \(value) must be at least \(minimum)")
        }
        guard InterpretationController(rawValue: controller) != nil else {
            throw ValidationError("--controller '\(controller)' is not one of \(InterpretationController.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        let parts = Set(methods.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        if let unknown = parts.subtracting(Self.knownMethods).first {
            throw ValidationError("--methods: unknown value '\(unknown)' (known: \(Self.knownMethods.sorted().joined(separator: ", ")))")
        }
        guard !parts.isEmpty else { throw ValidationError("--methods: name at least one method") }
        if base == "shipped", depth != 20, depth != 56 {
            throw ValidationError("--base shipped: the package ships ResNet-20 and ResNet-56, not ResNet-\(depth)")
        }
    }

    func parsedRatios() throws -> [Double] {
        let values = try ratios.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.map { part in
            guard let value = Double(part), value > 0, value < 1 else { throw ValidationError("--ratios: '\(part)' is not a fraction in (0, 1)") }
            return value
        }
        guard !values.isEmpty else { throw ValidationError("--ratios: give at least one fraction") }
        return values
    }

    func run() throws {
        BLAS.relaunchWithFasterKernelsIfNeeded()
        BLAS.setThreadCount(threads)
        ThreadPolicy.maximumThreads = threads
        let began = ContinuousClock.now
        func elapsed() -> String { String(format: "%.0f s", (ContinuousClock.now - began) / .seconds(1)) }
        let chosen = Set(methods.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        let ratioList = try parsedRatios()

        let normalization = FashionMNIST.normalization
        let all = try FashionMNIST.load(split: .train).normalized(by: normalization)
        let available = all.count - targetImages
        guard available > 0 else { throw ValidationError("--target-images \(targetImages) leaves no training images") }
        let training = all.prefix(trainImages == 0 ? available : min(trainImages, available))
        let targetSplit = all.subset(Array(available..<all.count))
        var test = try FashionMNIST.load(split: .test).normalized(by: normalization)
        if testImages > 0 { test = test.prefix(testImages) }
        let fidelitySet = test.prefix(min(fidelityImages, test.count))
        let fill = (0 - normalization.mean[0]) / normalization.standardDeviation[0]
        let augmentation = ImageAugmentation(cropPadding: 2, fillValue: fill, flipProbability: 0.5)
        let inputShape = [1, 28, 28]
        writeLine("Fashion-MNIST: \(training.count) training, \(targetSplit.count) held-out target, \(test.count) test images (\(fidelitySet.count) for fidelity); "
            + "ResNet-\(depth); budgets \(ratioList.map { "−\(Int(100 * $0)) %" }.joined(separator: ", ")) of prunable FLOPs; \(threads) thread(s), kernels \(KernelLevel.active)")

        // The dense original.
        var random = RandomGenerator(seed: seed)
        let dense = ResNet.cifar(depth: depth, inputChannels: 1, classCount: 10, using: &random)
        if base == "shipped" {
            try dense.load(from: try ShippedCheckpoints.weightsURL(depth == 20 ? .resnet20FashionMNIST : .resnet56FashionMNIST), strict: true)
            writeLine("dense base: the shipped ResNet-\(depth) (trained on all 60,000 training images)")
        } else if base == "train" {
            var recipe = ClassifierTraining(epochs: pretrainEpochs)
            recipe.augmentation = augmentation
            recipe.seed = seed
            writeLine("dense pre-training: \(pretrainEpochs) epochs")
            let planned = pretrainEpochs
            try recipe.train(dense, on: training) { epoch, loss, seconds in
                writeLine(String(format: "  epoch %d/%d: loss %.4f  [%.0f s/epoch, ETA %.0f s]", epoch, planned, loss, seconds, seconds * Double(planned - epoch)))
            }
        } else {
            try dense.load(from: URL(fileURLWithPath: base), strict: true)
            writeLine("dense base: \(base)")
        }
        dense.eval()
        let baseAccuracy = ImageClassificationEvaluation.accuracy(of: dense, on: test)
        let denseFlops = Double(ChannelCostModel.count(dense, inputShape: inputShape, measure: .flops))
        let denseParameters = Double(ChannelCostModel.count(dense, inputShape: inputShape, measure: .parameters))
        writeLine(String(format: "dense: test accuracy %.2f %%, %.2f M FLOPs, %.3f M parameters", 100 * baseAccuracy, denseFlops / 1e6, denseParameters / 1e6))

        var settings = InterpretationSteeredConfiguration()
        settings.predictorEpochs = predictorEpochs
        settings.selectorEpochs = selectorEpochs
        settings.areaWeight = areaWeight
        settings.saliencyWeight = saliencyWeight
        settings.budgetWeight = budgetWeight
        settings.controllerEpochs = controllerEpochs
        settings.controller = InterpretationController(rawValue: controller) ?? .freeLogits
        settings.fineTuneEpochs = fineTuneEpochs
        settings.seed = seed
        var tuning = ClassifierTraining(epochs: fineTuneEpochs)
        tuning.augmentation = augmentation
        tuning.learningRate = 0.01
        tuning.seed = seed &+ 1
        let checkpointFolder = checkpoints == "none" ? nil : URL(fileURLWithPath: checkpoints).appendingPathComponent("resnet\(depth)-\(base == "shipped" ? "shipped" : "custom")")
        // Stages 1–3 once; the controller stages per budget share them.
        let pipeline = try InterpretationSteeredPruning(
            original: dense, inputShape: inputShape, classCount: 10, configuration: settings, checkpointDirectory: checkpointFolder)
        var stageRecords: [InterpretationStageRecord] = []
        writeLine("stage 1: predictor, \(predictorEpochs) epochs on randomly RBF-masked images")
        stageRecords += try pipeline.trainPredictor(on: training) { record in
            writeLine(String(format: "  predictor epoch %d/%d: KL %.4f  [%.0f s, %@]", record.epoch, predictorEpochs, record.loss, record.seconds, elapsed()))
        }
        writeLine("stage 2: selector, \(selectorEpochs) epochs")
        stageRecords += try pipeline.trainSelector(on: training) { record in
            writeLine(String(format: "  selector epoch %d/%d: loss %.4f (KL %.4f, area %.4f, mean σ %.2f px)  [%.0f s, %@]", record.epoch, selectorEpochs,
                             record.loss, record.divergence ?? 0, record.area ?? 0, record.meanWidth ?? 0, record.seconds, elapsed()))
        }
        if stageRecords.isEmpty { writeLine("  stages 1 and 2 resumed from \(checkpointFolder?.path ?? "")") }
        let targets = try pipeline.targets(for: targetSplit)
        writeLine("stage 3: the original's RBF parameters on \(targetSplit.count) held-out images")

        let fidelity = try FidelityReference(pipeline: pipeline, data: fidelitySet)
        var rows: [ResultRow] = []
        var fidelityRows: [FidelityRow] = [try fidelity.row(method: "dense", ratio: 0, model: dense)]
        var exported: [ResNet] = []
        var controllerHistories: [String: [InterpretationControllerEpoch]] = [:]
        var gridModels: [(String, ResNet)] = [("original", dense)]
        var runSettings = ["model": "ResNet-\(depth)", "ratios": ratios, "trainImages": "\(training.count)", "targetImages": "\(targetSplit.count)",
                           "testImages": "\(test.count)", "fidelityImages": "\(fidelitySet.count)", "predictorEpochs": "\(predictorEpochs)",
                           "selectorEpochs": "\(selectorEpochs)", "controllerEpochs": "\(controllerEpochs)", "controller": controller,
                           "fineTuneEpochs": "\(fineTuneEpochs)", "base": base, "seed": "\(seed)", "threads": "\(threads)"]
        let probe = test.images.sliced(alongAxis: 0, from: 0, count: min(256, test.count))
        func writeFiles() throws {
            let extra = try InterpretationFigures.files(
                fidelity: fidelityRows, stages: stageRecords, controllers: controllerHistories)
            try ResultTable.write(rows, settings: runSettings, title: "ResNet-\(depth) on Fashion-MNIST", to: URL(fileURLWithPath: output), extraFiles: extra)
        }
        func record(_ method: String, ratio: Double, model: ResNet, seconds: Double) throws {
            let folder = SavedModels.folder(output: output, method: method, ratio: ratio)
            try ChannelMaskExport.save(model, base: model.configuration, to: folder)
            let reloaded = try SavedModels.load(from: folder)
            model.eval()
            reloaded.eval()
            let difference = withoutGradients { Double((model(probe) - reloaded(probe)).abs().max().scalars[0]) }
            let flops = Double(ChannelCostModel.count(model, inputShape: inputShape, measure: .flops))
            let accuracy = ImageClassificationEvaluation.accuracy(of: model, on: test)
            let prunable = (flops - (pipeline.cost.fullCost - pipeline.cost.prunableCost)) / pipeline.cost.prunableCost
            let row = ResultRow(
                method: method, targetRemoved: ratio, baseAccuracy: baseAccuracy, prunedAccuracy: accuracy,
                flopsReduction: 1 - flops / denseFlops,
                parameterReduction: 1 - Double(ChannelCostModel.count(model, inputShape: inputShape, measure: .parameters)) / denseParameters,
                macs: Double(ChannelCostModel.count(model, inputShape: inputShape, measure: .macs)) / 1e6,
                prunableRatio: prunable, reloadMaximumDifference: difference, totalEpochs: fineTuneEpochs, seconds: seconds)
            rows.append(row)
            exported.append(model)
            let fidelityRow = try fidelity.row(method: method, ratio: ratio, model: model)
            fidelityRows.append(fidelityRow)
            writeLine(String(format: "  %@: accuracy %.2f %% (base %.2f %%), FLOPs −%.1f %%, RBF IoU %.3f, gradient IoU %.3f, reload max |Δ| %.1g  [%@]",
                             method, 100 * accuracy, 100 * baseAccuracy, 100 * row.flopsReduction, fidelityRow.rbfIoU, fidelityRow.gradientIoU,
                             difference, elapsed()))
            try writeFiles()
        }

        for ratio in ratioList {
            let percent = Int((100 * ratio).rounded())
            for (key, signal, addsCE) in [("isp", ControllerSignal.saliency, false), ("isp-ce", .saliency, true),
                                         ("kd", .distillation, false), ("ce", .crossEntropy, false)] where chosen.contains(key) {
                let start = ContinuousClock.now
                writeLine("\(key) −\(percent) %: stage 4, \(controllerEpochs) controller epochs on the \(signal.rawValue) signal")
                let planned = controllerEpochs
                let result = try pipeline.trainController(signal: signal, targets: targets, keptFraction: 1 - ratio, addsCrossEntropy: addsCE) { entry in
                    if entry.epoch == 1 || entry.epoch % 5 == 0 || entry.epoch == planned {
                        writeLine(String(format: "  %@ epoch %d/%d: loss %.4f (signal %.4f), prunable FLOPs kept %.3f  [%.1f s]",
                                         key, entry.epoch, planned, entry.loss, entry.signal, entry.prunableRatio, entry.seconds))
                    }
                }
                if !result.history.isEmpty { controllerHistories["\(key) −\(percent) %"] = result.history } else { writeLine("  resumed the controller") }
                writeLine(String(format: "  masks: prunable FLOPs kept %.3f; stage 5: export and fine-tune %d epochs", result.prunableRatio, fineTuneEpochs))
                let pruned = try pipeline.exportAndFineTune(result.masks, training: training, recipe: tuning)
                try record(key, ratio: ratio, model: pruned, seconds: (ContinuousClock.now - start) / .seconds(1))
                if ratio == ratioList[0] { gridModels.append((key, pruned)) }
            }
            for (key, criterion, scope) in [("l1-global", ChannelImportance.l1Norm, BudgetedChannelSelection.Scope.global),
                                            ("l1-local", .l1Norm, .local), ("random", .random, .local)] where chosen.contains(key) {
                let model = try dense.replica()
                let start = ContinuousClock.now
                writeLine("\(key) −\(percent) %: prune the dense base, fine-tune \(fineTuneEpochs) epochs")
                _ = try ClassicChannelPruning(importance: criterion, scope: scope, keptFraction: 1 - ratio, fineTuning: tuning)
                    .run(model, inputShape: inputShape, training: training, validation: test)
                try record(key, ratio: ratio, model: model, seconds: (ContinuousClock.now - start) / .seconds(1))
                if ratio == ratioList[0], key == "l1-global" { gridModels.append((key, model)) }
            }
        }

        if gridImages > 0 {
            let url = URL(fileURLWithPath: output).appendingPathComponent("saliency-grid.png")
            try InterpretationFigures.saliencyGrid(
                models: gridModels, pipeline: pipeline, data: fidelitySet.prefix(min(gridImages, fidelitySet.count)), to: url)
            writeLine("wrote \(url.path): rows = images; columns = the image, then the RBF saliency of \(gridModels.map(\.0).joined(separator: ", ")) (−\(Int((100 * ratioList[0]).rounded())) %)")
        }
        writeLine("timing \(exported.count) exported models and the dense one (1 thread, batch 1 and 64, best of \(timingRounds) rounds)")
        let sample = test.images.sliced(alongAxis: 0, from: 0, count: 1).reshaped(to: inputShape)
        SavedModels.measure(dense: dense, models: exported.map { $0 as any ChannelPrunable & Layer }, rows: &rows, settings: &runSettings,
                            sample: sample, inputShape: inputShape, rounds: timingRounds)
        try writeFiles()
        writeLine("")
        writeLine(ResultTable.markdown(rows))
        writeLine("")
        writeLine(FidelityRow.markdown(fidelityRows))
        writeLine("wrote \(output)/{summary.md, results.csv, results.json, accuracy.svg, fidelity.md, fidelity.csv, fidelity.json, deletion.svg, controller.svg, stages.json, saliency-grid.png} in \(elapsed())")
    }
}
