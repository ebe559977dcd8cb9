import PruningCore

/// How much experience a training run may use.
public enum TrainingBudget: Sendable, Equatable {
    /// Stop once this many trajectories have been sampled.
    case trajectories(Int)
    /// Stop once this many environment steps have been taken.
    case environmentSteps(Int)
}

/// Average return against experience used, one point per iteration.
public struct LearningCurve: Sendable {
    /// One point of the curve.
    public struct Point: Sendable, Equatable {
        /// Iterations completed.
        public var iteration: Int
        /// Trajectories sampled so far.
        public var trajectories: Int
        /// Environment steps taken so far.
        public var environmentSteps: Int
        /// The mean undiscounted return of the last completed episodes (at most the trainer's
        /// window), nil before any episode has completed.
        public var averageReturn: Double?
    }

    /// The algorithm's name.
    public var algorithm: String
    /// The points, in order.
    public var points: [Point]

    /// The last point's average return.
    public var finalAverageReturn: Double? { points.last?.averageReturn }
}

/// Runs a ``PolicySearchAlgorithm`` on an environment for a budget and records its learning
/// curve. A run is reproducible: the same seed, initial policy and algorithm state give the same
/// curve and parameters bit for bit.
public struct Trainer<E: Environment> {
    /// The environment (copied for each run).
    public var environment: E
    /// The experience budget.
    public var budget: TrainingBudget
    /// How many recent episodes the average return covers. Default 10.
    public var returnWindow: Int

    /// A trainer; see the properties for the defaults.
    public init(environment: E, budget: TrainingBudget, returnWindow: Int = 10) {
        precondition(returnWindow > 0, "Trainer: the return window must be positive")
        self.environment = environment
        self.budget = budget
        self.returnWindow = returnWindow
    }

    /// Iterates `algorithm` until the budget is used up (the last iteration may overshoot it).
    public func run(_ algorithm: any PolicySearchAlgorithm, seed: UInt64) -> LearningCurve {
        var generator = RandomGenerator(seed: seed)
        var environment = self.environment
        var curve = LearningCurve(algorithm: algorithm.name, points: [])
        var recent: [Double] = []
        var trajectories = 0
        var steps = 0
        var iteration = 0
        while !isSpent(trajectories: trajectories, steps: steps) {
            let report = algorithm.iterate(on: &environment, using: &generator)
            precondition(report.stepCount > 0, "Trainer: an iteration took no steps")
            iteration += 1
            trajectories += report.trajectoryCount
            steps += report.stepCount
            recent.append(contentsOf: report.completedEpisodeReturns)
            if recent.count > returnWindow { recent.removeFirst(recent.count - returnWindow) }
            let average = recent.isEmpty ? nil : recent.reduce(0, +) / Double(recent.count)
            curve.points.append(.init(iteration: iteration, trajectories: trajectories, environmentSteps: steps,
                                      averageReturn: average))
        }
        return curve
    }

    private func isSpent(trajectories: Int, steps: Int) -> Bool {
        switch budget {
        case .trajectories(let n): trajectories >= n
        case .environmentSteps(let n): steps >= n
        }
    }

    /// The mean undiscounted return of `episodes` episodes of `policy` — sampled, or with the
    /// deterministic ``StochasticPolicy/mode(observations:)`` when `deterministic` is true.
    public func evaluate(
        _ policy: any StochasticPolicy, episodes: Int, deterministic: Bool = false, seed: UInt64
    ) -> Double {
        precondition(episodes > 0, "Trainer.evaluate: needs at least one episode")
        var generator = RandomGenerator(seed: seed)
        var environment = self.environment
        var total = 0.0
        for _ in 0..<episodes {
            var observation = environment.reset(using: &generator)
            for _ in 0..<environment.maximumEpisodeSteps {
                let action = deterministic ? policy.mode(observation) : policy.sample(observation, using: &generator)
                let result = environment.step(action)
                total += result.reward
                observation = result.observation
                if result.isDone { break }
            }
        }
        return total / Double(episodes)
    }
}
