import PruningCore
import PruningTestSupport
import Testing

@Suite struct SGDMomentumTests {
    @Test("SGD momentum buffers take the parameter's shape")
    func momentumOnMatrix() {
        let p = Parameter(Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6]))
        let sgd = SGD(learningRate: 0.1, momentum: 0.9)
        var g = Gradients()
        g[p] = Tensor(shape: [2, 3], scalars: [1, 1, 1, 2, 2, 2])
        sgd.update([p], along: g)  // b = g, θ = θ − 0.1 g
        sgd.update([p], along: g)  // b = 1.9 g, θ = θ − 0.19 g
        expectClose(p.value, Tensor(shape: [2, 3], scalars: [0.71, 1.71, 2.71, 3.42, 4.42, 5.42]), relativeTolerance: 1e-6)
    }
}
