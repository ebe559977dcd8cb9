/// Shape rules shared by the broadcasting operations (NumPy semantics: shapes are aligned at the
/// trailing dimension, and a dimension of size 1 stretches to match the other).
enum Broadcasting {
    /// The broadcast shape of `a` and `b`.
    ///
    /// - Precondition: the shapes are compatible.
    static func shape(_ a: [Int], _ b: [Int]) -> [Int] {
        let rank = max(a.count, b.count)
        var result = [Int](repeating: 1, count: rank)
        for i in 0..<rank {
            let da = i < rank - a.count ? 1 : a[i - (rank - a.count)]
            let db = i < rank - b.count ? 1 : b[i - (rank - b.count)]
            precondition(
                da == db || da == 1 || db == 1,
                "Shapes \(a) and \(b) cannot be broadcast together")
            result[i] = da == 1 ? db : da
        }
        return result
    }

    /// The strides of a tensor of `shape` read as if it had `target` shape (0 on broadcast
    /// dimensions).
    static func strides(of shape: [Int], broadcastTo target: [Int]) -> [Int] {
        let offset = target.count - shape.count
        var strides = [Int](repeating: 0, count: target.count)
        var running = 1
        for i in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[i + offset] = shape[i] == 1 ? 0 : running
            running *= shape[i]
        }
        return strides
    }

    /// Row-major strides of a contiguous tensor of `shape`.
    static func contiguousStrides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var running = 1
        for i in stride(from: shape.count - 1, through: 0, by: -1) {
            strides[i] = running
            running *= shape[i]
        }
        return strides
    }

    /// Merges neighbouring dimensions that every operand walks contiguously, so inner loops run
    /// as long as possible. Returns the merged shape and one merged stride list per operand.
    static func coalesce(shape: [Int], strides: [[Int]]) -> ([Int], [[Int]]) {
        var outShape: [Int] = []
        var outStrides: [[Int]] = Array(repeating: [], count: strides.count)
        for axis in 0..<shape.count where shape[axis] != 1 {
            if let last = outShape.indices.last,
                (0..<strides.count).allSatisfy({ strides[$0][axis] * shape[axis] == outStrides[$0][last] })
            {
                outShape[last] *= shape[axis]
                for k in 0..<strides.count { outStrides[k][last] = strides[k][axis] }
            } else {
                outShape.append(shape[axis])
                for k in 0..<strides.count { outStrides[k].append(strides[k][axis]) }
            }
        }
        if outShape.isEmpty {
            outShape = [1]
            for k in 0..<strides.count { outStrides[k] = [0] }
        }
        return (outShape, outStrides)
    }
}

extension Tensor {
    /// The sum of this tensor over the dimensions that broadcasting added or stretched to reach
    /// its shape from `target`: the gradient of a broadcast, shaped like `target`.
    public func summed(toShape target: [Int]) -> Tensor {
        if shape == target { return self }
        let offset = rank - target.count
        precondition(offset >= 0, "summed(toShape:): \(target) has more dimensions than \(shape)")
        var axes: [Int] = Array(0..<offset)
        for (i, d) in target.enumerated() where d == 1 && shape[i + offset] != 1 {
            axes.append(i + offset)
        }
        var result = axes.isEmpty ? self : sum(alongAxes: axes, keepingDimensions: true)
        if result.shape != target { result = result.reshaped(to: target) }
        return result
    }

    /// This tensor stretched to `newShape` by broadcasting (materialized).
    public func expanded(to newShape: [Int]) -> Tensor {
        if shape == newShape { return self }
        precondition(
            Broadcasting.shape(shape, newShape) == newShape,
            "expanded(to:): \(shape) cannot be broadcast to \(newShape)")
        let out = TensorStorage(uninitializedCount: Tensor.elementCount(of: newShape))
        Kernels.binary(FirstOperandKernel.self, self, Tensor(0), outShape: newShape, out.pointer)
        let inputShape = shape
        return Tensor.recorded(Tensor(shape: newShape, storage: out), inputs: [self]) { g in
            [g.summed(toShape: inputShape)]
        }
    }
}
