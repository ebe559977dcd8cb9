import Foundation
import PruningCore

/// The training recipe of a ``DiffusionUNet``: v-prediction with min-SNR-γ weighting, uniform
/// steps, AdamW with a linear warm-up, on images in [−1, 1] paired with prompt embeddings.
public struct DiffusionTraining: Sendable {
    /// The number of updates.
    public var steps: Int
    /// Images per update.
    public var batchSize = 64
    /// AdamW's peak learning rate.
    public var learningRate: Float = 1e-3
    /// AdamW's weight decay.
    public var weightDecay: Float = 0
    /// Updates of linear warm-up.
    public var warmupSteps = 200
    /// The min-SNR γ (Hang et al., 2023: 5).
    public var gamma = 5.0
    /// The seed of batches, steps and noise.
    public var seed: UInt64 = 0

    /// A recipe of `steps` updates.
    public init(steps: Int) {
        self.steps = steps
    }

    /// The min-SNR-weighted v-prediction loss of `model` on one batch (differentiable).
    public static func loss(
        _ model: DiffusionUNet, schedule: NoiseSchedule, images: Tensor, conditions: Tensor, steps: [Int], noise: Tensor,
        masks: DiffusionUNet.Masks? = nil, gamma: Double = 5
    ) -> Tensor {
        let noised = schedule.noised(images, noise: noise, steps: steps)
        let target = schedule.velocity(clean: images, noise: noise, steps: steps)
        let predicted = model(noised, steps: steps, condition: conditions, masks: masks)
        let perSample = (predicted - target).squared().reshaped(to: [steps.count, images.count / steps.count]).mean(alongAxis: 1)
        return (perSample * schedule.minSNRVelocityWeights(steps: steps, gamma: gamma)).mean()
    }

    /// Trains `model` on `images` `[n, c, h, w]` with `conditions` `[n, conditionSize]`; returns
    /// the loss of every update.
    ///
    /// - Precondition: images and conditions agree in count; at least one image per batch.
    @discardableResult
    public func train(
        _ model: DiffusionUNet, schedule: NoiseSchedule, images: Tensor, conditions: Tensor, progress: ((Int, Double) -> Void)? = nil
    ) -> [Double] {
        precondition(images.shape[0] == conditions.shape[0] && images.shape[0] >= 1 && steps >= 1,
                     "DiffusionTraining: \(images.shape[0]) images for \(conditions.shape[0]) conditions")
        let optimizer = Adam.adamW(learningRate: learningRate, weightDecay: weightDecay)
        var random = RandomGenerator(seed: seed)
        var losses: [Double] = []
        model.train()
        for step in 1...steps {
            optimizer.learningRate = learningRate * Float(min(1, Double(step) / Double(max(warmupSteps, 1))))
            let indices = (0..<min(batchSize, images.shape[0])).map { _ in Int(random.nextUniformDouble() * Double(images.shape[0])) % images.shape[0] }
            let x = images.indexSelect(indices, alongAxis: 0)
            let z = conditions.indexSelect(indices, alongAxis: 0)
            let t = indices.map { _ in 1 + Int(random.nextUniformDouble() * Double(schedule.steps)) % schedule.steps }
            let noise = Tensor.randomNormal(x.shape, using: &random)
            let (value, gradients) = valueAndGradient(of: model) {
                Self.loss(model, schedule: schedule, images: x, conditions: z, steps: t, noise: noise, gamma: gamma)
            }
            optimizer.update(model, along: gradients)
            losses.append(Double(value.scalars[0]))
            progress?(step, losses.last!)
        }
        model.eval()
        return losses
    }
}
