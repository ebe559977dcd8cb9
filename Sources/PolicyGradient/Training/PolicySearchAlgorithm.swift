import PruningCore

/// What one iteration of a policy-search algorithm did.
public struct IterationReport: Sendable {
    /// The number of trajectories sampled.
    public var trajectoryCount: Int
    /// The number of environment steps taken.
    public var stepCount: Int
    /// The undiscounted returns of the trajectories that ended on their own terms.
    public var completedEpisodeReturns: [Double]
    /// The norm of the gradient estimate at the current parameters.
    public var gradientNorm: Float
    /// The step size used (η_t for BGPO-type methods, the learning rate otherwise).
    public var stepSize: Float
    /// The momentum weight β_t (1 without momentum).
    public var momentumWeight: Float
    /// The mean importance weight of the correction term (1 when there is none).
    public var meanImportanceWeight: Float

    /// A report.
    public init(
        trajectoryCount: Int, stepCount: Int, completedEpisodeReturns: [Double], gradientNorm: Float,
        stepSize: Float, momentumWeight: Float = 1, meanImportanceWeight: Float = 1
    ) {
        self.trajectoryCount = trajectoryCount
        self.stepCount = stepCount
        self.completedEpisodeReturns = completedEpisodeReturns
        self.gradientNorm = gradientNorm
        self.stepSize = stepSize
        self.momentumWeight = momentumWeight
        self.meanImportanceWeight = meanImportanceWeight
    }

    /// A report on `batch` with the given diagnostics.
    init(batch: RolloutBatch, gradientNorm: Float, stepSize: Float, momentumWeight: Float = 1, meanImportanceWeight: Float = 1) {
        self.init(
            trajectoryCount: batch.trajectoryCount, stepCount: batch.stepCount,
            completedEpisodeReturns: batch.completedEpisodeReturns, gradientNorm: gradientNorm, stepSize: stepSize,
            momentumWeight: momentumWeight, meanImportanceWeight: meanImportanceWeight)
    }
}

/// An on-policy policy-search algorithm: each iteration samples trajectories with the current
/// policy and updates the policy's parameters in place.
public protocol PolicySearchAlgorithm: AnyObject {
    /// A short name for reports and learning curves.
    var name: String { get }
    /// The policy being trained.
    var policy: any StochasticPolicy { get }
    /// Samples with the current policy, then updates it. All randomness comes from `generator`.
    func iterate<E: Environment>(on environment: inout E, using generator: inout RandomGenerator) -> IterationReport
}
