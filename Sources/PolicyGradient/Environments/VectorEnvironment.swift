import PruningCore

/// When a ``VectorEnvironment`` restarts an environment whose episode ended.
public enum AutoresetMode: Sendable, Equatable {
    /// Reset within the step that ended the episode: the step returns the new episode's first
    /// observation in that row, the episode's last observation in
    /// ``VectorStepResult/finalObservations`` (Gymnasium's `AutoresetMode.SAME_STEP`,
    /// Stable-Baselines3's `VecEnv`). Every step is a real transition.
    case sameStep
    /// Reset on the following step, ignoring that step's action: it returns the new episode's
    /// first observation with reward 0 and both flags false (Gymnasium 1.x's default,
    /// `AutoresetMode.NEXT_STEP`).
    case nextStep
}

/// A finished episode of one environment in a ``VectorEnvironment``.
public struct EpisodeSummary: Sendable, Equatable {
    /// The index of the environment.
    public var environmentIndex: Int
    /// The undiscounted sum of the episode's rewards.
    public var totalReward: Double
    /// The number of steps in the episode.
    public var length: Int
    /// Whether the episode reached a terminal state (otherwise a time limit truncated it).
    public var terminated: Bool

    /// A summary of a finished episode.
    public init(environmentIndex: Int, totalReward: Double, length: Int, terminated: Bool) {
        self.environmentIndex = environmentIndex
        self.totalReward = totalReward
        self.length = length
        self.terminated = terminated
    }
}

/// The outcome of one ``VectorEnvironment`` step.
public struct VectorStepResult: Sendable {
    /// The observations after the step, `[count, observationSize]`; in ``AutoresetMode/sameStep``
    /// mode the rows of finished environments hold the next episode's first observation.
    public var observations: Tensor
    /// The reward of each environment.
    public var rewards: [Double]
    /// Whether each environment reached a terminal state.
    public var terminated: [Bool]
    /// Whether a time limit ended each environment's episode.
    public var truncated: [Bool]
    /// In ``AutoresetMode/sameStep`` mode, the last observation of each episode that ended in
    /// this step (for bootstrapping truncated episodes); `nil` elsewhere and in
    /// ``AutoresetMode/nextStep`` mode, whose returned observation is already the last one.
    public var finalObservations: [[Float]?]
    /// The episodes that ended in this step.
    public var finishedEpisodes: [EpisodeSummary]

    /// A step result.
    public init(
        observations: Tensor, rewards: [Double], terminated: [Bool], truncated: [Bool],
        finalObservations: [[Float]?], finishedEpisodes: [EpisodeSummary]
    ) {
        self.observations = observations
        self.rewards = rewards
        self.terminated = terminated
        self.truncated = truncated
        self.finalObservations = finalObservations
        self.finishedEpisodes = finishedEpisodes
    }

    /// Whether environment `index`'s episode ended in this step.
    public func isDone(_ index: Int) -> Bool { terminated[index] || truncated[index] }
}

/// `count` copies of an environment stepped together with automatic resets, like Gymnasium's
/// `SyncVectorEnv`.
///
/// Environment `i` draws its initial states from its own `RandomGenerator` seeded with
/// `seed + i` (Gymnasium seeds sub-environment `i` with `seed + i` too, with NumPy's generator).
///
/// ```swift
/// var envs = VectorEnvironment(count: 16, seed: 7) { CartPole() }
/// var observations = envs.reset()                       // [16, 4]
/// let result = envs.step(discreteActions: Array(repeating: 1, count: 16))
/// ```
public struct VectorEnvironment<Base: Environment>: Sendable {
    /// The environments.
    @inlinable public var environments: [Base] { members }
    @usableFromInline var members: [Base]
    /// How finished episodes restart.
    public let autoresetMode: AutoresetMode
    @usableFromInline var generators: [RandomGenerator]
    @usableFromInline var observations: [Float]
    @usableFromInline var pendingReset: [Bool]
    @usableFromInline var episodeRewards: [Double]
    @usableFromInline var episodeLengths: [Int]
    @usableFromInline var hasReset = false

    /// `count` environments made by `make`.
    ///
    /// - Precondition: `count > 0`, and all environments have the same observation size and
    ///   action space.
    public init(count: Int, seed: UInt64, autoresetMode: AutoresetMode = .sameStep, make: () -> Base) {
        precondition(count > 0, "VectorEnvironment needs at least one environment, got \(count)")
        self.init((0..<count).map { _ in make() }, seed: seed, autoresetMode: autoresetMode)
    }

