import ModelZoo
import PruningCore

/// One training batch of APTP's two stages: (image, prompt) pairs drawn with replacement, steps
/// uniform in `1...T`, noise, the noised images, the v target, the min-SNR weights and the
/// unpruned network's outputs; and the three losses both stages weigh.
struct DiffusionDistillationBatch {
    let noised: Tensor
    let conditions: Tensor
    let steps: [Int]
    let target: Tensor
    let weights: Tensor
    /// The unpruned network's prediction and block outputs (no gradient).
    let reference: (prediction: Tensor, blocks: [Tensor])

    /// Draws `size` pairs from `images` and `conditions`.
    init(size: Int, images: Tensor, conditions: Tensor, teacher: DiffusionUNet, schedule: NoiseSchedule, gamma: Double,
         using random: inout RandomGenerator) {
        let indices = (0..<size).map { _ in random.nextInt(below: images.shape[0]) }
        let x = images.indexSelect(indices, alongAxis: 0)
        self.conditions = conditions.indexSelect(indices, alongAxis: 0)
        steps = indices.map { _ in 1 + random.nextInt(below: schedule.steps) }
        let noise = Tensor.randomNormal(x.shape, using: &random)
        noised = schedule.noised(x, noise: noise, steps: steps)
        target = schedule.velocity(clean: x, noise: noise, steps: steps)
        weights = schedule.minSNRVelocityWeights(steps: steps, gamma: gamma)
        let (noised, steps, prompts) = (noised, steps, self.conditions)
        reference = withoutGradients { teacher.outputs(noised, steps: steps, condition: prompts) }
    }

    /// The min-SNR v-prediction loss, the MSE to the reference prediction and the mean MSE of
    /// the block outputs to the reference's, for a student's outputs on this batch
    /// (differentiable).
    func losses(of student: (prediction: Tensor, blocks: [Tensor])) -> (denoising: Tensor, output: Tensor, block: Tensor) {
        let perSample = (student.prediction - target).squared().reshaped(to: [steps.count, -1]).mean(alongAxis: 1)
        let denoising = (perSample * weights).mean()
        let output = (student.prediction - reference.prediction).squared().mean()
        var block = (student.blocks[0] - reference.blocks[0]).squared().mean()
        for b in 1..<student.blocks.count { block = block + (student.blocks[b] - reference.blocks[b]).squared().mean() }
        return (denoising, output, block / Float(student.blocks.count))
    }
}
