import PolicyGradient
import PruningCore

/// One of the four Gymnasium classic-control tasks of the comparison, with the policy
/// architecture the official BGPO scripts use for it and the return that counts as solving it.
enum BenchmarkEnvironment: String, CaseIterable, Codable, Sendable {
    /// `CartPole-v1` (500-step limit).
    case cartPole = "CartPole-v1"
    /// `Acrobot-v1` (500-step limit).
    case acrobot = "Acrobot-v1"
    /// `Pendulum-v1`, the swing-up task (200-step limit). Not in the official BGPO code, whose
    /// "Pendulum" is MuJoCo's InvertedPendulum.
    case pendulum = "Pendulum-v1"
    /// `MountainCarContinuous-v0` (999-step limit).
    case mountainCarContinuous = "MountainCarContinuous-v0"

    /// The name accepted on the command line and used in file names.
    var key: String {
        switch self {
        case .cartPole: "cartpole"
        case .acrobot: "acrobot"
        case .pendulum: "pendulum"
        case .mountainCarContinuous: "mountaincar"
        }
    }

    /// The environment for a command-line name: its ``key`` or its Gymnasium id, any case.
    init?(argument: String) {
        let lowered = argument.lowercased()
        guard let match = Self.allCases.first(where: { $0.key == lowered || $0.rawValue.lowercased() == lowered }) else {
            return nil
        }
        self = match
    }

    /// The return that counts as solving the task: Gymnasium's `reward_threshold` (475 for
    /// CartPole, −100 for Acrobot, 90 for MountainCarContinuous); Pendulum has none registered,
    /// −200 is the customary "swung up and balanced" level.
    var solvedThreshold: Double {
        switch self {
        case .cartPole: 475
        case .acrobot: -100
        case .pendulum: -200
        case .mountainCarContinuous: 90
        }
    }

    /// The experience per run when `--budget` is not given: sized so that the default
    /// comparison (all algorithms, 5 seeds) takes about 10 CPU minutes in release — 5 minutes
    /// on 2 idle cores, 20–25 on 2 busy ones.
    var defaultBudget: RunBudget {
        switch self {
        case .cartPole: .trajectories(500)
        case .acrobot: .trajectories(500)
        case .pendulum: .trajectories(1_000)
        case .mountainCarContinuous: .trajectories(200)
        }
    }

    /// γ of the official scripts (0.995 for CartPole, 0.99 otherwise).
    var discount: Double { self == .cartPole ? 0.995 : 0.99 }

    /// The observation length.
    var observationSize: Int {
        switch self {
        case .cartPole: 4
        case .acrobot: 6
        case .pendulum: 3
        case .mountainCarContinuous: 2
        }
    }

    /// Whether actions are continuous (a Gaussian policy) rather than discrete.
    var isContinuous: Bool { self == .pendulum || self == .mountainCarContinuous }

    /// A freshly initialized policy: categorical MLP (8, 8) tanh for the discrete tasks and
    /// Gaussian MLP (64, 64) tanh with σ = 1 for the continuous ones (the official scripts).
    /// The same `seed` gives the same initial parameters, so every algorithm of a seed starts
    /// from the same θ₀.
    func makePolicy(seed: UInt64) -> any StochasticPolicy {
        var random = RandomGenerator(seed: seed &* 7919 &+ 17)
        switch self {
        case .cartPole:
            return CategoricalMLPPolicy(observationSize: 4, actionCount: 2, hidden: [8, 8], using: &random)
        case .acrobot:
            return CategoricalMLPPolicy(observationSize: 6, actionCount: 3, hidden: [8, 8], using: &random)
        case .pendulum:
            return GaussianMLPPolicy(observationSize: 3, actionSize: 1, hidden: [64, 64],
                                     actionBounds: ([-2], [2]), using: &random)
        case .mountainCarContinuous:
            return GaussianMLPPolicy(observationSize: 2, actionSize: 1, hidden: [64, 64], using: &random)
        }
    }

    /// Trains `algorithm` on this environment for `budget` and returns its learning curve.
    func train(_ algorithm: any PolicySearchAlgorithm, budget: RunBudget, seed: UInt64, returnWindow: Int) -> LearningCurve {
        switch self {
        case .cartPole:
            Trainer(environment: CartPole(), budget: budget.trainingBudget, returnWindow: returnWindow).run(algorithm, seed: seed)
        case .acrobot:
            Trainer(environment: Acrobot(), budget: budget.trainingBudget, returnWindow: returnWindow).run(algorithm, seed: seed)
        case .pendulum:
            Trainer(environment: Pendulum(), budget: budget.trainingBudget, returnWindow: returnWindow).run(algorithm, seed: seed)
        case .mountainCarContinuous:
            Trainer(environment: MountainCarContinuous(), budget: budget.trainingBudget, returnWindow: returnWindow)
                .run(algorithm, seed: seed)
        }
    }
}
