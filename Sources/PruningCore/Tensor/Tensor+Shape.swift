extension Tensor {
    /// The dimensions reordered: result dimension `i` is this tensor's dimension `order[i]`
    /// (materialized).
    public func permuted(_ order: [Int]) -> Tensor {
        precondition(
            order.count == rank && Set(order) == Set(0..<rank),
            "permuted: \(order) is not a permutation of the \(rank) axes of \(shape)")
        if order == Array(0..<rank) { return self }
        let outShape = order.map { shape[$0] }
        let inStrides = Broadcasting.contiguousStrides(shape)
        let permutedStrides = order.map { inStrides[$0] }
        // Coalesce so that the innermost loop is as long as possible.
        let (cShape, cStrides) = Broadcasting.coalesce(shape: outShape, strides: [permutedStrides])
        let strides = cStrides[0]
        let source = storage.pointer
        let out = Tensor(shape: outShape) { o in
            let op = o.baseAddress!
            let inner = cShape[cShape.count - 1]
            let innerStride = strides[strides.count - 1]
            // The innermost two axes go to one vectorized call (runs of `inner` elements, each
            // `runStride` apart in the source); an odometer walks the axes outside them.
            let (runs, runStride) = cShape.count >= 2 ? (cShape[cShape.count - 2], strides[strides.count - 2]) : (1, 0)
            let outerShape = Array(cShape.dropLast(Swift.min(2, cShape.count)))
            let outerStrides = Array(strides.dropLast(Swift.min(2, strides.count)))
            let outerCount = outerShape.reduce(1, *)
            let copyRuns = SIMDKernels.active.copyRuns!
            var index = [Int](repeating: 0, count: outerShape.count)
            var offset = 0
            for block in 0..<outerCount {
                let dst = op + block * runs * inner
                if innerStride == 1 {
                    copyRuns(source + offset, runStride, dst, inner, runs, inner)
                } else {
                    for r in 0..<runs {
                        let src = source + offset + r * runStride
                        let row = dst + r * inner
                        for i in 0..<inner { row[i] = src[i * innerStride] }
                    }
                }
                var axis = outerShape.count - 1
                while axis >= 0 {
                    index[axis] += 1
                    offset += outerStrides[axis]
                    if index[axis] < outerShape[axis] { break }
                    offset -= index[axis] * outerStrides[axis]
                    index[axis] = 0
                    axis -= 1
                }
            }
        }
        var inverse = [Int](repeating: 0, count: rank)
        for (i, o) in order.enumerated() { inverse[o] = i }
        return Tensor.recorded(out, inputs: [self]) { g in [g.permuted(inverse)] }
    }

    /// The tensor with axes `first` and `second` swapped (materialized).
    public func transposed(_ first: Int, _ second: Int) -> Tensor {
        var order = Array(0..<rank)
        order.swapAt(normalizedAxis(first), normalizedAxis(second))
        return permuted(order)
    }

    /// The tensor with a dimension of size 1 inserted at `axis` (free).
    public func unsqueezed(at axis: Int) -> Tensor {
        let a = axis < 0 ? axis + rank + 1 : axis
        precondition(a >= 0 && a <= rank, "unsqueezed(at: \(axis)) is out of range for \(shape)")
        var s = shape
        s.insert(1, at: a)
        return reshaped(to: s)
    }

    /// The tensor with dimension `axis` (of size 1) removed, or every size-1 dimension when
    /// `axis` is nil (free).
    public func squeezed(at axis: Int? = nil) -> Tensor {
        if let axis {
            let a = normalizedAxis(axis)
            precondition(shape[a] == 1, "squeezed(at: \(axis)): dimension has size \(shape[a]), not 1")
            var s = shape
            s.remove(at: a)
            return reshaped(to: s)
        }
        return reshaped(to: shape.filter { $0 != 1 })
    }

    /// The tensor flattened from `startAxis` on: `[a, b, c, d].flattened(from: 1)` is
    /// `[a, b·c·d]` (free).
    public func flattened(from startAxis: Int = 0) -> Tensor {
        let a = normalizedAxis(startAxis)
        return reshaped(to: Array(shape[..<a]) + [shape[a...].reduce(1, *)])
    }

    /// `count` consecutive entries along `axis` starting at `start`.
    public func sliced(alongAxis axis: Int, from start: Int, count length: Int) -> Tensor {
        let a = normalizedAxis(axis)
        precondition(
            start >= 0 && length >= 0 && start + length <= shape[a],
            "sliced: range \(start)..<\(start + length) is out of bounds for axis \(a) of \(shape)")
        let (outer, size, inner) = split(at: a)
        var outShape = shape
        outShape[a] = length
        let source = storage.pointer
        let out = Tensor(shape: outShape) { o in
            for r in 0..<outer {
                (o.baseAddress! + r * length * inner).update(
                    from: source + (r * size + start) * inner, count: length * inner)
            }
        }
        let inputShape = shape
        return Tensor.recorded(out, inputs: [self]) { g in
            var grad = Tensor.zeros(inputShape)
            grad.withUnsafeMutableBufferPointer { dst in
                g.withUnsafeBufferPointer { src in
                    for r in 0..<outer {
                        (dst.baseAddress! + (r * size + start) * inner).update(
                            from: src.baseAddress! + r * length * inner, count: length * inner)
                    }
                }
            }
            return [grad]
        }
    }

    /// The entries `range` along `axis`.
    public func sliced(alongAxis axis: Int, _ range: Range<Int>) -> Tensor {
        sliced(alongAxis: axis, from: range.lowerBound, count: range.count)
    }

    /// Joins `tensors` along `axis`; all other dimensions must agree.
    public static func concatenate(_ tensors: [Tensor], alongAxis axis: Int = 0) -> Tensor {
        precondition(!tensors.isEmpty, "concatenate: no tensors")
        let first = tensors[0]
        let a = first.normalizedAxis(axis)
        var outShape = first.shape
        outShape[a] = 0
        for t in tensors {
            precondition(t.rank == first.rank, "concatenate: ranks differ (\(first.shape) vs \(t.shape))")
            for d in 0..<t.rank where d != a {
                precondition(t.shape[d] == first.shape[d], "concatenate: shapes \(first.shape) and \(t.shape) differ off axis \(a)")
            }
            outShape[a] += t.shape[a]
        }
        let outer = first.shape[..<a].reduce(1, *)
        let inner = first.shape[(a + 1)...].reduce(1, *)
        let total = outShape[a]
        let out = Tensor(shape: outShape) { o in
            var offset = 0
            for t in tensors {
                let size = t.shape[a]
                for r in 0..<outer {
                    (o.baseAddress! + (r * total + offset) * inner).update(
                        from: t.storage.pointer + r * size * inner, count: size * inner)
                }
                offset += size
            }
        }
        let sizes = tensors.map { $0.shape[a] }
        return recorded(out, inputs: tensors) { g in
            var start = 0
            return sizes.map { size in
                defer { start += size }
                return g.sliced(alongAxis: a, from: start, count: size)
            }
        }
    }

    /// Stacks equally shaped `tensors` along a new axis.
    public static func stack(_ tensors: [Tensor], alongAxis axis: Int = 0) -> Tensor {
        precondition(!tensors.isEmpty, "stack: no tensors")
        return concatenate(tensors.map { $0.unsqueezed(at: axis) }, alongAxis: axis)
    }

    /// Splits along `axis` into pieces of the given sizes (which must add up to the dimension).
    public func split(sizes: [Int], alongAxis axis: Int = 0) -> [Tensor] {
        let a = normalizedAxis(axis)
        precondition(sizes.reduce(0, +) == shape[a], "split: sizes \(sizes) do not add up to \(shape[a])")
        var start = 0
        return sizes.map { size in
            defer { start += size }
            return sliced(alongAxis: a, from: start, count: size)
        }
    }

    /// Splits along `axis` into `count` nearly equal pieces (the last may be smaller).
    public func chunked(into count: Int, alongAxis axis: Int = 0) -> [Tensor] {
        let a = normalizedAxis(axis)
        precondition(count > 0, "chunked: count must be positive")
        let size = (shape[a] + count - 1) / count
        var sizes: [Int] = []
        var remaining = shape[a]
        while remaining > 0 {
            sizes.append(Swift.min(size, remaining))
            remaining -= size
        }
        return split(sizes: sizes, alongAxis: a)
    }

    /// The tensor padded with `value`; `padding[i]` is `(before, after)` for axis `i` (missing
    /// trailing entries mean no padding).
    public func padded(_ padding: [(before: Int, after: Int)], value: Float = 0) -> Tensor {
        precondition(padding.count <= rank, "padded: \(padding.count) pads for shape \(shape)")
        var result = self
        for (axis, pad) in padding.enumerated() where pad.before > 0 || pad.after > 0 {
            precondition(pad.before >= 0 && pad.after >= 0, "padded: negative padding \(pad)")
            var parts: [Tensor] = []
            var side = result.shape
            if pad.before > 0 {
                side[axis] = pad.before
                parts.append(Tensor.full(side, value))
            }
            parts.append(result)
            if pad.after > 0 {
                side[axis] = pad.after
                parts.append(Tensor.full(side, value))
            }
            result = Tensor.concatenate(parts, alongAxis: axis)
        }
        return result
    }
}
