import ArgumentParser
import ExampleSupport
import Foundation
import LowRankDecomp
import ModelZoo
import PruningCore
import StructuralPruning

/// Reproduces the shape of DISP-LLM's main table on SmolLM2-135M.
@main
struct DISPLLMCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "disp-llm",
        abstract: "DISP-LLM against dependent structural pruning, LLM-Pruner-style pruning and MoDeGPT on SmolLM2-135M.",
        discussion: """
            At every --ratios value (the fraction of decoder-block parameters removed) each method \
            in --methods prunes the frozen SmolLM2-135M without any weight training:

              disp          DISP-LLM: the BiGRU hypernetwork trained for --steps steps on
                            --sequence-length-token windows of WikiText-2 validation \
              free-logits   DISP-LLM with one free logit vector per structure (the ablation,
                            at --ablation-ratios) \
              energy        dependent pruning, one residual subset for every block, by
                            calibration activation energy (SliceGPT's structure, no rotation) \
              magnitude     dependent pruning by weight magnitude \
              llm-pruner    attention heads and MLP neurons by first-order Taylor importance \
              modegpt       MoDeGPT (LowRankDecomp) at the same block parameter count

            Every model is scored on the first --eval-tokens tokens of WikiText-2 test in windows \
            of --window tokens (the ModelZoo protocol), on the next-sentence multiple-choice check \
            (--zero-shot-items questions, four choices, chance 25 %), and for prefill and cached \
            decoding throughput as ratios to the dense model in the same run. DISP-LLM models are \
            saved and reloaded from --models before they are measured; controller checkpoints in \
            --checkpoints let an interrupted run resume.

            Writes summary.md, results.csv, results.json, perplexity.svg, widths.svg, widths.csv \
            and training-<method>-<percent>.csv to --output.
            """)

    @Option(help: "A GGUF model file (default: SmolLM2-135M).")
    var model: String?

    @Option(help: "Fractions of block parameters to remove, comma-separated.")
    var ratios: String = "0.2,0.3,0.4,0.5"

    @Option(help: "Ratios at which the free-logits ablation runs, comma-separated (empty: every --ratios value).")
    var ablationRatios: String = "0.5"

    @Option(help: "Methods, comma-separated: disp, free-logits, energy, magnitude, llm-pruner, modegpt.")
    var methods: String = "disp,free-logits,energy,magnitude,llm-pruner,modegpt"

    @Option(help: "Controller training steps per DISP-LLM model.")
    var steps: Int = 400

    @Option(help: "Tokens per DISP-LLM training window.")
    var sequenceLength: Int = 256

    @Option(help: "λ, the weight of the parameter regularizer (the paper: 6; the official script: 16).")
    var lambda: Float = 16

    @Option(help: "AdamW learning rate of the controller (the paper: 1e-3 over 10,000 steps).")
    var learningRate: Float = 1e-2

    @Option(help: "Calibration windows for the activation-energy and MoDeGPT baselines.")
    var calibrationSequences: Int = 32

    @Option(help: "Tokens per calibration window.")
    var calibrationLength: Int = 512

    @Option(help: "Calibration windows of 128 tokens for the Taylor importance (LLM-Pruner: 10).")
    var taylorSamples: Int = 10

    @Option(help: "WikiText-2 test tokens to evaluate (0: all).")
    var evalTokens: Int = 8_192

    @Option(help: "Perplexity window length.")
    var window: Int = 512

    @Option(help: "Next-sentence questions.")
    var zeroShotItems: Int = 100

    @Option(help: "Prompt length of the prefill measurement.")
    var prefillLength: Int = 512

    @Option(help: "Tokens of the decoding measurement.")
    var decodeTokens: Int = 64

    @Option(help: "Threads for BLAS and the elementwise loops.")
    var threads: Int = 2

    @Option(help: "Seed of the controllers, the Gumbel noise and the training windows.")
    var seed: UInt64 = 0

    @Option(help: "Folder for the result files.")
    var output: String = "results/disp-llm"

    @Option(help: "Folder for the pruned DISP-LLM models (saved, then reloaded for evaluation).")
    var models: String = "results/disp-llm/models"

    @Option(help: "Folder for controller checkpoints (resume an interrupted run).")
    var checkpoints: String = "checkpoints/disp-llm"

    @Option(help: """
        Only measure throughput: load every model saved in this folder (by a previous run, in \
        --models) and compare prefill and decoding with the dense model in --throughput-rounds \
        interleaved rounds; writes throughput.md to --output.
        """)
    var throughputOf: String?

    @Option(help: "Interleaved rounds of the --throughput-of measurement.")
    var throughputRounds: Int = 5

    mutating func validate() throws {
        if let model { try InputPaths.checkReadable(model, flag: "--model", kind: .fileOrDirectory) }
        try InputPaths.checkOutputDirectory(output, flag: "--output")
        try InputPaths.checkOutputDirectory(models, flag: "--models")
        try InputPaths.checkOutputDirectory(checkpoints, flag: "--checkpoints")
        try CountChecks.atLeast([
            ("--threads", threads, 1), ("--steps", steps, 0), ("--sequence-length", sequenceLength, 2),
            ("--calibration-sequences", calibrationSequences, 1), ("--calibration-length", calibrationLength, 2),
            ("--taylor-samples", taylorSamples, 1), ("--throughput-rounds", throughputRounds, 1), ("--window", window, 2),
            ("--zero-shot-items", zeroShotItems, 1), ("--prefill-length", prefillLength, 1), ("--decode-tokens", decodeTokens, 1),
            ("--eval-tokens", evalTokens, 0),
        ])
        guard lambda >= 0, lambda.isFinite else { throw ValidationError("--lambda \(lambda) must be finite and ≥ 0") }
        guard learningRate > 0, learningRate.isFinite else { throw ValidationError("--learning-rate \(learningRate) must be finite and > 0") }
        _ = try parsedRatios()
        _ = try parsedRatios(ablationRatios, allowEmpty: true)
        _ = try parsedMethods()
    }

    mutating func run() throws {
        BLAS.relaunchWithFasterKernelsIfNeeded()
        BLAS.setThreadCount(threads)
        ThreadPolicy.maximumThreads = threads
        let ratioList = try parsedRatios()
        let ablationList = try parsedRatios(ablationRatios, allowEmpty: true)
        let chosen = try parsedMethods()
        let clock = ContinuousClock()
        let began = clock.now
        func elapsed() -> String { String(format: "%.0f s", (clock.now - began) / .seconds(1)) }

        let modelURL = try model.map { URL(fileURLWithPath: $0) } ?? ModelFiles.smolLM2()
        let file = try GGUFFile(contentsOf: modelURL)
        let tokenizer = try ByteLevelBPETokenizer(gguf: file)
        let dense = try LlamaModel(gguf: file)
        dense.eval()
        func encode(_ text: String) -> [Int] { tokenizer.encode(text, addingBOS: false, parsingSpecialTokens: false) }

        let (testRaw, testIDs, validationIDs) = try WikiText2Evaluation.tokens(encode: encode)
        let evaluationIDs = evalTokens > 0 ? Array(testIDs.prefix(evalTokens)) : testIDs
        let calibration = try CalibrationSequences.windows(of: validationIDs, count: calibrationSequences, length: calibrationLength)
        let taylorCalibration = try CalibrationSequences.windows(of: validationIDs, count: taylorSamples, length: 128, seed: 1)
        let task = try NextSentenceTask(raw: testRaw, encode: encode, itemCount: zeroShotItems)
        let prompt = Array(evaluationIDs.prefix(prefillLength))
        guard prompt.count == prefillLength else {
            throw ValidationError("--prefill-length \(prefillLength) exceeds the \(evaluationIDs.count) evaluation tokens")
        }
        let cpu = processorName()
        if let throughputOf {
            let folder = URL(fileURLWithPath: throughputOf)
            let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted().filter {
                FileManager.default.fileExists(atPath: folder.appendingPathComponent($0).appendingPathComponent("config.json").path)
            }
            guard !names.isEmpty else { throw ValidationError("--throughput-of: no saved model (a folder with config.json) in \(folder.path)") }
            let saved = try names.map { name -> (String, LlamaModel) in
                let model = try LlamaModel.load(from: folder.appendingPathComponent(name))
                model.eval()
                return (name, model)
            }
            writeLine("throughput: dense and \(saved.count) saved models, \(throughputRounds) interleaved rounds, \(threads) thread(s), \(cpu)")
            let rounds = throughputRounds
            let entries = ThroughputComparison.measure(
                dense: dense, models: saved, prompt: prompt, decodeTokens: decodeTokens, rounds: rounds
            ) { writeLine("  throughput round \($0)/\(rounds) done") }
            let table = ThroughputComparison.markdown(entries)
            writeLine(table)
            try ResultFiles.write([("throughput.md", table)], to: URL(fileURLWithPath: output))
            return
        }
        writeLine("model: \(modelURL.lastPathComponent), \(dense.configuration.parameterCount) parameters, "
            + "\(LlamaMaskExport.blockParameterCount(of: dense)) in blocks; threads: \(threads); \(cpu), kernels \(KernelLevel.active)")
        writeLine("evaluation: \(evaluationIDs.count) WikiText-2 test tokens in windows of \(window); \(task.items.count) next-sentence questions; "
            + "DISP-LLM training: \(steps) steps of \(sequenceLength) validation tokens, λ = \(lambda)")

        let settings = RunSettings(
            model: modelURL.lastPathComponent, evaluationTokens: evaluationIDs.count, windowLength: window,
            zeroShotItems: task.items.count, steps: steps, sequenceLength: sequenceLength, regularizationWeight: lambda, learningRate: learningRate,
            calibrationSequences: calibrationSequences, calibrationLength: calibrationLength, taylorSamples: taylorSamples,
            threads: threads, cpu: cpu)
        let outputURL = URL(fileURLWithPath: output)
        var rows: [ResultRow] = []
        var widths: [WidthFigure.Run] = []
        var densePrefill = 1.0, denseDecode = 1.0
        let denseBlocks = LlamaMaskExport.blockParameterCount(of: dense)

        func evaluate(_ candidate: some CausalLanguageModel, method: String, ratio: Double, blockParameters: Int,
                      seconds: Double?, steps: Int? = nil, perplexity: Double, decode: Double?) throws {
            let start = clock.now
            let accuracy = task.accuracy(of: candidate)
            let prefill = candidate.prefillTokensPerSecond(prompt: prompt)
            if method == "dense" { densePrefill = prefill; denseDecode = decode ?? 1 }
            let row = ResultRow(
                method: method, targetRatio: ratio, blockRatio: 1 - Double(blockParameters) / Double(denseBlocks),
                parameters: candidate.totalParameterCount, perplexity: perplexity, zeroShotAccuracy: accuracy,
                pruningSeconds: seconds, steps: steps, prefillTokensPerSecond: prefill, decodeTokensPerSecond: decode,
                prefillSpeedup: prefill / densePrefill, decodeSpeedup: decode.map { $0 / denseDecode })
            rows.append(row)
            writeLine(String(
                format: "  %@ %@ (blocks −%@): perplexity %@, next-sentence %@, prefill %.0f tok/s (%.2f×)%@  [%.0f s, %@ total]",
                method, ResultTable.percent(ratio), ResultTable.percent(row.blockRatio), ResultTable.perplexity(perplexity),
                ResultTable.percent(accuracy), prefill, row.prefillSpeedup,
                decode.map { String(format: ", decode %.1f tok/s (%.2f×)", $0, row.decodeSpeedup ?? 0) } ?? "",
                (clock.now - start) / .seconds(1), elapsed()))
            try ResultTable.write(rows, widths: widths, settings: settings, to: outputURL)
        }
        func evaluate(_ model: LlamaModel, method: String, ratio: Double, seconds: Double?, steps: Int? = nil) throws {
            try evaluate(
                model, method: method, ratio: ratio, blockParameters: LlamaMaskExport.blockParameterCount(of: model),
                seconds: seconds, steps: steps, perplexity: model.perplexity(of: evaluationIDs, windowLength: window).perplexity,
                decode: model.decodeTokensPerSecond(prompt: Array(prompt.prefix(64)), newTokens: decodeTokens))
        }

        writeLine("dense model")
        try evaluate(dense, method: "dense", ratio: 0, seconds: nil)

        for ratio in ratioList {
            let percent = Int((100 * ratio).rounded())
            for (key, label) in [("disp", "DISP-LLM"), ("free-logits", "DISP-LLM, free logits")] where chosen.contains(key)
                && (key == "disp" || ablationList.isEmpty || ablationList.contains(ratio)) {
                var configuration = DISPLLMConfiguration(keptFraction: 1 - ratio)
                configuration.steps = steps
                configuration.sequenceLength = sequenceLength
                configuration.regularizationWeight = lambda
                configuration.learningRate = learningRate
                configuration.seed = seed
                if key == "free-logits" { configuration.controller = .freeLogits }
                let pruner = try DISPLLMPruner(model: dense, configuration: configuration)
                let checkpoint = URL(fileURLWithPath: checkpoints).appendingPathComponent("\(key)-\(percent).safetensors")
                try FileManager.default.createDirectory(at: checkpoint.deletingLastPathComponent(), withIntermediateDirectories: true)
                if FileManager.default.fileExists(atPath: checkpoint.path) {
                    try pruner.loadCheckpoint(from: checkpoint)
                    writeLine("\(label) \(percent) %: resumed at step \(pruner.history.count) from \(checkpoint.path)")
                }
                writeLine("\(label) \(percent) %: training \(steps) steps (\(pruner.controller.parameterCount) controller parameters)")
                let trainingStart = clock.now
                let done = pruner.history.count
                let totalSteps = steps
                let report = try pruner.train(
                    tokens: validationIDs, checkpointInterval: 50, checkpoint: { try pruner.saveCheckpoint(to: checkpoint) }
                ) { record in
                    guard record.step % 10 == 0 || record.step == totalSteps else { return }
                    let rate = Double(record.step - done) / max((clock.now - trainingStart) / .seconds(1), 1e-9)
                    writeLine(String(
                        format: "  step %d/%d  loss %.3f (LM %.3f + reg %.3f)  kept ratio %.3f (target %.2f)  %.2f steps/s  ETA %.0f s",
                        record.step, totalSteps, record.loss, record.languageModelLoss, record.regularization, record.parameterRatio,
                        1 - ratio, rate, Double(totalSteps - record.step) / max(rate, 1e-9)))
                }
                try ResultFiles.write([("training-\(key)-\(percent).csv", Self.historyCSV(report.history))], to: outputURL)
                writeLine(String(
                    format: "  trained in %.0f s (%.2f s/step); noise-free masks keep %.4f, exported %.4f (threshold shift %.3f); peak memory %.2f GiB",
                    report.trainingSeconds, report.secondsPerStep, report.deterministicRatio, report.exportedRatio,
                    report.thresholdShift, Double(ProcessMemory.peakResidentBytes) / 1_073_741_824))
                let folder = URL(fileURLWithPath: models).appendingPathComponent("\(key)-\(percent)")
                try pruner.prunedModel().save(toDirectory: folder)
                let reloaded = try LlamaModel.load(from: folder)
                reloaded.eval()
                widths.append(WidthFigure.Run(
                    method: label, ratio: ratio, keptWidths: report.keptWidths,
                    denseWidths: [dense.configuration.hiddenSize, dense.configuration.hiddenSize, dense.configuration.hiddenSize,
                                  dense.configuration.intermediateSize, dense.configuration.hiddenSize]))
                try evaluate(reloaded, method: label, ratio: ratio, seconds: report.trainingSeconds, steps: report.history.count)
            }
            for (key, label, criterion) in [("energy", "dependent, activation energy", DependentDimensionPruning.Criterion.activationEnergy),
                                            ("magnitude", "dependent, weight magnitude", .weightMagnitude)] where chosen.contains(key) {
                let result = try DependentDimensionPruning(keptFraction: 1 - ratio, criterion: criterion)
                    .prune(dense, calibration: calibration)
                try evaluate(result.model, method: label, ratio: ratio, seconds: result.seconds)
            }
            if chosen.contains("llm-pruner") {
                let result = try TaylorHeadChannelPruning(keptFraction: 1 - ratio).prune(dense, calibration: taylorCalibration)
                try evaluate(result.model, method: "LLM-Pruner-style (Taylor)", ratio: ratio, seconds: result.seconds)
            }
        }

        if chosen.contains("modegpt") {
            writeLine("MoDeGPT: \(ratioList.count) ratios from one calibration pass")
            let results = try MoDeGPT.compress(
                dense, calibration: calibration,
                variants: ratioList.map { MoDeGPTConfiguration(compressionRatio: $0, modules: .all) }) { done, total in
                if done == total || done % 10 == 0 { writeLine("  MoDeGPT calibration: block \(done)/\(total)  [\(elapsed())]") }
            }
            for (compressed, report) in results {
                compressed.eval()
                try evaluate(compressed, method: "MoDeGPT", ratio: report.targetCompressionRatio, seconds: report.compressionSeconds)
            }
        }

        writeLine("")
        writeLine(ResultTable.markdown(rows))
        writeLine(ResultTable.pivot(rows))
        writeLine("wrote \(outputURL.path)/{summary.md, results.csv, results.json, perplexity.svg, widths.svg} in \(elapsed())")
    }

    static func historyCSV(_ history: [DISPLLMStep]) -> String {
        var lines = ["step,loss,lm_loss,regularization,parameter_ratio,forward_s,head_s,backward_s,update_s"]
        for s in history {
            lines.append("\(s.step),\(s.loss),\(s.languageModelLoss),\(s.regularization),\(s.parameterRatio),\(s.forwardSeconds),\(s.headSeconds),\(s.backwardSeconds),\(s.updateSeconds)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private func parsedRatios(_ text: String? = nil, allowEmpty: Bool = false) throws -> [Double] {
        let parts = (text ?? ratios).split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        if parts.isEmpty && !allowEmpty { throw ValidationError("--ratios: give at least one fraction") }
        return try parts.map { part in
            guard let value = Double(part), value > 0, value < 1 else {
                throw ValidationError("\(text == nil ? "--ratios" : "--ablation-ratios"): '\(part)' is not a fraction in (0, 1)")
            }
            return value
        }
    }

    private func parsedMethods() throws -> Set<String> {
        let known: Set = ["disp", "free-logits", "energy", "magnitude", "llm-pruner", "modegpt"]
        let parts = Set(methods.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        if let unknown = parts.subtracting(known).first {
            throw ValidationError("--methods: unknown method '\(unknown)' (known: \(known.sorted().joined(separator: ", ")))")
        }
        return parts
    }
}
