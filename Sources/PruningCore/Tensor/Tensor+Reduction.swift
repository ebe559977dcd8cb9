import Foundation

extension Tensor {
    /// Normalizes a possibly negative axis.
    @usableFromInline
    func normalizedAxis(_ axis: Int) -> Int {
        let a = axis < 0 ? axis + rank : axis
        precondition(a >= 0 && a < Swift.max(rank, 1), "Axis \(axis) is out of range for shape \(shape)")
        return a
    }

    /// The sizes before, along and after `axis`.
    func split(at axis: Int) -> (outer: Int, size: Int, inner: Int) {
        let outer = shape[..<axis].reduce(1, *)
        let inner = shape[(axis + 1)...].reduce(1, *)
        return (outer, shape[axis], inner)
    }

    static func reducedShape(_ shape: [Int], axis: Int, keeping: Bool) -> [Int] {
        var result = shape
        if keeping { result[axis] = 1 } else { result.remove(at: axis) }
        return result
    }

    // MARK: Sum and mean

    /// The sum of all elements, as a scalar tensor.
    public func sum() -> Tensor {
        let total = withUnsafeBufferPointer { x -> Float in
            // 16 float lanes over blocks of 1,024 elements, blocks accumulated in double.
            guard let base = x.baseAddress else { return 0 }
            let raw = UnsafeRawPointer(base)
            var accumulator: Double = 0
            var i = 0
            while i < x.count {
                let end = Swift.min(x.count, i + 1024)
                var lanes = SIMD16<Float>.zero
                while VectorMath.isEnabled && i + 16 <= end {
                    lanes += raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
                    i += 16
                }
                var partial = Double(lanes.sum())
                while i < end {
                    partial += Double(base[i])
                    i += 1
                }
                accumulator += partial
            }
            return Float(accumulator)
        }
        let inputShape = shape
        return Tensor.recorded(Tensor(total), inputs: [self]) { g in
            [Tensor.full(inputShape, g.scalar)]
        }
    }

    /// The sum along `axes`, removing them unless `keepingDimensions` is true.
    public func sum(alongAxes axes: [Int], keepingDimensions: Bool = false) -> Tensor {
        let normalized = Set(axes.map(normalizedAxis)).sorted(by: >)
        var result = self
        for axis in normalized { result = result.sumKeeping(axis: axis) }
        if !keepingDimensions {
            let kept = shape.enumerated().filter { !normalized.contains($0.offset) }.map(\.element)
            result = result.reshaped(to: kept)
        }
        return result
    }

    /// The sum along one axis.
    public func sum(alongAxis axis: Int, keepingDimensions: Bool = false) -> Tensor {
        sum(alongAxes: [axis], keepingDimensions: keepingDimensions)
    }

    private func sumKeeping(axis: Int) -> Tensor {
        let (outer, size, inner) = split(at: axis)
        let outShape = Tensor.reducedShape(shape, axis: axis, keeping: true)
        let source = storage.pointer
        let out = Tensor(shape: outShape) { o in
            let op = o.baseAddress!
            if inner == 1 {
                Kernels.parallelFor(outer, minimumPerThread: Swift.max(1, 65536 / Swift.max(size, 1))) { range in
                    for r in range {
                        var s: Float = 0
                        let row = source + r * size
                        for k in 0..<size { s += row[k] }
                        op[r] = s
                    }
                }
            } else {
                Kernels.parallelFor(outer, minimumPerThread: Swift.max(1, 65536 / Swift.max(size * inner, 1))) { range in
                    for r in range {
                        let dst = op + r * inner
                        dst.initialize(repeating: 0, count: inner)
                        for k in 0..<size {
                            let src = source + (r * size + k) * inner
                            for i in 0..<inner { dst[i] += src[i] }
                        }
                    }
                }
            }
        }
        let inputShape = shape
        return Tensor.recorded(out, inputs: [self]) { g in [g.expanded(to: inputShape)] }
    }

    /// The mean of all elements, as a scalar tensor.
    public func mean() -> Tensor { sum() / Float(Swift.max(count, 1)) }

    /// The mean along `axes`.
    public func mean(alongAxes axes: [Int], keepingDimensions: Bool = false) -> Tensor {
        let n = Set(axes.map(normalizedAxis)).reduce(1) { $0 * shape[$1] }
        return sum(alongAxes: axes, keepingDimensions: keepingDimensions) / Float(n)
    }

    /// The mean along one axis.
    public func mean(alongAxis axis: Int, keepingDimensions: Bool = false) -> Tensor {
        mean(alongAxes: [axis], keepingDimensions: keepingDimensions)
    }

