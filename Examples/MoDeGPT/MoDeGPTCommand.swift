import ArgumentParser
import ExampleSupport
import Foundation
import LowRankDecomp
import ModelZoo
import PruningCore

/// Reproduces the shape of MoDeGPT's main table on SmolLM2-135M.
@main
struct MoDeGPTCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "modegpt",
        abstract: "MoDeGPT against its ablations and the SVD and magnitude baselines on SmolLM2-135M.",
        discussion: """
            Calibrates once on --calibration-sequences windows of --calibration-length tokens of \
            WikiText-2 validation and compresses the model at every --ratios value (the fraction \
            of decoder-block parameters removed) with each method: MoDeGPT (block-influence \
            allocation), MoDeGPT with uniform allocation, the module ablations (MLP only, MLP + \
            key-query; at --ablation-ratios), activation-aware (whitened) truncated SVD, plain \
            truncated SVD and magnitude pruning of MLP channels and heads.

            Every model is scored on the first --eval-tokens tokens of WikiText-2 test in \
            non-overlapping windows of --window tokens (the ModelZoo perplexity protocol: each \
            window alone, its first token unscored), on a next-sentence multiple-choice check \
            built from WikiText-2 test (--zero-shot-items questions, four choices, chance 25 %), \
            and for throughput: prefill of a --prefill-length-token prompt and cached greedy \
            decoding of --decode-tokens tokens, as ratios to the dense model in the same run.

            Writes summary.md, results.csv, results.json and perplexity.svg to --output.
            """)

    @Option(help: "A GGUF model file (default: SmolLM2-135M).")
    var model: String?

    @Option(help: "Fractions of block parameters to remove, comma-separated.")
    var ratios: String = "0.1,0.2,0.3,0.4"

    @Option(help: "Ratios at which the module ablations run, comma-separated (empty: none).")
    var ablationRatios: String = "0.3"

    @Option(help: "Methods, comma-separated: modegpt, uniform, ablations, whitened-svd, svd, magnitude.")
    var methods: String = "modegpt,uniform,ablations,whitened-svd,svd,magnitude"

    @Option(help: "Calibration sequences (WikiText-2 validation windows).")
    var calibrationSequences: Int = 32

    @Option(help: "Tokens per calibration sequence.")
    var calibrationLength: Int = 512

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

    @Option(help: "Folder for the result files.")
    var output: String = "results/modegpt"

    @Option(help: """
        Also save each MoDeGPT model (modegpt-<percent>/) and each activation-aware SVD model \
        (whitened-svd-<percent>/, a low-rank model not read by --throughput-of) into this folder.
        """)
    var saveModels: String?

    @Option(help: """
        Only measure throughput: load every model saved in this folder (by --save-models) and \
        compare prefill and decoding with the dense model in --throughput-rounds interleaved rounds.
        """)
    var throughputOf: String?

    @Option(help: "Interleaved rounds of the --throughput-of measurement.")
    var throughputRounds: Int = 5

    mutating func validate() throws {
        if let model { try InputPaths.checkReadable(model, flag: "--model", kind: .fileOrDirectory) }
        try InputPaths.checkOutputDirectory(output, flag: "--output")
        if let saveModels { try InputPaths.checkOutputDirectory(saveModels, flag: "--save-models") }
        try CountChecks.atLeast([
            ("--threads", threads, 1), ("--calibration-sequences", calibrationSequences, 1), ("--calibration-length", calibrationLength, 2),
            ("--window", window, 2), ("--zero-shot-items", zeroShotItems, 1), ("--prefill-length", prefillLength, 1),
            ("--decode-tokens", decodeTokens, 1), ("--eval-tokens", evalTokens, 0), ("--throughput-rounds", throughputRounds, 1),
        ])
        _ = try parsedRatios(ratios, name: "--ratios")
        _ = try parsedRatios(ablationRatios, name: "--ablation-ratios")
        _ = try parsedMethods()
    }

    mutating func run() throws {
        BLAS.relaunchWithFasterKernelsIfNeeded()
        BLAS.setThreadCount(threads)
        ThreadPolicy.maximumThreads = threads
        let ratioList = try parsedRatios(ratios, name: "--ratios")
        let ablationList = try parsedRatios(ablationRatios, name: "--ablation-ratios")
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
        let calibration = try CalibrationSequences.windows(
            of: validationIDs, count: calibrationSequences, length: calibrationLength)
        let task = try NextSentenceTask(raw: testRaw, encode: encode, itemCount: zeroShotItems)
        let prompt = Array(evaluationIDs.prefix(prefillLength))
        guard prompt.count == prefillLength else {
            throw ValidationError("--prefill-length \(prefillLength) exceeds the \(evaluationIDs.count) evaluation tokens")
        }
        if let throughputOf {
            let folder = URL(fileURLWithPath: throughputOf)
            let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted().filter {
                FileManager.default.fileExists(atPath: folder.appendingPathComponent($0).appendingPathComponent("config.json").path)
            }
            guard !names.isEmpty else { throw ValidationError("--throughput-of: no saved model (a folder with config.json) in \(folder.path)") }
            let models = try names.map { name -> (String, LlamaModel) in
                let model = try LlamaModel.load(from: folder.appendingPathComponent(name))
                model.eval()
                return (name, model)
            }
            writeLine("throughput: dense and \(models.count) saved models, \(throughputRounds) interleaved rounds, \(threads) thread(s)")
            let entries = ThroughputComparison.measure(
                dense: dense, models: models, prompt: prompt, decodeTokens: decodeTokens, rounds: throughputRounds
            ) { writeLine("  throughput round \($0)/\(self.throughputRounds) done") }
            let table = ThroughputComparison.markdown(entries)
            writeLine(table)
            try FileManager.default.createDirectory(at: URL(fileURLWithPath: output), withIntermediateDirectories: true)
            try AtomicFile.write(table, to: URL(fileURLWithPath: output).appendingPathComponent("throughput.md"))
            return
        }
        writeLine("model: \(modelURL.lastPathComponent), \(dense.configuration.parameterCount) parameters; threads: \(threads)")
        writeLine("evaluation: \(evaluationIDs.count) WikiText-2 test tokens in windows of \(window); "
            + "\(task.items.count) next-sentence questions; calibration: \(calibrationSequences) × \(calibrationLength) validation tokens")

        let settings = RunSettings(
            model: modelURL.lastPathComponent, evaluationTokens: evaluationIDs.count, windowLength: window,
            calibrationSequences: calibrationSequences, calibrationLength: calibrationLength,
            zeroShotItems: task.items.count, threads: threads, prefillPromptLength: prefillLength,
            decodeTokens: decodeTokens)
        let outputURL = URL(fileURLWithPath: output)
        var rows: [ResultRow] = []
        var densePrefill = 1.0, denseDecode = 1.0

        func evaluate(_ candidate: some CausalLanguageModel, method: String, report: CompressionReport?) throws {
            let start = clock.now
            let perplexity = candidate.windowedPerplexity(of: evaluationIDs, windowLength: window).perplexity
            let accuracy = task.accuracy(of: candidate)
            let prefill = candidate.prefillTokensPerSecond(prompt: prompt)
            let decode = (candidate as? LlamaModel)?.decodeTokensPerSecond(prompt: Array(prompt.prefix(64)), newTokens: decodeTokens)
            if report == nil { densePrefill = prefill; denseDecode = decode ?? 1 }
            let row = ResultRow(
                method: method, targetRatio: report?.targetCompressionRatio ?? 0,
                blockRatio: report.map { 1 - Double($0.blockParametersAfter) / Double($0.blockParametersBefore) } ?? 0,
                parameters: candidate.totalParameterCount, perplexity: perplexity, zeroShotAccuracy: accuracy,
                compressionSeconds: report?.compressionSeconds, prefillTokensPerSecond: prefill,
                decodeTokensPerSecond: decode, prefillSpeedup: prefill / densePrefill,
                decodeSpeedup: decode.map { $0 / denseDecode })
            rows.append(row)
            writeLine(String(
                format: "  %@ %@: perplexity %@, next-sentence %@, prefill %.0f tok/s (%.2f×)%@  [evaluated in %.0f s, %@ total]",
                method, ResultTable.percent(row.targetRatio), ResultTable.perplexity(perplexity),
                ResultTable.percent(accuracy), prefill, row.prefillSpeedup,
                decode.map { String(format: ", decode %.1f tok/s (%.2f×)", $0, row.decodeSpeedup ?? 0) } ?? "",
                (clock.now - start) / .seconds(1), elapsed()))
            try ResultTable.write(rows, settings: settings, to: outputURL)
        }
        func progress(_ label: String) -> (Int, Int) -> Void {
            { done, total in
                if done == total || done % 5 == 0 { writeLine("  \(label): block \(done)/\(total)  [\(elapsed())]") }
            }
        }

        writeLine("dense model")
        try evaluate(dense, method: "dense", report: nil)

        // MoDeGPT and its ablations share one calibration pass over the dense model.
        var variants: [(String, MoDeGPTConfiguration)] = []
        func configuration(_ ratio: Double, _ modules: MoDeGPTModules, uniform: Bool) -> MoDeGPTConfiguration {
            var settings = MoDeGPTConfiguration(compressionRatio: ratio, modules: modules)
            if uniform { settings.allocation = .uniform }
            return settings
        }
        for ratio in ratioList {
            if chosen.contains("modegpt") { variants.append(("MoDeGPT", configuration(ratio, .all, uniform: false))) }
            if chosen.contains("uniform") { variants.append(("MoDeGPT, uniform allocation", configuration(ratio, .all, uniform: true))) }
        }
        if chosen.contains("ablations") {
            for ratio in ablationList {
                variants.append(("MoDeGPT, MLP only", configuration(ratio, .mlp, uniform: false)))
                variants.append(("MoDeGPT, MLP + key-query", configuration(ratio, [.mlp, .keyQuery], uniform: false)))
            }
        }
        if !variants.isEmpty {
            writeLine("MoDeGPT: \(variants.count) variants from one calibration pass")
            let results = try MoDeGPT.compress(
                dense, calibration: calibration, variants: variants.map(\.1), progress: progress("MoDeGPT calibration"))
            if let report = results.first?.1 {
                writeLine(String(
                    format: "  calibration %.0f s for all variants; peak resident memory %.2f GiB (%.2f GiB at the start)",
                    report.calibrationSeconds, Double(report.peakResidentBytes) / 1_073_741_824,
                    Double(report.residentBytesAtStart ?? 0) / 1_073_741_824))
            }
            for ((name, _), (compressed, report)) in zip(variants, results) {
                if let saveModels, name == "MoDeGPT" {
                    let folder = URL(fileURLWithPath: saveModels)
                        .appendingPathComponent("modegpt-\(Int((100 * report.targetCompressionRatio).rounded()))")
                    try compressed.save(toDirectory: folder)
                    writeLine("  saved \(folder.path)")
                }
                try evaluate(compressed, method: name, report: report)
            }
        }

        for (key, name, weighting) in [("whitened-svd", "activation-aware SVD", TruncatedSVDCompression.Weighting.activationAware),
                                       ("svd", "plain SVD", .plain)] where chosen.contains(key) {
            writeLine("\(name): \(ratioList.count) ratios")
            let results = try TruncatedSVDCompression.compress(
                dense, calibration: calibration,
                variants: ratioList.map { TruncatedSVDCompression(compressionRatio: $0, weighting: weighting) })
            for (compressed, report) in results {
                if let saveModels, weighting == .activationAware {
                    let folder = URL(fileURLWithPath: saveModels)
                        .appendingPathComponent("whitened-svd-\(Int((100 * report.targetCompressionRatio).rounded()))")
                    try compressed.save(toDirectory: folder)
                    writeLine("  saved \(folder.path)")
                }
                try evaluate(compressed, method: name, report: report)
            }
        }

        if chosen.contains("magnitude") {
            writeLine("magnitude pruning")
            for ratio in ratioList {
                let (pruned, report) = try MagnitudePruning(compressionRatio: ratio).compress(dense)
                pruned.eval()
                try evaluate(pruned, method: "magnitude", report: report)
            }
        }

        writeLine("")
        writeLine(ResultTable.markdown(rows))
        writeLine(ResultTable.pivot(rows))
        writeLine("wrote \(outputURL.path)/{summary.md, results.csv, results.json, perplexity.svg} in \(elapsed())")
    }

    private func parsedRatios(_ text: String, name: String) throws -> [Double] {
        let parts = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        return try parts.map { part in
            guard let value = Double(part), value > 0, value < 1 else {
                throw ValidationError("\(name): '\(part)' is not a ratio in (0, 1)")
            }
            return value
        }
    }

    private func parsedMethods() throws -> Set<String> {
        let known: Set = ["modegpt", "uniform", "ablations", "whitened-svd", "svd", "magnitude"]
        let parts = Set(methods.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        if let unknown = parts.subtracting(known).first {
            throw ValidationError("--methods: unknown method '\(unknown)' (known: \(known.sorted().joined(separator: ", ")))")
        }
        return parts
    }
}
