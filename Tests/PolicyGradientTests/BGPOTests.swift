import Foundation
import PolicyGradient
import PruningCore
import PruningTestSupport
import Testing

func corridorPolicy(seed: UInt64, hidden: [Int] = [8]) -> CategoricalMLPPolicy {
    var random = RandomGenerator(seed: seed)
    return CategoricalMLPPolicy(observationSize: 5, actionCount: 2, hidden: hidden, using: &random)
}

@Suite struct BGPOTests {
    @Test("BGPO with the Euclidean map and β = 1 takes the same steps as SGD policy-gradient ascent")
    func matchesGradientAscent() {
        let schedule = DecayingStepSize(numerator: 1, offset: 1, power: 0.5)
        let bgpo = BGPO(policy: corridorPolicy(seed: 71), estimator: GPOMDP(), mirrorMap: EuclideanMirrorMap(),
                        configuration: .init(mirrorStepSize: 0.05, stepSize: schedule, momentumCoefficient: 1e9))
        let sgd = SGD(learningRate: 0)
        let ascent = PolicyGradientAscent(policy: corridorPolicy(seed: 71), estimator: GPOMDP(), optimizer: sgd,
                                          collector: RolloutCollector(sampleSize: .episodes(1)))
        var environmentA = Corridor(), environmentB = Corridor()
        var randomA = RandomGenerator(seed: 72), randomB = RandomGenerator(seed: 72)
        for t in 1...6 {
            let reportA = bgpo.iterate(on: &environmentA, using: &randomA)
            sgd.learningRate = schedule(t) * 0.05
            let reportB = ascent.iterate(on: &environmentB, using: &randomB)
            #expect(reportA.stepCount == reportB.stepCount)
            #expect(reportA.momentumWeight == 1)
            expectClose(bgpo.policy.flatParameters(), ascent.policy.flatParameters(), relativeTolerance: 0, absoluteTolerance: 1e-6)
        }
        #expect(bgpo.policy.flatParameters() != corridorPolicy(seed: 71).flatParameters())
    }

    @Test("a VR-BGPO iteration combines g at θ_t and w·g at θ_{t−1} on the same trajectories")
    func varianceReducedIteration() {
        let policy = corridorPolicy(seed: 73)
        let configuration = VRBGPOOptimizer.Configuration(mirrorStepSize: 0.05, momentumCoefficient: 0.7)
        let vr = VRBGPO(policy: policy, estimator: GPOMDP(), mirrorMap: EuclideanMirrorMap(), configuration: configuration)
        var environment = Corridor()
        var random = RandomGenerator(seed: 74)
        let theta1 = policy.flatParameters()
        _ = vr.iterate(on: &environment, using: &random)
        let u1 = vr.optimizer.momentum!
        let theta2 = policy.flatParameters()
        #expect(vr.previousParameters == theta1)

        // Replay iteration 2 by hand with a copy of the generator and environment.
        var replayRandom = random, replayEnvironment = environment
        let batch = RolloutBatch(RolloutCollector().collect(from: &replayEnvironment, policy: policy, using: &replayRandom))
        let weights = GPOMDP().scoreWeights(for: batch, using: &replayRandom)
        let g = scoreFunctionGradient(policy: policy, batch: batch, weights: weights).gradient
        let corrected = importanceWeightedGradient(policy: policy, batch: batch, weights: weights, evaluatedAt: theta1,
                                                   weighting: .trajectory(clip: nil))
        let report = vr.iterate(on: &environment, using: &random)
        let eta1 = configuration.stepSize(1), eta2 = configuration.stepSize(2)
        let beta = 0.7 * eta1 * eta1
        let u2 = (0..<g.count).map { -g[$0] + (1 - beta) * (u1[$0] + corrected.gradient[$0]) }
        expectClose(vr.optimizer.momentum!, u2, relativeTolerance: 1e-5, absoluteTolerance: 1e-6)
        expectClose(policy.flatParameters(), (0..<g.count).map { theta2[$0] - eta2 * 0.05 * u2[$0] },
                    relativeTolerance: 1e-5, absoluteTolerance: 1e-6)
        #expect(abs(report.meanImportanceWeight - corrected.meanImportanceWeight) < 1e-6)
        #expect(corrected.importanceWeights.allSatisfy { $0 != 1 })
        #expect(vr.previousParameters == theta2)
    }

