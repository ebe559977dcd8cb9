import Foundation
import ModelZoo
import PruningCore

/// Measures extraction: greedy decoding of each sample's suffix after `[prompt ; prefix]`, with
/// a key–value cache, batch by batch, and the suffix loss under teacher forcing.
public struct ExtractionEvaluator: Sendable {
    /// Samples decoded together.
    public var batchSize: Int

    /// An evaluator decoding `batchSize` samples at a time.
    public init(batchSize: Int = 16) { self.batchSize = batchSize }

    /// The extraction rates and suffix loss of `target` on `samples` with `prompt`.
    ///
    /// - Throws: ``MemorizationError`` for an empty or ragged sample set, ids outside the
    ///   vocabulary, a prompt longer than the prefixes it reads, or a sequence longer than the
    ///   target's positions.
    public func evaluate(
        _ target: LlamaModel, prompt: any ExtractionPrompt, samples: [ExtractionSample]
    ) throws(MemorizationError) -> ExtractionResult {
        guard batchSize > 0 else { throw .invalidConfiguration(field: "batchSize", reason: "\(batchSize) must be positive") }
        try Self.validate(target: target, prompt: prompt, samples: samples)
        var generated: [[Int]] = []
        for start in stride(from: 0, to: samples.count, by: batchSize) {
            let batch = Array(samples[start..<Swift.min(start + batchSize, samples.count)])
            generated += Self.greedySuffixes(target, prompt: prompt, prefixes: batch.map(\.prefix), length: batch[0].suffix.count)
        }
        let loss = meanSuffixLoss(target, prompt: prompt, samples: samples)
        let suffixes = samples.map(\.suffix)
        let rates = ExtractionMetrics.rates(generated: generated, suffixes: suffixes)
        return ExtractionResult(
            method: prompt.methodName,
            metrics: ExtractionMetrics(
                exactRate: rates.exact, fractionalRate: rates.fractional, suffixLoss: loss,
                sampleCount: samples.count),
            sampleIDs: samples.map(\.id), generated: generated,
            exact: zip(generated, suffixes).map { $0.0 == $0.1 }, repetitions: samples.map(\.repetitions))
    }

    /// The mean suffix loss of `samples` (validated, equal lengths) in batches of ``batchSize``,
    /// without recording gradients.
    public func meanSuffixLoss(_ target: LlamaModel, prompt: any ExtractionPrompt, samples: [ExtractionSample]) -> Double {
        withoutGradients {
            var total = 0.0
            for start in stride(from: 0, to: samples.count, by: Swift.max(batchSize, 1)) {
                let batch = Array(samples[start..<Swift.min(start + Swift.max(batchSize, 1), samples.count)])
                total += Double(Self.suffixLoss(target, prompt: prompt, samples: batch).scalar) * Double(batch.count)
            }
            return total / Double(Swift.max(samples.count, 1))
        }
    }

    /// Checks that `samples` and `prompt` fit `target`.
    ///
    /// - Throws: ``MemorizationError``.
    public static func validate(
        target: LlamaModel, prompt: any ExtractionPrompt, samples: [ExtractionSample]
    ) throws(MemorizationError) {
        let (prefix, suffix) = try samples.validatedLengths(vocabularySize: target.configuration.vocabularySize)
        try prompt.validate(prefixLength: prefix, vocabularySize: target.configuration.vocabularySize)
        let total = prompt.length + prefix + suffix
        guard total <= target.configuration.maxPositions else {
            throw .invalidSamples(
                reason: "prompt \(prompt.length) + prefix \(prefix) + suffix \(suffix) tokens exceed the target's \(target.configuration.maxPositions) positions")
        }
    }

    /// The mean cross-entropy of the true suffix tokens of `samples` (one batch, equal lengths)
    /// given `[prompt ; prefix]`, teacher-forced. Differentiable with respect to the prompt's
    /// parameters (and the target's, if they are not frozen); the LM head runs only on the
    /// suffix positions.
    public static func suffixLoss(_ target: LlamaModel, prompt: any ExtractionPrompt, samples: [ExtractionSample]) -> Tensor {
        let prefixLength = samples[0].prefix.count, suffixLength = samples[0].suffix.count
        var inputs = target.embeddings(for: samples.map { $0.prefix + $0.suffix.dropLast() })
        if let vectors = prompt.embeddings(forPrefixes: samples.map(\.prefix), target: target) {
            inputs = Tensor.concatenate([vectors, inputs], alongAxis: 1)
        }
        let hidden = target.hiddenStates(embeddings: inputs)
        let scored = hidden.sliced(alongAxis: 1, from: prompt.length + prefixLength - 1, count: suffixLength)
        let logits = target.logits(fromHiddenStates: scored)
        return crossEntropy(
            logits: logits.reshaped(to: [samples.count * suffixLength, logits.shape[2]]),
            labels: samples.flatMap(\.suffix))
    }

    /// The greedy continuation of `length` tokens of each `[prompt ; prefix]` (prefixes of
    /// equal length), decoded with a key–value cache. Runs without recording gradients.
    public static func greedySuffixes(
        _ target: LlamaModel, prompt: any ExtractionPrompt, prefixes: [[Int]], length: Int
    ) -> [[Int]] {
        withoutGradients {
            let caches = target.makeCaches()
            var inputs = target.embeddings(for: prefixes)
            if let vectors = prompt.embeddings(forPrefixes: prefixes, target: target) {
                inputs = Tensor.concatenate([vectors, inputs], alongAxis: 1)
            }
            var last = target.hiddenStates(embeddings: inputs, caches: caches)
                .sliced(alongAxis: 1, from: inputs.shape[1] - 1, count: 1)
            var outputs = [[Int]](repeating: [], count: prefixes.count)
            for step in 0..<length {
                let logits = target.logits(fromHiddenStates: last)
                let next = logits.reshaped(to: [prefixes.count, logits.shape[2]]).max(alongAxis: 1).indices
                for row in 0..<prefixes.count { outputs[row].append(next[row]) }
                if step < length - 1 { last = target.hiddenStates(for: next.map { [$0] }, caches: caches) }
            }
            return outputs
        }
    }
}
