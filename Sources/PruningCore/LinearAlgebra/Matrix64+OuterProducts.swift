extension Matrix64 {
    /// The number of `Double`s in one converted block of rows (1 MiB), unless a single block
    /// of ``minimumBlockRows`` rows is larger.
    private static let blockScalarBudget = 1 << 17
    /// The fewest rows per block, so that each `dsyrk` call has enough work.
    private static let minimumBlockRows = 64

    /// Adds the outer products of the rows of `x` in double precision:
    /// `self += scale · xᵀ · x = scale · Σᵢ xᵢ · xᵢᵀ`.
    ///
    /// This is how correlation (Gram) matrices of activations are accumulated over a
    /// calibration set: `x` holds one feature vector per row, and its leading dimensions are
    /// flattened, so `[batch, tokens, features]` adds `batch · tokens` outer products. The
    /// `Float` rows are widened to `Double` block by block (about 1 MiB at a time) and each block
    /// goes through one `cblas_dsyrk`, so the whole update costs half a GEMM and never
    /// materializes `x` in double precision. The sum is formed separately and added to `self`
    /// at the end, symmetrically, so `self` need not be symmetric beforehand.
    ///
    /// - Parameters:
    ///   - x: Row vectors `[..., features]` (rank ≥ 1; a rank-1 `x` is one row).
    ///   - scale: A factor applied to the sum, for example `1 / count` for a running mean.
    /// - Precondition: `self` is `features × features`.
    public mutating func addOuterProducts(of x: Tensor, scale: Double = 1) {
        addOuterProducts(of: x, scale: scale, rowsPerBlock: nil)
    }

    /// ``addOuterProducts(of:scale:)`` with an explicit number of rows widened per `dsyrk` call
    /// (`nil`: about 1 MiB of `Double`s, at least ``minimumBlockRows`` rows).
    mutating func addOuterProducts(of x: Tensor, scale: Double, rowsPerBlock: Int?) {
        precondition(x.rank >= 1, "addOuterProducts(of:) needs a tensor of rank ≥ 1, shape is \(x.shape)")
        let features = x.shape[x.rank - 1]
        precondition(
            rows == features && columns == features,
            "addOuterProducts(of:): a \(rows)×\(columns) matrix cannot accumulate rows of \(features) "
                + "features (x has shape \(x.shape))")
        if features == 0 { return }
        let sampleCount = x.count / features
        if sampleCount == 0 { return }

        let defaultRows = Swift.max(Self.minimumBlockRows, Self.blockScalarBudget / features)
        let blockRows = Swift.min(sampleCount, Swift.max(1, rowsPerBlock ?? defaultRows))
        var block = [Double](repeating: 0, count: blockRows * features)
        var upper = [Double](repeating: 0, count: features * features)
        x.withUnsafeBufferPointer { source in
            block.withUnsafeMutableBufferPointer { widened in
                upper.withUnsafeMutableBufferPointer { sum in
                    var start = 0
                    while start < sampleCount {
                        let count = Swift.min(blockRows, sampleCount - start)
                        let first = source.baseAddress! + start * features
                        for i in 0..<(count * features) { widened[i] = Double(first[i]) }
                        Double.syrkUpper(
                            transpose: true, n: features, k: count, alpha: scale,
                            a: widened.baseAddress!, lda: features,
                            beta: start == 0 ? 0 : 1, c: sum.baseAddress!, ldc: features)
                        start += count
                    }
                }
            }
        }
        // self += sum, reading the upper triangle for both halves.
        upper.withUnsafeBufferPointer { sum in
            scalars.withUnsafeMutableBufferPointer { target in
                for i in 0..<features {
                    target[i * features + i] += sum[i * features + i]
                    for j in (i + 1)..<features {
                        let value = sum[i * features + j]
                        target[i * features + j] += value
                        target[j * features + i] += value
                    }
                }
            }
        }
    }
}
