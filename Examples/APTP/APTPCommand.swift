import ArgumentParser
import ExampleSupport
import Foundation
import ModelZoo
import PruningCore
import StructuralPruning

/// Reproduces the shape of APTP's table on the shipped Fashion-MNIST diffusion U-Net.
@main
struct APTPCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "aptp",
        abstract: "Prompt-routed pruning (APTP) of the shipped text-conditioned diffusion U-Net against one-architecture baselines.",
        discussion: """
            Starts from the shipped diffusion teacher (a 394 k-parameter U-Net drawing 28×28 Fashion-MNIST garments from \
            prompts such as "a wide bright bag", encoded by all-MiniLM-L6-v2). The APTP rows keep the U-Net frozen while a \
            prompt router learns K architecture codes (--prune-steps, the first --warmup-steps on the predictor's own \
            proposals), route every training prompt to its code, cut each code's expert out of the U-Net and fine-tune \
            it on its own prompts; the experts share --fine-tune-steps in proportion to their prompts. The baselines \
            are one architecture for every prompt (APTP with K = 1), APTP without optimal transport, APTP without the \
            contrastive loss, and magnitude pruning at the MACs APTP (K = 4) reached, fine-tuned for --fine-tune-steps.

            Every model draws one image per held-out prompt (--evaluation-prompts test images' prompts, DDIM with \
            --sampling-steps, the same starting noise for every model). Quality: Fréchet distance, KID and the RBF \
            MMD of CMMD on the shipped ResNet-20's features against the real held-out images; prompt adherence: the \
            classifier's probability of the prompted class and the fraction of prompted attribute words the samples \
            show. Cost: MACs per denoiser call averaged over the prompts' experts, parameters, and forward passes per \
            second at batch 64 on one thread (timed after all training). Every expert is saved, reloaded and compared, and each router saved beside its experts. \
            Writes summary.md, results.csv, results.json, mac-ratio.svg, code-usage.svg and samples-<method>.png, \
            experts-<method>.png to --output.
            """)

    @Option(help: "Methods, comma-separated: aptp-k4, aptp-k8, aptp-k4-no-ot, aptp-k4-no-contrastive, single-architecture, magnitude.")
    var methods: String = APTPMethod.allCases.map(\.rawValue).joined(separator: ",")

    @Option(help: "Target kept fraction of the U-Net's MACs per denoiser call, in (0, 1).")
    var kept: Double = 0.6

    @Option(help: "Updates of the pruning stage (router and codes; the U-Net is frozen).")
    var pruneSteps: Int = 600

    @Option(help: "Updates at the start of the pruning stage that run the predictor's own architectures.")
    var warmupSteps: Int = 150

    @Option(help: "Fine-tuning updates per method, shared by its experts in proportion to their training prompts.")
    var fineTuneSteps: Int = 800

    @Option(help: "AdamW's learning rate for the router and the codes.")
    var learningRate: Float = 3e-2

    @Option(help: "Training images (the first N of the training split) with their prompts.")
    var trainingImages: Int = 60_000

    @Option(help: "Held-out prompts (the first N test images' prompts); every model draws one image per prompt.")
    var evaluationPrompts: Int = 1000

    @Option(help: "DDIM steps per sample.")
    var samplingSteps: Int = 25

    @Option(help: "A folder holding a diffusion teacher written by train-baselines --model diffusion (default: the shipped one).")
    var teacher: String?

    @Option(help: "Threads for training and sampling (timings always use 1).")
    var threads: Int = 2

    @Option(help: "Rounds of the final timing pass (each expert keeps its best round).")
    var timingRounds: Int = 3

    @Option(help: "Seed.")
    var seed: UInt64 = 0

    @Option(help: "Folder for the result files.")
    var output: String = "results/aptp"

    mutating func validate() throws {
        if let teacher { try InputPaths.checkReadable(teacher, flag: "--teacher", kind: .directory) }
        try InputPaths.checkOutputDirectory(output, flag: "--output")
        guard kept > 0, kept < 1 else { throw ValidationError("--kept \(kept) is not a fraction in (0, 1)") }
        guard pruneSteps >= 1 else { throw ValidationError("--prune-steps must be at least 1") }
        guard warmupSteps >= 0, warmupSteps < pruneSteps else { throw ValidationError("--warmup-steps must be in 0..<--prune-steps") }
        guard fineTuneSteps >= 0 else { throw ValidationError("--fine-tune-steps must not be negative") }
        guard learningRate > 0, learningRate.isFinite else { throw ValidationError("--learning-rate must be a positive number") }
        guard (64...60_000).contains(trainingImages) else { throw ValidationError("--training-images \(trainingImages) is outside 64...60000") }
        guard (16...10_000).contains(evaluationPrompts) else { throw ValidationError("--evaluation-prompts \(evaluationPrompts) is outside 16...10000") }
        guard (1...1000).contains(samplingSteps) else { throw ValidationError("--sampling-steps \(samplingSteps) is outside 1...1000") }
        guard threads >= 1, timingRounds >= 1 else { throw ValidationError("--threads and --timing-rounds must be positive") }
        _ = try parsedMethods()
    }

    private func parsedMethods() throws -> [APTPMethod] {
        try CommaSeparatedCases.parse(methods, as: APTPMethod.self, flag: "--methods", noun: "method")
    }

    /// The prompts of the sample grids.
    static let gridPrompts = ["a sneaker", "a dark sneaker", "a wide bright bag", "a pair of trousers", "a narrow dress", "a bright ankle boot", "a wide dark coat", "a t-shirt"]

    mutating func run() throws {
        BLAS.relaunchWithFasterKernelsIfNeeded()
        BLAS.setThreadCount(threads)
        ThreadPolicy.maximumThreads = threads
        let began = ContinuousClock.now
        func elapsed() -> String { String(format: "%.0f s", (ContinuousClock.now - began) / .seconds(1)) }
        let methodList = try parsedMethods()
        writeLine("aptp: \(threads) thread(s), kernels \(KernelLevel.active), CPU \(processorName())")
        let shipped = try ShippedDiffusionModel.teacher(from: teacher.map { URL(fileURLWithPath: $0) })
        let network = shipped.model
        let data = try APTPData.load(trainingCount: trainingImages, evaluationCount: evaluationPrompts, thresholds: shipped.summary.thresholds)
        writeLine("teacher: \(network.parameterCount) parameters, \(String(format: "%.2f", Double(network.multiplyAccumulates()) / 1e6)) M MACs per call; "
            + "\(data.training.count) training and \(data.evaluation.count) held-out prompts (\(data.distinctPrompts) distinct)")
        var evaluation = SampleEvaluation(classifier: try ShippedCheckpoints.resnet20FashionMNIST(), schedule: shipped.schedule, samplingSteps: samplingSteps,
                                          thresholds: data.thresholds, prompts: data.evaluation, seed: seed &+ 1000)
        let folder = URL(fileURLWithPath: output)
        let settings: [String: String] = [
            "kept": "\(kept)", "pruneSteps": "\(pruneSteps)", "warmupSteps": "\(warmupSteps)", "fineTuneSteps": "\(fineTuneSteps)",
            "learningRate": "\(learningRate)", "trainingImages": "\(trainingImages)", "evaluationPrompts": "\(evaluationPrompts)",
            "samplingSteps": "\(samplingSteps)", "seed": "\(seed)", "threads": "\(threads)", "cpu": processorName(),
        ]
        var document = APTPDocument(settings: settings, rows: [], curves: [:])
        let fullMACs = Double(network.multiplyAccumulates())
        var timed: [(row: Int, expert: Int, model: DiffusionUNet)] = []
        let gridConditions = data.encoder.embed(Self.gridPrompts)

        // The grid prompts' experts, per routed method.
        var routes: [String: [Int]] = [:]

        func record(_ key: String, _ title: String, experts: [DiffusionUNet], result: MethodResult?) throws {
            let assignment = result?.evaluationAssignment ?? Array(repeating: 0, count: data.evaluation.count)
            let training = result?.trainingAssignment ?? Array(repeating: 0, count: data.training.count)
            let samples = evaluation.generate(models: experts, assignment: assignment)
            let scores = try evaluation.score(samples)
            let macs = experts.map { Double($0.multiplyAccumulates()) }
            let usage = experts.indices.map { code in assignment.count { $0 == code } }
            let share = usage.map { Double($0) / Double(assignment.count) }
            var rows: [ExpertRow] = []
            for (code, expert) in experts.enumerated() {
                let members = assignment.indices.filter { assignment[$0] == code }
                let classes = Dictionary(grouping: members.map { data.evaluation.attributes[$0].label }, by: { $0 })
                    .sorted { $0.value.count > $1.value.count || ($0.value.count == $1.value.count && $0.key < $1.key) }
                let words = members.map { Double(data.evaluation.attributes[$0].attributeCount) }
                // Save, reload, compare.
                let modelFolder = folder.appendingPathComponent("models/\(key)/expert-\(code)")
                try expert.save(toDirectory: modelFolder)
                let reloaded = try DiffusionUNet.load(fromDirectory: modelFolder)
                let probe = data.evaluation.images.sliced(alongAxis: 0, from: 0, count: 4)
                let condition = data.evaluation.conditions.sliced(alongAxis: 0, from: 0, count: 4)
                let difference = withoutGradients {
                    Double((expert(probe, steps: [500, 500, 500, 500], condition: condition) - reloaded(probe, steps: [500, 500, 500, 500], condition: condition))
                        .abs().max().scalars[0])
                }
                rows.append(ExpertRow(
                    code: code, trainingShare: Double(training.count { $0 == code }) / Double(training.count), evaluationShare: share[code],
                    macs: expert.multiplyAccumulates(), parameters: expert.parameterCount, shape: expert.shape,
                    meanAttributeWords: words.isEmpty ? nil : words.reduce(0, +) / Double(words.count),
                    topClasses: classes.prefix(3).map { "\(FashionPrompts.nouns[$0.key]) \($0.value.count)" }, reloadDifference: difference))
            }
            func meanMACs(_ include: (FashionPrompts.Attributes) -> Bool) -> Double? {
                let chosen = assignment.indices.filter { include(data.evaluation.attributes[$0]) }
                return chosen.isEmpty ? nil : chosen.reduce(0) { $0 + macs[assignment[$1]] } / Double(chosen.count)
            }
            let average = zip(share, macs).reduce(0) { $0 + $1.0 * $1.1 }
            document.rows.append(APTPRow(
                method: key, title: title, scores: scores, averageMACs: average, macsFraction: average / fullMACs,
                averageParameters: zip(share, experts).reduce(0) { $0 + $1.0 * Double($1.1.parameterCount) }, codeUsage: usage,
                experts: rows, macsByClass: (0..<10).map { c in meanMACs { $0.label == c } },
                macsByAttributeWords: (0...2).map { n in meanMACs { $0.attributeCount == n } }, seconds: result?.seconds ?? 0))
            for code in experts.indices { timed.append((document.rows.count - 1, code, experts[code])) }
            if let records = result?.records, !records.isEmpty {
                document.curves[key] = [
                    "meanRatio": records.map(\.meanRatio),
                    "largestShare": records.map { $0.codeUsage.isEmpty ? nil : Double($0.codeUsage.max()!) / Double($0.codeUsage.reduce(0, +)) },
                ]
            }
            writeLine(String(format: "  %@: %.2f M MACs (%.1f %%), FD %.3f, KID %.2f×10⁻³, RBF-MMD %.2f, class prob %.3f, attributes %.3f, experts used %d of %d, reload max |Δ| %.1g  [%@]",
                             key, average / 1e6, 100 * average / fullMACs, scores.frechetDistance, 1000 * scores.kernelInceptionDistance, scores.rbfMMD,
                             scores.classProbability, scores.attributeAccuracy, usage.count { $0 > 0 }, experts.count, rows.map(\.reloadDifference).max() ?? 0, elapsed()))
            // Sample grids: the fixed prompts (each drawn by its expert), and each expert's first held-out samples.
            let gridAssignment = routes[key] ?? Array(repeating: 0, count: Self.gridPrompts.count)
            try grid(models: experts, assignment: gridAssignment, conditions: gridConditions, schedule: shipped.schedule)
                .write(to: folder.appendingPathComponent("samples-\(key).png"))
            var expertTiles: [[PNGImage]] = []
            for code in experts.indices {
                let members = assignment.indices.filter { assignment[$0] == code }.prefix(10)
                guard !members.isEmpty else { continue }
                expertTiles.append(try members.map { try PNGImage(grayscale: samples.sliced(alongAxis: 0, from: $0, count: 1).scalars, width: 28, height: 28, range: -1...1) })
            }
            try PNGImage.grid(expertTiles).write(to: folder.appendingPathComponent("experts-\(key).png"))
            try APTPResultWriter.write(document, to: folder)
        }

        writeLine("teacher")
        try record("teacher", "teacher (unpruned U-Net)", experts: [network], result: nil)
        let runner = MethodRunner(teacher: network, schedule: shipped.schedule, data: data, keptFraction: kept, pruneSteps: pruneSteps,
                                  warmupSteps: warmupSteps, fineTuneSteps: fineTuneSteps, learningRate: learningRate, seed: seed)
        var matched = kept
        for method in methodList {
            writeLine("\(method.title)")
            let result = try runner.run(method, magnitudeFraction: matched) { writeLine($0) }
            if let router = result.router {
                routes[method.rawValue] = try router.route(gridConditions)
                try router.save(toDirectory: folder.appendingPathComponent("models/\(method.rawValue)/router"), network: network.configuration)
            }
            try record(method.rawValue, method.title, experts: result.experts, result: result)
            if method == .aptp4 { matched = min(0.999, document.rows.last!.macsFraction + 1e-9) }
        }

        writeLine("timing \(timed.count) networks (1 thread, batch 64, best of \(timingRounds) rounds)")
        BLAS.setThreadCount(1)
        ThreadPolicy.maximumThreads = 1
        var random = RandomGenerator(seed: 7)
        let batch = Tensor.randomNormal([64, 1, 28, 28], using: &random)
        let condition = data.evaluation.conditions.sliced(alongAxis: 0, from: 0, count: 64)
        for _ in 0..<timingRounds {
            for entry in timed {
                let speed = withoutGradients { () -> Double in
                    _ = entry.model(batch, steps: Array(repeating: 500, count: 64), condition: condition)
                    let start = ContinuousClock.now
                    _ = entry.model(batch, steps: Array(repeating: 500, count: 64), condition: condition)
                    return 64 / ((ContinuousClock.now - start) / .seconds(1))
                }
                document.rows[entry.row].experts[entry.expert].imagesPerSecond = max(document.rows[entry.row].experts[entry.expert].imagesPerSecond ?? 0, speed)
            }
        }
        for index in document.rows.indices {
            let row = document.rows[index]
            let time = row.experts.reduce(0.0) { $0 + $1.evaluationShare / ($1.imagesPerSecond ?? .infinity) }
            document.rows[index].imagesPerSecond = time > 0 ? 1 / time : nil
        }
        try APTPResultWriter.write(document, to: folder)
        writeLine("")
        writeLine(APTPResultWriter.markdown(document))
        writeLine("wrote \(output)/{summary.md, results.csv, results.json, mac-ratio.svg, code-usage.svg, samples-*.png, experts-*.png} in \(elapsed())")
    }

    /// A grid of 8 samples per grid prompt, prompt `i` drawn by `models[assignment[i]]`.
    private func grid(models: [DiffusionUNet], assignment: [Int], conditions: Tensor, schedule: NoiseSchedule) throws -> PNGImage {
        let sampler = DDIMSampler(schedule: schedule, steps: samplingSteps)
        var random = RandomGenerator(seed: seed &+ 2000)
        let noise = Tensor.randomNormal([8, 1, 28, 28], using: &random)
        var rows: [[PNGImage]] = []
        for (index, code) in assignment.enumerated() {
            let condition = Tensor.concatenate(Array(repeating: conditions.sliced(alongAxis: 0, from: index, count: 1), count: 8), alongAxis: 0)
            let samples = sampler.sample(from: noise) { x, t in models[code](x, steps: Array(repeating: t, count: 8), condition: condition) }
            rows.append(try (0..<8).map { try PNGImage(grayscale: samples.sliced(alongAxis: 0, from: $0, count: 1).scalars, width: 28, height: 28, range: -1...1) })
        }
        return try PNGImage.grid(rows)
    }
}
