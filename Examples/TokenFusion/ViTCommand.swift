import ArgumentParser
import ExampleSupport
import Foundation
import ModelZoo
import PruningCore
import TokenFusion

/// Compares ToMe, EViT-style pruning, ToFu and ToFu with averaging on the Fashion-MNIST ViT:
/// top-1 accuracy against measured throughput, a short fine-tune with ToFu on, and the norm check.
struct ViTCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vit",
        abstract: "Token reduction on the Fashion-MNIST ViT: accuracy, throughput, fine-tuning and feature norms.",
        discussion: """
            Loads the ViT that `train-baselines --model vit` saves (--checkpoint, with its JSON \
            summary next to it: the architecture and the image normalization) and evaluates on the \
            Fashion-MNIST test set: the unmodified model, then for every r (tokens removed per \
            block) ToMe (size-weighted average), EViT-style pruning (the tokens the class token \
            attends to least are dropped), ToFu (pruning in the early blocks, MLERP in the later \
            ones, the library default) and ToFu with averaging instead of MLERP. Throughput is in \
            images per CPU-second on --timing-batches batches of --batch-size test images, the best \
            of --rounds interleaved passes after one untimed warm-up batch, with the speed-up over \
            the unmodified model in the same run and the speed-up the blocks' multiply-add count \
            predicts. With --finetune-epochs above 0 a copy of the model is fine-tuned with ToFu at \
            the largest r, and another copy the same way without reduction as the control. The \
            norm check prints the mean token norm after every block with no merging, averaging, \
            MLERP and the two ToFu variants at the largest r. Writes summary.md, results.csv, \
            results.json and accuracy-throughput.svg to --output.
            """)

    @Option(help: "The ViT weights (its JSON summary has the same name with .json).")
    var checkpoint: String = "checkpoints/vit-fashion-mnist.safetensors"

    @Option(name: .customLong("r"), parsing: .upToNextOption,
            help: "Tokens removed per block (default: 0, 2, 4, … up to the largest r no block caps).")
    var rValues: [Int] = []

    @Option(help: "Evaluate on only the first N test images.")
    var testLimit: Int?

    @Option(name: .customLong("batch-size"), help: "Images per batch (evaluation, timing and fine-tuning).")
    var batchSize: Int = 64

    @Option(help: "Batches timed per pass.")
    var timingBatches: Int = 8

    @Option(help: "Timing passes per method (the best counts).")
    var rounds: Int = 5

    @Option(help: "Threads for BLAS and the elementwise loops.")
    var threads: Int = 1

    @Option(help: "Passes over the fine-tuning images (0: no fine-tuning).")
    var finetuneEpochs: Int = 1

    @Option(help: "Training images used for fine-tuning (a random subset).")
    var finetuneImages: Int = 2048

    @Option(help: "Fine-tuning learning rate (AdamW, constant, no weight decay).")
    var finetuneLearningRate: Float = 1e-4

    @Option(help: "Test images for the norm check (0: skip it).")
    var normImages: Int = 512

    @Option(help: "Folder for summary.md, results.csv, results.json and accuracy-throughput.svg.")
    var output: String = "results/token-fusion-vit"

    @Option(help: "Random seed of the fine-tuning subset and batch order.")
    var seed: UInt64 = 0

    mutating func validate() throws {
        try InputPaths.checkOutputDirectory(output, flag: "--output")
        try InputPaths.checkReadable(checkpoint, flag: "--checkpoint")
        guard batchSize > 0, timingBatches > 0, rounds > 0, threads > 0, (testLimit ?? 1) > 0,
              finetuneEpochs >= 0, finetuneImages > 0, normImages >= 0, rValues.allSatisfy({ $0 >= 0 })
        else {
            throw ValidationError("sizes, counts and --threads must be positive; --finetune-epochs, --norm-images and --r at least 0")
        }
    }

    mutating func run() throws {
        BLAS.relaunchWithFasterKernelsIfNeeded()
        BLAS.setThreadCount(threads)
        ThreadPolicy.maximumThreads = threads
        let start = Date()
        func log(_ line: String) {
            FileHandle.standardError.write(Data(String(format: "[%5.0f s] %@\n", Date().timeIntervalSince(start), line).utf8))
        }

        let checkpointFile = try ViTCheckpoint(weights: URL(fileURLWithPath: checkpoint))
        let model = try checkpointFile.makeModel()
        let architecture = model.configuration
        let (tokenCount, layerCount) = (architecture.patchCount + 1, architecture.depth)
        var test = try FashionMNIST.load(split: .test)
        if let testLimit { test = test.prefix(testLimit) }
        test = test.normalized(by: checkpointFile.summary.normalization)
        let rList = (rValues.isEmpty ? ViTBenchmark.defaultRValues(tokenCount: tokenCount, layerCount: layerCount) : rValues)
        let reducing = Array(Set(rList.filter { $0 > 0 })).sorted()
        let timingImages = min(test.count, timingBatches * batchSize)
        let timing = stride(from: 0, to: timingImages, by: batchSize).map {
            test.images.sliced(alongAxis: 0, from: $0, count: min(batchSize, timingImages - $0))
        }
        print("""
            Fashion-MNIST ViT (\(architecture.patchCount) patches + class token, \(layerCount) blocks, width \(architecture.width)) \
            from \(checkpoint) (\(checkpointFile.trainingNote)); \(test.count) test images; \
            throughput on \(timingImages) images in batches of \(batchSize), \(threads) thread(s)

            """)

        // The runs: unmodified, every method at every r, and the fine-tuned models.
        var runs = [ViTBenchmark.Run(method: "unmodified", r: 0, configuration: .identity, model: model)]
        for (name, make) in ViTBenchmark.methods(layerCount: layerCount) {
            for r in reducing { runs.append(ViTBenchmark.Run(method: name, r: r, configuration: make(r), model: model)) }
        }
        var fineTuning: ViTFineTuning?
        var losses: [String: [Double]] = [:]
        if finetuneEpochs > 0, let largest = reducing.last {
            let settings = ViTFineTuning(
                epochs: finetuneEpochs, images: finetuneImages, batchSize: batchSize, learningRate: finetuneLearningRate,
                gradientClip: 1, seed: seed)
            fineTuning = settings
            let training = try FashionMNIST.load(split: .train).normalized(by: checkpointFile.summary.normalization)
            let tofu = TokenFusionConfiguration.tofu(.constant(largest))
            for (name, configuration, r) in [("ToFu + fine-tune", tofu, largest),
                                             ("unmodified + fine-tune", TokenFusionConfiguration.identity, 0)] {
                log("fine-tuning: \(name), \(settings.images) images × \(settings.epochs) epoch(s)")
                let copy = try checkpointFile.makeModel()
                losses[name] = settings.train(copy, configuration: configuration, on: training, log: log)
                runs.append(ViTBenchmark.Run(method: name, r: r, configuration: configuration, model: copy))
            }
        }

        var accuracies: [Double] = []
        for run in runs {
            accuracies.append(ViTBenchmark.accuracy(of: run, on: test, batchSize: batchSize))
            log(String(format: "accuracy %@, r = %d: %.2f %%", run.method, run.r, 100 * accuracies.last!))
        }
        log("timing \(runs.count) runs × \(rounds) rounds")
        let speeds = ViTBenchmark.throughput(of: runs, batches: timing, rounds: rounds)
        let rows = zip(runs, zip(accuracies, speeds)).map { run, measured in
            ViTRow(
                method: run.method, r: run.r,
                tokensAfterEachLayer: run.configuration.schedule.tokenCounts(
                    initialTokenCount: tokenCount, layerCount: layerCount, protectedCount: 1),
                accuracy: measured.0, imagesPerSecond: measured.1, speedup: measured.1 / speeds[0],
                predictedSpeedup: ViTBenchmark.predictedSpeedup(run.configuration, model: run.model))
        }
        var summary = ViTReport.markdown(rows)
        print(summary)

        var normCheck: NormCheck?
        if normImages > 0, let largest = reducing.last {
            let images = test.images.sliced(alongAxis: 0, from: 0, count: min(normImages, test.count))
            let batches = withoutGradients {
                stride(from: 0, to: images.shape[0], by: batchSize).map {
                    (tokens: model.embed(images.sliced(alongAxis: 0, from: $0, count: min(batchSize, images.shape[0] - $0))),
                     validLengths: [Int]?.none)
                }
            }
            let check = NormCheck.measure(r: largest, layerCount: layerCount, rowCount: images.shape[0]) { configuration in
                FeatureNormProfile.measure(configuration, batches: batches, through: model.blocks)
            }
            let table = "Mean token norm per block at r = \(largest) (\(images.shape[0]) test images; in brackets: ratio to no merging)\n\n"
                + check.markdown()
            print("\n" + table)
            summary += "\n" + table
            normCheck = check
        }

        let settings = ViTSettings(
            checkpoint: checkpoint, checkpointTraining: checkpointFile.trainingNote, testImages: test.count,
            timingImages: timingImages, timingRounds: rounds, batchSize: batchSize, threads: threads, rValues: rList,
            tokenCount: tokenCount, layerCount: layerCount, fineTuning: fineTuning, fineTuningLosses: losses)
        let files = try ViTReport.write(rows, settings: settings, normCheck: normCheck, summary: summary, to: URL(fileURLWithPath: output))
        print("wrote " + files.map(\.path).joined(separator: ", "))
    }
}
