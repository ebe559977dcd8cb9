/// A dense double-precision matrix in row-major order, for statistics that need more precision
/// than `Float` — for example activation correlation matrices `Σ xᵀx` accumulated over a
/// calibration set (see ``addOuterProducts(of:scale:)``) before a decomposition.
///
/// `Matrix64` is a value type with copy-on-write storage. Products go through `cblas_dgemm`;
/// the decompositions of ``LinearAlgebra`` are available in double precision on it (LAPACK's
/// `d…` routines). It does not take part in automatic differentiation.
///
/// ```swift
/// var correlation = Matrix64.zeros(rows: features, columns: features)
/// for batch in activations { correlation.addOuterProducts(of: batch) }   // [tokens, features]
/// let (values, vectors) = try LinearAlgebra.symmetricEigen(correlation)
/// ```
public struct Matrix64: Equatable, Sendable {
    /// The number of rows.
    public let rows: Int
    /// The number of columns.
    public let columns: Int
    /// The elements in row-major order: element `(i, j)` is `scalars[i * columns + j]`.
    public internal(set) var scalars: [Double]

    /// A `rows × columns` matrix holding `scalars` in row-major order.
    ///
    /// - Precondition: `scalars.count == rows * columns`, no negative dimension.
    public init(rows: Int, columns: Int, scalars: [Double]) {
        precondition(rows >= 0 && columns >= 0, "Matrix64: negative shape \(rows)×\(columns)")
        precondition(
            scalars.count == rows * columns,
            "Matrix64: a \(rows)×\(columns) matrix needs \(rows * columns) scalars, got \(scalars.count)")
        self.rows = rows
        self.columns = columns
        self.scalars = scalars
    }

    /// A `rows × columns` matrix with every element equal to `value`.
    public init(rows: Int, columns: Int, repeating value: Double) {
        precondition(rows >= 0 && columns >= 0, "Matrix64: negative shape \(rows)×\(columns)")
        self.init(rows: rows, columns: columns, scalars: [Double](repeating: value, count: rows * columns))
    }

    /// The values of a 2-D tensor `[rows, columns]`, widened to `Double`.
    ///
    /// - Precondition: `tensor.rank == 2`.
    public init(_ tensor: Tensor) {
        precondition(tensor.rank == 2, "Matrix64(_:) needs a 2-D tensor, shape is \(tensor.shape)")
        let values = tensor.withUnsafeBufferPointer { source in
            [Double](unsafeUninitializedCapacity: source.count) { target, initialized in
                for i in 0..<source.count { target[i] = Double(source[i]) }
                initialized = source.count
            }
        }
        self.init(rows: tensor.shape[0], columns: tensor.shape[1], scalars: values)
    }

    init(_ dense: DenseMatrix<Double>) {
        self.init(rows: dense.rows, columns: dense.columns, scalars: dense.scalars)
    }

    /// The same storage as a ``DenseMatrix`` (no copy until one side writes).
    var dense: DenseMatrix<Double> { DenseMatrix(rows: rows, columns: columns, scalars: scalars) }

    /// A matrix of zeros.
    public static func zeros(rows: Int, columns: Int) -> Matrix64 {
        Matrix64(rows: rows, columns: columns, repeating: 0)
    }

    /// The `n × n` identity matrix.
    public static func identity(_ n: Int) -> Matrix64 { Matrix64(DenseMatrix<Double>.identity(n)) }

    /// The shape as `[rows, columns]`.
    public var shape: [Int] { [rows, columns] }

    /// The element in row `row` and column `column`.
    public subscript(row: Int, column: Int) -> Double {
        get {
            precondition(
                row >= 0 && row < rows && column >= 0 && column < columns,
                "Matrix64 index (\(row), \(column)) is out of range for \(rows)×\(columns)")
            return scalars[row * columns + column]
        }
        set {
            precondition(
                row >= 0 && row < rows && column >= 0 && column < columns,
                "Matrix64 index (\(row), \(column)) is out of range for \(rows)×\(columns)")
            scalars[row * columns + column] = newValue
        }
    }

