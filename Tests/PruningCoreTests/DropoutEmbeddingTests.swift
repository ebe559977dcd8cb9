import PruningCore
import PruningTestSupport
import Testing

@Suite struct DropoutTests {
    @Test("identity in evaluation mode and for probability zero")
    func identity() {
        let x = testTensor([4, 8], seed: 1)
        let dropout = Dropout(probability: 0.5, seed: 1)
        dropout.eval()
        #expect(dropout(x).scalars == x.scalars)
        let none = Dropout(probability: 0, seed: 1)
        #expect(none(x).scalars == x.scalars)
        #expect(Dropout(probability: 1, seed: 1)(x).scalars.allSatisfy { $0 == 0 })
    }

    @Test("training zeroes about p of the elements and scales the survivors by 1/(1 − p)")
    func training() {
        let p = 0.3
        let x = testTensor([100, 100], lower: 0.5, upper: 1.5, seed: 2)
        let y = Dropout(probability: p, seed: 3)(x)
        var dropped = 0
        for (input, output) in zip(x.scalars, y.scalars) {
            if output == 0 {
                dropped += 1
            } else {
                #expect(Swift.abs(output - input / 0.7) <= 1e-6 * Swift.abs(output))
            }
        }
        // 10 000 Bernoulli(0.3) draws: the standard deviation of the fraction is 0.0046.
        #expect(Swift.abs(Double(dropped) / 10_000 - p) < 0.02)
    }

    @Test("masks are reproducible per seed and differ between calls")
    func reproducible() {
        let x = testTensor([16, 16], seed: 4)
        let a = Dropout(probability: 0.5, seed: 7)
        let b = Dropout(probability: 0.5, seed: 7)
        let first = a(x).scalars
        #expect(first == b(x).scalars)
        #expect(first != a(x).scalars)
        #expect(first != Dropout(probability: 0.5, seed: 8)(x).scalars)
    }

    @Test("the gradient is the mask")
    func gradient() {
        let x = testTensor([5, 6], lower: 0.5, upper: 1.5, seed: 5)
        let leaf = x.requiringGradient()
        let y = Dropout(probability: 0.4, seed: 9)(leaf)
        let g = y.sum().gradients(withRespectTo: [leaf])[0]
        let expected = zip(y.scalars, x.scalars).map { output, input in output == 0 ? Float(0) : output / input }
        expectClose(g, Tensor(shape: x.shape, scalars: expected), relativeTolerance: 1e-6, absoluteTolerance: 0)
    }
}

@Suite struct EmbeddingTests {
    @Test("lookup arranges rows of the table in the requested shape")
    func lookup() {
        var random = RandomGenerator(seed: 1)
        let embedding = Embedding(count: 5, dimension: 3, using: &random)
        #expect(embedding.namedParameters().map(\.name) == ["weight"])
        #expect(embedding.weight.shape == [5, 3])
        let ids = [4, 0, 2, 2, 1, 4]
        let y = embedding(ids, shape: [2, 3])
        #expect(y.shape == [2, 3, 3])
        let table = embedding.weight.value
        for (position, id) in ids.enumerated() {
            for j in 0..<3 { #expect(y[position / 3, position % 3, j] == table[id, j]) }
        }
        #expect(embedding(ids).shape == [6, 3])
        let fromTensor = embedding(Tensor(shape: [3, 2], scalars: ids.map(Float.init)))
        #expect(fromTensor.shape == [3, 2, 3])
        #expect(fromTensor.scalars == y.scalars)
    }

    @Test("initialization is standard normal")
    func initialization() {
        var random = RandomGenerator(seed: 2)
        let values = Embedding(count: 500, dimension: 20, using: &random).weight.value.scalars
        let mean = values.reduce(0, +) / Float(values.count)
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Float(values.count)
        // 10 000 samples: the standard error of the mean is 0.01, of the variance about 0.014.
        #expect(Swift.abs(mean) < 0.05)
        #expect(Swift.abs(variance - 1) < 0.07)
    }

    @Test("the weight gradient accumulates over repeated ids")
    func gradient() {
        let embedding = Embedding(weight: testTensor([4, 3], seed: 3))
        let ids = [1, 3, 1, 1, 0]
        let projection = testTensor([5, 3], seed: 4)
        let (_, gradients) = valueAndGradient(of: embedding) { (embedding(ids) * projection).sum() }
        var expected = [Float](repeating: 0, count: 12)
        for (position, id) in ids.enumerated() {
            for j in 0..<3 { expected[id * 3 + j] += projection[position, j] }
        }
        expectClose(gradients[embedding.weight]!, Tensor(shape: [4, 3], scalars: expected))
        #expect(gradients[embedding.weight]!.scalars[6..<9].allSatisfy { $0 == 0 })
    }
}