    /// A vector of the given environments.
    ///
    /// - Precondition: `environments` is not empty, and all have the same observation size and
    ///   action space.
    public init(_ environments: [Base], seed: UInt64, autoresetMode: AutoresetMode = .sameStep) {
        precondition(!environments.isEmpty, "VectorEnvironment needs at least one environment")
        let first = environments[0]
        precondition(
            environments.allSatisfy { $0.observationSize == first.observationSize && $0.actionSpace == first.actionSpace },
            "VectorEnvironment: all environments must share the observation size and action space")
        self.members = environments
        self.autoresetMode = autoresetMode
        generators = environments.indices.map { RandomGenerator(seed: seed &+ UInt64($0)) }
        observations = Array(repeating: 0, count: environments.count * first.observationSize)
        pendingReset = Array(repeating: false, count: environments.count)
        episodeRewards = Array(repeating: 0, count: environments.count)
        episodeLengths = Array(repeating: 0, count: environments.count)
    }

    /// The number of environments.
    @inlinable public var count: Int { environments.count }
    /// The length of one observation.
    @inlinable public var observationSize: Int { members[0].observationSize }
    /// The action space of each environment.
    @inlinable public var actionSpace: ActionSpace { members[0].actionSpace }
    /// The current observations, `[count, observationSize]`.
    @inlinable public var currentObservations: Tensor { Tensor(shape: [count, observationSize], scalars: observations) }

    /// Starts a new episode in every environment; returns the observations
    /// `[count, observationSize]`.
    @inlinable @discardableResult
    public mutating func reset() -> Tensor {
        for i in members.indices { resetEnvironment(i) }
        hasReset = true
        return currentObservations
    }

    @inlinable mutating func resetEnvironment(_ i: Int) {
        let observation = members[i].reset(using: &generators[i])
        store(observation, at: i)
        pendingReset[i] = false
        episodeRewards[i] = 0
        episodeLengths[i] = 0
    }

    @inlinable mutating func store(_ observation: [Float], at i: Int) {
        let size = observationSize
        precondition(observation.count == size, "environment \(i) returned \(observation.count) values, expected \(size)")
        observations.withUnsafeMutableBufferPointer { buffer in
            for j in 0..<size { buffer[i * size + j] = observation[j] }
        }
    }

    /// Steps every environment with its action, restarting finished episodes per
    /// ``autoresetMode``.
    ///
    /// - Precondition: ``reset()`` was called and `actions.count == count`; each action must be
    ///   valid for the environment (see ``Environment/step(_:)``).
    @inlinable public mutating func step(_ actions: [EnvironmentAction]) -> VectorStepResult {
        precondition(hasReset, "VectorEnvironment: call reset() before step")
        precondition(actions.count == count, "VectorEnvironment has \(count) environments, got \(actions.count) actions")
        var rewards = [Double](repeating: 0, count: count)
        var terminated = [Bool](repeating: false, count: count)
        var truncated = [Bool](repeating: false, count: count)
        var finalObservations = [[Float]?](repeating: nil, count: count)
        var finished: [EpisodeSummary] = []
        for i in 0..<count {
            if pendingReset[i] {
                resetEnvironment(i)
                continue
            }
            let result = members[i].step(actions[i])
            rewards[i] = result.reward
            terminated[i] = result.terminated
            truncated[i] = result.truncated
            episodeRewards[i] += result.reward
            episodeLengths[i] += 1
            if result.isDone {
                finished.append(
                    EpisodeSummary(
                        environmentIndex: i, totalReward: episodeRewards[i], length: episodeLengths[i],
                        terminated: result.terminated))
                switch autoresetMode {
                case .sameStep:
                    finalObservations[i] = result.observation
                    resetEnvironment(i)
                case .nextStep:
                    store(result.observation, at: i)
                    pendingReset[i] = true
                }
            } else {
                store(result.observation, at: i)
            }
        }
        return VectorStepResult(
            observations: currentObservations, rewards: rewards, terminated: terminated, truncated: truncated,
            finalObservations: finalObservations, finishedEpisodes: finished)
    }

    /// Steps with discrete action indices, one per environment.
    @inlinable public mutating func step(discreteActions: [Int]) -> VectorStepResult {
        step(discreteActions.map { .discrete($0) })
    }

    /// Steps with continuous actions given as a `[count, actionSize]` tensor (converted to
    /// double precision).
    ///
    /// - Precondition: the action space is a box and `actions.shape == [count, actionSize]`.
    @inlinable public mutating func step(continuousActions actions: Tensor) -> VectorStepResult {
        let size = actionSpace.size
        precondition(
            actions.shape == [count, size],
            "VectorEnvironment.step: actions have shape \(actions.shape), expected [\(count), \(size)]")
        let vectors: [EnvironmentAction] = actions.withUnsafeBufferPointer { buffer in
            (0..<count).map { i in .continuous((0..<size).map { Double(buffer[i * size + $0]) }) }
        }
        return step(vectors)
    }
}
