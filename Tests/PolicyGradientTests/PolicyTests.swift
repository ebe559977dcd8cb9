import Foundation
import PolicyGradient
import PruningCore
import PruningTestSupport
import Testing

/// Central finite differences of `objective` over the policy's flat parameters (double-precision
/// accumulation of a single-precision model; step 1e-2).
func finiteDifferenceGradient(of policy: some Module, step: Float = 1e-2, _ objective: () -> Double) -> [Float] {
    let base = policy.flatParameters()
    var result = [Float](repeating: 0, count: base.count)
    for i in base.indices {
        var plus = base
        var minus = base
        plus[i] += step
        minus[i] -= step
        policy.setFlatParameters(plus)
        let up = objective()
        policy.setFlatParameters(minus)
        let down = objective()
        result[i] = Float((up - down) / Double(2 * step))
    }
    policy.setFlatParameters(base)
    return result
}

@Suite struct PolicyTests {
    @Test("categorical log-probabilities match log softmax and their gradient matches finite differences")
    func categoricalGradient() {
        var random = RandomGenerator(seed: 3)
        let policy = CategoricalMLPPolicy(observationSize: 3, actionCount: 4, hidden: [5], using: &random)
        let observations = testTensor([6, 3], seed: 4)
        let actions = ActionBatch.discrete([0, 3, 1, 2, 2, 0])
        let coefficients = Tensor([0.5, -1, 2, 0.3, -0.7, 1.1])

        let logits = policy.logits(observations: observations)
        let logProbability = policy.logProbability(observations: observations, actions: actions)
        guard case .discrete(let indices) = actions else { return }
        for row in 0..<6 {
            let l = (0..<4).map { Double(logits[row, $0]) }
            let expected = l[indices[row]] - log(l.map(exp).reduce(0, +))
            #expect(abs(Double(logProbability[row]) - expected) < 1e-5)
        }

        let (_, gradients) = valueAndGradient(of: policy) {
            (policy.logProbability(observations: observations, actions: actions) * coefficients).sum()
        }
        let numeric = finiteDifferenceGradient(of: policy) {
            withoutGradients {
                zip(policy.logProbability(observations: observations, actions: actions).scalars, coefficients.scalars)
                    .reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            }
        }
        expectClose(policy.flatten(gradients), numeric, relativeTolerance: 2e-2, absoluteTolerance: 2e-3)
    }

    @Test("Gaussian log-probabilities match the density and their gradient matches finite differences")
    func gaussianGradient() {
        var random = RandomGenerator(seed: 5)
        let policy = GaussianMLPPolicy(observationSize: 2, actionSize: 2, hidden: [4], initialLogStandardDeviation: -0.3,
                                       using: &random)
        policy.logStandardDeviation.value = Tensor([-0.3, 0.2])
        let observations = testTensor([5, 2], seed: 6)
        let actions = ActionBatch.continuous(testTensor([5, 2], lower: -1.5, upper: 1.5, seed: 7))
        let coefficients = Tensor([1, -0.5, 0.8, 2, -1.2])

        let means = policy.means(observations: observations)
        let logProbability = policy.logProbability(observations: observations, actions: actions)
        guard case .continuous(let a) = actions else { return }
        for row in 0..<5 {
            var expected = 0.0
            for j in 0..<2 {
                let sigma = exp(Double(policy.logStandardDeviation.value[j]))
                let z = (Double(a[row, j]) - Double(means[row, j])) / sigma
                expected += -0.5 * z * z - log(sigma) - 0.5 * log(2 * Double.pi)
            }
            #expect(abs(Double(logProbability[row]) - expected) < 1e-5)
        }

        let (_, gradients) = valueAndGradient(of: policy) {
            (policy.logProbability(observations: observations, actions: actions) * coefficients).sum()
        }
        let numeric = finiteDifferenceGradient(of: policy) {
            withoutGradients {
                zip(policy.logProbability(observations: observations, actions: actions).scalars, coefficients.scalars)
                    .reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            }
        }
        expectClose(policy.flatten(gradients), numeric, relativeTolerance: 2e-2, absoluteTolerance: 2e-3)
    }

