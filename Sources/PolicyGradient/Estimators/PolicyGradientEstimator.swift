import PruningCore

/// Per-step weights Ψ of a score-function (likelihood-ratio) gradient estimator,
///
///     g = scale · Σ_i Ψ_i ∇_θ log π_θ(a_i | s_i),
///
/// over the steps `i` of a ``RolloutBatch``. REINFORCE, GPOMDP and GAE differ only in Ψ.
public struct ScoreWeights: Sendable, Equatable {
    /// Ψ_i, one per batch step.
    public var values: [Float]
    /// The factor in front of the sum (1/N for N trajectories, or 1/steps).
    public var scale: Float

    /// Weights `values` with factor `scale`.
    public init(values: [Float], scale: Float) {
        self.values = values
        self.scale = scale
    }

    /// These weights with every negative Ψ replaced by 0 (the official BGPO code's
    /// `torch.clamp(advantages, min=0)`, its `loss_clip` option).
    public func clampingNegatives() -> ScoreWeights {
        ScoreWeights(values: values.map { Swift.max($0, 0) }, scale: scale)
    }
}

/// How an estimator averages over a batch.
public enum GradientAveraging: Sendable, Equatable {
    /// `1/N` for N trajectories: an estimate of ∇J for J the expected (discounted) return of
    /// one episode — the papers' g(τ | θ), averaged over the batch.
    case perTrajectory
    /// `1/steps`: the mean over all steps (garage's `objectives.mean()`, which the official BGPO
    /// code uses); the gradient of J divided by the average episode length.
    case perStep

    /// The factor for `batch`.
    public func scale(for batch: RolloutBatch) -> Float {
        switch self {
        case .perTrajectory: 1 / Float(batch.trajectoryCount)
        case .perStep: 1 / Float(batch.stepCount)
        }
    }
}

/// An estimate of ∇J (the ascent direction of the expected return) as one flat vector over the
/// policy's trainable parameters (see ``PruningCore/Module/flatParameters()``), with
/// diagnostics.
public struct GradientEstimate: Sendable {
    /// The gradient, in flat parameter order.
    public var gradient: [Float]
    /// The value of the surrogate objective `scale · Σ_i ω_i Ψ_i log π(a_i | s_i)` whose
    /// gradient this is (ω the importance weights, 1 without importance weighting).
    public var surrogate: Float
    /// The importance weights used, one per trajectory or per step (empty without
    /// importance weighting).
    public var importanceWeights: [Float]

    /// The Euclidean norm of ``gradient``.
    public var norm: Float { FlatVector.norm(gradient) }
    /// The mean importance weight (1 without importance weighting).
    public var meanImportanceWeight: Float {
        importanceWeights.isEmpty ? 1 : importanceWeights.reduce(0, +) / Float(importanceWeights.count)
    }
}

/// A score-function policy-gradient estimator: it turns a batch of trajectories into per-step
/// weights Ψ, and ``estimate(policy:batch:using:)`` turns those into ∇J.
///
/// Estimators may keep state across batches — a learned value function or a running baseline.
/// ``scoreWeights(for:using:)`` always computes Ψ with the state from *previous* batches and
/// then updates that state with the current batch, so a baseline never depends on the
/// trajectories it is applied to.
public protocol PolicyGradientEstimator: AnyObject {
    /// A short name for reports.
    var name: String { get }

    /// The weights Ψ for `batch`; then updates any baseline with `batch`.
    func scoreWeights(for batch: RolloutBatch, using generator: inout RandomGenerator) -> ScoreWeights
}

extension PolicyGradientEstimator {
    /// ∇J estimated from `batch`, which must have been sampled with `policy`'s current parameters.
    public func estimate(
        policy: any StochasticPolicy, batch: RolloutBatch, using generator: inout RandomGenerator
    ) -> GradientEstimate {
        scoreFunctionGradient(policy: policy, batch: batch, weights: scoreWeights(for: batch, using: &generator))
    }
}