    @Test("the official-code mode clamps negative advantages and clips per-step weights")
    func officialMode() {
        let vr = VRBGPO(policy: corridorPolicy(seed: 75), estimator: GPOMDP(), mirrorMap: DiagonalMirrorMap(),
                        configuration: .init(officialCodeCompatibility: OfficialCodeOptions(clampsNegativeAdvantages: true, importanceWeightThreshold: 1.5)))
        #expect(vr.effectiveImportanceWeighting == .perStep(clip: 0.5...1.5))
        // All corridor rewards are negative: with Ψ clamped to 0 the gradient vanishes and the policy stays put.
        let bgpo = BGPO(policy: corridorPolicy(seed: 75), estimator: GPOMDP(), mirrorMap: EuclideanMirrorMap(),
                        configuration: .init(officialCodeCompatibility: .bgpo))
        let before = bgpo.policy.flatParameters()
        var environment = Corridor()
        var random = RandomGenerator(seed: 76)
        let report = bgpo.iterate(on: &environment, using: &random)
        #expect(report.gradientNorm == 0)
        #expect(bgpo.policy.flatParameters() == before)
    }
}

@Suite struct BGPOTrainingTests {
    func makeAlgorithms(seed: UInt64) -> [any PolicySearchAlgorithm] {
        var random = RandomGenerator(seed: seed + 100)
        let critic = ValueFunction(observationSize: 5, configuration: .init(hidden: [8], learningRate: 1e-2), using: &random)
        return [
            BGPO(policy: corridorPolicy(seed: seed), estimator: GeneralizedAdvantageEstimator(valueFunction: critic),
                 mirrorMap: DiagonalMirrorMap(), configuration: .init(mirrorStepSize: 0.05)),
            VRBGPO(policy: corridorPolicy(seed: seed), estimator: GPOMDP(baseline: .timeStepAverage(rate: 0.1)),
                   mirrorMap: LpMirrorMap(p: 3), configuration: .init(officialCodeCompatibility: .vrbgpo)),
            VRBGPO.isMBPG(policy: corridorPolicy(seed: seed), estimator: REINFORCE(baseline: .movingAverage(rate: 0.1))),
        ]
    }

    @Test("seeded training runs are reproducible bit for bit")
    func reproducible() {
        let trainer = Trainer(environment: Corridor(), budget: .environmentSteps(150))
        for (a, b) in zip(makeAlgorithms(seed: 81), makeAlgorithms(seed: 81)) {
            let first = trainer.run(a, seed: 5), second = trainer.run(b, seed: 5)
            #expect(first.points == second.points, "\(a.name)")
            #expect(a.policy.flatParameters() == b.policy.flatParameters(), "\(a.name)")
            #expect(first.points.last!.environmentSteps >= 150)
        }
        func ppo() -> PPO {
            var random = RandomGenerator(seed: 83)
            let critic = ValueFunction(observationSize: 1, configuration: .init(hidden: [4], epochs: 2), using: &random)
            return PPO(policy: GaussianMLPPolicy(observationSize: 1, actionSize: 1, hidden: [4], using: &random),
                       estimator: GeneralizedAdvantageEstimator(valueFunction: critic),
                       configuration: .init(epochs: 2, minibatchSize: 16), collector: RolloutCollector(sampleSize: .steps(40)))
        }
        let (p, q) = (ppo(), ppo())
        let tracking = Trainer(environment: LinearTracking(), budget: .environmentSteps(120))
        let first = tracking.run(p, seed: 6)
        let second = tracking.run(q, seed: 6)
        #expect(first.points == second.points && first.points.count == 3)
        #expect(p.estimator.valueFunction.flatParameters() == q.estimator.valueFunction.flatParameters())
        #expect(p.policy.flatParameters() == q.policy.flatParameters())
    }

