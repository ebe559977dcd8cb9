import PruningCore

/// How much experience one iteration samples.
public enum SampleSize: Sendable, Equatable {
    /// This many complete episodes (each ends in a terminal state or at the time limit).
    case episodes(Int)
    /// Exactly this many environment steps; the episode running when the budget is spent is
    /// cut (``Trajectory/Ending/budget``), and the next collection starts a new one.
    case steps(Int)
}

/// Samples trajectories from an environment with a policy.
///
/// Every episode starts with `reset(using:)`; all randomness (resets and action sampling) is
/// drawn from the one generator passed in, so a collection is reproducible from its seed.
public struct RolloutCollector: Sendable {
    /// How much to sample per call.
    public var sampleSize: SampleSize
    /// An episode length limit of the collector's own (garage's `max_path_length`); the
    /// environment's ``Environment/maximumEpisodeSteps`` applies in any case. Steps cut by this
    /// limit are marked `truncated`.
    public var maximumEpisodeSteps: Int?

    /// A collector.
    public init(sampleSize: SampleSize = .episodes(1), maximumEpisodeSteps: Int? = nil) {
        switch sampleSize {
        case .episodes(let n), .steps(let n): precondition(n > 0, "RolloutCollector: sample size must be positive, got \(n)")
        }
        precondition((maximumEpisodeSteps ?? 1) > 0, "RolloutCollector: maximum episode steps must be positive")
        self.sampleSize = sampleSize
        self.maximumEpisodeSteps = maximumEpisodeSteps
    }

    /// Samples ``sampleSize`` worth of trajectories.
    public func collect<E: Environment>(
        from environment: inout E, policy: any StochasticPolicy, using generator: inout RandomGenerator
    ) -> [Trajectory] {
        precondition(environment.observationSize == policy.observationSize,
                     "RolloutCollector: environment observations have \(environment.observationSize) entries, policy expects \(policy.observationSize)")
        let limit = min(environment.maximumEpisodeSteps, maximumEpisodeSteps ?? Int.max)
        var trajectories: [Trajectory] = []
        var steps = 0
        while true {
            switch sampleSize {
            case .episodes(let n): if trajectories.count >= n { return trajectories }
            case .steps(let n): if steps >= n { return trajectories }
            }
            var stepLimit = limit
            if case .steps(let n) = sampleSize { stepLimit = min(limit, n - steps) }
            let trajectory = episode(in: &environment, policy: policy, timeLimit: limit, stepLimit: stepLimit, using: &generator)
            steps += trajectory.length
            trajectories.append(trajectory)
        }
    }

    /// Runs one episode until it terminates, reaches `timeLimit` steps (marked truncated), or
    /// reaches `stepLimit` steps (cut by the budget).
    private func episode<E: Environment>(
        in environment: inout E, policy: any StochasticPolicy, timeLimit: Int, stepLimit: Int,
        using generator: inout RandomGenerator
    ) -> Trajectory {
        var trajectory = Trajectory(initialObservation: environment.reset(using: &generator))
        while true {
            let action = policy.sample(trajectory.finalObservation, using: &generator)
            let result = environment.step(action)
            trajectory.append(action: action, result: result)
            if result.isDone { break }
            if trajectory.length >= timeLimit {
                trajectory.truncateAtTimeLimit()
                break
            }
            if trajectory.length >= stepLimit { break }
        }
        return trajectory
    }
}
