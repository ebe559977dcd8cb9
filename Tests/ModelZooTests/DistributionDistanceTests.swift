import Foundation
import ModelZoo
import PruningCore
import Testing

/// The Fréchet distance against its closed form for Gaussians, and the kernel inception
/// distance's unbiasedness on two samples of one distribution.
@Suite struct DistributionDistanceTests {
    func diagonal(_ values: [Double]) -> Matrix64 {
        var m = Matrix64.zeros(rows: values.count, columns: values.count)
        for (i, v) in values.enumerated() { m[i, i] = v }
        return m
    }

    /// A random orthogonal matrix (QR of a Gaussian matrix).
    func rotation(_ n: Int, seed: UInt64) throws -> Matrix64 {
        var random = RandomGenerator(seed: seed)
        let a = Matrix64(rows: n, columns: n, scalars: (0..<(n * n)).map { _ in random.nextNormalDouble() })
        return try LinearAlgebra.qr(a).q
    }

    @Test("equals ‖μ₁−μ₂‖² + Σ(σ₁−σ₂)² for diagonal Gaussians, and is invariant under a common rotation")
    func closedForm() throws {
        let first = FeatureStatistics(mean: [1, 2, -1], covariance: diagonal([4, 1, 0.25]))
        let second = FeatureStatistics(mean: [0, 2, 1], covariance: diagonal([1, 9, 0.25]))
        // ‖Δμ‖² = 1 + 0 + 4; Σ(σ₁ − σ₂)² = (2−1)² + (1−3)² + 0 = 5.
        let distance = try FrechetDistance.between(first, second)
        #expect(abs(distance - 10) < 1e-9, "\(distance)")
        #expect(abs(try FrechetDistance.between(first, first)) < 1e-9)

        // Rotating both Gaussians by one orthogonal Q keeps the distance; the covariances are
        // then full and do not commute with the axes.
        let q = try rotation(3, seed: 4)
        func rotated(_ s: FeatureStatistics) -> FeatureStatistics {
            let mean = (0..<3).map { i in (0..<3).reduce(0.0) { $0 + q[i, $1] * s.mean[$1] } }
            return FeatureStatistics(mean: mean, covariance: q.matmul(s.covariance).matmul(q, transposingOther: true))
        }
        #expect(abs(try FrechetDistance.between(rotated(first), rotated(second)) - 10) < 1e-8)
    }

    @Test("non-commuting covariances: matches the trace formula through a general matrix square root")
    func nonCommuting() throws {
        // Σ₁ = diag(1, 4), Σ₂ = [[2, 1], [1, 2]]: tr √(Σ₁^½ Σ₂ Σ₁^½) from the 2×2 formula
        // tr √M = √(tr M + 2 √det M).
        let first = FeatureStatistics(mean: [0, 0], covariance: diagonal([1, 4]))
        let second = FeatureStatistics(mean: [0, 0], covariance: Matrix64(rows: 2, columns: 2, scalars: [2, 1, 1, 2]))
        // M = diag(1, 2) Σ₂ diag(1, 2) = [[2, 2], [2, 8]]: tr 10, det 12.
        let expected = 5.0 + 4.0 - 2 * (10 + 2 * 12.0.squareRoot()).squareRoot()
        #expect(abs(try FrechetDistance.between(first, second) - expected) < 1e-9)
    }

    @Test("sample statistics converge to the Gaussians' distance")
    func fromSamples() throws {
        var random = RandomGenerator(seed: 9)
        let n = 20_000
        let a = Tensor(shape: [n, 2], scalars: (0..<n).flatMap { _ in [Float(2 * random.nextNormal()), Float(random.nextNormal())] })
        let b = Tensor(shape: [n, 2], scalars: (0..<n).flatMap { _ in [Float(1 + random.nextNormal()), Float(3 * random.nextNormal())] })
        // Closed form: Δμ² = 1; (2−1)² + (1−3)² = 5. Sampling error of a few percent at n = 20,000.
        let distance = try FrechetDistance.between(a, b)
        #expect(abs(distance - 6) < 0.25, "\(distance)")
    }

    @Test("KID has mean ≈ 0 for two samples of one distribution and is positive for different ones")
    func kidUnbiased() {
        var random = RandomGenerator(seed: 3)
        func sample(_ n: Int, shift: Float) -> Tensor {
            Tensor(shape: [n, 4], scalars: (0..<(n * 4)).map { _ in random.nextNormal() + shift })
        }
        // 200 pairs of small samples: an unbiased estimate averages to zero within its standard
        // error, while the biased (V-statistic) version would sit clearly above zero.
        var estimates: [Double] = []
        for _ in 0..<200 { estimates.append(KernelInceptionDistance.between(sample(20, shift: 0), sample(20, shift: 0))) }
        let mean = estimates.reduce(0, +) / Double(estimates.count)
        let spread = (estimates.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(estimates.count - 1)).squareRoot()
        let standardError = spread / Double(estimates.count).squareRoot()
        #expect(abs(mean) < 3 * standardError, "mean \(mean), standard error \(standardError)")
        #expect(estimates.contains { $0 < 0 }, "an unbiased estimate of zero takes negative values")
        let different = KernelInceptionDistance.between(sample(200, shift: 0), sample(200, shift: 1), subsetSize: 100, subsetCount: 5)
        #expect(different > 20 * standardError, "\(different)")
    }
}
