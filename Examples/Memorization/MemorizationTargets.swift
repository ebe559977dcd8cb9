import ExampleSupport
import Foundation
import Memorization
import ModelZoo
import PruningCore

/// The targets of the reproduced table: a canary-fine-tuned copy of the base model, the base
/// model on text it likely saw in pre-training, and the tiny from-scratch model of the smoke run.
enum MemorizationTargets {
    /// The settings that determine a fine-tuned target; a cached target is reused only when
    /// they match.
    struct FineTuneKey: Codable, Equatable {
        var base: String
        var canaries: Int
        var prefixLength: Int
        var suffixLength: Int
        var repetitions: [Int]
        var contextLength: Int
        var epochs: Int
        var batchSize: Int
        var learningRate: Float
        var seed: UInt64
    }

    /// Whole-word tokens of `tokenizer` (a leading space, then 3–12 lowercase letters): a
    /// canary of them reads as a random sequence of English words.
    static func wordPool(_ tokenizer: ByteLevelBPETokenizer) -> [Int] {
        tokenizer.tokens.indices.filter { id in
            guard !tokenizer.specialTokenIDs.contains(id) else { return false }
            let token = tokenizer.tokens[id]
            guard token.hasPrefix("Ġ") else { return false }
            let word = token.dropFirst()
            return (3...12).contains(word.count) && word.allSatisfy { ("a"..."z").contains($0) }
        }
    }

    /// A small LLaMA shape for the from-scratch smoke target.
    static func tinyConfiguration(vocabularySize: Int) -> LlamaConfiguration {
        LlamaConfiguration(
            vocabularySize: vocabularySize, hiddenSize: 64, layerCount: 2, headCount: 4, keyValueHeadCount: 2,
            headDimension: 16, intermediateSize: 128, rmsNormEpsilon: 1e-5, ropeTheta: 10_000, ropePairing: .halves,
            tiedEmbeddings: true, maxPositions: 256, bosTokenID: nil, eosTokenID: nil)
    }

    /// Fine-tunes `load()`'s model on the canary stream of `samples`, or loads the copy cached in
    /// `folder` by an earlier run with the same `key`.
    static func fineTuned(
        key: FineTuneKey, samples: [ExtractionSample], context: [Int], folder: URL, load: () throws -> LlamaModel,
        configuration: LanguageModelFineTuning.Configuration
    ) throws -> (model: LlamaModel, losses: [Double], cached: Bool) {
        let keyURL = folder.appendingPathComponent("key.json")
        let lossURL = folder.appendingPathComponent("losses.json")
        if let data = try? Data(contentsOf: keyURL), let stored = try? JSONDecoder().decode(FineTuneKey.self, from: data), stored == key,
           let model = try? LlamaModel.load(from: folder) {
            let losses = (try? JSONDecoder().decode([Double].self, from: Data(contentsOf: lossURL))) ?? []
            writeLine("  canary target: loaded from \(folder.path)")
            return (model, losses, true)
        }
        let model = try load()
        let sequences = CanarySet.fineTuningSequences(samples, contextLength: key.contextLength, context: context, seed: key.seed)
        let began = ContinuousClock.now
        var lastPrint = began
        let losses = try LanguageModelFineTuning(configuration: configuration).train(model, on: sequences) { step, steps, loss in
            let now = ContinuousClock.now
            guard now - lastPrint > .seconds(20) || step == steps else { return }
            lastPrint = now
            let elapsed = (now - began) / .seconds(1)
            writeLine(String(format: "  fine-tune step %d/%d  loss %.3f  %.0f s, ETA %.0f s", step, steps, loss, elapsed,
                             elapsed / Double(step) * Double(steps - step)))
        }
        try model.save(toDirectory: folder)
        try ResultFiles.write([("losses.json", try ResultFiles.json(losses)), ("key.json", try ResultFiles.json(key))], to: folder)
        return (model, losses, false)
    }
}
