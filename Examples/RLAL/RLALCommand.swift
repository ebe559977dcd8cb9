import ArgumentParser
import CNNExampleSupport
import ExampleSupport
import Foundation
import ModelZoo
import PruningCore
import StructuralPruning

/// Reproduces the shape of RLAL's table on Fashion-MNIST.
@main
struct RLALCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rlal",
        abstract: "RLAL (joint training and pruning with an RL agent and a learned reward model) against its ablation, an AMC-style agent and classic baselines.",
        discussion: """
            RLAL trains a CIFAR-style ResNet (or MobileNetV2) from scratch: --warm-up-epochs of plain training, then \
            --search-epochs in which the agent plays --episodes pruning episodes, the reward model \
            (epoch embeddings → GRU → code z → decoder) and the agent learn from the replay buffer, \
            and the weights train one epoch pulled towards the best sub-network so far; then \
            --aligned-epochs with that sub-network fixed, the export, and --fine-tune-epochs. \
            'rlal-no-z' is the same run without the code z. 'amc' searches with the same agent on \
            the frozen dense base and fine-tunes the exported network like the classic baselines, \
            which remove channels from the dense base (trained --pretrain-epochs) by filter L1 norm \
            (uniform per layer: l1-local; one global ranking: l1-global) or at random and fine-tune \
            for --baseline-fine-tune-epochs. Rewards come from --reward-images held out from the \
            training split. The budgets --ratios are fractions of the prunable FLOPs removed. \
            Exported models are saved to --output/models, reloaded, and timed on one thread. \
            --full runs the schedule of a public CIFAR-10 reproduction (days on two cores).
            """)

    @Option(help: "Network: resnet (CIFAR-style, --depth) or mobilenetv2 (--mobilenet-width).")
    var model: String = "resnet"

    @Option(help: "ResNet depth (6n + 2: 20, 56).")
    var depth: Int = 20

    @Option(help: "MobileNetV2 width multiplier.")
    var mobilenetWidth: Float = 0.5

    @Option(help: "Fractions of the prunable FLOPs to remove, comma-separated.")
    var ratios: String = "0.5,0.7"

    @Option(help: "Methods: rlal, rlal-no-z, amc, l1-local, l1-global, random.")
    var methods: String = "rlal,rlal-no-z,amc,l1-local,random"

    @Option(help: "Training images (the first N of the training split; 0: all 60,000 less the reward set).")
    var trainImages: Int = 15_000

    @Option(help: "Images held out from the end of the training split for the rewards.")
    var rewardImages: Int = 1_000

    @Option(help: "Test images (0: all 10,000).")
    var testImages: Int = 0

    @Option(help: "Test images the per-epoch accuracy is reported on (the final accuracy uses all test images).")
    var monitorImages: Int = 2_000

    @Option(help: "RLAL: epochs of plain training before the search.")
    var warmUpEpochs: Int = 3

    @Option(help: "RLAL: search epochs (episodes, reward-model and agent updates, one aligned weight epoch).")
    var searchEpochs: Int = 7

    @Option(help: "Search epochs (RLAL and AMC) with uniformly random actions at the start.")
    var randomSearchEpochs: Int = 1

    @Option(help: "RLAL: weight epochs with the best sub-network fixed, before the export.")
    var alignedEpochs: Int = 1

    @Option(help: "RLAL: fine-tuning epochs after the export.")
    var fineTuneEpochs: Int = 3

    @Option(help: "Episodes per search epoch.")
    var episodes: Int = 12

    @Option(help: "AMC: search rounds of --episodes episodes each on the frozen dense base.")
    var amcSearchEpochs: Int = 8

    @Option(help: "Epochs of the dense pre-training the baselines and AMC start from.")
    var pretrainEpochs: Int = 10

    @Option(help: "Fine-tuning epochs of the baselines and AMC.")
    var baselineFineTuneEpochs: Int = 4

    @Option(help: "The sub-network RLAL aligns to: automatic (the epoch's best episode), epochBest, bestSoFar.")
    var selection: String = "automatic"

    @Option(help: "β, the alignment's group-lasso strength.")
    var alignment: Float = 0.2

    @Option(help: "A dense checkpoint to start the baselines and AMC from, or 'shipped' for the package's trained ResNet-20, ResNet-56 or MobileNetV2 ×0.5 (skips the pre-training).")
    var base: String?

    @Flag(help: "The schedule of a public CIFAR-10 reproduction: all training images, warm-up 10, search 80 (10 random), aligned 60, fine-tune 10 epochs; 10 episodes; baselines 150 + 10 epochs; code 128, decoder hidden 300.")
    var full = false

    @Option(help: "Threads for training (timings always use 1).")
    var threads: Int = 2

    @Option(help: "Rounds of the final timing pass (each model keeps its best round).")
    var timingRounds: Int = 3

    @Option(help: "Seed.")
    var seed: UInt64 = 0

    @Option(help: "Folder for the result files.")
    var output: String = "results/rlal"

    static let knownMethods: Set<String> = ["rlal", "rlal-no-z", "amc", "l1-local", "l1-global", "random"]

    mutating func validate() throws {
        if let base { try InputPaths.checkReadable(base, flag: "--base") }
        try InputPaths.checkOutputDirectory(output, flag: "--output")
        guard depth > 2, (depth - 2) % 6 == 0 else { throw ValidationError("--depth \(depth) is not 6n + 2 (20, 56, ...)") }
        guard model == "resnet" || model == "mobilenetv2" else { throw ValidationError("--model '\(model)' is not resnet or mobilenetv2") }
        guard mobilenetWidth > 0, mobilenetWidth.isFinite else { throw ValidationError("--mobilenet-width \(mobilenetWidth) must be positive") }
        _ = try parsedRatios()
        let counts = [("--train-images", trainImages, 0), ("--reward-images", rewardImages, 1), ("--test-images", testImages, 0),
                      ("--monitor-images", monitorImages, 1), ("--warm-up-epochs", warmUpEpochs, 0), ("--search-epochs", searchEpochs, 1),
                      ("--random-search-epochs", randomSearchEpochs, 0), ("--aligned-epochs", alignedEpochs, 0),
                      ("--fine-tune-epochs", fineTuneEpochs, 0), ("--episodes", episodes, 1), ("--amc-search-epochs", amcSearchEpochs, 1),
                      ("--pretrain-epochs", pretrainEpochs, 1), ("--baseline-fine-tune-epochs", baselineFineTuneEpochs, 0),
                      ("--threads", threads, 1), ("--timing-rounds", timingRounds, 1)]
        for (flag, value, minimum) in counts where value < minimum {
            throw ValidationError("\(flag) \(value) must be at least \(minimum)")
        }
        guard randomSearchEpochs <= min(searchEpochs, amcSearchEpochs) else {
            throw ValidationError("--random-search-epochs \(randomSearchEpochs) exceeds --search-epochs or --amc-search-epochs")
        }
        guard RLALConfiguration.Selection(rawValue: selection) != nil else {
            throw ValidationError("--selection '\(selection)' is not one of \(RLALConfiguration.Selection.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard alignment >= 0, alignment.isFinite else { throw ValidationError("--alignment \(alignment) must be a finite value ≥ 0") }
        let parts = Set(methods.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        if let unknown = parts.subtracting(Self.knownMethods).first {
            throw ValidationError("--methods: unknown value '\(unknown)' (known: \(Self.knownMethods.sorted().joined(separator: ", ")))")
        }
        if full {
            trainImages = 0
            warmUpEpochs = 10
            searchEpochs = 80
            randomSearchEpochs = 10
            alignedEpochs = 60
            fineTuneEpochs = 10
            episodes = 10
            pretrainEpochs = 150
            baselineFineTuneEpochs = 10
            amcSearchEpochs = 80
        }
    }

    func run() throws {
        BLAS.relaunchWithFasterKernelsIfNeeded()
        let began = ContinuousClock.now
        func elapsed() -> String { String(format: "%.0f s", (ContinuousClock.now - began) / .seconds(1)) }
        let chosen = Set(methods.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        let ratioList = try parsedRatios()

        let normalization = FashionMNIST.normalization
        let all = try FashionMNIST.load(split: .train).normalized(by: normalization)
        let available = all.count - rewardImages
        guard available > 0 else { throw ValidationError("--reward-images \(rewardImages) leaves no training images") }
        let training = all.prefix(trainImages == 0 ? available : min(trainImages, available))
        let rewardSet = all.subset(Array(available..<all.count))
        var test = try FashionMNIST.load(split: .test).normalized(by: normalization)
        if testImages > 0 { test = test.prefix(testImages) }
        let monitor = test.prefix(min(monitorImages, test.count))
        let fill = (0 - normalization.mean[0]) / normalization.standardDeviation[0]
        let augmentation = ImageAugmentation(cropPadding: 2, fillValue: fill, flipProbability: 0.5)
        let inputShape = [1, 28, 28]
        let rlalEpochs = warmUpEpochs + searchEpochs + alignedEpochs + fineTuneEpochs
        let baselineEpochs = pretrainEpochs + baselineFineTuneEpochs
        writeLine("Fashion-MNIST: \(training.count) training, \(rewardSet.count) held-out reward, \(test.count) test images; "
            + "\(model == "mobilenetv2" ? "MobileNetV2 ×\(mobilenetWidth)" : "ResNet-\(depth)"); budgets \(ratioList.map { "−\(Int(100 * $0)) %" }.joined(separator: ", ")) of prunable FLOPs; \(threads) thread(s), kernels \(KernelLevel.active)")
        if rlalEpochs != baselineEpochs {
            writeLine("note: RLAL trains \(rlalEpochs) epochs, the baselines \(baselineEpochs): the comparison is not at equal training")
        }
        let data = TableData(
            training: training, rewardSet: rewardSet, test: test, monitor: monitor, augmentation: augmentation,
            inputShape: inputShape, baselineEpochs: baselineEpochs, chosen: chosen, ratioList: ratioList, began: began)
        if model == "mobilenetv2" {
            let width = mobilenetWidth
            try runTable(data, family: Family(
                name: "MobileNetV2 ×\(width)",
                make: { seed in
                    var random = RandomGenerator(seed: seed)
                    return MobileNetV2(widthMultiplier: width, inputChannels: 1, classCount: 10, using: &random)
                },
                save: { model, folder in try ChannelMaskExport.save(model, base: model.configuration, to: folder) },
                load: SavedModels.loadMobileNetV2(from:),
                shipped: width == 0.5 ? .mobileNetV2FashionMNIST : nil))
        } else {
            let depth = self.depth
            try runTable(data, family: Family(
                name: "ResNet-\(depth)",
                make: { seed in
                    var random = RandomGenerator(seed: seed)
                    return ResNet.cifar(depth: depth, inputChannels: 1, classCount: 10, using: &random)
                },
                save: { model, folder in try ChannelMaskExport.save(model, base: model.configuration, to: folder) },
                load: SavedModels.load(from:),
                shipped: depth == 20 ? .resnet20FashionMNIST : depth == 56 ? .resnet56FashionMNIST : nil))
        }
    }

    /// What every network's table shares.
    struct TableData {
        var training: ImageClassificationDataSet, rewardSet: ImageClassificationDataSet
        var test: ImageClassificationDataSet, monitor: ImageClassificationDataSet
        var augmentation: ImageAugmentation
        var inputShape: [Int]
        var baselineEpochs: Int
        var chosen: Set<String>
        var ratioList: [Double]
        var began: ContinuousClock.Instant
    }

    /// A network family: how to build, save and load it, and its shipped checkpoint if any.
    struct Family<Model: ChannelPrunable & Layer> {
        var name: String
        var make: (UInt64) -> Model
        var save: (Model, URL) throws -> Void
        var load: (URL) throws -> Model
        var shipped: ShippedCheckpoints.Name?
    }

    /// The whole table on one network family.
    func runTable<Model: ChannelPrunable & Layer>(_ data: TableData, family: Family<Model>) throws {
        let (training, rewardSet, test, monitor) = (data.training, data.rewardSet, data.test, data.monitor)
        let (augmentation, inputShape, baselineEpochs, chosen, ratioList) = (data.augmentation, data.inputShape, data.baselineEpochs, data.chosen, data.ratioList)
        let began = data.began
        func elapsed() -> String { String(format: "%.0f s", (ContinuousClock.now - began) / .seconds(1)) }
        let makeModel = family.make
        BLAS.setThreadCount(threads)
        ThreadPolicy.maximumThreads = threads

        // The dense base of the baselines and of AMC.
        let dense = makeModel(seed)
        if base == "shipped" {
            guard let shipped = family.shipped else { throw ValidationError("--base shipped: the package ships no checkpoint of \(family.name)") }
            try dense.load(from: try ShippedCheckpoints.weightsURL(shipped), strict: true)
            writeLine("dense base: the shipped \(family.name) (trained on all 60,000 training images)")
        } else if let base {
            try dense.load(from: URL(fileURLWithPath: base), strict: true)
            writeLine("dense base: \(base)")
        } else {
            var recipe = ClassifierTraining(epochs: pretrainEpochs)
            recipe.augmentation = augmentation
            recipe.seed = seed
            let planned = pretrainEpochs
            writeLine("dense pre-training: \(planned) epochs")
            try recipe.train(dense, on: training) { epoch, loss, seconds in
                writeLine(String(format: "  epoch %d/%d: loss %.4f  [%.0f s/epoch, ETA %.0f s, %@ total]",
                                 epoch, planned, loss, seconds, seconds * Double(planned - epoch), elapsed()))
            }
        }
        let denseState = dense.stateDictionary()
        try family.save(dense, SavedModels.denseFolder(output: output))
        let baseAccuracy = ImageClassificationEvaluation.accuracy(of: dense, on: test)
        let denseCounts = (
            flops: Double(ChannelCostModel.count(dense, inputShape: inputShape, measure: .flops)),
            parameters: Double(ChannelCostModel.count(dense, inputShape: inputShape, measure: .parameters)))
        let gated = Set(ChannelGating.defaultGroupNames(of: dense))
        let innerGroups = dense.prunableGroups.filter { gated.contains($0.name) }
        writeLine(String(format: "dense: test accuracy %.2f %%, %.2f M FLOPs, %.3f M parameters, %d gated groups",
                         100 * baseAccuracy, denseCounts.flops / 1e6, denseCounts.parameters / 1e6, innerGroups.count))

        var rows: [ResultRow] = []
        var exported: [Model] = []
        var histories: [String: [RLALEpoch]] = [:]
        var layerRatios: [String: [Double]] = [:]
        var settings = ["model": family.name, "ratios": ratios, "trainImages": "\(training.count)", "rewardImages": "\(rewardSet.count)",
                        "testImages": "\(test.count)", "warmUpEpochs": "\(warmUpEpochs)", "searchEpochs": "\(searchEpochs)",
                        "randomSearchEpochs": "\(randomSearchEpochs)", "alignedEpochs": "\(alignedEpochs)", "fineTuneEpochs": "\(fineTuneEpochs)",
                        "episodes": "\(episodes)", "amcSearchEpochs": "\(amcSearchEpochs)", "pretrainEpochs": "\(pretrainEpochs)",
                        "baselineFineTuneEpochs": "\(baselineFineTuneEpochs)", "alignment": "\(alignment)", "selection": selection, "seed": "\(seed)",
                        "threads": "\(threads)", "base": base ?? "trained"]
        let probe = test.images.sliced(alongAxis: 0, from: 0, count: min(256, test.count))
        func writeFiles() throws {
            try ResultTable.write(rows, settings: settings, title: "\(family.name) on Fashion-MNIST",
                                  to: URL(fileURLWithPath: output), extraFiles: try RLALPlots.files(histories: histories, layerRatios: layerRatios))
        }
        func record(_ method: String, ratio: Double, model: Model, epochs: Int, seconds: Double, reference: Double) throws {
            let folder = SavedModels.folder(output: output, method: method, ratio: ratio)
            try family.save(model, folder)
            let reloaded = try family.load(folder)
            model.eval()
            reloaded.eval()
            let difference = withoutGradients { Double((model(probe) - reloaded(probe)).abs().max().scalars[0]) }
            let flops = Double(ChannelCostModel.count(model, inputShape: inputShape, measure: .flops))
            let sizes = Dictionary(model.prunableGroups.map { ($0.name, $0.size) }, uniquingKeysWith: { a, _ in a })
            layerRatios["\(method) −\(Int((100 * ratio).rounded())) %"] = innerGroups.map { 1 - Double(sizes[$0.name] ?? $0.size) / Double($0.size) }
            let accuracy = ImageClassificationEvaluation.accuracy(of: model, on: test)
            let row = ResultRow(
                method: method, targetRemoved: ratio, baseAccuracy: reference, prunedAccuracy: accuracy,
                flopsReduction: 1 - flops / denseCounts.flops,
                parameterReduction: 1 - Double(ChannelCostModel.count(model, inputShape: inputShape, measure: .parameters)) / denseCounts.parameters,
                macs: Double(ChannelCostModel.count(model, inputShape: inputShape, measure: .macs)) / 1e6,
                prunableRatio: try prunableFraction(of: model), reloadMaximumDifference: difference, totalEpochs: epochs, seconds: seconds)
            rows.append(row)
            exported.append(model)
            writeLine(String(format: "  %@: accuracy %.2f %% (base %.2f %%), FLOPs −%.1f %%, prunable FLOPs kept %.3f, reload max |Δ| %.1g  [%@]",
                             method, 100 * accuracy, 100 * reference, 100 * row.flopsReduction, row.prunableRatio, difference, elapsed()))
            try writeFiles()
        }
        /// The kept fraction of the dense model's prunable FLOPs in an exported model.
        func prunableFraction(of model: Model) throws -> Double {
            let cost = try ChannelCostModel(model: dense, inputShape: inputShape, gatedGroups: innerGroups.map(\.name), measure: .flops)
            let flops = Double(ChannelCostModel.count(model, inputShape: inputShape, measure: .flops))
            return (flops - (cost.fullCost - cost.prunableCost)) / cost.prunableCost
        }

        for ratio in ratioList {
            // RLAL and its ablation, from scratch.
            for (key, usesCode) in [("rlal", true), ("rlal-no-z", false)] where chosen.contains(key) {
                let model = makeModel(seed)
                var configuration = RLALConfiguration(keptFraction: 1 - ratio)
                configuration.warmUpEpochs = warmUpEpochs
                configuration.searchEpochs = searchEpochs
                configuration.randomSearchEpochs = randomSearchEpochs
                configuration.alignedEpochs = alignedEpochs
                configuration.fineTuneEpochs = fineTuneEpochs
                configuration.episodesPerEpoch = episodes
                configuration.alignmentStrength = alignment
                configuration.selection = RLALConfiguration.Selection(rawValue: selection) ?? .automatic
                configuration.usesEnvironmentCode = usesCode
                configuration.seed = seed
                if full {
                    configuration.codeSize = 128
                    configuration.embeddingSize = 128
                    configuration.decoderHidden = [300, 300]
                    configuration.agentUpdates = 200
                }
                let run = try RLAL(model: model, inputShape: inputShape, rewardSet: rewardSet, configuration: configuration)
                writeLine("\(key) −\(Int(100 * ratio)) %: \(configuration.totalEpochs) epochs from scratch (\(warmUpEpochs) warm-up, \(searchEpochs) search, \(alignedEpochs) aligned, \(fineTuneEpochs) fine-tune)")
                let start = ContinuousClock.now
                try run.run(training: training, validation: monitor, augmentation: augmentation) { entry in
                    progressLine(key, entry, total: configuration.totalEpochs, since: start)
                }
                histories["\(key) −\(Int((100 * ratio).rounded())) %"] = run.history
                try record(key, ratio: ratio, model: model, epochs: configuration.totalEpochs, seconds: (ContinuousClock.now - start) / .seconds(1), reference: baseAccuracy)
            }

            // AMC-style: the same agent on the frozen dense base, then the baselines' fine-tuning.
            if chosen.contains("amc") {
                let model = makeModel(seed)
                try model.load(denseState)
                var configuration = RLALConfiguration(keptFraction: 1 - ratio)
                configuration.trainsWeights = false
                configuration.usesEnvironmentCode = false
                configuration.searchEpochs = amcSearchEpochs
                configuration.randomSearchEpochs = randomSearchEpochs
                configuration.episodesPerEpoch = episodes
                configuration.fineTuneEpochs = baselineFineTuneEpochs
                configuration.seed = seed
                let run = try RLAL(model: model, inputShape: inputShape, rewardSet: rewardSet, configuration: configuration)
                writeLine("amc −\(Int(100 * ratio)) %: \(amcSearchEpochs) × \(episodes) episodes on the frozen dense base, then \(baselineFineTuneEpochs) fine-tuning epochs")
                let start = ContinuousClock.now
                let planned = amcSearchEpochs + baselineFineTuneEpochs
                try run.run(training: training, validation: monitor, augmentation: augmentation) { entry in
                    progressLine("amc", entry, total: planned, since: start)
                }
                histories["amc −\(Int((100 * ratio).rounded())) %"] = run.history
                try record("amc", ratio: ratio, model: model, epochs: baselineEpochs, seconds: (ContinuousClock.now - start) / .seconds(1), reference: baseAccuracy)
            }

            // The classic baselines: prune the dense base to the budget and fine-tune.
            for (key, criterion, scope) in [("l1-local", ChannelImportance.l1Norm, BudgetedChannelSelection.Scope.local),
                                            ("l1-global", .l1Norm, .global), ("random", .random, .local)] where chosen.contains(key) {
                let model = makeModel(seed)
                try model.load(denseState)
                var tuning = ClassifierTraining(epochs: baselineFineTuneEpochs)
                tuning.augmentation = augmentation
                tuning.learningRate = 0.01
                tuning.seed = seed &+ 1
                let start = ContinuousClock.now
                writeLine("\(key) −\(Int(100 * ratio)) %: prune the dense base, fine-tune \(baselineFineTuneEpochs) epochs")
                _ = try ClassicChannelPruning(importance: criterion, scope: scope, keptFraction: 1 - ratio, fineTuning: tuning)
                    .run(model, inputShape: inputShape, training: training, validation: test)
                try record(key, ratio: ratio, model: model, epochs: baselineEpochs, seconds: (ContinuousClock.now - start) / .seconds(1), reference: baseAccuracy)
            }
        }

        writeLine("timing \(exported.count) exported models and the dense one (1 thread, batch 1 and 64, best of \(timingRounds) rounds)")
        let sample = test.images.sliced(alongAxis: 0, from: 0, count: 1).reshaped(to: inputShape)
        SavedModels.measure(
            dense: dense, models: exported.map { $0 as any ChannelPrunable & Layer }, rows: &rows, settings: &settings, sample: sample, inputShape: inputShape, rounds: timingRounds)
        try writeFiles()
        writeLine("dense: \(settings["denseImagesPerSecondBatch1"] ?? "?") images/s at batch 1, \(settings["denseImagesPerSecondBatch64"] ?? "?") at batch 64")
        writeLine("")
        writeLine(ResultTable.markdown(rows))
        writeLine("wrote \(output)/{summary.md, results.csv, results.json, accuracy.svg, histories.json, rewards.svg, decoder-error.svg, ratios.svg} in \(elapsed())")
    }
}

extension RLALCommand {
    func parsedRatios() throws -> [Double] {
        try ratios.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.map { part in
            guard let value = Double(part), value > 0, value < 1 else { throw ValidationError("--ratios: '\(part)' is not a fraction in (0, 1)") }
            return value
        }
    }
}

/// One progress line per epoch, with the run's ETA.
func progressLine(_ method: String, _ entry: RLALEpoch, total: Int, since start: ContinuousClock.Instant) {
    let spent = (ContinuousClock.now - start) / .seconds(1)
    let eta = spent / Double(entry.epoch) * Double(max(0, total - entry.epoch))
    var parts = ["\(method) epoch \(entry.epoch)/\(total) \(entry.phase.rawValue)"]
    if let loss = entry.trainingLoss { parts.append(String(format: "loss %.4f", loss)) }
    if let mean = entry.meanReward, let best = entry.incumbentReward {
        parts.append(String(format: "reward mean %.3f, incumbent %.3f (prunable kept %.3f)", mean, best, entry.incumbentPrunableFraction ?? 1))
    }
    if let fit = entry.decoderFitError, let prediction = entry.decoderPredictionError {
        parts.append(String(format: "decoder RMSE fit %.4f, new %.4f", fit, prediction))
    }
    parts.append(String(format: "accuracy %.2f %%", 100 * entry.validationAccuracy))
    writeLine("  " + parts.joined(separator: ", ") + String(format: "  [%.0f s, ETA %.0f s]", entry.seconds, eta))
}