    @Test("BGPO, VR-BGPO and GPOMDP each improve the corridor return within 60 trajectories")
    func improvesCorridor() {
        let trainer = Trainer(environment: Corridor(), budget: .trajectories(60))
        let estimator = { GPOMDP(baseline: .timeStepAverage(rate: 0.1)) }
        let algorithms: [any PolicySearchAlgorithm] = [
            BGPO(policy: corridorPolicy(seed: 2), estimator: estimator(), mirrorMap: DiagonalMirrorMap(),
                 configuration: .init(mirrorStepSize: 0.05)),
            VRBGPO(policy: corridorPolicy(seed: 2), estimator: estimator(), mirrorMap: DiagonalMirrorMap(),
                   configuration: .init(mirrorStepSize: 0.05)),
            PolicyGradientAscent(policy: corridorPolicy(seed: 2), estimator: estimator(), optimizer: SGD(learningRate: 0.05),
                                 collector: RolloutCollector(sampleSize: .episodes(1))),
        ]
        for algorithm in algorithms {
            let before = trainer.evaluate(algorithm.policy, episodes: 50, seed: 9)
            let curve = trainer.run(algorithm, seed: 3)
            let after = trainer.evaluate(algorithm.policy, episodes: 50, seed: 9)
            // A random policy needs about 16 steps (often cut at 20); the optimum is 4.
            #expect(before < -12, "\(algorithm.name) starts at \(before)")
            #expect(after > -6, "\(algorithm.name): \(before) → \(after)")
            #expect(curve.finalAverageReturn! > -6.5, "\(algorithm.name): last episodes average \(curve.finalAverageReturn!)")
            #expect(curve.points.last!.trajectories == 60)
        }
    }

    @Test("Gaussian policies learn the linear tracking task with BGPO, VR-BGPO, IS-MBPG and PPO")
    func improvesTracking() {
        let trainer = Trainer(environment: LinearTracking(), budget: .trajectories(100))
        func policy() -> GaussianMLPPolicy {
            var random = RandomGenerator(seed: 3)
            return GaussianMLPPolicy(observationSize: 1, actionSize: 1, hidden: [], using: &random)
        }
        var random = RandomGenerator(seed: 5)
        let critic = ValueFunction(observationSize: 1, configuration: .init(hidden: [16], learningRate: 1e-2), using: &random)
        let algorithms: [any PolicySearchAlgorithm] = [
            BGPO(policy: policy(), estimator: GPOMDP(baseline: .timeStepAverage(rate: 0.1)), mirrorMap: DiagonalMirrorMap(),
                 configuration: .init(mirrorStepSize: 0.05)),
            VRBGPO(policy: policy(), estimator: GPOMDP(baseline: .timeStepAverage(rate: 0.1)), mirrorMap: DiagonalMirrorMap(),
                   configuration: .init(mirrorStepSize: 0.05)),
            VRBGPO.isMBPG(policy: policy(), estimator: GPOMDP(baseline: .timeStepAverage(rate: 0.1))),
            PPO(policy: policy(), estimator: GeneralizedAdvantageEstimator(valueFunction: critic),
                configuration: .init(learningRate: 0.05), collector: RolloutCollector(sampleSize: .steps(100))),
        ]
        for algorithm in algorithms {
            let before = trainer.evaluate(algorithm.policy, episodes: 100, seed: 9)
            _ = trainer.run(algorithm, seed: 4)
            let after = trainer.evaluate(algorithm.policy, episodes: 100, seed: 9)
            #expect(after > before / 2, "\(algorithm.name): \(before) → \(after)")
        }
    }
}