    /// The variance along `axes` (`unbiased` divides by n − 1 instead of n).
    public func variance(
        alongAxes axes: [Int], keepingDimensions: Bool = false, unbiased: Bool = false
    ) -> Tensor {
        let n = Set(axes.map(normalizedAxis)).reduce(1) { $0 * shape[$1] }
        let centered = self - mean(alongAxes: axes, keepingDimensions: true)
        let squares = (centered * centered).sum(alongAxes: axes, keepingDimensions: keepingDimensions)
        return squares / Float(unbiased ? Swift.max(n - 1, 1) : n)
    }

    /// The variance of all elements.
    public func variance(unbiased: Bool = false) -> Tensor {
        variance(alongAxes: Array(0..<rank), unbiased: unbiased)
    }

    // MARK: Extremes

    /// The largest values along `axis` and their indices (the first on ties).
    public func max(alongAxis axis: Int, keepingDimensions: Bool = false) -> (values: Tensor, indices: [Int]) {
        extreme(alongAxis: axis, keepingDimensions: keepingDimensions, largest: true)
    }

    /// The smallest values along `axis` and their indices (the first on ties).
    public func min(alongAxis axis: Int, keepingDimensions: Bool = false) -> (values: Tensor, indices: [Int]) {
        extreme(alongAxis: axis, keepingDimensions: keepingDimensions, largest: false)
    }

    /// The indices of the largest values along `axis`, as a float tensor.
    public func argmax(alongAxis axis: Int) -> Tensor {
        let (values, indices) = max(alongAxis: axis)
        return Tensor(shape: values.shape, scalars: indices.map(Float.init))
    }

    /// The indices of the smallest values along `axis`, as a float tensor.
    public func argmin(alongAxis axis: Int) -> Tensor {
        let (values, indices) = min(alongAxis: axis)
        return Tensor(shape: values.shape, scalars: indices.map(Float.init))
    }

    /// The largest element, as a scalar tensor.
    public func max() -> Tensor { reshaped(to: [-1]).max(alongAxis: 0).values }

    /// The smallest element, as a scalar tensor.
    public func min() -> Tensor { reshaped(to: [-1]).min(alongAxis: 0).values }

    private func extreme(alongAxis rawAxis: Int, keepingDimensions: Bool, largest: Bool) -> (values: Tensor, indices: [Int]) {
        let axis = normalizedAxis(rawAxis)
        let (outer, size, inner) = split(at: axis)
        precondition(size > 0, "max/min along an empty axis of shape \(shape)")
        let outShape = Tensor.reducedShape(shape, axis: axis, keeping: keepingDimensions)
        var indices = [Int](repeating: 0, count: outer * inner)
        let source = storage.pointer
        let values = Tensor(shape: outShape) { o in
            for r in 0..<outer {
                for i in 0..<inner {
                    var best = source[r * size * inner + i]
                    var bestIndex = 0
                    for k in 1..<size {
                        let v = source[(r * size + k) * inner + i]
                        if largest ? (v > best || (v.isNaN && !best.isNaN)) : (v < best || (v.isNaN && !best.isNaN)) {
                            best = v
                            bestIndex = k
                        }
                    }
                    o[r * inner + i] = best
                    indices[r * inner + i] = bestIndex
                }
            }
        }
        let inputShape = shape
        let chosen = indices
        let result = Tensor.recorded(values, inputs: [self]) { g in
            var grad = Tensor.zeros(inputShape)
            grad.withUnsafeMutableBufferPointer { out in
                g.withUnsafeBufferPointer { gs in
                    for r in 0..<outer {
                        for i in 0..<inner {
                            out[(r * size + chosen[r * inner + i]) * inner + i] += gs[r * inner + i]
                        }
                    }
                }
            }
            return [grad]
        }
        return (result, indices)
    }

    // MARK: Log-sum-exp, softmax

    /// `log(sum(exp(x)))` along `axis`, computed stably (the maximum is subtracted first).
    public func logSumExp(alongAxis axis: Int, keepingDimensions: Bool = false) -> Tensor {
        let a = normalizedAxis(axis)
        let shift = max(alongAxis: a, keepingDimensions: true).values.detached()
        let finiteShift = shift.withUnsafeBufferPointer { s in
            Tensor(shape: shift.shape) { o in for i in 0..<s.count { o[i] = s[i].isFinite ? s[i] : 0 } }
        }
        let result = (self - finiteShift).exp().sum(alongAxis: a, keepingDimensions: true).log() + finiteShift
        return keepingDimensions ? result : result.reshaped(to: Tensor.reducedShape(shape, axis: a, keeping: false))
    }

