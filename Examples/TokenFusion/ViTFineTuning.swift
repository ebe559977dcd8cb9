import Foundation
import ModelZoo
import PruningCore
import TokenFusion

/// A short fine-tune of the ViT with token reduction on during training (gradients flow through
/// the merges, prunes and MLERP to every parameter).
struct ViTFineTuning: Codable {
    /// Passes over the fine-tuning images.
    var epochs: Int
    /// The training images used (a random subset of the training split).
    var images: Int
    /// The mini-batch size.
    var batchSize: Int
    /// AdamW's learning rate (constant; no weight decay).
    var learningRate: Float
    /// The largest global gradient norm.
    var gradientClip: Float
    /// The seed of the subset and the batch order.
    var seed: UInt64

    /// Trains `model` with `configuration` on `training` (already normalized) and returns the mean
    /// training loss of each epoch. The same seed draws the same images and batches, so runs
    /// with different configurations see the same data.
    func train(
        _ model: VisionTransformer, configuration: TokenFusionConfiguration, on training: ImageClassificationDataSet,
        log: (String) -> Void
    ) -> [Double] {
        guard epochs > 0 else { return [] }
        var random = RandomGenerator(seed: seed)
        let subset = training.subset(Array(random.permutation(training.count).prefix(images)))
        let merged = TokenMergingViT(model: model, configuration: configuration)
        let optimizer = Adam.adamW(learningRate: learningRate, weightDecay: 0)
        model.train()
        defer { model.eval() }
        var losses: [Double] = []
        for epoch in 1...epochs {
            var (sum, seen) = (0.0, 0)
            for batch in subset.batches(size: batchSize, shuffle: true, dropLast: false, using: &random) {
                var (loss, gradients) = valueAndGradient(of: model) {
                    crossEntropy(logits: merged(batch.images), labels: batch.labels)
                }
                gradients.clipGlobalNorm(to: gradientClip)
                optimizer.update(model, along: gradients)
                loss = loss.detached()
                sum += Double(loss.scalar) * Double(batch.labels.count)
                seen += batch.labels.count
            }
            losses.append(sum / Double(max(seen, 1)))
            log(String(format: "  fine-tune epoch %d/%d: mean training loss %.4f", epoch, epochs, losses.last!))
        }
        return losses
    }
}
