import ArgumentParser
import ExampleSupport
import Foundation
import ModelZoo
import PruningCore
import StructuralPruning

/// Reproduces the shape of manifold-guided GAN compression's table on two small paired tasks.
@main
struct GANCompressionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gan-compression",
        abstract: "Manifold-guided GAN compression against pruning and distillation baselines on two pix2pix tasks.",
        discussion: """
            Starts from the shipped pix2pix teachers (a U-Net generator and a PatchGAN discriminator per task): \
            Fashion-MNIST edges → garment and synthetic label maps → scenes. Every method compresses the teacher's \
            generator to the same kept fraction of its MACs (--kept) and gets the same number of updates \
            (--prune-steps + --fine-tune-steps) on the same pool of training pairs. The learned-gate rows prune \
            for --prune-steps with their agents, export the physically smaller generator (and discriminator), then \
            fine-tune with distillation; the baselines spend every update fine-tuning or training.

            Quality: Fréchet distance and KID on the shipped ResNet-20's features and its accuracy on generated \
            garments (edges task), and the shipped segmenter's mIoU on generated scenes (label task). Every \
            generator is saved, reloaded and compared, and timed at batch 64 on one thread after all training. \
            Writes summary.md, results.csv, results.json, dynamics-<task>.svg and samples-<task>.png to --output.

            --train-teachers trains the teachers and the segmenter instead and writes them to --teacher-output in \
            the layout the package ships (Sources/ModelZoo/Checkpoints).
            """)

    @Option(help: "Tasks, comma-separated: edges, labels.")
    var tasks: String = "edges,labels"

    @Option(help: "Kept fraction of the generator's MACs, in (0, 1).")
    var kept: Double = 0.25

    @Option(help: "Methods, comma-separated: mggc, mggc-no-density, mggc-g-agent, g-alone, l1-distill, uniform-distill.")
    var methods: String = CompressionMethod.allCases.map(\.rawValue).joined(separator: ",")

    @Option(help: "Updates of the learned-gate methods' pruning phase.")
    var pruneSteps: Int = 600

    @Option(help: "Fine-tuning updates after export (the baselines train for --prune-steps + --fine-tune-steps).")
    var fineTuneSteps: Int = 300

    @Option(help: "Training pairs the methods use (the first N of the task's training pairs).")
    var pool: Int = 4096

    @Option(help: "Held-out pairs every generator is evaluated on.")
    var evaluationPairs: Int = 1000

    @Option(help: "A folder of teachers written by --train-teachers (default: the shipped ones).")
    var teachers: String?

    @Flag(help: "Train the teachers and the segmenter, write them to --teacher-output, and stop.")
    var trainTeachers = false

    @Option(help: "Teacher updates per task (--train-teachers).")
    var teacherSteps: Int = 3000

    @Option(help: "Segmenter updates (--train-teachers).")
    var segmenterSteps: Int = 1500

    @Option(help: "Training pairs per task for the teachers (--train-teachers).")
    var teacherPairs: Int = 20_000

    @Option(help: "The teachers' generator width (--train-teachers).")
    var baseWidth: Int = 32

    @Option(help: "The teachers' discriminator width (--train-teachers).")
    var discriminatorWidth: Int = 16

    @Option(help: "Where --train-teachers writes the models.")
    var teacherOutput: String = "results/gan-compression/teachers"

    @Option(help: "Threads for training (timings always use 1).")
    var threads: Int = 2

    @Option(help: "Rounds of the final timing pass (each generator keeps its best round).")
    var timingRounds: Int = 3

    @Option(help: "Seed.")
    var seed: UInt64 = 0

    @Option(help: "Folder for the result files.")
    var output: String = "results/gan-compression"

    mutating func validate() throws {
        if let teachers { try InputPaths.checkReadable(teachers, flag: "--teachers", kind: .directory) }
        try InputPaths.checkOutputDirectory(trainTeachers ? teacherOutput : output, flag: trainTeachers ? "--teacher-output" : "--output")
        guard kept > 0, kept < 1 else { throw ValidationError("--kept \(kept) is not a fraction in (0, 1)") }
        guard pruneSteps >= 1 else { throw ValidationError("--prune-steps must be at least 1") }
        guard fineTuneSteps >= 0 else { throw ValidationError("--fine-tune-steps must not be negative") }
        guard pool >= 64 else { throw ValidationError("--pool \(pool): need at least 64 pairs") }
        guard evaluationPairs >= 16 else { throw ValidationError("--evaluation-pairs \(evaluationPairs): need at least 16") }
        guard teacherSteps >= 1, segmenterSteps >= 1, teacherPairs >= 64 else {
            throw ValidationError("--teacher-steps and --segmenter-steps must be positive, --teacher-pairs at least 64")
        }
        guard baseWidth >= 2, baseWidth <= 512, discriminatorWidth >= 1, discriminatorWidth <= 512 else {
            throw ValidationError("--base-width must be in 2...512 and --discriminator-width in 1...512")
        }
        guard threads >= 1, timingRounds >= 1 else { throw ValidationError("--threads and --timing-rounds must be positive") }
        _ = try parsedTasks()
        _ = try parsedMethods()
    }

    private func parsedTasks() throws -> [ShippedTranslationModels.Task] {
        try tasks.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.map { name in
            switch name {
            case "edges": return .fashionEdges
            case "labels": return .labelMaps
            default: throw ValidationError("--tasks: unknown task '\(name)' (known: edges, labels)")
            }
        }
    }

    private func parsedMethods() throws -> [CompressionMethod] {
        try CommaSeparatedCases.parse(methods, as: CompressionMethod.self, flag: "--methods", noun: "method")
    }

    mutating func run() throws {
        BLAS.relaunchWithFasterKernelsIfNeeded()
        BLAS.setThreadCount(threads)
        ThreadPolicy.maximumThreads = threads
        let began = ContinuousClock.now
        func elapsed() -> String { String(format: "%.0f s", (ContinuousClock.now - began) / .seconds(1)) }
        let taskList = try parsedTasks()
        writeLine("gan-compression: \(threads) thread(s), kernels \(KernelLevel.active), CPU \(processorName())")

        if trainTeachers {
            let data = try taskList.map {
                try TranslationTaskData.load($0, trainingCount: teacherPairs, poolCount: min(pool, teacherPairs), evaluationCount: evaluationPairs)
            }
            try TeacherTraining(steps: teacherSteps, segmenterSteps: segmenterSteps, baseWidth: baseWidth,
                                discriminatorWidth: discriminatorWidth, seed: seed)
                .run(tasks: data, output: URL(fileURLWithPath: teacherOutput)) { generator, data in
                    let generated = TranslationTraining.outputs(of: generator, for: data.evaluation.inputs)
                    return ["meanAbsoluteError": Double((generated - data.evaluation.targets).abs().mean().scalars[0])]
                }
            return
        }

        let methodList = try parsedMethods()
        let teacherFolder = teachers.map { URL(fileURLWithPath: $0) }
        var evaluation = GeneratorEvaluation(
            classifier: try ShippedCheckpoints.resnet20FashionMNIST(), segmenter: try ShippedTranslationModels.segmenter(from: teacherFolder).model)
        var runner = CompressionRunner(keptFraction: kept, pruneSteps: pruneSteps, fineTuneSteps: fineTuneSteps, seed: seed)
        let settings: [String: String] = [
            "kept": "\(kept)", "pruneSteps": "\(pruneSteps)", "fineTuneSteps": "\(fineTuneSteps)", "pool": "\(pool)",
            "evaluationPairs": "\(evaluationPairs)", "seed": "\(seed)", "threads": "\(threads)", "cpu": processorName(),
        ]
        var document = GANResultDocument(settings: settings, rows: [], dynamics: [:])
        let folder = URL(fileURLWithPath: output)
        var timed: [(row: Int, generator: UNetGenerator, sample: Tensor)] = []
        for task in taskList {
            let data = try TranslationTaskData.load(task, trainingCount: pool, poolCount: pool, evaluationCount: evaluationPairs)
            evaluation.prepare(data)
            let teacher = try ShippedTranslationModels.teacher(task, from: teacherFolder)
            let teacherOutputs = TranslationTraining.outputs(of: teacher.generator, for: data.pool.inputs)
            let shape = [data.pool.inputChannels, data.pool.height, data.pool.width]
            let discriminatorShape = [data.pool.inputChannels + data.pool.outputChannels, data.pool.height, data.pool.width]
            let sample = data.evaluation.inputs.sliced(alongAxis: 0, from: 0, count: 1).reshaped(to: shape)
            writeLine("\(data.label): \(data.pool.count) training pairs, \(data.evaluation.count) held-out; teacher \(teacher.generator.configuration.baseWidth)-wide U-Net")
            var scores = try evaluation.score(teacher.generator, on: data)
            writeLine(describe("teacher", scores) + "  [\(elapsed())]")
            document.rows.append(GANResultRow(
                task: task.rawValue, method: "teacher", title: "teacher (pix2pix U-Net)", scores: scores,
                discriminatorMACs: ChannelCostModel.count(teacher.discriminator, inputShape: discriminatorShape, measure: .macs), seconds: 0))
            timed.append((document.rows.count - 1, teacher.generator, sample))
            let probe = data.evaluation.inputs.sliced(alongAxis: 0, from: 0, count: 8)
            var gridRows: [(String, Tensor)] = [("target", data.evaluation.targets.sliced(alongAxis: 0, from: 0, count: 8)),
                                                 ("teacher", TranslationTraining.outputs(of: teacher.generator, for: probe))]
            runner.baselineKeptFraction = nil
            let teacherMACs = Double(ChannelCostModel.count(teacher.generator, inputShape: shape, measure: .macs))
            for method in methodList {
                writeLine("\(data.label) — \(method.title)")
                let result = try runner.run(method, data: data, teacher: teacher.generator, teacherDiscriminator: teacher.discriminator,
                                            teacherOutputs: teacherOutputs) { writeLine($0) }
                scores = try evaluation.score(result.generator, on: data)
                if method == .mggc {
                    // The one-shot baselines meet the MACs the method reached (rounding to whole
                    // channels leaves them just below).
                    runner.baselineKeptFraction = min(0.999, Double(scores.macs) / teacherMACs + 1e-9)
                }
                // Save, reload through the one-call loader, compare.
                let modelFolder = folder.appendingPathComponent("models/\(task.rawValue)/\(method.rawValue)")
                try ChannelMaskExport.save(result.generator, base: result.generator.configuration, to: modelFolder)
                let reloaded: UNetGenerator = try ChannelMaskExport.load(from: modelFolder) { configuration in
                    var random = RandomGenerator(seed: 0)
                    return UNetGenerator(configuration: configuration, using: &random)
                }
                let difference = Double((TranslationTraining.outputs(of: result.generator, for: probe) - TranslationTraining.outputs(of: reloaded, for: probe))
                    .abs().max().scalars[0])
                let discriminatorCurve = result.pruningRecords.isEmpty ? result.fineTuningRecords.map(\.discriminator) : result.pruningRecords.map(\.discriminator)
                let generatorCurve = result.pruningRecords.isEmpty ? result.fineTuningRecords.map(\.generatorAdversarial) : result.pruningRecords.map(\.generatorAdversarial)
                let dStatistics = GANResultWriter.secondHalfStatistics(discriminatorCurve)
                let gStatistics = GANResultWriter.secondHalfStatistics(generatorCurve)
                if !result.pruningRecords.isEmpty { document.dynamics[task.rawValue, default: [:]][method.rawValue] = [discriminatorCurve, generatorCurve] }
                document.rows.append(GANResultRow(
                    task: task.rawValue, method: method.rawValue, title: method.title, scores: scores,
                    discriminatorLossDeviation: dStatistics?.deviation,
                    generatorLossDeviation: gStatistics?.deviation,
                    discriminatorLossMean: dStatistics?.mean, generatorLossMean: gStatistics?.mean,
                    discriminatorMACs: ChannelCostModel.count(result.discriminator, inputShape: discriminatorShape, measure: .macs),
                    reloadDifference: difference, seconds: result.seconds))
                timed.append((document.rows.count - 1, result.generator, sample))
                gridRows.append((method.rawValue, TranslationTraining.outputs(of: result.generator, for: probe)))
                writeLine(describe(method.rawValue, scores) + String(format: ", reload max |Δ| %.1g  [%@]", difference, elapsed()))
                try GANResultWriter.write(document, to: folder)
            }
            try GANResultWriter.sampleGrid(inputs: probe, rows: gridRows, to: folder.appendingPathComponent("samples-\(task.rawValue).png"))
        }
        writeLine("timing \(timed.count) generators (1 thread, batch 64, best of \(timingRounds) rounds)")
        BLAS.setThreadCount(1)
        ThreadPolicy.maximumThreads = 1
        for _ in 0..<timingRounds {
            for entry in timed {
                let speed = ImageClassificationEvaluation.imagesPerSecond(of: entry.generator, sample: entry.sample, batchSize: 64, repeats: 3)
                document.rows[entry.row].imagesPerSecond = max(document.rows[entry.row].imagesPerSecond ?? 0, speed)
            }
        }
        try GANResultWriter.write(document, to: folder)
        writeLine("")
        writeLine(GANResultWriter.markdown(document))
        writeLine("wrote \(output)/{summary.md, results.csv, results.json, dynamics-*.svg, samples-*.png} in \(elapsed())")
    }

    private func describe(_ name: String, _ scores: GeneratorScores) -> String {
        var parts = [String(format: "  %@: L1 %.4f, %.2f M MACs, %.1f k params", name, scores.meanAbsoluteError, Double(scores.macs) / 1e6, Double(scores.parameters) / 1e3)]
        if let fd = scores.frechetDistance { parts.append(String(format: "FD %.3f", fd)) }
        if let kid = scores.kernelInceptionDistance { parts.append(String(format: "KID %.2f×10⁻³", 1000 * kid)) }
        if let accuracy = scores.accuracy { parts.append(String(format: "accuracy %.2f %%", 100 * accuracy)) }
        if let miou = scores.meanIoU { parts.append(String(format: "mIoU %.4f", miou)) }
        return parts.joined(separator: ", ")
    }
}
