import ExampleSupport
import Foundation
import LowRankDecomp
import ModelZoo
import PruningCore
import StructuralPruning

/// The LLM family: SmolLM2-135M compressed to one budget of decoder-block parameters by
/// MoDeGPT, DISP-LLM and the baselines, all scored by the same WikiText-2 perplexity protocol,
/// next-sentence check and prefill/decode timings.
struct LanguageModelFamily {
    /// The methods, in table order.
    static let methods = ["modegpt", "disp-llm", "dependent", "llm-pruner", "magnitude"]

    /// The fraction of decoder-block parameters removed.
    var ratio = 0.3
    /// The methods to run (keys of ``methods``).
    var chosen = Set(methods)
    /// WikiText-2 test tokens scored, in windows of ``window``.
    var evaluationTokens = 4_096
    /// The perplexity window.
    var window = 512
    /// Next-sentence questions (four choices, chance 25 %).
    var questions = 50
    /// Calibration windows (WikiText-2 validation) and their length, shared by MoDeGPT and the
    /// dependent and Taylor baselines.
    var calibrationCount = 16, calibrationLength = 512
    /// DISP-LLM training steps and window length.
    var steps = 200, sequenceLength = 256
    /// The prefill prompt length and the decoded tokens of the timings.
    var prefillLength = 256, decodeTokens = 32

    /// The settings of `--quick`: the same methods on tiny budgets.
    static var quick: LanguageModelFamily {
        var family = LanguageModelFamily()
        family.evaluationTokens = 1_024
        family.window = 256
        family.questions = 8
        family.calibrationCount = 4
        family.calibrationLength = 128
        family.steps = 8
        family.sequenceLength = 128
        family.prefillLength = 128
        family.decodeTokens = 8
        return family
    }

    /// A description for the summary.
    var settings: String {
        "SmolLM2-135M, −\(Int((100 * ratio).rounded())) % of decoder-block parameters; \(evaluationTokens) WikiText-2 test tokens in windows of \(window), "
            + "\(questions) next-sentence questions; calibration \(calibrationCount) × \(calibrationLength) validation tokens; "
            + "DISP-LLM \(steps) steps of \(sequenceLength) tokens; prefill of \(prefillLength) tokens, \(decodeTokens) decoded"
    }

