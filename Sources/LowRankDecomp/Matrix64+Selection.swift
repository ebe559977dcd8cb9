import PruningCore

/// Row and column gathers, diagonal shifts and scalings on ``Matrix64`` used by the
/// decompositions of this module.
extension Matrix64 {
    /// The rows `indices`, in that order: `[indices.count, columns]`.
    func selectingRows(_ indices: [Int]) -> Matrix64 {
        var result = [Double](repeating: 0, count: indices.count * columns)
        scalars.withUnsafeBufferPointer { source in
            result.withUnsafeMutableBufferPointer { target in
                for (r, i) in indices.enumerated() {
                    precondition(i >= 0 && i < rows, "Matrix64.selectingRows: row \(i) is outside 0..<\(rows)")
                    for c in 0..<columns { target[r * columns + c] = source[i * columns + c] }
                }
            }
        }
        return Matrix64(rows: indices.count, columns: columns, scalars: result)
    }

    /// The columns `indices`, in that order: `[rows, indices.count]`.
    func selectingColumns(_ indices: [Int]) -> Matrix64 {
        for i in indices {
            precondition(i >= 0 && i < columns, "Matrix64.selectingColumns: column \(i) is outside 0..<\(columns)")
        }
        let count = indices.count
        var result = [Double](repeating: 0, count: rows * count)
        scalars.withUnsafeBufferPointer { source in
            result.withUnsafeMutableBufferPointer { target in
                for r in 0..<rows {
                    for (c, i) in indices.enumerated() { target[r * count + c] = source[r * columns + i] }
                }
            }
        }
        return Matrix64(rows: rows, columns: count, scalars: result)
    }

    /// The consecutive rows `range`.
    func rows(_ range: Range<Int>) -> Matrix64 { selectingRows(Array(range)) }

    /// The consecutive columns `range`.
    func columns(_ range: Range<Int>) -> Matrix64 { selectingColumns(Array(range)) }

    /// The matrices stacked vertically (equal column counts).
    static func verticallyStacked(_ parts: [Matrix64]) -> Matrix64 {
        let columns = parts.first?.columns ?? 0
        precondition(parts.allSatisfy { $0.columns == columns }, "Matrix64.verticallyStacked: column counts differ")
        return Matrix64(rows: parts.reduce(0) { $0 + $1.rows }, columns: columns, scalars: parts.flatMap(\.scalars))
    }

    /// This square matrix plus `shift` on the diagonal.
    func addingToDiagonal(_ shift: Double) -> Matrix64 {
        precondition(rows == columns, "Matrix64.addingToDiagonal: \(rows)×\(columns) is not square")
        var result = self
        for i in 0..<rows { result[i, i] += shift }
        return result
    }

    /// `self · diag(factors)`: column `j` scaled by `factors[j]`.
    func scalingColumns(by factors: [Double]) -> Matrix64 {
        precondition(factors.count == columns, "Matrix64.scalingColumns: \(factors.count) factors for \(columns) columns")
        var values = scalars
        values.withUnsafeMutableBufferPointer { target in
            for r in 0..<rows {
                for c in 0..<columns { target[r * columns + c] *= factors[c] }
            }
        }
        return Matrix64(rows: rows, columns: columns, scalars: values)
    }

    /// `diag(factors) · self`: row `i` scaled by `factors[i]`.
    func scalingRows(by factors: [Double]) -> Matrix64 {
        precondition(factors.count == rows, "Matrix64.scalingRows: \(factors.count) factors for \(rows) rows")
        var values = scalars
        values.withUnsafeMutableBufferPointer { target in
            for r in 0..<rows {
                for c in 0..<columns { target[r * columns + c] *= factors[r] }
            }
        }
        return Matrix64(rows: rows, columns: columns, scalars: values)
    }

    /// The squared Euclidean norm of every column.
    var squaredColumnNorms: [Double] {
        var norms = [Double](repeating: 0, count: columns)
        scalars.withUnsafeBufferPointer { source in
            for r in 0..<rows {
                for c in 0..<columns { norms[c] += source[r * columns + c] * source[r * columns + c] }
            }
        }
        return norms
    }
}

/// The indices of the `count` largest `scores`, in ascending index order (ties go to the
/// smaller index), so that kept rows and columns stay in their original order.
func topIndices(of scores: [Double], count: Int) -> [Int] {
    precondition(count >= 0 && count <= scores.count, "topIndices: \(count) of \(scores.count) scores")
    let ranked = scores.indices.sorted { scores[$0] != scores[$1] ? scores[$0] > scores[$1] : $0 < $1 }
    return ranked.prefix(count).sorted()
}
