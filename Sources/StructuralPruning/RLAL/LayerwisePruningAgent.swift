import Foundation
import PolicyGradient
import PruningCore

/// The pruning agent of RLAL: a `PolicyGradient/GaussianMLPPolicy` on `[state, z]` whose
/// Gaussian sample `u` is squashed to a ratio `a = a_max · sigmoid(u)`.
///
/// **Estimator.** The actor follows the *pathwise* (reparameterized) gradient of the decoder's
/// predicted episode reward, `∇_θ E_ε D(s_L, a_L, z)`, where the episode is rolled out in a
/// differentiable, continuous copy of the environment
/// (``LayerwisePruningEnvironment/imaginedEpisode(count:propose:)``: every layer's state and
/// the budget clip as functions of the earlier ratios), plus `α · Σ log σ` to keep exploring.
/// The decoder is the reward model RLAL trains anyway, so this is SAC's and DDPG's actor update
/// with the decoder as the critic, taken through the whole episode instead of one step. Two
/// alternatives were measured and rejected:
/// - the one-step actor update on buffer states, `∇_θ D(s_l, a_l(θ), z)` (what SAC and DDPG do,
///   with the episode's reward as every step's target, as AMC assigns it): the step critic learns
///   that pruning *this* layer less raises the reward — the cost lands on the later layers,
///   which the budget clip forces to prune harder — so every action collapses to 0 and the
///   clip alone decides the architecture (all early layers dense, the last ones at `a_max`),
///   the same for every agent;
/// - a score-function estimator (REINFORCE/GPOMDP from `PolicyGradient`): an epoch yields a
///   handful of episodes with one terminal reward each, from a network that moves under them;
///   the decoder, conditioned on the epoch's code, pools every past episode into one smooth
///   function of the architecture, where a likelihood-ratio estimate on the epoch's own
///   episodes is dominated by noise.
///
/// The policy's log σ is kept in `[log σ_min, log σ_max]` after every step.
public final class LayerwisePruningAgent {
    /// The policy on `[state, code]`.
    public let policy: GaussianMLPPolicy
    /// `a_max`.
    public let maximumRatio: Double
    /// The length of a state.
    public let stateSize: Int
    /// The length of the code appended to the state (0 without the environment code).
    public let codeSize: Int
    /// α, the weight of `Σ log σ`.
    public var entropyWeight: Float
    /// Bounds of σ.
    public var standardDeviationRange: ClosedRange<Float> = 0.05...1.5
    private let optimizer: Adam

    /// An agent for states of `stateSize` numbers and codes of `codeSize` (0: no code).
    public init(
        stateSize: Int, codeSize: Int, maximumRatio: Double, hidden: [Int] = [64, 64], learningRate: Float = 1e-3,
        entropyWeight: Float = 1e-3, initialStandardDeviation: Float = 0.5, using generator: inout RandomGenerator
    ) {
        self.stateSize = stateSize
        self.codeSize = codeSize
        self.maximumRatio = maximumRatio
        self.entropyWeight = entropyWeight
        policy = GaussianMLPPolicy(
            observationSize: stateSize + codeSize, actionSize: 1, hidden: hidden, activation: .tanh,
            initialLogStandardDeviation: Foundation.log(initialStandardDeviation), using: &generator)
        optimizer = Adam(learningRate: learningRate)
    }

    /// The policy's input: the state followed by the code.
    func observation(_ state: [Float], code: [Float]) -> [Float] { state + code.prefix(codeSize) }

    /// A ratio for `state` under `code`: sampled, or the policy's mean when `deterministic`.
    public func ratio(for state: [Float], code: [Float], deterministic: Bool, using generator: inout RandomGenerator) -> Double {
        let input = observation(state, code: code)
        let action = deterministic ? policy.mode(input) : policy.sample(input, using: &generator)
        guard case .continuous(let values) = action else { return 0 }
        return maximumRatio / (1 + Foundation.exp(-values[0]))
    }

    /// One actor step on `rollouts` imagined episodes of `environment` under `code` through
    /// `model`'s decoder; returns the mean predicted reward.
    @discardableResult
    public func update<Model>(
        in environment: LayerwisePruningEnvironment<Model>, rollouts: Int, code: [Float], through model: RewardDynamicsModel,
        using generator: inout RandomGenerator
    ) -> Double {
        guard rollouts > 0 else { return 0 }
        let codeSize = self.codeSize
        let codeRows = Tensor(shape: [rollouts, codeSize], scalars: Array((0..<rollouts).map { _ in Array(code.prefix(codeSize)) }.joined()))
        let noise = (0..<environment.layerCount).map { _ in
            Tensor(shape: [rollouts, 1], scalars: (0..<rollouts).map { _ in generator.nextNormal() })
        }
        let parameters = policy.trainableParameters()
        let scale = Float(maximumRatio)
        let weight = entropyWeight
        var predicted: Float = 0
        let (_, gradients) = valueAndGradient(of: parameters) {
            let (states, ratios) = environment.imaginedEpisode(count: rollouts) { state, layer in
                let input = codeSize > 0 ? Tensor.concatenate([state, codeRows], alongAxis: 1) : state
                let u = policy.means(observations: input) + noise[layer] * policy.logStandardDeviation.value.exp()
                return u.sigmoid() * scale
            }
            let reward = model.predict(states: states[states.count - 1], actions: ratios[ratios.count - 1], codes: codeSize > 0 ? codeRows : nil).mean()
            predicted = reward.scalars[0]
            return -(reward + weight * policy.logStandardDeviation.value.sum())
        }
        optimizer.update(parameters, along: gradients)
        let bounds = (Foundation.log(standardDeviationRange.lowerBound), Foundation.log(standardDeviationRange.upperBound))
        policy.logStandardDeviation.value = policy.logStandardDeviation.value.clamped(min: bounds.0, max: bounds.1)
        return Double(predicted)
    }
}
