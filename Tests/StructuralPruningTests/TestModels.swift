import ModelZoo
import PruningCore

/// A tiny GQA LLaMA: width 24, 2 layers, 4 query / 2 key–value heads of 6, MLP 40 (so that the
/// residual and MLP widths differ).
func tinyConfiguration(layers: Int = 2) -> LlamaConfiguration {
    LlamaConfiguration(
        vocabularySize: 50, hiddenSize: 24, layerCount: layers, headCount: 4, keyValueHeadCount: 2, headDimension: 6,
        intermediateSize: 40, rmsNormEpsilon: 1e-5, ropeTheta: 10_000, ropePairing: .halves, tiedEmbeddings: true,
        maxPositions: 64, bosTokenID: 1, eosTokenID: 2)
}

/// A tiny model with matrices from N(0, 0.3²) and norm weights in [0.5, 1.5).
func tinyModel(_ configuration: LlamaConfiguration = tinyConfiguration(), seed: UInt64 = 7) throws -> LlamaModel {
    var random = RandomGenerator(seed: seed)
    var weights: [String: Tensor] = [:]
    for (name, shape) in configuration.parameterShapes() {
        weights[name] = shape.count == 1
            ? Tensor.randomUniform(shape, lower: 0.5, upper: 1.5, using: &random)
            : Tensor.randomNormal(shape, standardDeviation: 0.3, using: &random)
    }
    let model = try LlamaModel(configuration: configuration, weights: weights, naming: .huggingFace)
    model.eval()
    return model
}

/// `count` random token rows of `length` ids below `vocabulary`.
func randomSequences(count: Int, length: Int, vocabulary: Int = 50, seed: UInt64 = 3) -> [[Int]] {
    var random = RandomGenerator(seed: seed)
    return (0..<count).map { _ in (0..<length).map { _ in random.nextInt(below: vocabulary) } }
}

/// Random hard masks keeping about `keep` of each gate (at least one entry each).
func randomHardMasks(_ gates: GateSetLike, keep: Double, seed: UInt64) -> [Tensor] {
    var random = RandomGenerator(seed: seed)
    return gates.widths.map { width in
        var values = (0..<width).map { _ in random.nextBernoulli(keep) ? Float(1) : 0 }
        if !values.contains(1) { values[random.nextInt(below: width)] = 1 }
        return Tensor(values)
    }
}

/// The widths of a gate set (kept separate so the helper reads clearly at call sites).
struct GateSetLike { var widths: [Int] }

/// The largest absolute difference of two tensors of equal shape.
func maximumDifference(_ a: Tensor, _ b: Tensor) -> Float {
    precondition(a.shape == b.shape, "shapes \(a.shape) and \(b.shape) differ")
    return zip(a.scalars, b.scalars).reduce(0) { max($0, abs($1.0 - $1.1)) }
}
