import LowRankDecomp
import ModelZoo
import PruningCore

/// A tiny GQA LLaMA: width 32, 2 layers, 4 query / 2 key–value heads of 8, MLP 48.
func tinyConfiguration(pairing: LlamaConfiguration.RopePairing = .halves, layers: Int = 2) -> LlamaConfiguration {
    LlamaConfiguration(
        vocabularySize: 64, hiddenSize: 32, layerCount: layers, headCount: 4, keyValueHeadCount: 2, headDimension: 8,
        intermediateSize: 48, rmsNormEpsilon: 1e-5, ropeTheta: 10_000, ropePairing: pairing, tiedEmbeddings: true,
        maxPositions: 64, bosTokenID: 1, eosTokenID: 2)
}

/// A tiny model with matrices drawn from N(0, 0.3²) and norm weights in [0.5, 1.5), so that
/// every weight matters.
func tinyModel(_ configuration: LlamaConfiguration = tinyConfiguration(), seed: UInt64 = 7) throws -> LlamaModel {
    var random = RandomGenerator(seed: seed)
    var weights: [String: Tensor] = [:]
    for (name, shape) in configuration.parameterShapes() {
        weights[name] = shape.count == 1
            ? Tensor.randomUniform(shape, lower: 0.5, upper: 1.5, using: &random)
            : Tensor.randomNormal(shape, standardDeviation: 0.3, using: &random)
    }
    return try LlamaModel(configuration: configuration, weights: weights, naming: .huggingFace)
}

/// `count` random token rows of `length` ids below `vocabulary`.
func randomSequences(count: Int, length: Int, vocabulary: Int = 64, seed: UInt64 = 3) -> [[Int]] {
    var random = RandomGenerator(seed: seed)
    return (0..<count).map { _ in (0..<length).map { _ in random.nextInt(below: vocabulary) } }
}

/// Logits without recording gradients.
func logits(_ model: LlamaModel, _ tokens: [[Int]]) -> Tensor {
    withoutGradients { model.logits(for: tokens) }
}

/// The largest absolute difference of two tensors of equal shape.
func maximumDifference(_ a: Tensor, _ b: Tensor) -> Float {
    precondition(a.shape == b.shape, "shapes \(a.shape) and \(b.shape) differ")
    return zip(a.scalars, b.scalars).reduce(0) { max($0, abs($1.0 - $1.1)) }
}

/// A `rows × columns` matrix of standard normal entries.
func randomMatrix(_ rows: Int, _ columns: Int, seed: UInt64) -> Matrix64 {
    var random = RandomGenerator(seed: seed)
    return Matrix64(rows: rows, columns: columns, scalars: (0..<(rows * columns)).map { _ in random.nextNormalDouble() })
}

/// The mean correlation `XᵀX / n` of the rows of `samples` `[n, features]`.
func correlation(of samples: Matrix64) -> Matrix64 {
    samples.matmul(samples, transposingSelf: true) * (1 / Double(samples.rows))
}

/// The largest absolute difference of two matrices of equal shape.
func maximumDifference(_ a: Matrix64, _ b: Matrix64) -> Double {
    precondition(a.shape == b.shape, "shapes \(a.shape) and \(b.shape) differ")
    return zip(a.scalars, b.scalars).reduce(0) { max($0, abs($1.0 - $1.1)) }
}

/// The squared Frobenius norm.
func squaredNorm(_ a: Matrix64) -> Double { a.scalars.reduce(0) { $0 + $1 * $1 } }
