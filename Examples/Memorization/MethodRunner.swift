import ExampleSupport
import Foundation
import Memorization
import ModelZoo
import PruningCore

/// Runs the prompting methods on one target: builds each prompt, trains the soft ones (or loads
/// them from the work folder when an earlier run trained them with the same settings), and
/// measures extraction on the test split.
struct MethodRunner {
    /// One method's outcome on one target.
    struct Outcome {
        var result: ExtractionResult
        var promptLength: Int
        var report: PromptTrainingReport?
        var prompt: any ExtractionPrompt
    }

    let target: LlamaModel
    let targetName: String
    let splits: ExtractionSplits
    let training: PromptTrainingConfiguration
    let hardPromptTokens: (Int) -> [Int]
    let workFolder: URL
    let freezesEmbedding: Bool
    let seed: UInt64

    /// The prompt of `method` at `length` positions.
    func makePrompt(_ method: String, length: Int) throws -> any ExtractionPrompt {
        switch method {
        case "none": return NoPrompt()
        case "constant-hard": return ConstantHardPrompt(tokens: hardPromptTokens(length))
        case "dynamic-hard": return DynamicHardPrompt(length: length)
        case "constant-soft": return ConstantSoftPrompt(initialTokens: hardPromptTokens(length), target: target)
        case "dynamic-soft":
            return try DynamicSoftPromptGenerator(
                target: target, configuration: .init(length: length, freezesEmbedding: freezesEmbedding, seed: seed))
        default: throw MemorizationError.invalidConfiguration(field: "method", reason: "unknown method '\(method)'")
        }
    }

    /// Builds, trains if needed, and measures `method` at `length`.
    func run(_ method: String, length: Int) throws -> Outcome {
        let prompt = try makePrompt(method, length: length)
        var report: PromptTrainingReport?
        if let trainable = prompt as? any TrainablePrompt {
            report = try train(trainable, length: length)
        }
        let began = ContinuousClock.now
        let result = try ExtractionEvaluator().evaluate(target, prompt: prompt, samples: splits.test)
        writeLine(String(format: "  %@ %@ (length %d): exact %.1f %%, fractional %.1f %%, suffix loss %.3f  [%.0f s]",
                         targetName, method, prompt.length, 100 * result.metrics.exactRate, 100 * result.metrics.fractionalRate,
                         result.metrics.suffixLoss, (ContinuousClock.now - began) / .seconds(1)))
        return Outcome(result: result, promptLength: prompt.length, report: report, prompt: prompt)
    }

    /// The settings that determine a trained prompt; a saved prompt is reused only when they match.
    struct Key: Codable, Equatable {
        var target: String, method: String, length: Int, training: PromptTrainingConfiguration
        var freezesEmbedding: Bool, seed: UInt64, trainIDs: [Int], validationIDs: [Int]
    }

    /// Trains `prompt`, or restores it from the work folder.
    private func train(_ prompt: some TrainablePrompt, length: Int) throws -> PromptTrainingReport {
        let key = Key(target: targetName, method: prompt.methodName, length: length, training: training,
                      freezesEmbedding: freezesEmbedding, seed: seed, trainIDs: splits.train.map(\.id),
                      validationIDs: splits.validation.map(\.id))
        let keyText = try ResultFiles.json(key)
        let stem = "\(targetName)-\(prompt.methodName)-\(length)"
        let weightsURL = workFolder.appendingPathComponent(stem + ".safetensors")
        let reportURL = workFolder.appendingPathComponent(stem + ".json")
        if (try? SafeTensorsFile(contentsOf: weightsURL))?.metadata["key"] == keyText,
           let data = try? Data(contentsOf: reportURL), let report = try? JSONDecoder().decode(PromptTrainingReport.self, from: data),
           (try? PromptCheckpoint.load(into: prompt, from: weightsURL)) != nil {
            writeLine("  \(targetName) \(prompt.methodName) (length \(length)): trained prompt loaded from \(weightsURL.lastPathComponent)")
            return report
        }
        let steps = training.steps
        let began = ContinuousClock.now
        var lastPrint = began
        let report = try PromptTraining(configuration: training).train(prompt, target: target, splits: splits) { step, loss, evaluation in
            let now = ContinuousClock.now
            let elapsed = (now - began) / .seconds(1)
            if let evaluation {
                writeLine(String(format: "    %@ step %d/%d  validation loss %.3f, exact %@  %.0f s, ETA %.0f s",
                                 prompt.methodName, step, steps, evaluation.loss,
                                 evaluation.exactRate.map { String(format: "%.1f %%", 100 * $0) } ?? "-",
                                 elapsed, step > 0 ? elapsed / Double(step) * Double(steps - step) : 0))
            } else if now - lastPrint > .seconds(30) {
                lastPrint = now
                writeLine(String(format: "    %@ step %d/%d  batch loss %.3f  %.0f s, ETA %.0f s", prompt.methodName, step, steps, loss,
                                 elapsed, elapsed / Double(step) * Double(steps - step)))
            }
        }
        try PromptCheckpoint.save(prompt, to: weightsURL, metadata: ["key": keyText])
        try ResultFiles.write([(reportURL.lastPathComponent, try ResultFiles.json(report))], to: workFolder)
        return report
    }
}
