extension Tensor {
    /// Layer normalization over the trailing `axisCount` dimensions (Ba, Kiros & Hinton, 2016,
    /// "Layer Normalization"): `y = (x − mean) / √(variance + ε) · weight + bias`, with the
    /// biased variance of each normalized group.
    ///
    /// One fused kernel computes the output and one the gradients of the input, the weight and
    /// the bias.
    ///
    /// - Parameters:
    ///   - axisCount: how many trailing dimensions form one normalized group (PyTorch's
    ///     `normalized_shape` is `shape.suffix(axisCount)`).
    ///   - weight: the scale, shaped `shape.suffix(axisCount)`, or `nil` for none.
    ///   - bias: the shift, shaped like `weight`, or `nil` for none.
    ///   - epsilon: added to the variance for stability.
    /// - Returns: a tensor shaped like this one.
    public func layerNorm(
        overLast axisCount: Int = 1, weight: Tensor? = nil, bias: Tensor? = nil, epsilon: Float = 1e-5
    ) -> Tensor {
        precondition(axisCount >= 1 && axisCount <= rank, "layerNorm: cannot normalize the last \(axisCount) axes of \(shape)")
        let normalizedShape = Array(shape.suffix(axisCount))
        if let weight { precondition(weight.shape == normalizedShape, "layerNorm: weight \(weight.shape) should be \(normalizedShape) for input \(shape)") }
        if let bias { precondition(bias.shape == normalizedShape, "layerNorm: bias \(bias.shape) should be \(normalizedShape) for input \(shape)") }
        return rowNormalized(width: normalizedShape.reduce(1, *), centering: true, weight: weight, bias: bias, epsilon: epsilon)
    }

    /// Root-mean-square normalization over the last dimension (Zhang & Sennrich, 2019,
    /// "Root Mean Square Layer Normalization"; the LLaMA form):
    /// `y = x · 1/√(mean(x²) + ε) · weight`.
    ///
    /// One fused kernel computes the output and one the gradients of the input and the weight.
    ///
    /// - Parameters:
    ///   - weight: the scale, `[shape.last]`, or `nil` for none.
    ///   - epsilon: added to the mean square for stability.
    /// - Returns: a tensor shaped like this one.
    public func rmsNorm(weight: Tensor? = nil, epsilon: Float = 1e-6) -> Tensor {
        precondition(rank >= 1, "rmsNorm: needs at least one dimension, got a scalar")
        let width = shape[rank - 1]
        if let weight { precondition(weight.shape == [width], "rmsNorm: weight \(weight.shape) should be [\(width)] for input \(shape)") }
        return rowNormalized(width: width, centering: false, weight: weight, bias: nil, epsilon: epsilon)
    }

    /// Normalizes each contiguous row of `width` elements: subtracts the row mean when
    /// `centering` (layer norm) and divides by the root of the (central) second moment plus
    /// `epsilon`, then applies the elementwise affine map.
    private func rowNormalized(width: Int, centering: Bool, weight: Tensor?, bias: Tensor?, epsilon: Float) -> Tensor {
        let rows = width == 0 ? 0 : count / width
        let x = UnsafePointer(storage.pointer)
        let w = weight.map { UnsafePointer($0.storage.pointer) }
        let b = bias.map { UnsafePointer($0.storage.pointer) }
        // Per-row mean (zero without centering) and reciprocal standard deviation.
        var statistics = [Float](repeating: 0, count: 2 * rows)
        let grain = Swift.max(1, 16384 / Swift.max(width, 1))
        let out = statistics.withUnsafeMutableBufferPointer { stats in
            let sp = stats.baseAddress!
            return Tensor(shape: shape) { o in
                let op = o.baseAddress!
                let normalize = SIMDKernels.active.normalizeRows!
                Kernels.parallelFor(rows, minimumPerThread: grain) { range in
                    normalize(
                        x + range.lowerBound * width, w, b, op + range.lowerBound * width,
                        sp + 2 * range.lowerBound, range.count, width, epsilon, centering ? 1 : 0)
                }
            }
        }
        let input = self
        let savedStatistics = statistics
        var inputs = [self]
        if let weight { inputs.append(weight) }
        if let bias { inputs.append(bias) }
        return Tensor.recorded(out, inputs: inputs) { gradient in
            var result: [Tensor?] = [nil]
            let (dx, dw, db) = Tensor.rowNormalizedGradients(
                input: input, gradient: gradient, statistics: savedStatistics, width: width,
                centering: centering, weight: weight, needsWeight: weight?.node != nil,
                needsBias: bias?.node != nil)
            result[0] = dx
            if let weight { result.append(dw?.reshaped(to: weight.shape)) }
            if let bias { result.append(db?.reshaped(to: bias.shape)) }
            return result
        }
    }

    /// The gradients of ``rowNormalized(width:centering:weight:bias:epsilon:)``.
    ///
    /// With `x̂ = (x − μ)·r` and `d = g·w`, the input gradient of a row is
    /// `r · (d − mean(d) − x̂ · mean(d·x̂))` (without centering, the `mean(d)` term is absent);
    /// the weight gradient sums `g·x̂` over rows and the bias gradient sums `g`.
    private static func rowNormalizedGradients(
        input: Tensor, gradient: Tensor, statistics: [Float], width: Int, centering: Bool,
        weight: Tensor?, needsWeight: Bool, needsBias: Bool
    ) -> (Tensor, Tensor?, Tensor?) {
        let rows = statistics.count / 2
        let x = UnsafePointer(input.storage.pointer)
        let g = UnsafePointer(gradient.storage.pointer)
        let w = weight.map { UnsafePointer($0.storage.pointer) }
        let backward = SIMDKernels.active.normalizeRowsBackward!
        let flag: Int32 = centering ? 1 : 0
        let dx = statistics.withUnsafeBufferPointer { stats in
            let sp = stats.baseAddress!
            return Tensor(shape: input.shape) { o in
                let op = o.baseAddress!
                Kernels.parallelFor(rows, minimumPerThread: Swift.max(1, 8192 / Swift.max(width, 1))) { range in
                    let offset = range.lowerBound * width
                    backward(x + offset, g + offset, sp + 2 * range.lowerBound, w, op + offset, nil, nil,
                             range.count, width, flag)
                }
            }
        }
        guard needsWeight || needsBias else { return (dx, nil, nil) }
        var dw = Tensor.zeros([width])
        var db = Tensor.zeros([width])
        dw.withUnsafeMutableBufferPointer { dwp in
            db.withUnsafeMutableBufferPointer { dbp in
                statistics.withUnsafeBufferPointer { stats in
                    backward(x, g, stats.baseAddress!, w, nil, needsWeight ? dwp.baseAddress : nil,
                             needsBias ? dbp.baseAddress : nil, rows, width, flag)
                }
            }
        }
        return (dx, needsWeight ? dw : nil, needsBias ? db : nil)
    }
}