    /// The main diagonal (`min(rows, columns)` elements).
    public var diagonal: [Double] { (0..<Swift.min(rows, columns)).map { scalars[$0 * columns + $0] } }

    /// The sum of the diagonal.
    public var trace: Double { diagonal.reduce(0, +) }

    /// The Frobenius norm `√(Σ aᵢⱼ²)`.
    public var frobeniusNorm: Double { scalars.reduce(0) { $0 + $1 * $1 }.squareRoot() }

    /// The transpose (materialized).
    public func transposed() -> Matrix64 { Matrix64(dense.transposed()) }

    /// The matrix product `op(self) · op(other)` through `cblas_dgemm`, where `op` transposes
    /// when asked (without copying).
    ///
    /// Shapes: `[m, k] · [k, n] → [m, n]` after the transposes.
    ///
    /// - Precondition: the inner dimensions agree.
    public func matmul(_ other: Matrix64, transposingSelf: Bool = false, transposingOther: Bool = false) -> Matrix64 {
        Matrix64(dense.multiplied(by: other.dense, transposingSelf: transposingSelf, transposingOther: transposingOther))
    }

    /// Applies `body` elementwise to `lhs` and `rhs` into `lhs`.
    private static func combine(
        _ lhs: inout Matrix64, _ rhs: Matrix64, _ operation: StaticString, _ body: (Double, Double) -> Double
    ) {
        precondition(
            lhs.rows == rhs.rows && lhs.columns == rhs.columns,
            "Matrix64 \(operation): shapes \(lhs.rows)×\(lhs.columns) and \(rhs.rows)×\(rhs.columns) differ")
        lhs.scalars.withUnsafeMutableBufferPointer { target in
            rhs.scalars.withUnsafeBufferPointer { source in
                for i in 0..<target.count { target[i] = body(target[i], source[i]) }
            }
        }
    }

    /// Adds `rhs` elementwise. - Precondition: equal shapes.
    public static func += (lhs: inout Matrix64, rhs: Matrix64) { combine(&lhs, rhs, "+", +) }

    /// Subtracts `rhs` elementwise. - Precondition: equal shapes.
    public static func -= (lhs: inout Matrix64, rhs: Matrix64) { combine(&lhs, rhs, "-", -) }

    /// The elementwise sum. - Precondition: equal shapes.
    public static func + (lhs: Matrix64, rhs: Matrix64) -> Matrix64 {
        var result = lhs
        result += rhs
        return result
    }

    /// The elementwise difference. - Precondition: equal shapes.
    public static func - (lhs: Matrix64, rhs: Matrix64) -> Matrix64 {
        var result = lhs
        result -= rhs
        return result
    }

    /// Multiplies every element by `factor`.
    public static func *= (lhs: inout Matrix64, factor: Double) {
        lhs.scalars.withUnsafeMutableBufferPointer { target in
            for i in 0..<target.count { target[i] *= factor }
        }
    }

    /// The matrix scaled by `factor`.
    public static func * (lhs: Matrix64, factor: Double) -> Matrix64 {
        var result = lhs
        result *= factor
        return result
    }

    /// The matrix scaled by `factor`.
    public static func * (factor: Double, rhs: Matrix64) -> Matrix64 { rhs * factor }

    /// The elementwise negation.
    public static prefix func - (operand: Matrix64) -> Matrix64 { operand * -1 }
}

extension Matrix64: CustomStringConvertible {
    /// A short summary: the shape and the first elements.
    public var description: String {
        let shown = scalars.prefix(8).map { "\($0)" }.joined(separator: ", ")
        return "Matrix64(\(rows)×\(columns), [\(shown)\(scalars.count > 8 ? ", …" : "")])"
    }
}

extension Tensor {
    /// The values of a ``Matrix64``, rounded to `Float`, as a `[rows, columns]` tensor.
    public init(_ matrix: Matrix64) {
        self.init(shape: [matrix.rows, matrix.columns]) { target in
            matrix.scalars.withUnsafeBufferPointer { source in
                for i in 0..<source.count { target[i] = Float(source[i]) }
            }
        }
    }
}
