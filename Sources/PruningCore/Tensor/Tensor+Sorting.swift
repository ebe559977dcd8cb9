extension Tensor {
    // MARK: Sorting

    /// The positions along `axis` that sort this tensor, as row-major indices shaped like the
    /// tensor (PyTorch's `argsort(stable=True)`).
    ///
    /// The sort is stable: equal values keep their original order, in both directions. NaN
    /// counts as larger than every number, so it comes last in ascending order and first in
    /// descending order.
    ///
    /// ```swift
    /// Tensor([3, 1, 2]).argsort(alongAxis: 0)                    // [1, 2, 0]
    /// Tensor([1, 2, 1]).argsort(alongAxis: 0, descending: true)  // [1, 0, 2]
    /// ```
    public func argsort(alongAxis axis: Int = -1, descending: Bool = false) -> [Int] {
        laneOrder(alongAxis: normalizedAxis(axis), keeping: nil, descending: descending)
    }

    /// The values sorted along `axis` and the positions they came from (stable; see
    /// ``argsort(alongAxis:descending:)``).
    ///
    /// The gradient of `values` flows back to the positions each value was taken from.
    ///
    /// - Returns: `values`, shaped like this tensor, and `indices`, its row-major positions
    ///   along `axis`.
    public func sorted(alongAxis axis: Int = -1, descending: Bool = false) -> (values: Tensor, indices: [Int]) {
        let a = normalizedAxis(axis)
        let indices = laneOrder(alongAxis: a, keeping: nil, descending: descending)
        return (gathering(alongAxis: a, indices: indices, indexCount: shape[a]), indices)
    }

    /// The `k` largest (or smallest) values along `axis`, in order, and their positions.
    ///
    /// Ties are broken towards the lower position, so the result equals the first `k` entries of
    /// ``sorted(alongAxis:descending:)`` with `descending: largest`. The selection costs
    /// `O(n log k)` per lane when `k` is small. The gradient of `values` flows back to the
    /// chosen positions; every other position gets zero.
    ///
    /// - Parameters:
    ///   - k: how many entries to keep, in `0...shape[axis]`.
    ///   - axis: the axis to select along.
    ///   - largest: whether to keep the largest (default) or the smallest entries.
    /// - Returns: `values`, shaped like this tensor with `k` entries along `axis`, and `indices`,
    ///   their row-major positions along `axis`.
    public func topK(_ k: Int, alongAxis axis: Int = -1, largest: Bool = true) -> (values: Tensor, indices: [Int]) {
        let a = normalizedAxis(axis)
        precondition(k >= 0 && k <= shape[a], "topK: k = \(k) is out of range 0...\(shape[a]) for axis \(a) of \(shape)")
        let indices = laneOrder(alongAxis: a, keeping: k, descending: largest)
        return (gathering(alongAxis: a, indices: indices, indexCount: k), indices)
    }

    /// Sorted positions of every lane along `axis` (all of them, or the first `keeping`), laid
    /// out row-major with `keeping ?? size` entries on that axis.
    private func laneOrder(alongAxis axis: Int, keeping: Int?, descending: Bool) -> [Int] {
        let (outer, size, inner) = split(at: axis)
        let kept = keeping ?? size
        var result = [Int](repeating: 0, count: outer * kept * inner)
        if kept == 0 || outer * inner == 0 { return result }
        let useHeap = kept < size && kept * 8 <= size
        let source = UnsafePointer(storage.pointer)
        result.withUnsafeMutableBufferPointer { out in
            let outBase = out.baseAddress!
            Kernels.parallelFor(outer * inner, minimumPerThread: Swift.max(1, 8192 / Swift.max(size, 1))) { lanes in
                var scratch = [Int](repeating: 0, count: useHeap ? kept : size)
                for lane in lanes {
                    let r = lane / inner
                    let i = lane % inner
                    let values = source + r * size * inner + i
                    // `precedes(p, q)`: position p comes before position q in the requested order.
                    let precedes = { (p: Int, q: Int) -> Bool in
                        let x = values[p * inner]
                        let y = values[q * inner]
                        if x == y || (x.isNaN && y.isNaN) { return p < q }
                        let xFirst = descending ? Tensor.isOrderedBefore(y, x) : Tensor.isOrderedBefore(x, y)
                        return xFirst
                    }
                    if useHeap {
                        Tensor.selectFirst(kept, of: size, into: &scratch, by: precedes)
                    } else {
                        for p in 0..<size { scratch[p] = p }
                        scratch.sort(by: precedes)
                    }
                    let destination = outBase + r * kept * inner + i
                    for j in 0..<kept { destination[j * inner] = scratch[j] }
                }
            }
        }
        return result
    }

    /// The ascending order of floats with NaN after every number (`x` and `y` not equal).
    private static func isOrderedBefore(_ x: Float, _ y: Float) -> Bool {
        if x.isNaN { return false }
        if y.isNaN { return true }
        return x < y
    }

    /// Writes into `scratch` (of length `k`) the first `k` of the positions `0..<count` in the
    /// strict total order `precedes`, sorted. A bounded max-heap keeps the `k` best seen so far;
    /// its root is the worst of them.
    private static func selectFirst(
        _ k: Int, of count: Int, into scratch: inout [Int], by precedes: (Int, Int) -> Bool
    ) {
        scratch.withUnsafeMutableBufferPointer { heap in
            func siftDown(_ start: Int, _ end: Int) {
                var parent = start
                while true {
                    let left = 2 * parent + 1
                    if left >= end { return }
                    var worst = left
                    if left + 1 < end && precedes(heap[left], heap[left + 1]) { worst = left + 1 }
                    if !precedes(heap[parent], heap[worst]) { return }
                    heap.swapAt(parent, worst)
                    parent = worst
                }
            }
            for p in 0..<k { heap[p] = p }
            for start in stride(from: k / 2 - 1, through: 0, by: -1) { siftDown(start, k) }
            for p in k..<count where precedes(p, heap[0]) {
                heap[0] = p
                siftDown(0, k)
            }
            // Heap sort: repeatedly move the worst remaining entry to the end.
            for end in stride(from: k - 1, to: 0, by: -1) {
                heap.swapAt(0, end)
                siftDown(0, end)
            }
        }
    }

    // MARK: Scans

    /// The running sum along `axis` (PyTorch's `cumsum`): entry `i` is the sum of entries
    /// `0...i`, or of entries `i..<n` when `reverse` is true.
    ///
    /// The gradient is the running sum of the incoming gradient in the opposite direction.
    public func cumulativeSum(alongAxis axis: Int, reverse: Bool = false) -> Tensor {
        let a = normalizedAxis(axis)
        let (outer, size, inner) = split(at: a)
        let source = UnsafePointer(storage.pointer)
        let out = Tensor(shape: shape) { o in
            let op = o.baseAddress!
            Kernels.parallelFor(outer, minimumPerThread: Swift.max(1, 65536 / Swift.max(size * inner, 1))) { rows in
                for r in rows {
                    let base = r * size * inner
                    for step in 0..<size {
                        let k = reverse ? size - 1 - step : step
                        let offset = base + k * inner
                        if step == 0 {
                            (op + offset).update(from: source + offset, count: inner)
                        } else {
                            let previous = offset + (reverse ? inner : -inner)
                            for i in 0..<inner { op[offset + i] = op[previous + i] + source[offset + i] }
                        }
                    }
                }
            }
        }
        return Tensor.recorded(out, inputs: [self]) { g in
            [g.cumulativeSum(alongAxis: a, reverse: !reverse)]
        }
    }

    /// The running product along `axis` (PyTorch's `cumprod`): entry `i` is the product of
    /// entries `0...i`.
    ///
    /// The gradient is exact also when the input contains zeros: the entry at the first zero of
    /// a lane receives the derivative of the products that include it, and entries after it
    /// receive zero.
    public func cumulativeProduct(alongAxis axis: Int) -> Tensor {
        let a = normalizedAxis(axis)
        let (outer, size, inner) = split(at: a)
        let source = UnsafePointer(storage.pointer)
        let out = Tensor(shape: shape) { o in
            for lane in 0..<(outer * inner) {
                let base = (lane / inner) * size * inner + lane % inner
                var product: Float = 1
                for k in 0..<size {
                    product *= source[base + k * inner]
                    o[base + k * inner] = product
                }
            }
        }
        let input = self
        return Tensor.recorded(out, inputs: [self]) { g in
            [Tensor.cumulativeProductGradient(input: input, output: out, gradient: g, axis: a)]
        }
    }

    /// The gradient of ``cumulativeProduct(alongAxis:)``, lane by lane in `O(n)`.
    ///
    /// Before the first zero `z` of a lane, `∂L/∂xᵢ = Σ_{j≥i} gⱼ yⱼ / xᵢ`; at `z` it is
    /// `Σ_{j≥z} gⱼ · y_{z−1} · Π_{z<m≤j} x_m`; after `z` it is zero.
    private static func cumulativeProductGradient(input: Tensor, output: Tensor, gradient: Tensor, axis: Int) -> Tensor {
        let (outer, size, inner) = input.split(at: axis)
        let x = UnsafePointer(input.storage.pointer)
        let y = UnsafePointer(output.storage.pointer)
        let g = UnsafePointer(gradient.storage.pointer)
        return Tensor(shape: input.shape) { o in
            for lane in 0..<(outer * inner) {
                let base = (lane / inner) * size * inner + lane % inner
                var firstZero = size
                for k in 0..<size where x[base + k * inner] == 0 {
                    firstZero = k
                    break
                }
                // Suffix sums of g·y over the entries before the first zero.
                var suffix: Float = 0
                for k in stride(from: firstZero - 1, through: 0, by: -1) {
                    let offset = base + k * inner
                    suffix += g[offset] * y[offset]
                    o[offset] = suffix / x[offset]
                }
                guard firstZero < size else { continue }
                var running: Float = firstZero > 0 ? y[base + (firstZero - 1) * inner] : 1
                var total: Float = 0
                for k in firstZero..<size {
                    if k > firstZero { running *= x[base + k * inner] }
                    total += g[base + k * inner] * running
                    if k > firstZero { o[base + k * inner] = 0 }
                }
                o[base + firstZero * inner] = total
            }
        }
    }
}
