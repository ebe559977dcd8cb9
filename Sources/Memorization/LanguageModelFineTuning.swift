import Foundation
import ModelZoo
import PruningCore

/// Next-token training of a LLaMA model on token sequences: how the memorized targets are made
/// (a copy of a pretrained model fine-tuned on a canary stream, or a small model trained from
/// scratch).
public struct LanguageModelFineTuning: Sendable {
    /// The schedule of a fine-tuning run.
    public struct Configuration: Codable, Equatable, Sendable {
        /// Passes over the sequences.
        public var epochs: Int
        /// Sequences per step (they must share one length).
        public var batchSize: Int
        /// Adam's peak learning rate, decayed linearly to zero over the run.
        public var learningRate: Float
        /// Whether the embedding table (and a tied LM head) is trained; freezing it spares the
        /// largest weight gradient of a small-vocabulary-heavy model.
        public var trainsEmbedding: Bool
        /// The largest global gradient norm (nil: no clipping).
        public var gradientClipNorm: Float?
        /// The seed of the batch order.
        public var seed: UInt64

        /// A configuration; see the properties.
        public init(
            epochs: Int = 1, batchSize: Int = 8, learningRate: Float = 2e-4, trainsEmbedding: Bool = false,
            gradientClipNorm: Float? = 1, seed: UInt64 = 0
        ) {
            self.epochs = epochs
            self.batchSize = batchSize
            self.learningRate = learningRate
            self.trainsEmbedding = trainsEmbedding
            self.gradientClipNorm = gradientClipNorm
            self.seed = seed
        }
    }

    /// The schedule.
    public var configuration: Configuration

    /// A trainer with `configuration`.
    public init(configuration: Configuration = .init()) { self.configuration = configuration }

    /// Trains `model` in place on `sequences` (equal lengths, at least two tokens) and returns
    /// each step's mean next-token loss before its update.
    ///
    /// - Parameters:
    ///   - model: the model to fine-tune, updated in place.
    ///   - sequences: token sequences of one length, at least two tokens each.
    ///   - progress: called after every step with the step, the number of steps and the loss.
    /// - Throws: ``MemorizationError`` for a bad configuration or ragged, short or out-of-vocabulary sequences.
    @discardableResult
    public func train(
        _ model: LlamaModel, on sequences: [[Int]], progress: (_ step: Int, _ steps: Int, _ loss: Double) -> Void = { _, _, _ in }
    ) throws(MemorizationError) -> [Double] {
        guard configuration.epochs >= 0 else { throw .invalidConfiguration(field: "epochs", reason: "\(configuration.epochs) must be ≥ 0") }
        guard configuration.batchSize > 0 else {
            throw .invalidConfiguration(field: "batchSize", reason: "\(configuration.batchSize) must be positive")
        }
        guard configuration.learningRate.isFinite, configuration.learningRate > 0 else {
            throw .invalidConfiguration(field: "learningRate", reason: "\(configuration.learningRate) must be finite and positive")
        }
        guard let length = sequences.first?.count, length >= 2 else {
            throw .invalidSamples(reason: "fine-tuning needs sequences of at least two tokens")
        }
        let vocabulary = model.configuration.vocabularySize
        for (index, sequence) in sequences.enumerated() {
            guard sequence.count == length else {
                throw .invalidSamples(reason: "sequence \(index) has \(sequence.count) tokens, the first \(length)")
            }
            if let bad = sequence.first(where: { $0 < 0 || $0 >= vocabulary }) {
                throw .invalidSamples(reason: "sequence \(index) holds token \(bad), outside 0..<\(vocabulary)")
            }
        }
        guard length <= model.configuration.maxPositions else {
            throw .invalidSamples(reason: "\(length)-token sequences exceed the model's \(model.configuration.maxPositions) positions")
        }
        let wasFrozen = model.embedding.weight.isFrozen
        if !configuration.trainsEmbedding { model.embedding.weight.isFrozen = true }
        defer { model.embedding.weight.isFrozen = wasFrozen }

        let stepsPerEpoch = (sequences.count + configuration.batchSize - 1) / configuration.batchSize
        let total = stepsPerEpoch * configuration.epochs
        let optimizer = Adam(learningRate: configuration.learningRate)
        var random = RandomGenerator(seed: configuration.seed)
        var losses: [Double] = []
        for _ in 0..<configuration.epochs {
            let order = random.permutation(sequences.count)
            for start in stride(from: 0, to: order.count, by: configuration.batchSize) {
                let batch = order[start..<Swift.min(start + configuration.batchSize, order.count)].map { sequences[$0] }
                optimizer.learningRate = configuration.learningRate * Float(total - losses.count) / Float(total)
                var (loss, gradients) = valueAndGradient(of: model) {
                    let logits = model.logits(for: batch.map { Array($0.dropLast()) })
                    return crossEntropy(
                        logits: logits.reshaped(to: [batch.count * (length - 1), vocabulary]),
                        labels: batch.flatMap { $0.dropFirst() })
                }
                if let clip = configuration.gradientClipNorm { _ = gradients.clipGlobalNorm(to: clip) }
                optimizer.update(model, along: gradients)
                losses.append(Double(loss.scalar))
                progress(losses.count, total, Double(loss.scalar))
            }
        }
        return losses
    }
}
