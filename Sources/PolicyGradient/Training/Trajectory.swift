import PruningCore

/// One episode (or the part of one that a sampling budget allowed) collected with a policy.
///
/// Step `t` saw observation `s_t`, took action `a_t`, received reward `r_t` and reported the
/// environment's `terminated`/`truncated` flags. ``finalObservation`` is `s_T`, the observation
/// after the last step, which a value function needs to bootstrap a truncated episode.
public struct Trajectory: Sendable {
    /// Why the trajectory ended.
    public enum Ending: Sendable, Equatable {
        /// A terminal state was reached (no value beyond it).
        case terminated
        /// A time limit cut the episode (the environment's or the collector's).
        case timeLimit
        /// The sampling budget ran out mid-episode.
        case budget
    }

    /// The length of an observation vector.
    public let observationSize: Int
    /// The observations `s_0 … s_{T−1}`, flattened row-major: `[length * observationSize]`.
    public private(set) var observations: [Float] = []
    /// The actions `a_0 … a_{T−1}`.
    public private(set) var actions: [EnvironmentAction] = []
    /// The rewards `r_0 … r_{T−1}`.
    public private(set) var rewards: [Double] = []
    /// Per step: whether the step reached a terminal state.
    public private(set) var terminated: [Bool] = []
    /// Per step: whether a time limit ended the episode at that step.
    public private(set) var truncated: [Bool] = []
    /// The observation after the last step, `s_T`.
    public private(set) var finalObservation: [Float]
    /// How the trajectory ended.
    public private(set) var ending: Ending = .budget

    /// An empty trajectory starting from `initialObservation`.
    public init(initialObservation: [Float]) {
        observationSize = initialObservation.count
        finalObservation = initialObservation
    }

    /// A trajectory from recorded data (for tests and replay): `observations` has
    /// `rewards.count` rows and `finalObservation` follows the last one.
    ///
    /// - Precondition: all per-step arrays have the same length, and flags are only set on the
    ///   last step.
    public init(
        observations: [[Float]], actions: [EnvironmentAction], rewards: [Double], terminated: [Bool], truncated: [Bool],
        finalObservation: [Float]
    ) {
        precondition(!observations.isEmpty, "Trajectory: needs at least one step")
        self.init(initialObservation: observations[0])
        let count = rewards.count
        precondition(observations.count == count && actions.count == count && terminated.count == count && truncated.count == count,
                     "Trajectory: per-step arrays must all have \(count) entries")
        for t in 0..<count {
            precondition(observations[t].count == observationSize, "Trajectory: observation \(t) has the wrong length")
            let next = t + 1 < count ? observations[t + 1] : finalObservation
            append(action: actions[t], result: StepResult(observation: next, reward: rewards[t],
                                                          terminated: terminated[t], truncated: truncated[t]))
        }
        precondition(!terminated.dropLast().contains(true) && !truncated.dropLast().contains(true),
                     "Trajectory: only the last step may be terminated or truncated")
    }

    /// Records a step taken from the current ``finalObservation``.
    public mutating func append(action: EnvironmentAction, result: StepResult) {
        precondition(result.observation.count == observationSize,
                     "Trajectory: observation has \(result.observation.count) entries, expected \(observationSize)")
        observations.append(contentsOf: finalObservation)
        actions.append(action)
        rewards.append(result.reward)
        terminated.append(result.terminated)
        truncated.append(result.truncated)
        finalObservation = result.observation
        ending = result.terminated ? .terminated : (result.truncated ? .timeLimit : .budget)
    }

    /// Marks the last step as cut by a time limit (the collector's episode length).
    mutating func truncateAtTimeLimit() {
        guard let last = truncated.indices.last else { return }
        truncated[last] = true
        if ending == .budget { ending = .timeLimit }
    }

    /// The number of steps.
    public var length: Int { rewards.count }

    /// Whether the episode ended on its own terms (terminal state or time limit) rather than by
    /// the sampling budget.
    public var isComplete: Bool { ending != .budget }

    /// Whether the last step reached a terminal state.
    public var isTerminal: Bool { ending == .terminated }

    /// The observation `s_t`.
    public func observation(at t: Int) -> ArraySlice<Float> {
        observations[(t * observationSize)..<((t + 1) * observationSize)]
    }

    /// The undiscounted sum of rewards (the "average return" curves report this).
    public var totalReward: Double { rewards.reduce(0, +) }

    /// Σ_t γ^t r_t.
    public func discountedReturn(discount: Double) -> Double {
        var total = 0.0
        for reward in rewards.reversed() { total = reward + discount * total }
        return total
    }

    /// G_t = Σ_{k ≥ t} γ^{k−t} r_k + γ^{T−t} · `bootstrapValue` for each step.
    ///
    /// Pass the value estimate of ``finalObservation`` as `bootstrapValue` for a trajectory that
    /// did not terminate, and 0 (the default) for the finite-horizon return.
    public func returnsToGo(discount: Double, bootstrapValue: Double = 0) -> [Double] {
        var result = [Double](repeating: 0, count: length)
        var running = bootstrapValue
        for t in stride(from: length - 1, through: 0, by: -1) {
            running = rewards[t] + discount * running
            result[t] = running
        }
        return result
    }
}
