import Foundation
import PruningCore
import PruningTestSupport
import Testing

@Suite struct OptimizerTests {
    private func gradients(_ parameter: Parameter, _ values: [Float]) -> Gradients {
        var g = Gradients()
        g[parameter] = Tensor(values)
        return g
    }

    @Test("plain SGD with weight decay")
    func sgd() {
        let p = Parameter(Tensor([1, -2]))
        let sgd = SGD(learningRate: 0.1, weightDecay: 0.5)
        sgd.update([p], along: gradients(p, [0.2, 0.4]))
        // g' = g + 0.5 θ = [0.7, -0.6]; θ - 0.1 g' = [0.93, -1.94]
        expectClose(p.value.scalars, [0.93, -1.94])
    }

    @Test("SGD momentum and Nesterov over two steps")
    func momentum() {
        let p = Parameter(Tensor([1]))
        let sgd = SGD(learningRate: 0.1, momentum: 0.9)
        sgd.update([p], along: gradients(p, [1]))  // b = 1, θ = 0.9
        sgd.update([p], along: gradients(p, [1]))  // b = 1.9, θ = 0.71
        expectClose(p.value.scalars, [0.71])
        let q = Parameter(Tensor([1]))
        let nesterov = SGD(learningRate: 0.1, momentum: 0.9, nesterov: true)
        nesterov.update([q], along: gradients(q, [1]))  // b = 1, d = 1.9, θ = 0.81
        nesterov.update([q], along: gradients(q, [1]))  // b = 1.9, d = 2.71, θ = 0.539
        expectClose(q.value.scalars, [0.539])
    }

    @Test("momentum buffers have the parameter's shape")
    func momentumShape() {
        let p = Parameter(Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6]))
        let sgd = SGD(learningRate: 0.1, momentum: 0.5)
        var g = Gradients()
        g[p] = Tensor.ones([2, 3])
        sgd.update([p], along: g)  // b = 1, θ − 0.1
        sgd.update([p], along: g)  // b = 1.5, θ − 0.15
        expectClose(p.value.scalars, [0.75, 1.75, 2.75, 3.75, 4.75, 5.75])
        #expect(p.shape == [2, 3])
    }

    @Test("Adam first two steps match the closed form")
    func adam() {
        let p = Parameter(Tensor([1]))
        let adam = Adam(learningRate: 0.1)
        adam.update([p], along: gradients(p, [2]))
        // m̂ = 2, v̂ = 4: step = 0.1 · 2 / (2 + 1e-8)
        expectClose(p.value.scalars, [0.9], relativeTolerance: 1e-6)
        adam.update([p], along: gradients(p, [-1]))
        let m = 0.9 * 0.2 + 0.1 * -1.0, v = 0.999 * 0.004 + 0.001 * 1.0
        let mHat = m / (1 - 0.81), vHat = v / (1 - 0.999 * 0.999)
        expectClose(p.value.scalars, [Float(0.9 - 0.1 * mHat / (vHat.squareRoot() + 1e-8))], relativeTolerance: 1e-5)
    }

    @Test("AdamW decays weights independently of the gradient")
    func adamW() {
        let p = Parameter(Tensor([2]))
        let adam = Adam.adamW(learningRate: 0.1, weightDecay: 0.5)
        adam.update([p], along: gradients(p, [0]))
        // θ(1 − 0.05) − 0.1 · 0 / (0 + ε) = 1.9
        expectClose(p.value.scalars, [1.9])
    }

    @Test("frozen parameters and buffers are not updated")
    func frozen() {
        let p = Parameter(Tensor([1]))
        p.isFrozen = true
        let b = Parameter(Tensor([1]), isBuffer: true)
        var g = Gradients()
        g[p] = Tensor([1]); g[b] = Tensor([1])
        SGD(learningRate: 1).update([p, b], along: g)
        #expect(p.value.scalars == [1] && b.value.scalars == [1])
    }

    @Test("global-norm clipping")
    func clipping() {
        let p = Parameter(Tensor([0, 0])), q = Parameter(Tensor([0]))
        var g = Gradients()
        g[p] = Tensor([3, 0]); g[q] = Tensor([4])
        let norm = g.clipGlobalNorm(to: 1)
        #expect(norm == 5)
        expectClose(g[p]!.scalars, [0.6, 0]); expectClose(g[q]!.scalars, [0.8])
    }

    @Test("schedules")
    func schedules() {
        let step = StepSchedule(initialRate: 1, interval: 10, factor: 0.5)
        #expect(step.learningRate(at: 9) == 1 && step.learningRate(at: 10) == 0.5 && step.learningRate(at: 25) == 0.25)
        let multi = StepSchedule(initialRate: 1, milestones: [3, 5], factor: 0.1)
        expectClose([multi.learningRate(at: 2), multi.learningRate(at: 3), multi.learningRate(at: 6)], [1, 0.1, 0.01])
        let cosine = CosineSchedule(initialRate: 1, totalSteps: 110, minimumRate: 0, warmupSteps: 10)
        expectClose([cosine.learningRate(at: 0), cosine.learningRate(at: 9), cosine.learningRate(at: 60), cosine.learningRate(at: 110)],
                    [0.1, 1, 0.5, 0], absoluteTolerance: 1e-6)
        #expect(WarmupSchedule(rate: 2, warmupSteps: 4).learningRate(at: 1) == 1)
    }

    @Test("training a linear model with valueAndGradient reduces the loss")
    func training() {
        var random = RandomGenerator(seed: 3)
        let model = Sequential([Linear(inputCount: 4, outputCount: 8, using: &random), Activation(.relu),
                                Linear(inputCount: 8, outputCount: 3, using: &random)])
        let x = Tensor.randomNormal([32, 4], using: &random)
        let labels = (0..<32).map { i in x[i, 0] > 0 ? (x[i, 1] > 0 ? 0 : 1) : 2 }
        let adam = Adam(learningRate: 0.05)
        var first: Float = 0, last: Float = 0
        for step in 0..<100 {
            let (loss, g) = valueAndGradient(of: model) { crossEntropy(logits: model(x), labels: labels) }
            #expect(g.count == 4)
            adam.update(model, along: g)
            if step == 0 { first = loss.scalar }
            last = loss.scalar
        }
        #expect(last < first * 0.5)
        #expect(!model.namedParameters().contains { $0.parameter.value.requiresGradient })
        #expect(model.namedParameters().map(\.name) == ["0.weight", "0.bias", "2.weight", "2.bias"])
    }
}
