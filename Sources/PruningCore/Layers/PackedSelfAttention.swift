extension Tensor {
    /// Unmasked multi-head self-attention read straight from a fused query–key–value projection,
    /// with the heads' outputs written back side by side: no permutation of the heads is
    /// materialized, forward or backward.
    ///
    /// `qkv` is `[batch, tokens, 3 · heads · headDimension]` laid out as `(3, heads,
    /// headDimension)` along its last axis (query, key, value; each split into heads), the layout
    /// of a ViT's `qkv` linear layer. For each sample and head,
    /// `O = softmax(scale · Q Kᵀ) V` with `Q`, `K`, `V` the `[tokens, headDimension]` slices of
    /// `qkv`; the result is `[batch, tokens, heads · headDimension]` with head `h` in columns
    /// `h·headDimension ..< (h+1)·headDimension` — what ``scaledDotProductAttention(query:key:value:mask:scale:isCausal:)``
    /// gives after splitting the heads out and merging them back. Every product is one GEMM on
    /// strided rows (leading dimension `3 · heads · headDimension` for the operands and
    /// `heads · headDimension` for the output); samples and heads are split over the
    /// ``ThreadPolicy`` threads. Differentiable with respect to `qkv`; the backward pass reuses
    /// the saved attention probabilities.
    ///
    /// - Parameters:
    ///   - qkv: the fused projection `[batch, tokens, 3 · heads · headDimension]`.
    ///   - heads: the number of heads; `qkv.shape[2]` must be a positive multiple of `3 · heads`.
    ///   - scale: the score scale, `1/√headDimension` by default.
    public static func packedSelfAttention(_ qkv: Tensor, heads: Int, scale: Float? = nil) -> Tensor {
        precondition(qkv.rank == 3 && heads > 0 && qkv.shape[2] > 0 && qkv.shape[2] % (3 * heads) == 0,
                     "packedSelfAttention: qkv \(qkv.shape) should be [batch, tokens, 3 · \(heads) · headDimension]")
        let (batch, tokens, packedWidth) = (qkv.shape[0], qkv.shape[1], qkv.shape[2])
        let width = packedWidth / 3
        let headDimension = width / heads
        let factor = scale ?? 1 / Float(headDimension).squareRoot()
        let pairs = batch * heads
        let scoreCount = tokens * tokens
        let source = UnsafePointer(qkv.storage.pointer)
        // The attention probabilities [batch, heads, tokens, tokens], kept for the backward pass.
        let probabilities = TensorStorage(uninitializedCount: pairs * scoreCount)
        let softmax = SIMDKernels.active.softmaxRows!
        let output = Tensor(shape: [batch, tokens, width]) { out in
            let o = out.baseAddress!
            let p = probabilities.pointer
            Kernels.parallelFor(pairs, minimumPerThread: 1) { range in
                for pair in range {
                    let (sample, head) = (pair / heads, pair % heads)
                    let query = source + sample * tokens * packedWidth + head * headDimension
                    let scores = p + pair * scoreCount
                    BLAS.sgemm(
                        transposeA: false, transposeB: true, m: tokens, n: tokens, k: headDimension,
                        alpha: factor, a: query, lda: packedWidth, b: query + width, ldb: packedWidth,
                        c: scores, ldc: tokens)
                    softmax(scores, scores, tokens, tokens)
                    BLAS.sgemm(
                        transposeA: false, transposeB: false, m: tokens, n: headDimension, k: tokens,
                        a: scores, lda: tokens, b: query + 2 * width, ldb: packedWidth,
                        c: o + sample * tokens * width + head * headDimension, ldc: width)
                }
            }
        }
        return recorded(output, inputs: [qkv]) { gradient in
            let dy = UnsafePointer(gradient.storage.pointer)
            let p = UnsafePointer(probabilities.pointer)
            let softmaxBackward = SIMDKernels.active.softmaxBackwardRows!
            let dqkv = Tensor(shape: qkv.shape) { out in
                let d = out.baseAddress!
                Kernels.parallelFor(pairs, minimumPerThread: 1) { range in
                    let scratch = UnsafeMutablePointer<Float>.allocate(capacity: scoreCount)
                    defer { scratch.deallocate() }
                    for pair in range {
                        let (sample, head) = (pair / heads, pair % heads)
                        let offset = sample * tokens * packedWidth + head * headDimension
                        let (query, key, value) = (source + offset, source + offset + width, source + offset + 2 * width)
                        let (dQuery, dKey, dValue) = (d + offset, d + offset + width, d + offset + 2 * width)
                        let dOut = dy + sample * tokens * width + head * headDimension
                        let weights = p + pair * scoreCount
                        // dV = Pᵀ dO
                        BLAS.sgemm(
                            transposeA: true, transposeB: false, m: tokens, n: headDimension, k: tokens,
                            a: weights, lda: tokens, b: dOut, ldb: width, c: dValue, ldc: packedWidth)
                        // dP = dO Vᵀ, then dS = P ⊙ (dP − Σ dP⊙P)
                        BLAS.sgemm(
                            transposeA: false, transposeB: true, m: tokens, n: tokens, k: headDimension,
                            a: dOut, lda: width, b: value, ldb: packedWidth, c: scratch, ldc: tokens)
                        softmaxBackward(weights, scratch, scratch, tokens, tokens)
                        // dQ = scale · dS K, dK = scale · dSᵀ Q
                        BLAS.sgemm(
                            transposeA: false, transposeB: false, m: tokens, n: headDimension, k: tokens,
                            alpha: factor, a: scratch, lda: tokens, b: key, ldb: packedWidth, c: dQuery, ldc: packedWidth)
                        BLAS.sgemm(
                            transposeA: true, transposeB: false, m: tokens, n: headDimension, k: tokens,
                            alpha: factor, a: scratch, lda: tokens, b: query, ldb: packedWidth, c: dKey, ldc: packedWidth)
                    }
                }
            }
            return [dqkv]
        }
    }
}
