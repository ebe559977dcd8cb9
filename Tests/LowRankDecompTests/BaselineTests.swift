import LowRankDecomp
import ModelZoo
import PruningCore
import Testing

@Suite struct BaselineTests {
    let calibration = randomSequences(count: 6, length: 16)
    let evaluation = randomSequences(count: 2, length: 12, seed: 11)

    @Test("plain rank-r factors are the truncated SVD U_r Σ_r V_rᵀ (tolerance 1e-10)")
    func plainFactorsAreTruncatedSVD() throws {
        let w = randomMatrix(7, 5, seed: 1)
        let (b, a, s) = try LowRankApproximation.factors(of: w, correlation: nil, rank: 2)
        #expect(b.shape == [7, 2] && a.shape == [2, 5])
        let error = squaredNorm(w - b.matmul(a))
        #expect(abs(error - s.dropFirst(2).reduce(0) { $0 + $1 * $1 }) < 1e-10)
    }

    @Test("whitened factors are optimal for the activation error and beat the plain SVD on it (1e-9)")
    func whitenedFactorsAreOptimal() throws {
        let w = randomMatrix(6, 8, seed: 2)
        let c = correlation(of: randomMatrix(30, 8, seed: 3).matmul(randomMatrix(8, 8, seed: 4)))
        let root = try LinearAlgebra.symmetricSquareRoot(c)
        func activationError(_ b: Matrix64, _ a: Matrix64) -> Double { squaredNorm((w - b.matmul(a)).matmul(root)) }
        var previous = Double.infinity
        for rank in 1...6 {
            let (b, a, s) = try LowRankApproximation.factors(of: w, correlation: c, rank: rank)
            let error = activationError(b, a)
            let optimum = s.dropFirst(rank).reduce(0) { $0 + $1 * $1 }
            #expect(abs(error - optimum) < 1e-9 * s.reduce(0) { $0 + $1 * $1 })
            let plain = try LowRankApproximation.factors(of: w, correlation: nil, rank: rank)
            #expect(activationError(plain.outputFactor, plain.inputFactor) >= error - 1e-12)
            #expect(error < previous)
            previous = error
        }
    }

    @Test("rank budget: factors never exceed the dense size; nil when they would")
    func rankBudget() {
        #expect(LowRankApproximation.rank(keeping: 0.7, rows: 576, columns: 576) == 201)
        #expect(LowRankApproximation.rank(keeping: 0.7, rows: 1536, columns: 576) == 293)
        #expect(LowRankApproximation.rank(keeping: 1, rows: 8, columns: 8) == nil)
        #expect(LowRankApproximation.rank(keeping: 0.01, rows: 8, columns: 8) == 1)
    }

    @Test("truncated SVD at 0 % keeps dense layers with the same logits (tolerance 1e-5)")
    func svdZeroCompression() throws {
        let model = try tinyModel()
        let (factorized, report) = try TruncatedSVDCompression(compressionRatio: 0, weighting: .plain)
            .compress(model, calibration: calibration)
        #expect(factorized.layers.allSatisfy { layer in [layer.query, layer.down].allSatisfy { $0.rank == nil } })
        let expected = logits(model, evaluation)
        let actual = withoutGradients { factorized.logits(for: evaluation) }
        #expect(maximumDifference(expected, actual) < 1e-5)
        #expect(report.parametersAfter == report.parametersBefore)
        let ids = evaluation.flatMap { $0 }
        let dense = model.perplexity(of: ids, windowLength: 8)
        let lowRank = factorized.perplexity(of: ids, windowLength: 8)
        #expect(abs(dense.perplexity - lowRank.perplexity) < 1e-4 * dense.perplexity)
        #expect(dense.tokenCount == lowRank.tokenCount)
    }

    @Test("truncated SVD at 30 %: budget met, activation-aware closer to the dense model on calibration data")
    func svdCompression() throws {
        let model = try tinyModel()
        let dense = logits(model, calibration)
        var errors: [Float] = []
        for weighting in [TruncatedSVDCompression.Weighting.plain, .activationAware] {
            let (factorized, report) = try TruncatedSVDCompression(compressionRatio: 0.3, weighting: weighting)
                .compress(model, calibration: calibration)
            #expect(abs(report.blockCompressionRatio - 0.3) < 0.03, "\(weighting): \(report.blockCompressionRatio)")
            #expect(report.calibrationTokenCount == (weighting == .plain ? 0 : 96))
            #expect(factorized.layers.allSatisfy { $0.query.rank != nil && $0.down.rank != nil })
            let output = withoutGradients { factorized.logits(for: calibration) }
            #expect(output.scalars.allSatisfy { $0.isFinite })
            errors.append(maximumDifference(dense, output))
        }
        #expect(errors[1] < errors[0], "plain \(errors[0]), activation-aware \(errors[1])")
    }

    @Test("magnitude pruning: 0 % is the identity; 30 % drops the weakest head per group and MLP channels")
    func magnitudePruning() throws {
        let model = try tinyModel()
        let (same, unchanged) = try MagnitudePruning(compressionRatio: 0).compress(model)
        #expect(maximumDifference(logits(model, evaluation), logits(same, evaluation)) == 0)
        #expect(unchanged.blockCompressionRatio == 0)

        // Silence query head 1 (group 0) and head 2 (group 1): they must be the ones removed.
        var weights = model.weights()
        for layer in 0..<2 {
            let name = "model.layers.\(layer).self_attn.q_proj.weight"
            var q = weights[name]!
            q.withUnsafeMutableBufferPointer { p in
                for h in [1, 2] { for i in (h * 8 * 32)..<((h + 1) * 8 * 32) { p[i] *= 1e-3 } }
            }
            weights[name] = q
        }
        let weakened = try LlamaModel(configuration: model.configuration, weights: weights, naming: .huggingFace)
        let (pruned, report) = try MagnitudePruning(compressionRatio: 0.3).compress(weakened)
        #expect(abs(report.blockCompressionRatio - 0.3) < 0.03, "removed \(report.blockCompressionRatio)")
        for layer in 0..<2 {
            #expect(pruned.configuration.dimensions(ofLayer: layer).headCount == 2)
            let kept = pruned.weights()["model.layers.\(layer).self_attn.q_proj.weight"]!
            let original = weakened.weights()["model.layers.\(layer).self_attn.q_proj.weight"]!
            let expected = original.indexSelect(Array(0..<8) + Array(24..<32), alongAxis: 0)
            #expect(maximumDifference(kept, expected) == 0)
        }
        #expect(logits(pruned, evaluation).scalars.allSatisfy { $0.isFinite })
    }

    @Test("several truncated-SVD ratios from one pass equal separate runs; mixed weightings are rejected")
    func svdVariantsMatchSeparateRuns() throws {
        let model = try tinyModel()
        let variants = [0.2, 0.4].map { TruncatedSVDCompression(compressionRatio: $0, weighting: .activationAware) }
        let shared = try TruncatedSVDCompression.compress(model, calibration: calibration, variants: variants)
        for (variant, (factorized, report)) in zip(variants, shared) {
            let (separate, _) = try variant.compress(model, calibration: calibration)
            #expect(report.targetCompressionRatio == variant.compressionRatio)
            #expect(maximumDifference(factorized.logits(for: evaluation), separate.logits(for: evaluation)) == 0)
        }
        #expect(throws: MoDeGPTError.self) {
            try TruncatedSVDCompression.compress(model, calibration: calibration, variants: [
                TruncatedSVDCompression(weighting: .plain), TruncatedSVDCompression(weighting: .activationAware),
            ])
        }
    }
}
