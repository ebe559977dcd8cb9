import Foundation
import ModelZoo
import PruningCore

/// APTP's third stage (`FineTuner`, `configs/finetuning/*`): a physically pruned expert is
/// trained, all its weights, on the (image, prompt) pairs routed to it, with
/// `0.01 · denoising + 0.5 · output distillation + 0.5 · block distillation` to the unpruned
/// network (APTP's weights); AdamW with a linear warm-up.
public struct ExpertFineTuning: Sendable {
    /// Updates.
    public var steps: Int
    /// Pairs per update (APTP: 128).
    public var batchSize = 64
    /// AdamW's learning rate (APTP: 1e-5 on SD; ours is larger for a small network trained briefly).
    public var learningRate: Float = 2e-4
    /// Warm-up updates.
    public var warmupSteps = 20
    /// Weight of the min-SNR v-prediction loss (APTP: 0.01).
    public var denoisingWeight: Float = 0.01
    /// Weight of the output distillation (APTP: 0.5).
    public var outputDistillationWeight: Float = 0.5
    /// Weight of the block distillation (APTP: 0.5).
    public var blockDistillationWeight: Float = 0.5
    /// The min-SNR γ.
    public var gamma = 5.0
    /// The seed of batches, steps and noise.
    public var seed: UInt64 = 0

    /// A recipe of `steps` updates.
    public init(steps: Int) {
        self.steps = steps
    }

    /// Trains `expert` towards `teacher` on `images` `[n, c, h, w]` with `conditions`; returns
    /// each update's total loss. Zero steps leave the expert unchanged.
    ///
    /// - Throws: ``StructuralPruningError/invalidSetting(field:value:expected:)`` for no pairs,
    ///   a negative step count, or images and conditions that disagree in count.
    @discardableResult
    public func train(_ expert: DiffusionUNet, teacher: DiffusionUNet, schedule: NoiseSchedule, images: Tensor, conditions: Tensor,
                      progress: ((Int, Double) -> Void)? = nil) throws(StructuralPruningError) -> [Double] {
        guard steps >= 0 else { throw .invalidSetting(field: "steps", value: Double(steps), expected: "≥ 0") }
        guard images.rank == 4, images.shape[0] >= 1, conditions.shape[0] == images.shape[0] else {
            throw .invalidSetting(field: "images", value: Double(images.shape.first ?? 0), expected: "at least one image, one condition per image")
        }
        guard steps > 0 else { return [] }
        let optimizer = Adam.adamW(learningRate: learningRate, weightDecay: 0)
        var random = RandomGenerator(seed: seed)
        var losses: [Double] = []
        teacher.eval()
        expert.train()
        for step in 1...steps {
            optimizer.learningRate = learningRate * Float(min(1, Double(step) / Double(max(warmupSteps, 1))))
            let batch = DiffusionDistillationBatch(size: batchSize, images: images, conditions: conditions, teacher: teacher,
                                                   schedule: schedule, gamma: gamma, using: &random)
            let (value, gradients) = valueAndGradient(of: expert) {
                let (denoising, output, block) = batch.losses(of: expert.outputs(batch.noised, steps: batch.steps, condition: batch.conditions))
                return denoising * denoisingWeight + output * outputDistillationWeight + block * blockDistillationWeight
            }
            optimizer.update(expert, along: gradients)
            losses.append(Double(value.scalars[0]))
            progress?(step, losses.last!)
        }
        expert.eval()
        return losses
    }

    /// Fine-tunes every expert on its own prompts, the experts sharing `totalSteps` updates in
    /// proportion to their prompts (APTP's per-expert fine-tuning at a fixed total budget):
    /// expert `k` gets `round(totalSteps · n_k / n)` updates of this recipe with seed
    /// ``seed`` + k; experts without prompts are left as they are.
    ///
    /// - Parameters:
    ///   - experts: the pruned networks, trained in place.
    ///   - assignment: the expert of every training row.
    ///   - totalSteps: the updates shared by all experts.
    ///   - teacher: the unpruned network.
    ///   - schedule: the noise schedule.
    ///   - images: the training images `[n, c, h, w]` in [−1, 1].
    ///   - conditions: their condition embeddings `[n, width]`.
    ///   - progress: called after each expert with its index, prompt count, updates and losses.
    /// - Throws: ``StructuralPruningError/invalidSetting(field:value:expected:)`` for an
    ///   assignment that disagrees with the images or names no expert.
    public func train(
        experts: [DiffusionUNet], assignment: [Int], totalSteps: Int, teacher: DiffusionUNet, schedule: NoiseSchedule,
        images: Tensor, conditions: Tensor, progress: ((_ expert: Int, _ prompts: Int, _ steps: Int, _ losses: [Double]) -> Void)? = nil
    ) throws(StructuralPruningError) {
        guard assignment.count == images.shape[0], assignment.allSatisfy({ experts.indices.contains($0) }) else {
            throw .invalidSetting(field: "assignment", value: Double(assignment.count), expected: "one expert index per image, each below \(experts.count)")
        }
        for (code, expert) in experts.enumerated() {
            let members = assignment.indices.filter { assignment[$0] == code }
            guard !members.isEmpty else { continue }
            var recipe = self
            recipe.steps = Int((Double(totalSteps) * Double(members.count) / Double(assignment.count)).rounded())
            recipe.seed = seed &+ UInt64(code)
            guard recipe.steps > 0 else { continue }
            let losses = try recipe.train(expert, teacher: teacher, schedule: schedule, images: images.indexSelect(members, alongAxis: 0),
                                          conditions: conditions.indexSelect(members, alongAxis: 0))
            progress?(code, members.count, recipe.steps, losses)
        }
    }
}
