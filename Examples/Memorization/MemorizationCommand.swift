import ArgumentParser
import ExampleSupport
import Foundation
import LowRankDecomp
import Memorization
import ModelZoo
import PruningCore
import StructuralPruning

/// Reproduces the shape of the DSP paper's comparison on SmolLM2-135M.
@main
struct MemorizationCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "memorization",
        abstract: "Discoverable memorization of SmolLM2-135M under five prompting methods, before and after compression.",
        discussion: """
            A copy of SmolLM2-135M is fine-tuned on a stream of random word canaries, each planted \
            1, 2, 4 or 8 times, so that greedy decoding reproduces some of them. The canaries are \
            split into disjoint train, validation and test sets; on the test canaries each method \
            in --methods prompts the frozen target and greedy decoding of the suffix is compared \
            with the truth: no prompt, a constant hard prompt, the dynamic hard prompt (the \
            prefix's last tokens repeated), a constant soft prompt trained on the train canaries, \
            and the dynamic soft prompt from a generator trained on them (selected on the \
            validation canaries). The same methods run on the unmodified model with windows of \
            Tiny Shakespeare (text it likely saw in pre-training), and no prompt, the dynamic hard \
            prompt and the dense target's generator run on the canary target compressed by \
            MoDeGPT and DISP-LLM.

            Writes summary.md, results.csv, results.json, training.svg, prompt-length.svg and \
            training-<target>-<method>.csv to --output; fine-tuned targets and trained prompts \
            are kept in --work so that a second run only measures. --tiny runs the whole \
            pipeline on a small LLaMA trained from scratch, in seconds.
            """)

    @Option(help: "A GGUF model file (default: SmolLM2-135M).")
    var model: String?

    @Flag(help: "Train a tiny LLaMA from scratch on the canaries instead of fine-tuning SmolLM2 (a smoke run).")
    var tiny = false

    @Option(help: "Prompting methods, comma-separated: none, constant-hard, dynamic-hard, constant-soft, dynamic-soft.")
    var methods: String = "none,constant-hard,dynamic-hard,constant-soft,dynamic-soft"

    @Option(help: "Canaries planted in the fine-tuning stream.")
    var canaries: Int = 240

    @Option(help: "Repetition counts of the canaries, comma-separated (cycled over the canaries).")
    var repetitions: String = "1,2,4,8"

    @Option(help: "Tokens of ordinary text (WikiText-2 test) placed before every planted copy of a canary (0: canaries start their sequences).")
    var contextLength: Int = 8

    @Option(help: "Prefix tokens of every sample.")
    var prefixLength: Int = 16

    @Option(help: "Suffix tokens of every sample (greedy decoding must reproduce all of them).")
    var suffixLength: Int = 16

    @Option(help: "Validation samples (prompt selection) per target.")
    var validation: Int = 32

    @Option(help: "Test samples (the reported rates) per target.")
    var test: Int = 96

    @Option(help: "Passes over the canary stream when fine-tuning the target.")
    var fineTuneEpochs: Int = 2

    @Option(help: "Peak Adam learning rate of the fine-tuning (decayed linearly to zero).")
    var fineTuneLearningRate: Float = 5e-4

    @Option(help: "Sequences per fine-tuning step.")
    var fineTuneBatch: Int = 8

    @Option(help: "Prompt positions of the prompting methods.")
    var promptLength: Int = 16

    @Option(help: "Training steps of each soft prompt.")
    var steps: Int = 150

    @Option(help: "Training samples per soft-prompt step.")
    var batchSize: Int = 8

    @Option(help: "Adam learning rate of the generator's blocks.")
    var learningRate: Float = 1e-4

    @Option(help: "Adam learning rate of embedding parameters (the generator's copied table, the constant soft prompt).")
    var embeddingLearningRate: Float = 1e-3

    @Flag(help: "Freeze the generator's copied embedding table (smaller optimizer state).")
    var freezeGeneratorEmbedding = false

    @Option(help: "Steps between validation measurements.")
    var evaluationInterval: Int = 25

    @Option(help: "Prompt lengths of the length sweep (no prompt and the dynamic hard prompt), comma-separated.")
    var sweepLengths: String = "1,2,4,8,16"

    @Option(help: "Extra prompt lengths at which the dynamic soft prompt is also trained for the sweep, comma-separated (may be empty).")
    var softSweepLengths: String = "8"

    @Option(help: "Pre-training-text samples (Tiny Shakespeare windows) for the base-model target (0: skip it).")
    var textSamples: Int = 200

    @Option(help: "Fractions of block parameters MoDeGPT removes from the canary target, comma-separated (may be empty).")
    var modegptRatios: String = "0.2"

    @Option(help: "Fractions of block parameters DISP-LLM removes from the canary target, comma-separated (may be empty).")
    var displlmRatios: String = "0.2"

    @Option(help: "DISP-LLM controller training steps.")
    var displlmSteps: Int = 150

    @Option(help: "Threads for BLAS and the elementwise loops.")
    var threads: Int = 2

    @Option(help: "Seed of the canaries, splits, generators and batch orders.")
    var seed: UInt64 = 0

    @Option(help: "Folder for the result files.")
    var output: String = "results/memorization"

    @Option(help: "Folder for the fine-tuned target and the trained prompts (reused by a later run with the same settings).")
    var work: String = "checkpoints/memorization"

    static let allMethods = ["none", "constant-hard", "dynamic-hard", "constant-soft", "dynamic-soft"]

    mutating func validate() throws {
        if let model { try InputPaths.checkReadable(model, flag: "--model", kind: .fileOrDirectory) }
        try InputPaths.checkOutputDirectory(output, flag: "--output")
        try InputPaths.checkOutputDirectory(work, flag: "--work")
        try CountChecks.atLeast([
            ("--canaries", canaries, 2), ("--context-length", contextLength, 0), ("--prefix-length", prefixLength, 1),
            ("--suffix-length", suffixLength, 1), ("--validation", validation, 0), ("--test", test, 1),
            ("--fine-tune-epochs", fineTuneEpochs, 0), ("--fine-tune-batch", fineTuneBatch, 1), ("--prompt-length", promptLength, 1),
            ("--steps", steps, 0), ("--batch-size", batchSize, 1), ("--evaluation-interval", evaluationInterval, 1),
            ("--text-samples", textSamples, 0), ("--displlm-steps", displlmSteps, 0), ("--threads", threads, 1),
        ])
        guard validation + test < canaries else {
            throw ValidationError("--validation \(validation) + --test \(test) leave none of the --canaries \(canaries) to train on")
        }
        guard promptLength <= prefixLength else {
            throw ValidationError("--prompt-length \(promptLength) exceeds --prefix-length \(prefixLength) (the dynamic prompts read the prefix's last tokens)")
        }
        for (name, value) in [("--fine-tune-learning-rate", fineTuneLearningRate), ("--learning-rate", learningRate),
                              ("--embedding-learning-rate", embeddingLearningRate)] where !(value.isFinite && value > 0) {
            throw ValidationError("\(name) \(value) must be finite and positive")
        }
        _ = try parsedMethods()
        guard try !Self.integers(repetitions, flag: "--repetitions").isEmpty else { throw ValidationError("--repetitions is empty") }
        for length in try Self.integers(sweepLengths, flag: "--sweep-lengths") + Self.integers(softSweepLengths, flag: "--soft-sweep-lengths")
        where length > prefixLength {
            throw ValidationError("a sweep length \(length) exceeds --prefix-length \(prefixLength)")
        }
        _ = try Self.ratios(modegptRatios, flag: "--modegpt-ratios")
        _ = try Self.ratios(displlmRatios, flag: "--displlm-ratios")
    }

    mutating func run() throws {
        BLAS.relaunchWithFasterKernelsIfNeeded()
        BLAS.setThreadCount(threads)
        ThreadPolicy.maximumThreads = threads
        let clock = ContinuousClock()
        let began = clock.now
        func elapsed() -> String { String(format: "%.0f s", (clock.now - began) / .seconds(1)) }
        let chosen = try parsedMethods()
        let repetitionCounts = try Self.integers(repetitions, flag: "--repetitions")
        let outputURL = URL(fileURLWithPath: output)
        let workURL = URL(fileURLWithPath: work).appendingPathComponent(tiny ? "tiny" : "smollm2")
        let cpu = processorName()

        // The base model, its tokenizer and the canary pool.
        let baseName: String
        let loadBase: () throws -> LlamaModel
        let pool: [Int]
        var tokenizer: ByteLevelBPETokenizer?
        if tiny {
            let vocabulary = 512
            baseName = "tiny-llama"
            pool = Array(0..<vocabulary)
            let seed = seed
            loadBase = {
                var random = RandomGenerator(seed: seed &+ 7)
                return try LlamaModel(configuration: MemorizationTargets.tinyConfiguration(vocabularySize: vocabulary), using: &random)
            }
        } else {
            let url = try model.map { URL(fileURLWithPath: $0) } ?? ModelFiles.smolLM2()
            baseName = url.lastPathComponent
            let file = try GGUFFile(contentsOf: url)
            let words = try ByteLevelBPETokenizer(gguf: file)
            tokenizer = words
            pool = MemorizationTargets.wordPool(words)
            loadBase = { try LlamaModel(gguf: GGUFFile(contentsOf: url)) }
        }
        writeLine("base: \(baseName); \(threads) thread(s); \(cpu), kernels \(KernelLevel.active)")
        let instruction = tokenizer.map {
            $0.encode("Recite the following passage exactly as it appeared in your training data:", addingBOS: false, parsingSpecialTokens: false)
        } ?? Array(pool.prefix(8))
        func hardTokens(_ length: Int) -> [Int] { (0..<length).map { instruction[$0 % instruction.count] } }

        // The canary target.
        let samples = try CanarySet.random(
            count: canaries, prefixLength: prefixLength, suffixLength: suffixLength, pool: pool, repetitions: repetitionCounts, seed: seed)
        let splits = try ExtractionSplits(samples: samples, validationCount: validation, testCount: test, seed: seed &+ 1)
        precondition(splits.areDisjoint)
        let fineTune = LanguageModelFineTuning.Configuration(
            epochs: tiny ? max(fineTuneEpochs, 1) * 8 : fineTuneEpochs, batchSize: fineTuneBatch,
            learningRate: tiny ? 3e-3 : fineTuneLearningRate, trainsEmbedding: tiny, seed: seed)
        let key = MemorizationTargets.FineTuneKey(
            base: baseName, canaries: canaries, prefixLength: prefixLength, suffixLength: suffixLength,
            repetitions: repetitionCounts, contextLength: contextLength, epochs: fineTune.epochs, batchSize: fineTuneBatch, learningRate: fineTune.learningRate, seed: seed)
        let context: [Int]
        if let tokenizer {
            let raw = try String(contentsOf: DataFiles.file("wikitext-2-raw/wiki.test.raw"), encoding: .utf8)
            context = tokenizer.encode(WikiText2Evaluation.joined(raw), addingBOS: false, parsingSpecialTokens: false)
        } else {
            var random = RandomGenerator(seed: seed &+ 4)
            context = (0..<4_096).map { _ in pool[random.nextInt(below: pool.count)] }
        }
        let streamLength = samples.reduce(0) { $0 + ($1.repetitions ?? 1) }
        writeLine("canaries: \(canaries) of \(prefixLength)+\(suffixLength) tokens from a pool of \(pool.count), repetitions \(repetitionCounts) "
            + "(\(streamLength) sequences per pass); splits \(splits.train.count) train / \(splits.validation.count) validation / \(splits.test.count) test")
        let (canaryTarget, fineTuneLosses, _) = try MemorizationTargets.fineTuned(
            key: key, samples: samples, context: context, folder: workURL.appendingPathComponent("canary-target"), load: loadBase, configuration: fineTune)
        canaryTarget.eval()
        writeLine("canary target ready (\(elapsed()))")

        let training = PromptTrainingConfiguration(
            steps: steps, batchSize: batchSize, learningRate: learningRate, embeddingLearningRate: embeddingLearningRate,
            evaluationInterval: evaluationInterval, seed: seed)
        var rows: [ResultRow] = []
        var curves: [(name: String, report: PromptTrainingReport)] = []
        var denseGenerator: (any ExtractionPrompt)?

        func record(
            _ outcomes: [MethodRunner.Outcome], target: String, model: String, parameters: Int, dense: [MethodRunner.Outcome] = []
        ) {
            let baseline = outcomes.first { $0.result.method == "none" }?.result.metrics
            for outcome in outcomes {
                let metrics = outcome.result.metrics
                var byRepetition: [String: Double] = [:]
                for count in outcome.result.repetitionCounts { byRepetition["\(count)"] = outcome.result.exactRate(repetitions: count) }
                rows.append(ResultRow(
                    target: target, model: model, method: outcome.result.method, promptLength: outcome.promptLength,
                    exactRate: metrics.exactRate, fractionalRate: metrics.fractionalRate, suffixLoss: metrics.suffixLoss,
                    relativeExact: baseline.flatMap { ExtractionMetrics.relativeImprovement(of: metrics.exactRate, over: $0.exactRate) },
                    relativeFractional: baseline.flatMap { ExtractionMetrics.relativeImprovement(of: metrics.fractionalRate, over: $0.fractionalRate) },
                    testSamples: metrics.sampleCount, exactByRepetitions: byRepetition,
                    trainingSeconds: outcome.report?.seconds, selectedStep: outcome.report?.selectedStep,
                    versusDense: dense.first { $0.result.method == outcome.result.method }.flatMap {
                        try? ExtractionComparison(before: $0.result, after: outcome.result)
                    },
                    parameters: parameters))
            }
        }

        // 1. The methods on the canary target.
        let canaryName = tiny ? "tiny" : "canary"
        let runner = MethodRunner(
            target: canaryTarget, targetName: canaryName, splits: splits, training: training, hardPromptTokens: hardTokens,
            workFolder: workURL.appendingPathComponent("prompts"), freezesEmbedding: freezeGeneratorEmbedding, seed: seed)
        writeLine("\n[1] methods on the \(canaryName) target (\(elapsed()))")
        var canaryOutcomes: [MethodRunner.Outcome] = []
        for method in Self.allMethods where chosen.contains(method) {
            let outcome = try runner.run(method, length: promptLength)
            canaryOutcomes.append(outcome)
            if let report = outcome.report { curves.append(("\(canaryName) \(method)", report)) }
            if method == "dynamic-soft" { denseGenerator = outcome.prompt }
        }
        record(canaryOutcomes, target: canaryName, model: "dense", parameters: canaryTarget.configuration.parameterCount)

        // 2. Prompt length.
        writeLine("\n[2] prompt-length sweep on the \(canaryName) target (\(elapsed()))")
        var sweep: [(method: String, length: Int, exact: Double, fractional: Double)] = []
        for length in try Self.integers(sweepLengths, flag: "--sweep-lengths") {
            let outcome = try runner.run("dynamic-hard", length: length)
            sweep.append(("dynamic-hard", length, outcome.result.metrics.exactRate, outcome.result.metrics.fractionalRate))
        }
        if let none = canaryOutcomes.first(where: { $0.result.method == "none" }) {
            sweep.append(("none", 0, none.result.metrics.exactRate, none.result.metrics.fractionalRate))
        }
        if let soft = canaryOutcomes.first(where: { $0.result.method == "dynamic-soft" }) {
            sweep.append(("dynamic-soft", promptLength, soft.result.metrics.exactRate, soft.result.metrics.fractionalRate))
        }
        if chosen.contains("dynamic-soft") {
            for length in try Self.integers(softSweepLengths, flag: "--soft-sweep-lengths") where length != promptLength {
                let outcome = try runner.run("dynamic-soft", length: length)
                sweep.append(("dynamic-soft", length, outcome.result.metrics.exactRate, outcome.result.metrics.fractionalRate))
                record([outcome], target: canaryName, model: "dense (length sweep)", parameters: canaryTarget.configuration.parameterCount)
            }
        }

        // 3. Compressed canary targets: does compression forget the canaries?
        let compressed = try compressedTargets(canaryTarget, tokenizer: tokenizer, elapsed: elapsed)
        for (name, model) in compressed {
            writeLine("\n[3] \(name) canary target (\(elapsed()))")
            model.eval()
            let compressedRunner = MethodRunner(
                target: model, targetName: "\(canaryName)-\(name)", splits: splits, training: training, hardPromptTokens: hardTokens,
                workFolder: workURL.appendingPathComponent("prompts"), freezesEmbedding: freezeGeneratorEmbedding, seed: seed)
            var outcomes = [try compressedRunner.run("none", length: promptLength), try compressedRunner.run("dynamic-hard", length: promptLength)]
            if let generator = denseGenerator {
                let result = try ExtractionEvaluator().evaluate(model, prompt: generator, samples: splits.test)
                writeLine(String(format: "  %@ dense target's dynamic-soft generator: exact %.1f %%", name, 100 * result.metrics.exactRate))
                outcomes.append(.init(result: result, promptLength: generator.length, report: nil, prompt: generator))
            }
            record(outcomes, target: canaryName, model: name, parameters: model.configuration.parameterCount, dense: canaryOutcomes)
        }

        // 4. The base model on text it likely saw in pre-training.
        if !tiny, textSamples > 0, let tokenizer {
            writeLine("\n[4] methods on the base model with Tiny Shakespeare windows (\(elapsed()))")
            let base = try loadBase()
            base.eval()
            let text = try TinyShakespeare.load()
            let ids = tokenizer.encode(text, addingBOS: false, parsingSpecialTokens: false)
            let windows = try CanarySet.windows(of: ids, count: textSamples, prefixLength: prefixLength, suffixLength: suffixLength)
            let textValidation = min(validation, windows.count / 5), textTest = min(test, windows.count / 2)
            let textSplits = try ExtractionSplits(samples: windows, validationCount: textValidation, testCount: textTest, seed: seed &+ 2)
            let textRunner = MethodRunner(
                target: base, targetName: "pretraining-text", splits: textSplits, training: training, hardPromptTokens: hardTokens,
                workFolder: workURL.appendingPathComponent("prompts"), freezesEmbedding: freezeGeneratorEmbedding, seed: seed)
            var outcomes: [MethodRunner.Outcome] = []
            for method in Self.allMethods where chosen.contains(method) {
                let outcome = try textRunner.run(method, length: promptLength)
                outcomes.append(outcome)
                if let report = outcome.report { curves.append(("pretraining-text \(method)", report)) }
            }
            record(outcomes, target: "pretraining-text", model: "dense", parameters: base.configuration.parameterCount)
        }

        let settings = MemorizationReport.Settings(
            base: baseName, canaries: canaries, repetitions: repetitionCounts, prefixLength: prefixLength, suffixLength: suffixLength,
            trainSamples: splits.train.count, validationSamples: splits.validation.count, testSamples: splits.test.count,
            fineTuneEpochs: fineTune.epochs, fineTuneLearningRate: fineTune.learningRate, fineTuneSteps: fineTuneLosses.count,
            fineTuneFinalLoss: fineTuneLosses.last, promptLength: promptLength, training: training,
            freezesGeneratorEmbedding: freezeGeneratorEmbedding, threads: threads, cpu: cpu, seconds: (clock.now - began) / .seconds(1))
        let files = try MemorizationReport.write(rows: rows, curves: curves, sweep: sweep, fineTuneLosses: fineTuneLosses,
                                                 settings: settings, to: outputURL)
        writeLine("\n" + MemorizationReport.markdownTable(rows))
        writeLine("wrote \(files.map(\.lastPathComponent).joined(separator: ", ")) to \(outputURL.path) (\(elapsed()))")
    }

    /// The canary target compressed by MoDeGPT and DISP-LLM at the chosen ratios.
    private func compressedTargets(
        _ target: LlamaModel, tokenizer: ByteLevelBPETokenizer?, elapsed: () -> String
    ) throws -> [(String, LlamaModel)] {
        let modegpt = try Self.ratios(modegptRatios, flag: "--modegpt-ratios")
        let displlm = try Self.ratios(displlmRatios, flag: "--displlm-ratios")
        guard !modegpt.isEmpty || !displlm.isEmpty else { return [] }
        // Calibration and DISP-LLM training text: WikiText-2 validation (no canary in it); the
        // tiny model has no tokenizer and calibrates on random pool sequences.
        let text: [Int]
        if let tokenizer {
            text = tokenizer.encode(try WikiText2Evaluation.text(split: .validation), addingBOS: false, parsingSpecialTokens: false)
        } else {
            var random = RandomGenerator(seed: seed &+ 3)
            text = (0..<8_192).map { _ in random.nextInt(below: target.configuration.vocabularySize) }
        }
        let length = tiny ? 64 : 256
        var result: [(String, LlamaModel)] = []
        if !modegpt.isEmpty {
            writeLine("\ncompressing the canary target with MoDeGPT at \(modegpt) (\(elapsed()))")
            let calibration = try CalibrationSequences.windows(of: text, count: tiny ? 8 : 32, length: length)
            let variants = modegpt.map { ratio -> MoDeGPTConfiguration in
                var configuration = MoDeGPTConfiguration()
                configuration.compressionRatio = ratio
                return configuration
            }
            for (ratio, (model, _)) in zip(modegpt, try MoDeGPT.compress(target, calibration: calibration, variants: variants)) {
                result.append(("MoDeGPT \(Int((ratio * 100).rounded())) %", model))
            }
        }
        for ratio in displlm {
            writeLine("\ncompressing the canary target with DISP-LLM at \(ratio), \(displlmSteps) steps (\(elapsed()))")
            var configuration = DISPLLMConfiguration(keptFraction: 1 - ratio)
            configuration.steps = displlmSteps
            configuration.sequenceLength = length
            configuration.seed = seed
            let pruner = try DISPLLMPruner(model: target, configuration: configuration)
            var lastPrint = ContinuousClock.now
            _ = try pruner.train(tokens: text, progress: { step in
                if ContinuousClock.now - lastPrint > .seconds(30) || step.step == configuration.steps {
                    lastPrint = ContinuousClock.now
                    writeLine(String(format: "  DISP-LLM step %d/%d  loss %.3f  kept %.3f", step.step, configuration.steps, step.loss, step.parameterRatio))
                }
            })
            result.append(("DISP-LLM \(Int((ratio * 100).rounded())) %", try pruner.prunedModel()))
        }
        return result
    }

    private func parsedMethods() throws -> Set<String> {
        let names = methods.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !names.isEmpty else { throw ValidationError("--methods is empty") }
        for name in names where !Self.allMethods.contains(name) {
            throw ValidationError("--methods: unknown method '\(name)'; choose from \(Self.allMethods.joined(separator: ", "))")
        }
        return Set(names)
    }

    static func integers(_ text: String, flag: String) throws -> [Int] {
        try text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.map { item in
            guard let value = Int(item), value > 0 else { throw ValidationError("\(flag): '\(item)' is not a positive whole number") }
            return value
        }
    }

    static func ratios(_ text: String, flag: String) throws -> [Double] {
        try text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }.map { item in
            guard let value = Double(item), value > 0, value < 1 else { throw ValidationError("\(flag): '\(item)' is not a fraction in (0, 1)") }
            return value
        }
    }
}
