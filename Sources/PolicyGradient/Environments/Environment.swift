@_exported import struct PruningCore.RandomGenerator

/// An action for an ``Environment``: an index for discrete action spaces, a vector for
/// continuous (box) ones.
public enum EnvironmentAction: Sendable, Equatable {
    /// A discrete action in `0..<count`.
    case discrete(Int)
    /// A continuous action vector (double precision, as the reference environments compute).
    case continuous([Double])
}

/// The set of valid actions.
public enum ActionSpace: Sendable, Equatable {
    /// `count` discrete actions.
    case discrete(count: Int)
    /// A box `[low, high]` per dimension.
    case box(low: [Double], high: [Double])

    /// The number of discrete actions, or the dimension of the box.
    public var size: Int {
        switch self {
        case .discrete(let count): count
        case .box(let low, _): low.count
        }
    }
}

/// The outcome of one environment step.
///
/// `terminated` means the task ended (a terminal state: no bootstrapping past it); `truncated`
/// means a time limit cut the episode short (the state is not terminal: a value estimate may
/// bootstrap). Both can be true on the same step.
public struct StepResult: Sendable, Equatable {
    /// The observation after the step.
    public var observation: [Float]
    /// The reward for the step.
    public var reward: Double
    /// Whether a terminal state was reached.
    public var terminated: Bool
    /// Whether a time limit ended the episode.
    public var truncated: Bool

    /// A step result.
    public init(observation: [Float], reward: Double, terminated: Bool, truncated: Bool) {
        self.observation = observation
        self.reward = reward
        self.terminated = terminated
        self.truncated = truncated
    }

    /// Whether the episode is over for either reason.
    public var isDone: Bool { terminated || truncated }
}

/// A reinforcement-learning environment with Gymnasium's `reset`/`step` contract.
///
/// Conforming types are value types; randomness comes only from the generator passed to
/// ``reset(using:)``.
public protocol Environment: Sendable {
    /// The length of an observation vector.
    var observationSize: Int { get }
    /// The bounds of an observation (Gymnasium's `observation_space`). Defaults to unbounded.
    var observationSpace: ObservationSpace { get }
    /// The valid actions.
    var actionSpace: ActionSpace { get }
    /// The episode length after which steps report `truncated` (Gymnasium's `TimeLimit`).
    var maximumEpisodeSteps: Int { get }
    /// Starts a new episode and returns its first observation.
    mutating func reset(using generator: inout RandomGenerator) -> [Float]
    /// Advances by one step.
    mutating func step(_ action: EnvironmentAction) -> StepResult
}

extension Environment {
    /// An unbounded box of ``observationSize`` dimensions.
    public var observationSpace: ObservationSpace {
        ObservationSpace(unboundedSize: observationSize)
    }
}
