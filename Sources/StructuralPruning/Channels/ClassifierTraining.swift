import Foundation
import ModelZoo
import PruningCore

/// The plain supervised loop the CNN methods and baselines share: SGD with momentum 0.9 and
/// coupled weight decay, cosine decay of the learning rate to zero over the whole run,
/// optional label smoothing and augmentation — the package's ResNet recipe, so that a pruned
/// network's fine-tuning and a from-scratch method's training are the same kind of training.
public struct ClassifierTraining: Sendable, Equatable {
    /// Epochs.
    public var epochs: Int
    /// Mini-batch size.
    public var batchSize: Int = 128
    /// Peak learning rate.
    public var learningRate: Float = 0.1
    /// Coupled weight decay.
    public var weightDecay: Float = 5e-4
    /// Label smoothing of the cross-entropy.
    public var labelSmoothing: Float = 0
    /// Random-crop padding and flip probability (nil: none).
    public var augmentation: ImageAugmentation?
    /// Shuffling and augmentation seed.
    public var seed: UInt64 = 0

    /// A schedule of `epochs` epochs, the rest at their defaults.
    public init(epochs: Int) { self.epochs = epochs }

    /// Trains `model` on `data` in place.
    ///
    /// - Parameters:
    ///   - model: the network to train in place.
    ///   - data: the training set.
    ///   - progress: called after every epoch with `(epoch, mean loss, seconds)`.
    /// - Throws: ``StructuralPruningError/invalidSetting(field:value:expected:)`` for a bad field or
    ///   an empty data set.
    public func train(
        _ model: some Layer, on data: ImageClassificationDataSet, progress: ((Int, Double, Double) -> Void)? = nil
    ) throws(StructuralPruningError) {
        guard epochs >= 0 else { throw .invalidSetting(field: "epochs", value: Double(epochs), expected: "≥ 0") }
        guard batchSize >= 1 else { throw .invalidSetting(field: "batchSize", value: Double(batchSize), expected: "≥ 1") }
        guard learningRate > 0, learningRate.isFinite else {
            throw .invalidSetting(field: "learningRate", value: Double(learningRate), expected: "a finite value > 0")
        }
        guard data.count > 0 || epochs == 0 else { throw .invalidSetting(field: "data", value: 0, expected: "a non-empty data set") }
        var generator = RandomGenerator(seed: seed)
        let perEpoch = (data.count + batchSize - 1) / batchSize
        let schedule = CosineSchedule(initialRate: learningRate, totalSteps: max(1, epochs * perEpoch))
        let optimizer = SGD(learningRate: learningRate, momentum: 0.9, weightDecay: weightDecay)
        for epoch in 0..<epochs {
            let start = ContinuousClock.now
            model.train()
            var total = 0.0
            for (index, batch) in data.batches(size: batchSize, shuffle: true, using: &generator).enumerated() {
                optimizer.learningRate = schedule.learningRate(at: epoch * perEpoch + index)
                let images = augmentation.map { $0(batch.images, using: &generator) } ?? batch.images
                let (loss, gradients) = valueAndGradient(of: model) {
                    crossEntropy(logits: model(images), labels: batch.labels, labelSmoothing: labelSmoothing)
                }
                optimizer.update(model, along: gradients)
                total += Double(loss.scalars[0])
            }
            progress?(epoch + 1, total / Double(max(perEpoch, 1)), (ContinuousClock.now - start) / .seconds(1))
        }
        model.eval()
    }
}
