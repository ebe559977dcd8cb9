import Foundation
import PruningCore
import PruningTestSupport
import Testing

@Suite struct BroadcastingTests {
    @Test("result shapes follow NumPy's rules", arguments: [
        ([3, 1, 5], [4, 1], [3, 4, 5]), ([5], [2, 3, 5], [2, 3, 5]), ([], [2, 2], [2, 2]),
        ([1], [7], [7]), ([2, 1], [1, 3], [2, 3]),
    ])
    func shapes(arguments: ([Int], [Int], [Int])) {
        let (a, b, expected) = arguments
        #expect((Tensor.zeros(a) + Tensor.zeros(b)).shape == expected)
        #expect((Tensor.zeros(b) * Tensor.zeros(a)).shape == expected)
    }

    @Test("values of a broadcast sum match index arithmetic")
    func values() {
        let a = testTensor([2, 1, 4], seed: 1)
        let b = testTensor([3, 1], seed: 2)
        let c = a - b
        #expect(c.shape == [2, 3, 4])
        for i in 0..<2 { for j in 0..<3 { for k in 0..<4 { #expect(c[i, j, k] == a[i, 0, k] - b[j, 0]) } } }
    }

    @Test("incompatible shapes stop with a message naming both")
    func incompatible() async {
        await #expect(processExitsWith: .failure) {
            _ = Tensor.zeros([2, 3]) + Tensor.zeros([4])
        }
    }

    @Test("summed(toShape:) undoes a broadcast")
    func sumToShape() {
        let g = Tensor.ones([2, 3, 4])
        #expect(g.summed(toShape: [3, 1]).scalars == [8, 8, 8])
        #expect(g.summed(toShape: []).scalar == 24)
    }
}

@Suite struct TensorBasicsTests {
    @Test("copy-on-write keeps values independent")
    func copyOnWrite() {
        let a = Tensor([1, 2, 3])
        var b = a
        b[1] = 20
        #expect(a.scalars == [1, 2, 3])
        #expect(b.scalars == [1, 20, 3])
    }

    @Test("creation helpers")
    func creation() {
        #expect(Tensor.arange(0, 5, step: 2).scalars == [0, 2, 4])
        #expect(Tensor.linspace(0, 1, count: 5).scalars == [0, 0.25, 0.5, 0.75, 1])
        #expect(Tensor.eye(2).scalars == [1, 0, 0, 1])
        #expect(Tensor.full([2], 3).scalars == [3, 3])
        #expect(Tensor.zeros([2, 0]).count == 0)
    }

    @Test("reshape with a wildcard, squeeze, unsqueeze, flatten and chunk")
    func shapes() {
        let x = Tensor.arange(0, 24)
        #expect(x.reshaped(to: [2, -1, 4]).shape == [2, 3, 4])
        #expect(x.reshaped(to: [2, 1, 12]).squeezed().shape == [2, 12])
        #expect(x.unsqueezed(at: 0).shape == [1, 24])
        #expect(x.reshaped(to: [2, 3, 4]).flattened(from: 1).shape == [2, 12])
        #expect(x.chunked(into: 5).map(\.count) == [5, 5, 5, 5, 4])
    }

    @Test("reductions: sum, mean, variance, norms, extremes")
    func reductions() {
        let x = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        #expect(x.sum().scalar == 21)
        #expect(x.sum(alongAxis: 0).scalars == [5, 7, 9])
        #expect(x.mean(alongAxis: 1, keepingDimensions: true).shape == [2, 1])
        expectClose(x.variance(alongAxes: [1]).scalars, [2.0 / 3, 2.0 / 3])
        expectClose(x.variance(alongAxes: [1], unbiased: true).scalars, [1, 1])
        expectClose([x.norm().scalar], [Float(91).squareRoot()])
        expectClose([x.norm(p: 1).scalar], [21])
        #expect(x.max().scalar == 6 && x.min().scalar == 1)
        expectClose(x.logSumExp(alongAxis: 1).scalars,
                    [Float(Foundation.log(Foundation.exp(1.0) + Foundation.exp(2.0) + Foundation.exp(3.0))),
                     Float(Foundation.log(Foundation.exp(4.0) + Foundation.exp(5.0) + Foundation.exp(6.0)))])
    }

    @Test("large sums stay accurate")
    func accurateSum() {
        let x = Tensor.full([10_000_000], 0.1)
        #expect(Swift.abs(x.sum().scalar - 1_000_000) < 1)
    }
}

@Suite struct RandomGeneratorTests {
    @Test("the same seed gives the same numbers")
    func reproducible() {
        var a = RandomGenerator(seed: 99), b = RandomGenerator(seed: 99), c = RandomGenerator(seed: 100)
        let x = (0..<5).map { _ in a.next() }
        #expect(x == (0..<5).map { _ in b.next() })
        #expect(x != (0..<5).map { _ in c.next() })
    }

    @Test("distributions have the right moments")
    func moments() {
        var random = RandomGenerator(seed: 1)
        let normal = Tensor.randomNormal([100_000], mean: 2, standardDeviation: 3, using: &random)
        #expect(Swift.abs(normal.mean().scalar - 2) < 0.05)
        #expect(Swift.abs(normal.variance().scalar.squareRoot() - 3) < 0.05)
        let uniform = Tensor.randomUniform([100_000], lower: -1, upper: 3, using: &random)
        #expect(Swift.abs(uniform.mean().scalar - 1) < 0.02)
        #expect(uniform.min().scalar >= -1 && uniform.max().scalar < 3)
        let bernoulli = Tensor.randomBernoulli([100_000], probability: 0.3, using: &random)
        #expect(Swift.abs(bernoulli.mean().scalar - 0.3) < 0.01)
        let gumbel = Tensor.randomGumbel([100_000], using: &random)
        #expect(Swift.abs(gumbel.mean().scalar - 0.5772) < 0.02)  // Euler–Mascheroni constant
        var counts = [0, 0, 0]
        for _ in 0..<30_000 { counts[random.nextCategorical([1, 2, 3])] += 1 }
        #expect(Swift.abs(Double(counts[2]) / 30_000 - 0.5) < 0.02)
        let permutation = random.permutation(50)
        #expect(permutation.sorted() == Array(0..<50) && permutation != Array(0..<50))
    }
}

@Suite struct ModuleTests {
    @Test("dotted names, state round trip, strict loading errors")
    func naming() throws {
        var random = RandomGenerator(seed: 1)
        let model = Sequential([Linear(inputCount: 2, outputCount: 3, using: &random),
                                Sequential([Linear(inputCount: 3, outputCount: 1, bias: false, using: &random)])])
        #expect(model.namedParameters().map(\.name) == ["0.weight", "0.bias", "1.0.weight"])
        #expect(model.parameterCount == 9 + 3)
        var state = model.stateDictionary()
        state["0.bias"] = Tensor([7, 8, 9])
        try model.load(state)
        #expect(model.stateDictionary()["0.bias"]?.scalars == [7, 8, 9])
        state["extra"] = Tensor([1])
        #expect(throws: ModuleError.unexpectedParameter("extra")) { try model.load(state) }
        state["extra"] = nil
        state["0.weight"] = Tensor.zeros([2, 2])
        #expect(throws: ModuleError.shapeMismatch(name: "0.weight", expected: [3, 2], found: [2, 2])) { try model.load(state) }
        state["0.weight"] = nil
        #expect(throws: ModuleError.missingParameter("0.weight")) { try model.load(state) }
    }

    @Test("train, eval and freeze reach every descendant")
    func modes() {
        var random = RandomGenerator(seed: 1)
        let inner = Linear(inputCount: 2, outputCount: 2, using: &random)
        let model = Sequential([Sequential([inner])])
        model.eval()
        #expect(!inner.isTraining)
        model.train()
        #expect(inner.isTraining)
        model.freeze()
        #expect(model.trainableParameters().isEmpty)
        let (_, gradients) = valueAndGradient(of: model) { model(Tensor.ones([1, 2])).sum() }
        #expect(gradients.count == 0)
    }

    @Test("cross-entropy gradient matches finite differences")
    func crossEntropyGradient() {
        let logits = testTensor([4, 5], lower: -2, upper: 2, seed: 9)
        checkGradients(of: { crossEntropy(logits: $0[0], labels: [0, 3, 4, 1]).reshaped(to: [1]) }, at: [logits])
        checkGradients(of: { binaryCrossEntropy(logits: $0[0], targets: Tensor.full([4, 5], 0.3)).reshaped(to: [1]) }, at: [logits])
        checkGradients(of: { meanSquaredError($0[0], Tensor.ones([4, 5])).reshaped(to: [1]) }, at: [logits])
    }
}
