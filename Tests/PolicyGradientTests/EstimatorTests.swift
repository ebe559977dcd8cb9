import PolicyGradient
import PruningCore
import PruningTestSupport
import Testing

/// Two hand-made trajectories with one-dimensional observations: the first (rewards 1, 0, 2) is
/// truncated by a time limit, the second (rewards −1, 3) terminates.
func handBatch() -> RolloutBatch {
    let first = Trajectory(
        observations: [[0.1], [0.2], [0.3]], actions: [.discrete(0), .discrete(1), .discrete(1)], rewards: [1, 0, 2],
        terminated: [false, false, false], truncated: [false, false, true], finalObservation: [0.4])
    let second = Trajectory(
        observations: [[-0.1], [-0.2]], actions: [.discrete(1), .discrete(0)], rewards: [-1, 3],
        terminated: [false, true], truncated: [false, false], finalObservation: [-0.3])
    return RolloutBatch([first, second])
}

func expectClose(_ a: [Float], _ b: [Double], tolerance: Double = 1e-5, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(a.count == b.count, sourceLocation: sourceLocation)
    for (x, y) in zip(a, b) { #expect(abs(Double(x) - y) <= tolerance, "\(a) vs \(b)", sourceLocation: sourceLocation) }
}

@Suite struct EstimatorTests {
    @Test("GAE matches a hand computation with a truncation in the middle")
    func generalizedAdvantages() {
        // Steps 0–2: an episode truncated at step 2 (bootstraps from V(s_3) = 4); steps 3–4: an
        // episode that terminates at step 4 (its next value, 9, must be ignored).
        let advantages = generalizedAdvantageEstimates(
            rewards: [1, 0, 2, -1, 3], values: [0.5, 1, -0.5, 2, 1.5], nextValues: [1, -0.5, 4, 1.5, 9],
            terminated: [false, false, false, false, true], episodeEnds: [false, false, true, false, true],
            discount: 0.9, lambda: 0.8)
        // δ = 1.4, −1.45, 6.1, −1.65, 1.5; γλ = 0.72.
        let a4 = 1.5, a3 = -1.65 + 0.72 * a4
        let a2 = 6.1, a1 = -1.45 + 0.72 * a2, a0 = 1.4 + 0.72 * a1
        for (a, b) in zip(advantages, [a0, a1, a2, a3, a4]) { #expect(abs(a - b) < 1e-12) }
        #expect(abs(a0 - 3.51824) < 1e-12)
    }

    @Test("the GAE estimator bootstraps truncated trajectories only")
    func gaeEstimator() {
        var random = RandomGenerator(seed: 1)
        let critic = ValueFunction(observationSize: 1, configuration: .init(hidden: [], epochs: 0), using: &random)
        let output = critic.network.layers[0] as! Linear
        output.weight.value = Tensor.zeros([1, 1])
        output.bias!.value = Tensor([2])  // V ≡ 2
        let estimator = GeneralizedAdvantageEstimator(valueFunction: critic, discount: 0.9, lambda: 0.8)
        let (advantages, targets) = estimator.advantagesAndTargets(for: handBatch())
        // First trajectory: δ = 0.8, −0.2, 1.8 (bootstrapped); second: δ = −1.2, 1 (terminal).
        let first2 = 1.8, first1 = -0.2 + 0.72 * first2, first0 = 0.8 + 0.72 * first1
        let second1 = 1.0, second0 = -1.2 + 0.72 * second1
        let expected = [first0, first1, first2, second0, second1]
        for (a, b) in zip(advantages, expected) { #expect(abs(a - b) < 1e-6) }
        for (a, b) in zip(targets, expected) { #expect(abs(a - (b + 2)) < 1e-6) }
        let weights = estimator.scoreWeights(for: handBatch(), using: &random)
        expectClose(weights.values, expected)
        #expect(weights.scale == 0.5)
        let perStep = GeneralizedAdvantageEstimator(valueFunction: critic, discount: 0.9, lambda: 0.8, averaging: .perStep)
        #expect(perStep.scoreWeights(for: handBatch(), using: &random).scale == 0.2)
    }

    @Test("the value function fits its targets")
    func valueFit() {
        var random = RandomGenerator(seed: 2)
        let critic = ValueFunction(observationSize: 1, configuration: .init(hidden: [8], learningRate: 0.05, epochs: 300, minibatchSize: 8),
                                   using: &random)
        let xs = (0..<16).map { Float($0) / 8 - 1 }
        let observations = Tensor(shape: [16, 1], scalars: xs)
        let targets = xs.map { 3 * $0 + 1 }
        let loss = critic.fit(observations: observations, targets: targets, using: &random)
        #expect(loss < 1e-2)
        expectClose(critic.values(observations), targets, relativeTolerance: 0, absoluteTolerance: 0.2)
    }

    @Test("REINFORCE weights every step by the trajectory's return minus the baseline")
    func reinforceWeights() {
        var random = RandomGenerator(seed: 3)
        let r1 = 1 + 0.81 * 2.0, r2 = -1 + 0.9 * 3.0
        let plain = REINFORCE(discount: 0.9).scoreWeights(for: handBatch(), using: &random)
        expectClose(plain.values, [r1, r1, r1, r2, r2])
        #expect(plain.scale == 0.5)
        let constant = REINFORCE(discount: 0.9, baseline: .constant(1)).scoreWeights(for: handBatch(), using: &random)
        expectClose(constant.values, [r1 - 1, r1 - 1, r1 - 1, r2 - 1, r2 - 1])
        let moving = REINFORCE(discount: 0.9, baseline: .movingAverage(rate: 0.5))
        expectClose(moving.scoreWeights(for: handBatch(), using: &random).values, [r1, r1, r1, r2, r2])
        let mean = (r1 + r2) / 2
        #expect(abs(moving.averageReturn! - mean) < 1e-12)
        expectClose(moving.scoreWeights(for: handBatch(), using: &random).values, [r1 - mean, r1 - mean, r1 - mean, r2 - mean, r2 - mean])
    }

    @Test("GPOMDP weights each step by the discounted rewards that follow it")
    func gpomdpWeights() {
        var random = RandomGenerator(seed: 4)
        let g1 = [1 + 0.9 * 1.8, 1.8, 2.0], g2 = [-1 + 0.9 * 3.0, 3.0]
        let fromStart = GPOMDP(discount: 0.9).scoreWeights(for: handBatch(), using: &random)
        expectClose(fromStart.values, [g1[0], 0.9 * g1[1], 0.81 * g1[2], g2[0], 0.9 * g2[1]])
        let practical = GPOMDP(discount: 0.9, discountsFromEpisodeStart: false).scoreWeights(for: handBatch(), using: &random)
        expectClose(practical.values, g1 + g2)

        let averaged = GPOMDP(discount: 0.9, baseline: .timeStepAverage(rate: 0.5))
        expectClose(averaged.scoreWeights(for: handBatch(), using: &random).values, [g1[0], 0.9 * g1[1], 0.81 * g1[2], g2[0], 0.9 * g2[1]])
        let b = [(g1[0] + g2[0]) / 2, (g1[1] + g2[1]) / 2, g1[2]]
        for (x, y) in zip(averaged.timeStepBaseline, b) { #expect(abs(x - y) < 1e-12) }
        expectClose(averaged.scoreWeights(for: handBatch(), using: &random).values,
                    [g1[0] - b[0], 0.9 * (g1[1] - b[1]), 0.81 * (g1[2] - b[2]), g2[0] - b[0], 0.9 * (g2[1] - b[1])])
    }

    @Test("GPOMDP with a learned baseline subtracts V(s_h) and then fits V to the returns-to-go")
    func gpomdpValueBaseline() {
        var random = RandomGenerator(seed: 5)
        let critic = ValueFunction(observationSize: 1, configuration: .init(hidden: [], learningRate: 0.05, epochs: 1, minibatchSize: 5),
                                   using: &random)
        let output = critic.network.layers[0] as! Linear
        output.weight.value = Tensor.zeros([1, 1])
        output.bias!.value = Tensor([2])  // V ≡ 2
        let estimator = GPOMDP(discount: 0.9, baseline: .valueFunction(critic))
        let g1 = [1 + 0.9 * 1.8, 1.8, 2.0], g2 = [-1 + 0.9 * 3.0, 3.0]
        let weights = estimator.scoreWeights(for: handBatch(), using: &random)
        expectClose(weights.values, [g1[0] - 2, 0.9 * (g1[1] - 2), 0.81 * (g1[2] - 2), g2[0] - 2, 0.9 * (g2[1] - 2)])
        // One full-batch Adam step on the mean squared error moves the bias toward the mean target.
        let meanTarget = (g1 + g2).reduce(0, +) / 5
        #expect(meanTarget > 2)
        #expect(output.bias!.value[0] > 2 && abs(output.bias!.value[0] - 2.05) < 1e-4)
    }

    @Test("negative weights are clamped to zero on request")
    func clamping() {
        let weights = ScoreWeights(values: [1, -2, 0, 3, -0.5], scale: 0.25).clampingNegatives()
        #expect(weights.values == [1, 0, 0, 3, 0] && weights.scale == 0.25)
    }
}
