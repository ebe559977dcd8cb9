import PruningCore

/// Deterministic DDIM sampling (Song et al., 2021, "Denoising Diffusion Implicit Models",
/// eq. 12 with σ = 0): on a sub-sequence `τ_1 < … < τ_S` of the schedule's steps,
/// `x_{τ_{i−1}} = √ᾱ_{τ_{i−1}} · x̂₀ + √(1 − ᾱ_{τ_{i−1}}) · ε̂`, where `x̂₀` and `ε̂` come from the
/// network's v-prediction at `x_{τ_i}` (``NoiseSchedule/cleanAndNoise(fromVelocity:noised:steps:)``).
/// `x̂₀` is clipped to [−1, 1] as image samplers do.
public struct DDIMSampler: Sendable {
    /// The schedule the network was trained with.
    public let schedule: NoiseSchedule
    /// The visited steps, from the noisiest (`T`) down, evenly spaced.
    public let timesteps: [Int]

    /// A sampler taking `steps` denoising steps.
    ///
    /// - Precondition: `1 ≤ steps ≤ schedule.steps`.
    public init(schedule: NoiseSchedule, steps: Int) {
        precondition(steps >= 1 && steps <= schedule.steps, "DDIMSampler: \(steps) steps for a schedule of \(schedule.steps)")
        self.schedule = schedule
        timesteps = (0..<steps).map { i in schedule.steps - i * schedule.steps / steps }
    }

    /// One update from `x_t` at step `t` to step `previous` (0 for the clean image) given the
    /// network's v-prediction.
    public func step(_ noised: Tensor, velocity: Tensor, from t: Int, to previous: Int) -> Tensor {
        let batch = noised.shape[0]
        let (clean, noise) = schedule.cleanAndNoise(fromVelocity: velocity, noised: noised, steps: Array(repeating: t, count: batch))
        let x0 = clean.clamped(min: -1, max: 1)
        let steps = Array(repeating: previous, count: batch)
        return x0 * schedule.factors(steps) { $0.squareRoot() } + noise * schedule.factors(steps) { (1 - $0).squareRoot() }
    }

    /// Samples from `start` (standard normal noise of the image shape) by running `predict(x, t)`
    /// (the v-prediction for a batch at step `t`) at every visited step, without gradients.
    public func sample(from start: Tensor, predict: (Tensor, Int) -> Tensor) -> Tensor {
        withoutGradients {
            var x = start
            for (index, t) in timesteps.enumerated() {
                let previous = index + 1 < timesteps.count ? timesteps[index + 1] : 0
                x = step(x, velocity: predict(x, t), from: t, to: previous)
            }
            return x
        }
    }
}
