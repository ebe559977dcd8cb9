import PolicyGradient
import PruningCore

/// Which score weights Ψ an algorithm's gradient uses.
enum EstimatorChoice: Sendable {
    /// GAE(γ, λ) with a learned (32, 32) tanh critic (the official BGPO code).
    case gae
    /// GPOMDP with the time-step-average baseline (the BGPO paper's estimator).
    case gpomdp
    /// REINFORCE with a moving-average baseline.
    case reinforce
}

/// Everything that configures one algorithm on one environment.
struct AlgorithmSettings: Sendable {
    /// What each iteration samples.
    var sampleSize: SampleSize = .episodes(1)
    /// The estimator.
    var estimator: EstimatorChoice = .gae
    /// How the estimator averages over a batch.
    var averaging: GradientAveraging = .perStep
    /// The critic of GAE.
    var critic = ValueFunction.Configuration(learningRate: 1e-3, epochs: 10, minibatchSize: 64)
    /// GAE's λ (0.97 in the official scripts).
    var gaeLambda = 0.97
    /// BGPO/VR-BGPO: λ, the mirror step.
    var mirrorStepSize: Float = 0.01
    /// BGPO/VR-BGPO/IS-MBPG: η_t = lr/(w + grad_factor·t)^p.
    var stepSize = DecayingStepSize(numerator: 1, offset: 1, power: 0.5)
    /// BGPO/VR-BGPO/IS-MBPG: c.
    var momentumCoefficient: Float = 1
    /// BGPO/VR-BGPO: the official code's variant (nil for the paper's).
    var officialCode: OfficialCodeOptions?
    /// BGPO/VR-BGPO: p of the p-norm map, or nil for the diagonal map.
    var normPower: Double?
    /// VR-BGPO/IS-MBPG: the importance weights (ignored in the official-code mode).
    var importanceWeighting: ImportanceWeighting = .trajectory(clip: nil)
    /// REINFORCE/GPOMDP/PPO: Adam's learning rate.
    var learningRate: Float = 1e-3
    /// PPO: passes over each batch.
    var ppoEpochs = 10
    /// PPO: steps per minibatch.
    var minibatchSize = 64

    /// The mirror map: Diag with the official code's first-square initialization, or Lp.
    var mirrorMap: any MirrorMap {
        if let normPower { return LpMirrorMap(p: normPower) }
        return DiagonalMirrorMap(initialization: .firstSquare)
    }

    /// A fresh estimator for `environment`.
    func makeEstimator(_ environment: BenchmarkEnvironment, _ random: inout RandomGenerator) -> any PolicyGradientEstimator {
        switch estimator {
        case .gae:
            let critic = ValueFunction(observationSize: environment.observationSize, configuration: critic, using: &random)
            return GeneralizedAdvantageEstimator(valueFunction: critic, discount: environment.discount, lambda: gaeLambda,
                                                 averaging: averaging)
        case .gpomdp:
            return GPOMDP(discount: environment.discount, baseline: .timeStepAverage(rate: 0.1), averaging: averaging)
        case .reinforce:
            return REINFORCE(discount: environment.discount, baseline: .movingAverage(rate: 0.1), averaging: averaging)
        }
    }
}

/// The values of the official scripts (`BGPO_test.py`, `VRBPO_test.py` in `gaosh/BGPO`) for one
/// method on one environment.
struct ScriptValues: Sendable {
    /// `lr`, the numerator of η_t.
    var learningRate: Float
    /// `grad_factor`, the growth rate of η's denominator (w = 1 everywhere).
    var rate: Float
    /// c.
    var momentumCoefficient: Float
    /// λ with the `Diag` map.
    var diagonalMirrorStep: Float
    /// λ with the `Lp` map, p = 3.
    var normMirrorStep: Float
    /// g_max with the `Diag` map.
    var diagonalClamp: Float
    /// g_max with the `Lp` map.
    var normClamp: Float
    /// `loss_clip`: whether negative advantages are set to 0.
    var clampsNegativeAdvantages: Bool
}

