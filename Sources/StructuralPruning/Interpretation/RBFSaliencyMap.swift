import Foundation
import PruningCore

/// Saliency masks parameterized as one radial basis function per image: a centre and a width,
/// three numbers, as in interpretation-steered pruning (Ganjdanesh, Gao and Huang, ECCV 2022).
///
/// A mask is `m(i, j) = exp(−((i − r)² + (j − c)²) / (2σ²))` on the pixel grid (row `i`,
/// column `j`, from 0), divided by its largest grid value so that its peak is exactly 1; the
/// maximum is treated as a constant when differentiating, as in the official code. Unlike that
/// code the density's prefactor `1/(2πσ²)` is left out: with the detached maximum it would add
/// `−(2/σ)·m` to the mask's derivative in σ, a pull that has nothing to do with the mask's shape.
///
/// A selector's raw outputs `(p_r, p_c, p_σ)` become a geometry by
/// `r = r₀ + R·tanh(p_r / R)`, `c = c₀ + R·tanh(p_c / R)`, `σ = softplus(p_σ) + 10⁻⁸`, with the
/// image centre `(r₀, c₀) = (H/2, W/2)` and the centre range `R` (the official code's 14 for
/// 32 × 32, here scaled to 12 for 28 × 28).
public struct RBFSaliencyMap: Sendable, Equatable {
    /// The mask's height and width in pixels.
    public let height: Int, width: Int
    /// How far (in pixels) a centre may lie from the image centre.
    public let centreRange: Float
    /// The widths σ of the random masks the predictor trains on (stage 1).
    public let randomWidths: ClosedRange<Float>

    /// Masks of `height × width` pixels.
    ///
    /// - Throws: ``StructuralPruningError/invalidSetting(field:value:expected:)`` naming a
    ///   non-positive size, range or width.
    public init(height: Int, width: Int, centreRange: Float, randomWidths: ClosedRange<Float>) throws(StructuralPruningError) {
        for (field, value) in [("height", Double(height)), ("width", Double(width)), ("centreRange", Double(centreRange)),
                               ("randomWidths.lowerBound", Double(randomWidths.lowerBound))] where !(value > 0) || !value.isFinite {
            throw .invalidSetting(field: field, value: value, expected: "a positive finite value")
        }
        guard randomWidths.upperBound.isFinite else {
            throw .invalidSetting(field: "randomWidths.upperBound", value: Double(randomWidths.upperBound), expected: "a finite value")
        }
        self.height = height
        self.width = width
        self.centreRange = centreRange
        self.randomWidths = randomWidths
    }

    /// The settings for 28 × 28 images: centres within ±12 pixels of the centre, random widths
    /// 4…9 (the official 32 × 32 settings, ±14 and 5…11, scaled by 28/32).
    public static let fashionMNIST = try! RBFSaliencyMap(height: 28, width: 28, centreRange: 12, randomWidths: 4...9)

    /// The image centre `(r₀, c₀)`.
    public var centre: (row: Float, column: Float) { (Float(height) / 2, Float(width) / 2) }

    /// The geometry `(row, column, σ)` — each `[batch]` — of raw selector outputs `[batch, 3]`.
    public func geometry(_ raw: Tensor) -> (row: Tensor, column: Tensor, sigma: Tensor) {
        precondition(raw.rank == 2 && raw.shape[1] == 3, "RBFSaliencyMap: raw parameters \(raw.shape) should be [batch, 3]")
        let range = centreRange
        let row = (raw.sliced(alongAxis: 1, from: 0, count: 1).reshaped(to: [-1]) / range).tanh() * range + centre.row
        let column = (raw.sliced(alongAxis: 1, from: 1, count: 1).reshaped(to: [-1]) / range).tanh() * range + centre.column
        let sigma = raw.sliced(alongAxis: 1, from: 2, count: 1).reshaped(to: [-1]).softplus() + 1e-8
        return (row, column, sigma)
    }

    /// Masks `[batch, 1, height, width]` for raw selector outputs `[batch, 3]` (differentiable).
    public func masks(raw: Tensor) -> Tensor {
        let (row, column, sigma) = geometry(raw)
        return masks(row: row, column: column, sigma: sigma)
    }

    /// Masks `[batch, 1, height, width]` for centres and widths in pixels (each `[batch]`),
    /// every mask's peak on the grid equal to 1 (differentiable in all three).
    public func masks(row: Tensor, column: Tensor, sigma: Tensor) -> Tensor {
        let batch = row.count
        precondition(column.count == batch && sigma.count == batch, "RBFSaliencyMap: \(row.count) rows, \(column.count) columns, \(sigma.count) widths")
        let rows = Tensor(shape: [1, height, 1], scalars: (0..<height).map(Float.init))
        let columns = Tensor(shape: [1, 1, width], scalars: (0..<width).map(Float.init))
        let dr = (rows - row.reshaped(to: [batch, 1, 1])).squared()
        let dc = (columns - column.reshaped(to: [batch, 1, 1])).squared()
        let variance = sigma.reshaped(to: [batch, 1, 1]).squared() * 2
        let unscaled = ((dr + dc) / variance * -1).exp()
        let plane = height * width
        let values = unscaled.scalars
        let peaks = (0..<batch).map { b in max(values[b * plane..<(b + 1) * plane].max() ?? 1, 1e-30) }
        return (unscaled / Tensor(shape: [batch, 1, 1], scalars: peaks)).reshaped(to: [batch, 1, height, width])
    }

    /// Random masks for the predictor (stage 1): centres uniform within ±``centreRange`` of the
    /// centre, widths uniform in ``randomWidths``.
    public func randomMasks(count: Int, using generator: inout RandomGenerator) -> Tensor {
        var rows: [Float] = [], columns: [Float] = [], sigmas: [Float] = []
        for _ in 0..<count {
            rows.append(centre.row + centreRange * Float(generator.nextUniformDouble() * 2 - 1))
            columns.append(centre.column + centreRange * Float(generator.nextUniformDouble() * 2 - 1))
            sigmas.append(randomWidths.lowerBound + (randomWidths.upperBound - randomWidths.lowerBound) * Float(generator.nextUniformDouble()))
        }
        return withoutGradients {
            masks(row: Tensor(shape: [count], scalars: rows), column: Tensor(shape: [count], scalars: columns),
                  sigma: Tensor(shape: [count], scalars: sigmas))
        }
    }
}
