extension Tensor {
    /// The entries at `indices` along `axis`, in that order (repeats allowed): the result has
    /// `indices.count` entries on that axis. Embedding lookup is `table.indexSelect(ids, alongAxis: 0)`.
    public func indexSelect(_ indices: [Int], alongAxis axis: Int = 0) -> Tensor {
        let a = normalizedAxis(axis)
        let (outer, size, inner) = split(at: a)
        for i in indices {
            precondition(i >= 0 && i < size, "indexSelect: index \(i) is out of range 0..<\(size) on axis \(a) of \(shape)")
        }
        var outShape = shape
        outShape[a] = indices.count
        let source = storage.pointer
        let out = Tensor(shape: outShape) { o in
            for r in 0..<outer {
                for (j, i) in indices.enumerated() {
                    (o.baseAddress! + (r * indices.count + j) * inner).update(
                        from: source + (r * size + i) * inner, count: inner)
                }
            }
        }
        let inputShape = shape
        return Tensor.recorded(out, inputs: [self]) { g in
            [Tensor.zeros(inputShape).indexAdding(g, at: indices, alongAxis: a)]
        }
    }

    /// This tensor with the slices of `source` added at `indices` along `axis` (repeated indices
    /// accumulate). `source` has `indices.count` entries on that axis and matches elsewhere.
    public func indexAdding(_ source: Tensor, at indices: [Int], alongAxis axis: Int = 0) -> Tensor {
        let a = normalizedAxis(axis)
        let (outer, size, inner) = split(at: a)
        var expected = shape
        expected[a] = indices.count
        precondition(source.shape == expected, "indexAdding: source shape \(source.shape) should be \(expected)")
        for i in indices {
            precondition(i >= 0 && i < size, "indexAdding: index \(i) is out of range 0..<\(size) on axis \(a) of \(shape)")
        }
        var out = detached()
        out.withUnsafeMutableBufferPointer { o in
            source.withUnsafeBufferPointer { s in
                for r in 0..<outer {
                    for (j, i) in indices.enumerated() {
                        let dst = o.baseAddress! + (r * size + i) * inner
                        let src = s.baseAddress! + (r * indices.count + j) * inner
                        for k in 0..<inner { dst[k] += src[k] }
                    }
                }
            }
        }
        let needSource = source.node != nil
        return Tensor.recorded(out, inputs: [self, source]) { g in
            [g, needSource ? g.indexSelect(indices, alongAxis: a) : nil]
        }
    }

    /// Picks one entry along `axis` per position (PyTorch's `gather`): `indices` has this
    /// tensor's shape except on `axis`, where it has `indexCount` entries, and the result has
    /// that shape.
    ///
    /// - Parameters:
    ///   - axis: the axis to gather along.
    ///   - indexCount: how many indices each position along the other axes takes.
    ///   - indices: row-major indices in `0..<shape[axis]`.
    public func gathering(alongAxis axis: Int, indices: [Int], indexCount: Int = 1) -> Tensor {
        let a = normalizedAxis(axis)
        let (outer, size, inner) = split(at: a)
        precondition(indices.count == outer * indexCount * inner, "gathering: \(indices.count) indices for shape \(shape) with \(indexCount) per axis")
        var outShape = shape
        outShape[a] = indexCount
        let source = storage.pointer
        let out = Tensor(shape: outShape) { o in
            for r in 0..<outer {
                for j in 0..<indexCount {
                    for k in 0..<inner {
                        let flat = (r * indexCount + j) * inner + k
                        let i = indices[flat]
                        precondition(i >= 0 && i < size, "gathering: index \(i) is out of range 0..<\(size)")
                        o[flat] = source[(r * size + i) * inner + k]
                    }
                }
            }
        }
        let inputShape = shape
        return Tensor.recorded(out, inputs: [self]) { g in
            [Tensor.zeros(inputShape).scatterAdding(g, alongAxis: a, indices: indices)]
        }
    }

    /// This tensor with `source` added at the positions `indices` names along `axis` (the inverse
    /// of ``gathering(alongAxis:indices:indexCount:)``; repeated positions accumulate).
    public func scatterAdding(_ source: Tensor, alongAxis axis: Int, indices: [Int]) -> Tensor {
        let a = normalizedAxis(axis)
        let (outer, size, inner) = split(at: a)
        let indexCount = source.shape[a]
        precondition(indices.count == source.count, "scatterAdding: \(indices.count) indices for source \(source.shape)")
        var out = detached()
        out.withUnsafeMutableBufferPointer { o in
            source.withUnsafeBufferPointer { s in
                for r in 0..<outer {
                    for j in 0..<indexCount {
                        for k in 0..<inner {
                            let flat = (r * indexCount + j) * inner + k
                            let i = indices[flat]
                            precondition(i >= 0 && i < size, "scatterAdding: index \(i) is out of range 0..<\(size)")
                            o[(r * size + i) * inner + k] += s[flat]
                        }
                    }
                }
            }
        }
        let needSource = source.node != nil
        return Tensor.recorded(out, inputs: [self, source]) { g in
            [g, needSource ? g.gathering(alongAxis: a, indices: indices, indexCount: indexCount) : nil]
        }
    }
}