    /// The softmax along `axis`; finite for any finite logits, and rows that are entirely `-inf`
    /// give zeros rather than NaN.
    public func softmax(alongAxis axis: Int = -1) -> Tensor {
        let a = normalizedAxis(axis)
        let (outer, size, inner) = split(at: a)
        let source = storage.pointer
        let grain = Swift.max(1, 16384 / Swift.max(size, 1))
        if inner == 1 {
            // Contiguous rows: the vectorized kernels of ``KernelLevel``.
            let kernels = SIMDKernels.active
            let (forward, backward) = (kernels.softmaxRows!, kernels.softmaxBackwardRows!)
            let out = Tensor(shape: shape) { o in
                let op = o.baseAddress!
                Kernels.parallelFor(outer, minimumPerThread: grain) { range in
                    forward(source + range.lowerBound * size, op + range.lowerBound * size, range.count, size)
                }
            }
            return Tensor.recorded(out, inputs: [self]) { g in
                let (y, gp) = (UnsafePointer(out.storage.pointer), UnsafePointer(g.storage.pointer))
                return [Tensor(shape: out.shape) { dx in
                    let dp = dx.baseAddress!
                    Kernels.parallelFor(outer, minimumPerThread: grain) { range in
                        let offset = range.lowerBound * size
                        backward(y + offset, gp + offset, dp + offset, range.count, size)
                    }
                }]
            }
        }
        let out = Tensor(shape: shape) { o in
            let op = o.baseAddress!
            Kernels.parallelFor(outer * inner, minimumPerThread: Swift.max(1, 16384 / Swift.max(size, 1))) { range in
                for flat in range {
                    let r = flat / inner
                    let i = flat % inner
                    let base = r * size * inner + i
                    var m = -Float.infinity
                    for k in 0..<size { m = Swift.max(m, source[base + k * inner]) }
                    if m == -.infinity {
                        for k in 0..<size { op[base + k * inner] = 0 }
                        continue
                    }
                    var total: Float = 0
                    if inner == 1 {
                        total = VectorMath.expShifted(source + base, op + base, count: size, shift: m)
                    } else {
                        for k in 0..<size {
                            let e = Foundation.exp(source[base + k * inner] - m)
                            op[base + k * inner] = e
                            total += e
                        }
                    }
                    let scale = 1 / total
                    for k in 0..<size { op[base + k * inner] *= scale }
                }
            }
        }
        return Tensor.recorded(out, inputs: [self]) { g in
            // dx = y ⊙ (g − Σ g⊙y), one pass per row.
            let y = out.storage.pointer
            let gp = g.storage.pointer
            let gradient = Tensor(shape: out.shape) { dx in
                let dp = dx.baseAddress!
                Kernels.parallelFor(outer * inner, minimumPerThread: Swift.max(1, 16384 / Swift.max(size, 1))) { range in
                    for flat in range {
                        let base = (flat / inner) * size * inner + flat % inner
                        var dot: Float = 0
                        for k in 0..<size { dot += gp[base + k * inner] * y[base + k * inner] }
                        for k in 0..<size {
                            let index = base + k * inner
                            dp[index] = y[index] * (gp[index] - dot)
                        }
                    }
                }
            }
            return [gradient]
        }
    }

    /// The log-softmax along `axis`, computed stably.
    public func logSoftmax(alongAxis axis: Int = -1) -> Tensor {
        let a = normalizedAxis(axis)
        let lse = detached().logSumExp(alongAxis: a, keepingDimensions: true)
        let out = Tensor.broadcastingApply(SubtractKernel.self, self, lse)
        return Tensor.recorded(out, inputs: [self]) { g in
            let probabilities = out.exp()
            return [g - probabilities * g.sum(alongAxis: a, keepingDimensions: true)]
        }
    }

    // MARK: Norms

    /// The p-norm along `axes` (p = 2 by default; p = 1 is the sum of absolute values).
    public func norm(p: Float = 2, alongAxes axes: [Int], keepingDimensions: Bool = false) -> Tensor {
        if p == 1 { return abs().sum(alongAxes: axes, keepingDimensions: keepingDimensions) }
        if p == 2 { return (self * self).sum(alongAxes: axes, keepingDimensions: keepingDimensions).sqrt() }
        return abs().pow(p).sum(alongAxes: axes, keepingDimensions: keepingDimensions).pow(1 / p)
    }

    /// The p-norm of all elements (Frobenius for p = 2).
    public func norm(p: Float = 2) -> Tensor {
        norm(p: p, alongAxes: Array(0..<rank))
    }
}
