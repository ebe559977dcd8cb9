extension Tensor {
    /// The matrix product of the last two dimensions, broadcasting any leading (batch)
    /// dimensions, through `cblas_sgemm`.
    ///
    /// `transposingSelf` / `transposingOther` use the transpose of the last two dimensions of an
    /// operand without copying it. A rank-1 operand is treated as a row (left) or column (right)
    /// vector and that dimension is dropped from the result, as in NumPy.
    ///
    /// Shapes: `[..., m, k] · [..., k, n] → [..., m, n]`.
    public func matmul(_ other: Tensor, transposingSelf: Bool = false, transposingOther: Bool = false) -> Tensor {
        var a = self
        var b = other
        var dropRow = false
        var dropColumn = false
        if a.rank == 1 { a = a.reshaped(to: [1, a.count]); dropRow = true }
        if b.rank == 1 { b = b.reshaped(to: [b.count, 1]); dropColumn = true }
        var result = Tensor.batchedMatmul(a, b, transposeA: transposingSelf, transposeB: transposingOther)
        if dropRow || dropColumn {
            var s = result.shape
            if dropColumn { s.removeLast() }
            if dropRow { s.remove(at: s.count - (dropColumn ? 1 : 2)) }
            result = result.reshaped(to: s)
        }
        return result
    }

    /// The transpose of the last two dimensions (materialized).
    public func transposed() -> Tensor {
        precondition(rank >= 2, "transposed() needs at least 2 dimensions, shape is \(shape)")
        var order = Array(0..<rank)
        order.swapAt(rank - 1, rank - 2)
        return permuted(order)
    }

    static func batchedMatmul(_ a: Tensor, _ b: Tensor, transposeA: Bool, transposeB: Bool) -> Tensor {
        let (ar, ac) = (a.shape[a.rank - 2], a.shape[a.rank - 1])
        let (br, bc) = (b.shape[b.rank - 2], b.shape[b.rank - 1])
        let (m, k) = transposeA ? (ac, ar) : (ar, ac)
        let (k2, n) = transposeB ? (bc, br) : (br, bc)
        precondition(k == k2, "matmul: inner dimensions differ: \(a.shape)\(transposeA ? "ᵀ" : "") · \(b.shape)\(transposeB ? "ᵀ" : "")")
        let batchA = Array(a.shape.dropLast(2))
        let batchB = Array(b.shape.dropLast(2))
        let batch = batchA == batchB ? batchA : Broadcasting.shape(batchA, batchB)
        let batchCount = elementCount(of: batch)
        let outShape = batch + [m, n]
        let out = TensorStorage(uninitializedCount: elementCount(of: outShape))
        let pa = UnsafePointer(a.storage.pointer)
        let pb = UnsafePointer(b.storage.pointer)

        if batchB.isEmpty || (batchB.allSatisfy { $0 == 1 } && !batchA.isEmpty && !transposeA) {
            // One shared right operand: fold the batch of A into its rows (a single GEMM).
            if !transposeA {
                BLAS.sgemm(
                    transposeA: false, transposeB: transposeB, m: batchCount * m, n: n, k: k,
                    a: pa, lda: ac, b: pb, ldb: bc, c: out.pointer, ldc: n)
            } else {
                for i in 0..<batchCount {
                    BLAS.sgemm(
                        transposeA: true, transposeB: transposeB, m: m, n: n, k: k,
                        a: pa + i * ar * ac, lda: ac, b: pb, ldb: bc, c: out.pointer + i * m * n, ldc: n)
                }
            }
        } else {
            let stridesA = Broadcasting.strides(of: batchA, broadcastTo: batch)
            let stridesB = Broadcasting.strides(of: batchB, broadcastTo: batch)
            var index = [Int](repeating: 0, count: batch.count)
            for i in 0..<batchCount {
                var offA = 0
                var offB = 0
                for axis in 0..<batch.count {
                    offA += index[axis] * stridesA[axis]
                    offB += index[axis] * stridesB[axis]
                }
                BLAS.sgemm(
                    transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k,
                    a: pa + offA * ar * ac, lda: ac, b: pb + offB * br * bc, ldb: bc,
                    c: out.pointer + i * m * n, ldc: n)
                var axis = batch.count - 1
                while axis >= 0 {
                    index[axis] += 1
                    if index[axis] < batch[axis] { break }
                    index[axis] = 0
                    axis -= 1
                }
            }
        }
        let result = Tensor(shape: outShape, storage: out)
        let (needA, needB) = (a.node != nil, b.node != nil)
        return recorded(result, inputs: [a, b]) { g in
            let (ad, bd) = (a.detached(), b.detached())
            var gradA: Tensor? = nil
            var gradB: Tensor? = nil
            if needA {
                // C = op(A) op(B): d op(A) = G op(B)ᵀ.
                gradA = transposeA
                    ? batchedMatmul(bd, g, transposeA: transposeB, transposeB: true)
                    : batchedMatmul(g, bd, transposeA: false, transposeB: !transposeB)
                gradA = gradA!.summed(toShape: a.shape)
            }
            if needB && batchB.isEmpty && !transposeA {
                // Shared right operand: fold A's batch into rows, one GEMM.
                let a2 = ad.reshaped(to: [-1, ac])
                let g2 = g.reshaped(to: [-1, n])
                gradB = transposeB
                    ? batchedMatmul(g2, a2, transposeA: true, transposeB: false)
                    : batchedMatmul(a2, g2, transposeA: true, transposeB: false)
            } else if needB {
                // d op(B) = op(A)ᵀ G.
                gradB = transposeB
                    ? batchedMatmul(g, ad, transposeA: true, transposeB: transposeA)
                    : batchedMatmul(ad, g, transposeA: !transposeA, transposeB: false)
                gradB = gradB!.summed(toShape: b.shape)
            }
            return [gradA, gradB]
        }
    }
}

