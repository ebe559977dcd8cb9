import PruningCore
import Testing

/// Compares `actual` with `expected` elementwise: each pair must satisfy
/// `|a − e| ≤ absoluteTolerance + relativeTolerance · |e|`. Records one issue naming the first
/// failing index.
public func expectClose(
    _ actual: Tensor, _ expected: Tensor, relativeTolerance: Float = 1e-5, absoluteTolerance: Float = 1e-6,
    _ comment: String = "", sourceLocation: SourceLocation = #_sourceLocation
) {
    guard actual.shape == expected.shape else {
        Issue.record("shape \(actual.shape) differs from expected \(expected.shape) \(comment)", sourceLocation: sourceLocation)
        return
    }
    let a = actual.scalars
    let e = expected.scalars
    for i in 0..<a.count {
        let tolerance = absoluteTolerance + relativeTolerance * Swift.abs(e[i])
        if !(Swift.abs(a[i] - e[i]) <= tolerance) {
            Issue.record(
                "element \(i): \(a[i]) vs expected \(e[i]) (tolerance \(tolerance)) \(comment)",
                sourceLocation: sourceLocation)
            return
        }
    }
}

/// Compares `actual` with `expected` arrays, as ``expectClose(_:_:relativeTolerance:absoluteTolerance:_:sourceLocation:)``.
public func expectClose(
    _ actual: [Float], _ expected: [Float], relativeTolerance: Float = 1e-5, absoluteTolerance: Float = 1e-6,
    _ comment: String = "", sourceLocation: SourceLocation = #_sourceLocation
) {
    expectClose(Tensor(actual), Tensor(expected), relativeTolerance: relativeTolerance,
                absoluteTolerance: absoluteTolerance, comment, sourceLocation: sourceLocation)
}

/// Checks the autodiff gradients of `function` at `inputs` against central finite differences.
///
/// The scalar checked is `sum(function(inputs) * projection)` for a fixed random projection, so
/// every output element contributes with a different weight. Finite differences are taken in
/// single precision with step `step`; the default tolerances (relative 2e-2, absolute 2e-3) suit
/// well-conditioned functions of inputs of order 1.
public func checkGradients(
    of function: ([Tensor]) -> Tensor,
    at inputs: [Tensor],
    step: Float = 1e-2,
    relativeTolerance: Float = 2e-2,
    absoluteTolerance: Float = 2e-3,
    seed: UInt64 = 7,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    var random = RandomGenerator(seed: seed)
    let probe = withoutGradients { function(inputs) }
    let projection = Tensor.randomUniform(probe.shape, lower: 0.5, upper: 1.5, using: &random)
    func objective(_ xs: [Tensor]) -> Double {
        let y = withoutGradients { function(xs) }
        return zip(y.scalars, projection.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
    }
    let leaves = inputs.map { $0.requiringGradient() }
    let output = function(leaves)
    let analytic = (output * projection).sum().gradients(withRespectTo: leaves)
    for (k, input) in inputs.enumerated() {
        var numeric = [Float](repeating: 0, count: input.count)
        for i in 0..<input.count {
            var plus = inputs
            var minus = inputs
            plus[k].withUnsafeMutableBufferPointer { $0[i] += step }
            minus[k].withUnsafeMutableBufferPointer { $0[i] -= step }
            numeric[i] = Float((objective(plus) - objective(minus)) / Double(2 * step))
        }
        expectClose(analytic[k], Tensor(shape: input.shape, scalars: numeric),
                    relativeTolerance: relativeTolerance, absoluteTolerance: absoluteTolerance,
                    "(gradient of input \(k))", sourceLocation: sourceLocation)
    }
}

/// A tensor of uniform values in `[lower, upper)` from a fixed seed, for tests.
public func testTensor(_ shape: [Int], lower: Float = -1, upper: Float = 1, seed: UInt64 = 1) -> Tensor {
    var random = RandomGenerator(seed: seed)
    return Tensor.randomUniform(shape, lower: lower, upper: upper, using: &random)
}

/// Distinct values, at least 0.05 apart, in a seeded random order: sorting and max pooling see
/// no ties, and a finite-difference step of 0.01 never changes an arg-max.
public func distinctTensor(_ shape: [Int], seed: UInt64) -> Tensor {
    var random = RandomGenerator(seed: seed)
    let count = shape.reduce(1, *)
    let order = random.permutation(count)
    return Tensor(shape: shape, scalars: order.map { Float($0) * 0.05 - Float(count) * 0.025 })
}