    @Test("entropies match their closed forms and are differentiable")
    func entropies() {
        var random = RandomGenerator(seed: 8)
        let categorical = CategoricalMLPPolicy(observationSize: 2, actionCount: 3, hidden: [4], using: &random)
        let observations = testTensor([4, 2], seed: 9)
        let probabilities = categorical.probabilities(observations: observations)
        let entropy = categorical.entropy(observations: observations)
        for row in 0..<4 {
            let expected = -(0..<3).reduce(0.0) { total, j in
                let p = Double(probabilities[row, j])
                return total + p * log(p)
            }
            #expect(abs(Double(entropy[row]) - expected) < 1e-5)
        }
        let gaussian = GaussianMLPPolicy(observationSize: 2, actionSize: 3, hidden: [4], using: &random)
        gaussian.logStandardDeviation.value = Tensor([0.1, -0.4, 0.7])
        let expected = Double(0.1 - 0.4 + 0.7) + 1.5 * (1 + log(2 * Double.pi))
        for value in gaussian.entropy(observations: observations).scalars { #expect(abs(Double(value) - expected) < 1e-5) }
        let (_, gradients) = valueAndGradient(of: gaussian) { gaussian.entropy(observations: observations).sum() }
        #expect(gradients[gaussian.logStandardDeviation]?.scalars == [4, 4, 4])
        checkGradients(of: { x in
            let logSoftmax = x[0].logSoftmax(alongAxis: 1)
            return -(logSoftmax.exp() * logSoftmax).sum(alongAxis: 1)
        }, at: [testTensor([3, 4], seed: 10)])
    }

    @Test("categorical sampling frequencies match the probabilities")
    func categoricalFrequencies() {
        var random = RandomGenerator(seed: 11)
        let policy = CategoricalMLPPolicy(observationSize: 1, actionCount: 3, hidden: [], using: &random)
        let output = policy.network.layers[0] as! Linear
        output.weight.value = Tensor.zeros([3, 1])
        output.bias!.value = Tensor([0.2, -1.0, 1.1])
        let probabilities = policy.probabilities(observations: Tensor(shape: [1, 1], scalars: [0.5])).scalars
        let draws = 20_000
        var counts = [0, 0, 0]
        let observations = Tensor(shape: [draws, 1], scalars: [Float](repeating: 0.5, count: draws))
        for action in policy.sample(observations: observations, using: &random) {
            guard case .discrete(let a) = action else { Issue.record("not discrete"); return }
            counts[a] += 1
        }
        for j in 0..<3 {
            let p = Double(probabilities[j])
            let standardError = (p * (1 - p) / Double(draws)).squareRoot()
            #expect(abs(Double(counts[j]) / Double(draws) - p) < 5 * standardError, "action \(j)")
        }
        #expect(policy.mode([0.5]) == .discrete(2))
    }

    @Test("Gaussian samples have the policy's mean and standard deviation; the mode is the mean")
    func gaussianMoments() {
        var random = RandomGenerator(seed: 12)
        let policy = GaussianMLPPolicy(observationSize: 1, actionSize: 2, hidden: [], using: &random)
        let output = policy.mean.layers[0] as! Linear
        output.weight.value = Tensor.zeros([2, 1])
        output.bias!.value = Tensor([0.5, -1.5])
        policy.logStandardDeviation.value = Tensor([log(0.3), log(2.0)])
        let draws = 20_000
        let observations = Tensor.zeros([draws, 1])
        var sums = [0.0, 0.0], squares = [0.0, 0.0]
        for action in policy.sample(observations: observations, using: &random) {
            guard case .continuous(let a) = action else { Issue.record("not continuous"); return }
            for j in 0..<2 {
                sums[j] += a[j]
                squares[j] += a[j] * a[j]
            }
        }
        let expectedMean = [0.5, -1.5], expectedDeviation = [0.3, 2.0]
        for j in 0..<2 {
            let mean = sums[j] / Double(draws)
            let deviation = (squares[j] / Double(draws) - mean * mean).squareRoot()
            #expect(abs(mean - expectedMean[j]) < 5 * expectedDeviation[j] / Double(draws).squareRoot())
            #expect(abs(deviation / expectedDeviation[j] - 1) < 0.03)
        }
        #expect(policy.mode([3]) == .continuous([0.5, -1.5]))
    }

    @Test("the flat parameter view round-trips parameters and gradients")
    func flatView() {
        var random = RandomGenerator(seed: 13)
        let policy = GaussianMLPPolicy(observationSize: 3, actionSize: 2, hidden: [4], using: &random)
        #expect(policy.flatParameterCount == 2 + (4 * 3 + 4) + (2 * 4 + 2))
        let original = policy.flatParameters()
        #expect(Array(original.prefix(2)) == [0, 0])  // logStandardDeviation comes first
        let shifted = original.map { $0 + 1 }
        policy.withFlatParameters(shifted) { #expect(policy.flatParameters() == shifted) }
        #expect(policy.flatParameters() == original)
        policy.setFlatParameters(shifted)
        #expect(policy.flatParameters() == shifted)
        #expect(policy.mean.layers[0] is Linear && (policy.mean.layers[0] as! Linear).weight.value[0, 0] == shifted[2])
        let flat = (0..<policy.flatParameterCount).map { Float($0) }
        #expect(policy.flatten(policy.gradients(fromFlat: flat)) == flat)
    }
}
