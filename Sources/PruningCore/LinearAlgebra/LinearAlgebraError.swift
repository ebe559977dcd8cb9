/// An error from a dense linear-algebra routine of ``LinearAlgebra``.
///
/// Every case names the LAPACK routine that failed (or would have been called, for shape
/// errors), for example `"spotrf"` or `"dgesdd"`, and the shape of the matrix it was given.
/// Cases that come from LAPACK carry its `info` code: positive values report a numerical failure
/// (the meaning depends on the routine, see each case), negative values `-i` report that
/// argument `i` was rejected — LAPACKE also rejects matrices containing NaN this way.
public enum LinearAlgebraError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The symmetric matrix is not positive definite: the leading minor of order `info` is not
    /// positive (`?potrf`).
    case notPositiveDefinite(routine: String, shape: [Int], info: Int)

    /// The matrix is exactly singular: the diagonal element `U[info − 1, info − 1]` of its LU
    /// factorization is zero (`?gesv`, `?getrf`, `?getri`).
    case singular(routine: String, shape: [Int], info: Int)

    /// An iterative algorithm did not converge; `info` counts the unconverged quantities
    /// (`?gesdd`, `?syevd`, `?gelsd`).
    case noConvergence(routine: String, shape: [Int], info: Int)

    /// LAPACK rejected argument number `-info` (a non-finite element in the input matrix is
    /// reported this way by LAPACKE's input checks).
    case invalidArgument(routine: String, shape: [Int], info: Int)

    /// LAPACKE could not allocate its workspace or its transposition buffer (`info` is
    /// `-1010` or `-1011`).
    case workspaceAllocationFailed(routine: String, shape: [Int], info: Int)

    /// The input is not a matrix: a tensor whose rank is not 2.
    case notAMatrix(routine: String, shape: [Int])

    /// The routine needs a square matrix and got a rectangular one.
    case notSquare(routine: String, shape: [Int])

    /// The right-hand side does not have as many rows as the matrix.
    case mismatchedRightHandSide(routine: String, shape: [Int], rightHandSideShape: [Int])

    /// The LAPACK routine that reported (or would have received) the problem.
    public var routine: String {
        switch self {
        case .notPositiveDefinite(let routine, _, _), .singular(let routine, _, _),
             .noConvergence(let routine, _, _), .invalidArgument(let routine, _, _),
             .workspaceAllocationFailed(let routine, _, _), .notAMatrix(let routine, _),
             .notSquare(let routine, _), .mismatchedRightHandSide(let routine, _, _):
            return routine
        }
    }

    /// LAPACK's `info` code, for the cases that come from a LAPACK call.
    public var info: Int? {
        switch self {
        case .notPositiveDefinite(_, _, let info), .singular(_, _, let info),
             .noConvergence(_, _, let info), .invalidArgument(_, _, let info),
             .workspaceAllocationFailed(_, _, let info):
            return info
        case .notAMatrix, .notSquare, .mismatchedRightHandSide:
            return nil
        }
    }

    /// A full sentence naming the routine, the shape and the `info` code.
    public var description: String {
        switch self {
        case .notPositiveDefinite(let routine, let shape, let info):
            return "LAPACK \(routine) found the \(Self.format(shape)) matrix not positive definite: "
                + "its leading minor of order \(info) is not positive (info = \(info))."
        case .singular(let routine, let shape, let info):
            return "LAPACK \(routine) found the \(Self.format(shape)) matrix exactly singular: "
                + "U[\(info - 1), \(info - 1)] of its LU factorization is zero (info = \(info))."
        case .noConvergence(let routine, let shape, let info):
            return "LAPACK \(routine) did not converge on the \(Self.format(shape)) matrix: "
                + "\(info) quantities failed to converge (info = \(info))."
        case .invalidArgument(let routine, let shape, let info):
            return "LAPACK \(routine) rejected argument \(-info) for the \(Self.format(shape)) matrix, "
                + "for example because the matrix contains NaN or infinity (info = \(info))."
        case .workspaceAllocationFailed(let routine, let shape, let info):
            return "LAPACKE could not allocate memory for \(routine) on the \(Self.format(shape)) matrix "
                + "(info = \(info))."
        case .notAMatrix(let routine, let shape):
            return "\(routine) needs a 2-D matrix, but the tensor has shape \(shape)."
        case .notSquare(let routine, let shape):
            return "\(routine) needs a square matrix, but the matrix is \(Self.format(shape))."
        case .mismatchedRightHandSide(let routine, let shape, let rightHandSideShape):
            return "\(routine) needs a right-hand side with \(shape.first ?? 0) rows for the "
                + "\(Self.format(shape)) matrix, but it has shape \(rightHandSideShape)."
        }
    }

    private static func format(_ shape: [Int]) -> String {
        shape.map(String.init).joined(separator: "×")
    }

    /// Maps a nonzero LAPACKE `info` to an error; `positive` builds the routine-specific case.
    static func check(
        _ info: Int32, routine: String, shape: [Int],
        positive: (String, [Int], Int) -> LinearAlgebraError
    ) throws(LinearAlgebraError) {
        if info == 0 { return }
        let code = Int(info)
        if code > 0 { throw positive(routine, shape, code) }
        if code == -1010 || code == -1011 {
            throw .workspaceAllocationFailed(routine: routine, shape: shape, info: code)
        }
        throw .invalidArgument(routine: routine, shape: shape, info: code)
    }
}