/// The hyperparameters of every algorithm on every environment.
///
/// BGPO and VR-BGPO run in the official code's mode (``OfficialCodeOptions``: momentum weight
/// max(0.3, min(1, c·η²)), element-wise clamp to min(‖g‖, g_max), negative advantages clamped
/// where the scripts' `loss_clip` is on, per-step importance ratios clipped to [0.2, 1.2] for
/// VR-BGPO) with its GAE(λ = 0.97) estimator averaged per step, its first-square Diag
/// initialization, and the scripts' lr, w, grad_factor, c and g_max (``script(varianceReduced:on:)``).
/// Only λ (the mirror step) is rescaled: the scripts' values belong to iterations over
/// 128–512-step minibatches, 10 passes over 5,000–50,000-step batches (40,000–100,000
/// iterations per run), whereas here each iteration samples one episode, as in the paper, and
/// a run has a few hundred iterations. λ is set so that η₁λ, the first Diag step, is
/// ``firstDiagonalStep`` (see ``mirrorStep(script:firstStepSize:usesNorm:)``); the Lp maps keep
/// the scripts' ratio of Lp to Diag λ.
///
/// REINFORCE and GPOMDP: Adam (learning rate 0.01) on batches of 5 episodes, with a
/// moving-average and a time-step baseline. IS-MBPG: GPOMDP with a time-step baseline, averaged
/// per step, η_t = k/(1 + t)^{1/3} with c chosen so that β₂ ≈ 0.28, and the official code's
/// per-step ratios clipped to [0.2, 1.2]. PPO: Adam 1e-3, 10 epochs of 64-step minibatches,
/// GAE(0.97) with the same critic.
enum AlgorithmCatalog {
    /// η₁λ, the first step of the Diag map in Adam-like units (≈ the distance each parameter
    /// moves), which fixes λ: 0.02, twice the Adam learning rate of the REINFORCE and GPOMDP
    /// baselines.
    static let firstDiagonalStep: Float = 0.02

    /// λ for a method whose first step size is `firstStepSize`: λ_Diag = ``firstDiagonalStep``/η₁,
    /// and λ_Lp = λ_Diag × (the scripts' Lp λ / their Diag λ).
    static func mirrorStep(script: ScriptValues, firstStepSize: Float, usesNorm: Bool) -> Float {
        let diagonal = firstDiagonalStep / firstStepSize
        return usesNorm ? diagonal * script.normMirrorStep / script.diagonalMirrorStep : diagonal
    }

    /// The official scripts' values of BGPO (`varianceReduced` false) or VR-BGPO on
    /// `environment`. Pendulum-v1 is not in the scripts; it takes the values of their
    /// "Pendulum", MuJoCo's InvertedPendulum-v2. VR-BGPO's scripts have no Lp-specific λ and
    /// g_max; it uses its Diag λ and BGPO's Lp g_max.
    static func script(varianceReduced: Bool, on environment: BenchmarkEnvironment) -> ScriptValues {
        switch (varianceReduced, environment) {
        case (false, .cartPole):
            ScriptValues(learningRate: 0.5, rate: 4e-4, momentumCoefficient: 50, diagonalMirrorStep: 7.5e-4,
                         normMirrorStep: 0.8e-3, diagonalClamp: 1, normClamp: 0.05, clampsNegativeAdvantages: true)
        case (true, .cartPole):
            ScriptValues(learningRate: 0.75, rate: 1e-3, momentumCoefficient: 100, diagonalMirrorStep: 1.5e-3,
                         normMirrorStep: 1.5e-3, diagonalClamp: 1, normClamp: 0.05, clampsNegativeAdvantages: false)
        case (false, .acrobot):
            ScriptValues(learningRate: 0.0175, rate: 2e-5, momentumCoefficient: 12_000, diagonalMirrorStep: 5e-4,
                         normMirrorStep: 1e-3, diagonalClamp: 1, normClamp: 0.1, clampsNegativeAdvantages: true)
        case (true, .acrobot):
            ScriptValues(learningRate: 0.0175, rate: 1e-3, momentumCoefficient: 48_000, diagonalMirrorStep: 1.25e-3,
                         normMirrorStep: 1.25e-3, diagonalClamp: 1, normClamp: 0.1, clampsNegativeAdvantages: false)
        case (false, .pendulum):
            ScriptValues(learningRate: 0.25, rate: 2.5e-4, momentumCoefficient: 300, diagonalMirrorStep: 5e-4,
                         normMirrorStep: 1e-3, diagonalClamp: 1, normClamp: 0.1, clampsNegativeAdvantages: true)
        case (true, .pendulum):
            ScriptValues(learningRate: 0.75, rate: 1e-3, momentumCoefficient: 40, diagonalMirrorStep: 0.02,
                         normMirrorStep: 0.02, diagonalClamp: 0.3, normClamp: 0.1, clampsNegativeAdvantages: true)
        case (false, .mountainCarContinuous):
            ScriptValues(learningRate: 0.016, rate: 2e-5, momentumCoefficient: 12_000, diagonalMirrorStep: 4e-4,
                         normMirrorStep: 4e-3, diagonalClamp: 1, normClamp: 0.1, clampsNegativeAdvantages: true)
        case (true, .mountainCarContinuous):
            ScriptValues(learningRate: 0.0175, rate: 2e-5, momentumCoefficient: 12_000, diagonalMirrorStep: 2.5e-4,
                         normMirrorStep: 2.5e-4, diagonalClamp: 1, normClamp: 0.1, clampsNegativeAdvantages: false)
        }
    }

