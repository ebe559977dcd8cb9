import PolicyGradient
import PruningCore

/// A corridor of `length` cells with one-hot observations. Every episode starts in cell 0; action
/// 1 moves right, action 0 moves left (the left wall reflects). Each step costs −1; reaching the
/// last cell terminates. The optimal return is −(length − 1); a uniformly random policy needs
/// about (length − 1)² steps and is usually cut by the time limit.
struct Corridor: Environment {
    var length = 5
    var maximumEpisodeSteps = 20
    private var position = 0

    init(length: Int = 5, maximumEpisodeSteps: Int = 20) {
        self.length = length
        self.maximumEpisodeSteps = maximumEpisodeSteps
    }

    var observationSize: Int { length }
    var actionSpace: ActionSpace { .discrete(count: 2) }
    var optimalReturn: Double { -Double(length - 1) }

    private var observation: [Float] {
        var result = [Float](repeating: 0, count: length)
        result[position] = 1
        return result
    }

    mutating func reset(using generator: inout RandomGenerator) -> [Float] {
        position = 0
        return observation
    }

    mutating func step(_ action: EnvironmentAction) -> StepResult {
        guard case .discrete(let a) = action else { preconditionFailure("Corridor: discrete actions only") }
        position = a == 1 ? position + 1 : max(position - 1, 0)
        return StepResult(observation: observation, reward: -1, terminated: position == length - 1, truncated: false)
    }
}

/// A one-step contextual bandit: the observation is a one-hot context c drawn uniformly from
/// `contexts`; action a earns `rewards[c][a]`. The expected return of a policy is
/// Σ_c Σ_a π(a | c) rewards[c][a] / contexts, so its exact gradient is available by autodiff.
struct ContextualBandit: Environment {
    var rewards: [[Double]]
    var maximumEpisodeSteps: Int { 1 }
    private var context = 0

    init(rewards: [[Double]] = [[1, 0, 0.2], [0, 0.5, 1]]) { self.rewards = rewards }

    var observationSize: Int { rewards.count }
    var actionSpace: ActionSpace { .discrete(count: rewards[0].count) }

    func oneHot(_ c: Int) -> [Float] {
        var result = [Float](repeating: 0, count: rewards.count)
        result[c] = 1
        return result
    }

    mutating func reset(using generator: inout RandomGenerator) -> [Float] {
        context = generator.nextInt(below: rewards.count)
        return oneHot(context)
    }

    mutating func step(_ action: EnvironmentAction) -> StepResult {
        guard case .discrete(let a) = action else { preconditionFailure("ContextualBandit: discrete actions only") }
        return StepResult(observation: oneHot(context), reward: rewards[context][a], terminated: true, truncated: false)
    }
}

/// A linear-Gaussian tracking task: the observation is x ~ U(−1, 1), the reward of action a is
/// −(a − 2x)², then a new x is drawn; episodes run `horizon` steps (truncated, never terminated).
/// A Gaussian policy with mean 2x and standard deviation σ earns −horizon·σ² on average.
struct LinearTracking: Environment {
    var horizon = 5
    var maximumEpisodeSteps: Int { horizon }
    private var x = 0.0
    private var generator = RandomGenerator(seed: 0)

    var observationSize: Int { 1 }
    var actionSpace: ActionSpace { .box(low: [-3], high: [3]) }

    mutating func reset(using generator: inout RandomGenerator) -> [Float] {
        self.generator = generator.split()
        x = 2 * self.generator.nextUniformDouble() - 1
        return [Float(x)]
    }

    mutating func step(_ action: EnvironmentAction) -> StepResult {
        guard case .continuous(let a) = action else { preconditionFailure("LinearTracking: continuous actions only") }
        let reward = -(a[0] - 2 * x) * (a[0] - 2 * x)
        x = 2 * generator.nextUniformDouble() - 1
        return StepResult(observation: [Float(x)], reward: reward, terminated: false, truncated: false)
    }
}
