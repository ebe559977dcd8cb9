import Foundation
import ModelZoo
import PruningCore

/// One training run: the data, the recipe, and where the checkpoint goes.
struct TrainingRun {
    let name: String
    let training: ImageClassificationDataSet
    /// The test set, already normalized.
    let test: ImageClassificationDataSet
    let normalization: ImageNormalization
    let augmentation: ImageAugmentation
    let recipe: Recipe
    let epochs: Int
    let batchSize: Int
    let logInterval: Int
    let output: URL
    let seed: UInt64

    /// Trains `network`, printing per-epoch figures and writing the checkpoint after each epoch.
    func train<Model: Layer, Architecture: Codable>(
        _ network: Model, architecture: Architecture, optimizer: OptimizerSetup, using random: inout RandomGenerator
    ) throws {
        let batchesPerEpoch = training.count / batchSize
        precondition(batchesPerEpoch > 0, "the training set (\(training.count) images) is smaller than one batch of \(batchSize)")
        let totalSteps = epochs * batchesPerEpoch
        let schedule = CosineSchedule(
            initialRate: recipe.learningRate, totalSteps: totalSteps,
            warmupSteps: Int(Double(totalSteps) * recipe.warmupFraction))
        report("model: \(name), \(network.parameterCount) parameters; \(epochs) epochs of \(batchesPerEpoch) batches of \(batchSize); peak learning rate \(recipe.learningRate), weight decay \(recipe.weightDecay)")
        try FileManager.default.createDirectory(at: output, withIntermediateDirectories: true)
        let weightsFile = output.appendingPathComponent("\(name)-fashion-mnist.safetensors")
        let summaryFile = output.appendingPathComponent("\(name)-fashion-mnist.json")

        var history: [EpochRecord] = []
        var step = 0
        for epoch in 1...epochs {
            network.train()
            let start = Date()
            var lossSum = 0.0, correct = 0, seen = 0
            var intervalStart = start, intervalImages = 0
            for (index, batch) in training.batches(size: batchSize, shuffle: true, dropLast: true, using: &random).enumerated() {
                let images = normalization(augmentation(batch.images, using: &random))
                optimizer.setLearningRate(schedule.learningRate(at: step))
                var logits = Tensor(0)
                var (loss, gradients) = valueAndGradient(of: network) {
                    logits = network(images)
                    return crossEntropy(logits: logits, labels: batch.labels)
                }
                if let clip = recipe.gradientClip { gradients.clipGlobalNorm(to: clip) }
                optimizer.update(along: gradients)
                step += 1
                loss = loss.detached()
                lossSum += Double(loss.scalar) * Double(batch.labels.count)
                correct += Int((accuracy(logits: logits.detached(), labels: batch.labels) * Double(batch.labels.count)).rounded())
                seen += batch.labels.count
                intervalImages += batch.labels.count
                if logInterval > 0 && (index + 1) % logInterval == 0 {
                    let now = Date()
                    report(String(format: "  epoch %d batch %d/%d: loss %.4f, accuracy %.2f%%, %.0f images/s, lr %.5f",
                                 epoch, index + 1, batchesPerEpoch, lossSum / Double(seen), 100 * Double(correct) / Double(seen),
                                 Double(intervalImages) / now.timeIntervalSince(intervalStart), schedule.learningRate(at: step)))
                    intervalStart = now
                    intervalImages = 0
                }
            }
            let seconds = Date().timeIntervalSince(start)
            let testAccuracy = evaluate(network)
            let record = EpochRecord(
                epoch: epoch, trainingLoss: lossSum / Double(seen), trainingAccuracy: Double(correct) / Double(seen),
                testAccuracy: testAccuracy, seconds: seconds, imagesPerSecond: Double(seen) / seconds)
            history.append(record)
            report(String(format: "epoch %d/%d: loss %.4f, training accuracy %.2f%%, test accuracy %.2f%%, %.1f s, %.0f images/s",
                         epoch, epochs, record.trainingLoss, 100 * record.trainingAccuracy, 100 * testAccuracy, seconds,
                         record.imagesPerSecond))

            try network.save(to: weightsFile, metadata: ["model": name, "epoch": "\(epoch)", "test_accuracy": "\(testAccuracy)"])
            try CheckpointSummary(
                model: name, architecture: architecture, parameterCount: network.parameterCount,
                normalization: normalization, epochsPlanned: epochs, epochsCompleted: epoch, batchSize: batchSize,
                learningRate: recipe.learningRate, weightDecay: recipe.weightDecay,
                augmentation: augmentation == ImageAugmentation() ? "none" : "random crop (padding \(augmentation.cropPadding)) + horizontal flip (p = \(augmentation.flipProbability))",
                trainingImages: training.count, testImages: test.count, seed: seed, testAccuracy: testAccuracy,
                history: history
            ).write(to: summaryFile)
        }
        report("saved \(weightsFile.path) and \(summaryFile.lastPathComponent)")
    }

    /// The test accuracy in evaluation mode.
    private func evaluate(_ network: some Layer) -> Double {
        network.eval()
        var correct = 0.0
        withoutGradients {
            for batch in test.batches(size: 500) {
                correct += accuracy(logits: network(batch.images), labels: batch.labels) * Double(batch.labels.count)
            }
        }
        return correct / Double(test.count)
    }
}
