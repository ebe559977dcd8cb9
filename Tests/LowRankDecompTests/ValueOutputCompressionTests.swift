import LowRankDecomp
import PruningCore
import Testing

@Suite struct ValueOutputCompressionTests {
    /// A correlated input distribution: `C = E[x xᵀ]` of samples mixed by a random matrix.
    func inputCorrelation(_ d: Int, seed: UInt64) -> Matrix64 {
        correlation(of: randomMatrix(3 * d, d, seed: seed).matmul(randomMatrix(d, d, seed: seed + 1)))
    }

    /// `Σ_h ‖(O_h V − Ô_h V̂) C^{1/2}‖²`, with the ridge folded into `C`.
    func whitenedError(
        value: Matrix64, outputs: [Matrix64], result: ValueOutputCompression.Result, correlation c: Matrix64
    ) throws -> Double {
        let root = try LinearAlgebra.symmetricSquareRoot(c)
        return zip(outputs, result.outputs).reduce(0.0) { total, pair in
            total + squaredNorm((pair.0.matmul(value) - pair.1.matmul(result.value)).matmul(root))
        }
    }

    @Test("rank dv reproduces every head's O_h V (tolerance 1e-9 relative)")
    func fullRankIsExact() throws {
        let (d, dv) = (10, 4)
        let value = randomMatrix(dv, d, seed: 1)
        let outputs = [randomMatrix(d, dv, seed: 2), randomMatrix(d, dv, seed: 3)]
        let result = try ValueOutputCompression.compress(
            value: value, outputs: outputs, correlation: inputCorrelation(d, seed: 4), rank: dv, ridge: 1e-4)
        for (output, compressed) in zip(outputs, result.outputs) {
            let product = output.matmul(value)
            #expect(maximumDifference(product, compressed.matmul(result.value)) < 1e-9 * product.frobeniusNorm)
        }
    }

    @Test("the whitened error equals the discarded singular values of [O_h] V C^{1/2} (Eckart–Young, 1e-8)")
    func truncationIsOptimal() throws {
        let (d, dv) = (12, 5)
        let value = randomMatrix(dv, d, seed: 5)
        let outputs = [randomMatrix(d, dv, seed: 6), randomMatrix(d, dv, seed: 7), randomMatrix(d, dv, seed: 8)]
        let ridge = 1e-3
        var c = inputCorrelation(d, seed: 9)
        let result = try ValueOutputCompression.compress(value: value, outputs: outputs, correlation: c, rank: 2, ridge: ridge)
        for i in 0..<d { c[i, i] += ridge }
        // The reference SVD of the explicit whitened product.
        let root = try LinearAlgebra.symmetricSquareRoot(c)
        var stacked = Matrix64.zeros(rows: 3 * d, columns: d)
        for (h, output) in outputs.enumerated() {
            let block = output.matmul(value).matmul(root)
            for r in 0..<d { for col in 0..<d { stacked[h * d + r, col] = block[r, col] } }
        }
        let singular = try LinearAlgebra.svd(stacked).s
        let optimum = singular.dropFirst(2).reduce(0) { $0 + $1 * $1 }
        let error = try whitenedError(value: value, outputs: outputs, result: result, correlation: c)
        #expect(abs(error - optimum) < 1e-8 * singular.reduce(0) { $0 + $1 * $1 })
        for (a, b) in zip(result.singularValues, singular.prefix(dv)) { #expect(abs(a - b) < 1e-8 * singular[0]) }

        // Any other rank-2 value basis does worse: the unwhitened SVD, for instance.
        let plain = try ValueOutputCompression.compress(
            value: value, outputs: outputs, correlation: Matrix64.identity(d), rank: 2, ridge: 0)
        #expect(try whitenedError(value: value, outputs: outputs, result: plain, correlation: c) >= error)
    }

    @Test("the whitened error shrinks as the rank grows and vanishes at dv")
    func errorShrinksWithRank() throws {
        let (d, dv) = (9, 6)
        let value = randomMatrix(dv, d, seed: 10)
        let outputs = [randomMatrix(d, dv, seed: 11)]
        let c = inputCorrelation(d, seed: 12)
        var errors: [Double] = []
        for rank in 1...dv {
            let result = try ValueOutputCompression.compress(value: value, outputs: outputs, correlation: c, rank: rank, ridge: 0)
            errors.append(try whitenedError(value: value, outputs: outputs, result: result, correlation: c))
        }
        for k in 1..<dv { #expect(errors[k] < errors[k - 1]) }
        #expect(errors.last! < 1e-18 * squaredNorm(outputs[0].matmul(value)) + 1e-20)
    }

    @Test("a singular input correlation is handled: inputs outside its range cost nothing (1e-9)")
    func singularCorrelation() throws {
        let (d, dv) = (8, 3)
        // Inputs live in a 4-dimensional subspace.
        let samples = randomMatrix(20, 4, seed: 13).matmul(randomMatrix(4, d, seed: 14))
        let c = correlation(of: samples)
        let value = randomMatrix(dv, d, seed: 15)
        let outputs = [randomMatrix(d, dv, seed: 16)]
        let result = try ValueOutputCompression.compress(value: value, outputs: outputs, correlation: c, rank: dv, ridge: 0)
        let original = samples.matmul(outputs[0].matmul(value), transposingOther: true)
        let compressed = samples.matmul(result.outputs[0].matmul(result.value), transposingOther: true)
        #expect(maximumDifference(original, compressed) < 1e-9 * original.frobeniusNorm)
    }
}