    /// PPO's episodes per iteration (about 1,000–2,000 steps once learning is under way).
    static func ppoEpisodes(on environment: BenchmarkEnvironment) -> Int {
        switch environment {
        case .cartPole: 10
        case .acrobot: 4
        case .pendulum: 8
        case .mountainCarContinuous: 2
        }
    }

    /// The settings of `kind` on `environment`.
    static func settings(for kind: AlgorithmKind, on environment: BenchmarkEnvironment) -> AlgorithmSettings {
        var s = AlgorithmSettings()
        switch kind {
        case .bgpoDiag, .bgpoLp, .vrbgpoDiag, .vrbgpoLp:
            let varianceReduced = kind == .vrbgpoDiag || kind == .vrbgpoLp
            let usesNorm = kind == .bgpoLp || kind == .vrbgpoLp
            let script = script(varianceReduced: varianceReduced, on: environment)
            s.stepSize = DecayingStepSize(numerator: script.learningRate, offset: 1, rate: script.rate,
                                          power: varianceReduced ? 1.0 / 3 : 0.5)
            s.momentumCoefficient = script.momentumCoefficient
            // The code's VR-BGPO counts steps from 0, BGPO from 1.
            let firstStepSize = s.stepSize(varianceReduced ? 0 : 1)
            s.mirrorStepSize = mirrorStep(script: script, firstStepSize: firstStepSize, usesNorm: usesNorm)
            s.normPower = usesNorm ? 3 : nil
            s.officialCode = OfficialCodeOptions(
                gradientClamp: usesNorm ? script.normClamp : script.diagonalClamp,
                clampsNegativeAdvantages: script.clampsNegativeAdvantages)
        case .reinforce:
            s.estimator = .reinforce
            s.averaging = .perTrajectory
            s.sampleSize = .episodes(5)
            s.learningRate = 1e-2
        case .gpomdp:
            s.estimator = .gpomdp
            s.averaging = .perTrajectory
            s.sampleSize = .episodes(5)
            s.learningRate = 1e-2
        case .isMBPG:
            // Euclidean steps scale with the rewards: Pendulum's are ~10× larger than the others'.
            let numerator: Float = environment == .pendulum ? 1e-3 : 0.06
            s.estimator = .gpomdp
            s.averaging = .perStep
            s.stepSize = DecayingStepSize(numerator: numerator, offset: 1, power: 1.0 / 3)
            s.momentumCoefficient = 125 * (0.06 / numerator) * (0.06 / numerator)
            s.importanceWeighting = .perStep(clip: 0.2...1.2)
        case .ppo:
            s.sampleSize = .episodes(ppoEpisodes(on: environment))
            s.learningRate = 1e-3
        }
        return s
    }
}