extension Tensor {
    /// The affine map `input · weightᵀ + bias` over the last dimension, with the bias written
    /// into the output before one `cblas_sgemm` accumulates the product into it (no separate
    /// pass for the addition).
    ///
    /// Shapes: input `[..., inputCount]`, weight `[outputCount, inputCount]`, bias
    /// `[outputCount]` → `[..., outputCount]`.
    public static func linear(_ input: Tensor, weight: Tensor, bias: Tensor?) -> Tensor {
        precondition(weight.rank == 2 && input.shape.last == weight.shape[1],
                     "linear: input \(input.shape) does not match weight \(weight.shape)")
        guard let bias else { return input.matmul(weight, transposingOther: true) }
        let (outputCount, inputCount) = (weight.shape[0], weight.shape[1])
        precondition(bias.shape == [outputCount], "linear: bias \(bias.shape) should be [\(outputCount)]")
        let rows = input.count / Swift.max(inputCount, 1)
        let outShape = Array(input.shape.dropLast()) + [outputCount]
        let out = TensorStorage(uninitializedCount: rows * outputCount)
        for r in 0..<rows { (out.pointer + r * outputCount).update(from: bias.storage.pointer, count: outputCount) }
        BLAS.sgemm(
            transposeA: false, transposeB: true, m: rows, n: outputCount, k: inputCount,
            a: input.storage.pointer, lda: inputCount, b: weight.storage.pointer, ldb: inputCount,
            beta: 1, c: out.pointer, ldc: outputCount)
        let (needInput, needWeight, needBias) = (input.node != nil, weight.node != nil, bias.node != nil)
        return recorded(Tensor(shape: outShape, storage: out), inputs: [input, weight, bias]) { g in
            let g2 = g.reshaped(to: [rows, outputCount])
            let gradInput = needInput ? g.matmul(weight.detached()) : nil
            let gradWeight = needWeight
                ? g2.matmul(input.detached().reshaped(to: [rows, inputCount]), transposingSelf: true) : nil
            let gradBias = needBias ? g2.sum(alongAxis: 0) : nil
            return [gradInput, gradWeight, gradBias]
        }
    }
}