    /// Runs every chosen method, appending rows to `report` and writing it to `folder` after each.
    func run(into report: inout ComparisonReport, writingTo folder: URL, seed: UInt64) throws {
        let began = ContinuousClock.now
        let modelURL = try ModelFiles.smolLM2()
        let file = try GGUFFile(contentsOf: modelURL)
        let tokenizer = try ByteLevelBPETokenizer(gguf: file)
        let dense = try LlamaModel(gguf: file)
        dense.eval()
        func encode(_ text: String) -> [Int] { tokenizer.encode(text, addingBOS: false, parsingSpecialTokens: false) }
        let (testRaw, testIDs, validationIDs) = try WikiText2Evaluation.tokens(encode: encode)
        let evaluationIDs = Array(testIDs.prefix(evaluationTokens))
        let calibration = try CalibrationSequences.windows(of: validationIDs, count: calibrationCount, length: calibrationLength, seed: seed)
        let task = try NextSentenceTask(raw: testRaw, encode: encode, itemCount: questions)
        let prompt = Array(evaluationIDs.prefix(prefillLength))
        let percent = Int((100 * ratio).rounded())
        let budget = "−\(percent) % block params"
        let denseBlocks = LlamaMaskExport.blockParameterCount(of: dense)
        let outsideBlocks = dense.totalParameterCount - denseBlocks
        writeLine("LLM: \(settings)")
        var densePrefill = 1.0, denseDecode = 1.0

        func evaluate(_ model: LlamaModel, method: String, seconds: Double?, training: String) throws {
            let start = ContinuousClock.now
            model.eval()
            let perplexity = model.windowedPerplexity(of: evaluationIDs, windowLength: window).perplexity
            let accuracy = task.accuracy(of: model)
            let prefill = model.prefillTokensPerSecond(prompt: prompt)
            // Decoding: the best of two runs (one run of a few dozen tokens is at the mercy of the scheduler).
            let decode = (0..<2).map { _ in model.decodeTokensPerSecond(prompt: Array(prompt.prefix(32)), newTokens: decodeTokens) }.max()!
            if method == "dense" { (densePrefill, denseDecode) = (prefill, decode) }
            let removed = 1 - Double(model.totalParameterCount - outsideBlocks) / Double(denseBlocks)
            report.rows.append(ComparisonRow(
                family: "LLM", model: "SmolLM2-135M", method: method,
                budget: method == "dense" ? "–" : String(format: "%@ (got −%.1f %%)", budget, 100 * removed),
                qualityName: "perplexity", higherIsBetter: false, quality: perplexity,
                secondaryName: "next-sentence accuracy", secondary: accuracy, parameters: model.totalParameterCount,
                // Weight MACs per token: every parameter once, the tied embedding as the LM head.
                megaMACs: Double(model.totalParameterCount) / 1e6,
                speedName: "prefill tok/s", speed: prefill, speedup: prefill / densePrefill,
                extraSpeedName: "decode tok/s", extraSpeed: decode, extraSpeedup: decode / denseDecode,
                secondsToPrune: seconds, training: training))
            try report.write(to: folder)
            writeLine(String(
                format: "  %@: perplexity %@, next-sentence %@, %.1f M params, prefill %.0f tok/s (%.2f×), decode %.1f tok/s (%.2f×)  [%.0f s evaluating, %.0f s total]",
                method, ResultFormat.perplexity(perplexity), ResultFormat.percent(accuracy), Double(model.totalParameterCount) / 1e6,
                prefill, prefill / densePrefill, decode, decode / denseDecode, elapsedSeconds(since: start), elapsedSeconds(since: began)))
        }

        writeLine("dense SmolLM2-135M")
        try evaluate(dense, method: "dense", seconds: nil, training: "–")
        if chosen.contains("modegpt") {
            writeLine("MoDeGPT −\(percent) %: calibration and decomposition")
            let (model, compression) = try MoDeGPT.compress(dense, calibration: calibration, variants: [MoDeGPTConfiguration(compressionRatio: ratio)]) { done, total in
                if done % 10 == 0 || done == total { writeLine("  block \(done)/\(total)") }
            }[0]
            try evaluate(model, method: "MoDeGPT", seconds: compression.compressionSeconds, training: "none (\(calibrationCount) × \(calibrationLength) calibration)")
        }
        if chosen.contains("disp-llm") {
            var configuration = DISPLLMConfiguration(keptFraction: 1 - ratio)
            configuration.steps = steps
            configuration.sequenceLength = sequenceLength
            configuration.seed = seed
            let start = ContinuousClock.now
            let pruner = try DISPLLMPruner(model: dense, configuration: configuration)
            writeLine("DISP-LLM −\(percent) %: \(steps) steps of the hypernetwork (\(pruner.controller.parameterCount) parameters)")
            let steps = steps
            let training = try pruner.train(tokens: validationIDs, progress: { record in
                if record.step % 25 == 0 || record.step == steps {
                    writeLine(String(format: "  step %d/%d: loss %.3f, kept ratio %.3f", record.step, steps, record.loss, record.parameterRatio))
                }
            })
            let model = try pruner.prunedModel()
            try evaluate(model, method: "DISP-LLM", seconds: elapsedSeconds(since: start), training: "\(training.history.count) steps × \(sequenceLength) tokens")
        }
        if chosen.contains("dependent") {
            writeLine("dependent (one shared residual subset, activation energy) −\(percent) %")
            let result = try DependentDimensionPruning(keptFraction: 1 - ratio, criterion: .activationEnergy).prune(dense, calibration: calibration)
            try evaluate(result.model, method: "dependent, activation energy", seconds: result.seconds, training: "none")
        }
        if chosen.contains("llm-pruner") {
            writeLine("LLM-Pruner-style Taylor heads and channels −\(percent) %")
            let taylor = try CalibrationSequences.windows(of: validationIDs, count: calibrationCount, length: min(calibrationLength, 128), seed: seed &+ 1)
            let result = try TaylorHeadChannelPruning(keptFraction: 1 - ratio).prune(dense, calibration: taylor)
            try evaluate(result.model, method: "LLM-Pruner-style (Taylor)", seconds: result.seconds, training: "none")
        }
        if chosen.contains("magnitude") {
            writeLine("magnitude pruning of MLP channels and heads −\(percent) %")
            let (model, compression) = try MagnitudePruning(compressionRatio: ratio).compress(dense)
            try evaluate(model, method: "magnitude", seconds: compression.compressionSeconds, training: "none")
        }
    }
}
