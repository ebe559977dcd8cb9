import Foundation

/// Fused recurrences for ``GRUCell``/``GRU`` and ``LSTMCell``/``LSTM``: one recorded operation
/// runs a whole direction of a layer and its backward pass runs backpropagation through time
/// with buffer loops and BLAS, instead of recording a dozen small operations per step.
///
/// The input contribution `x W_ihᵀ + b_ih` of every step is computed beforehand in one matrix
/// product by the caller (`projected`); the recurrent product `h W_hhᵀ` is one GEMM per step.
/// Hidden states are read in place from the output buffer (leading dimension `length · width`).
enum RecurrentKernels {
    /// The time indices in processing order.
    private static func timeOrder(_ length: Int, reverse: Bool) -> [Int] {
        reverse ? Array((0..<length).reversed()) : Array(0..<length)
    }

    private static func checkShapes(
        _ name: String, projected: Tensor, weight: Tensor, bias: Tensor?, initial: [Tensor], gates: Int
    ) -> (batch: Int, length: Int, hidden: Int) {
        precondition(projected.rank == 3, "\(name): projected input \(projected.shape) must be [batch, length, \(gates)·hidden]")
        let (batch, length, width) = (projected.shape[0], projected.shape[1], projected.shape[2])
        precondition(weight.rank == 2 && weight.shape[0] == width && weight.shape[0] == gates * weight.shape[1],
                     "\(name): recurrent weight \(weight.shape) must be [\(gates)·hidden, hidden] matching projected input \(projected.shape)")
        let hidden = weight.shape[1]
        precondition(hidden > 0 && length > 0, "\(name): empty hidden size or sequence (projected input \(projected.shape))")
        if let bias { precondition(bias.shape == [width], "\(name): recurrent bias \(bias.shape) must be [\(width)]") }
        for state in initial {
            precondition(state.shape == [batch, hidden], "\(name): initial state \(state.shape) must be [\(batch), \(hidden)]")
        }
        return (batch, length, hidden)
    }

    // MARK: GRU

    /// The GRU recurrence (PyTorch's formulation, gate order r, z, n):
    /// `r = σ(p_r + h W_hrᵀ + b_hr)`, `z = σ(p_z + h W_hzᵀ + b_hz)`,
    /// `n = tanh(p_n + r ⊙ (h W_hnᵀ + b_hn))`, `h' = (1 − z) ⊙ n + z ⊙ h`.
    ///
    /// - Parameters:
    ///   - projected: `[batch, length, 3·hidden]`, the input contributions `x W_ihᵀ + b_ih`.
    ///   - weight: `W_hh`, `[3·hidden, hidden]`.
    ///   - bias: `b_hh`, `[3·hidden]`, if any.
    ///   - initial: `h₀`, `[batch, hidden]`.
    ///   - reverse: whether to run from the last time step to the first.
    /// - Returns: the hidden state at every time step, `[batch, length, hidden]`.
    static func gru(projected: Tensor, weight: Tensor, bias: Tensor?, initial: Tensor, reverse: Bool) -> Tensor {
        let (batch, length, hidden) = checkShapes("GRU", projected: projected, weight: weight, bias: bias, initial: [initial], gates: 3)
        let (h, width) = (hidden, 3 * hidden)
        let times = timeOrder(length, reverse: reverse)
        let biasValues = bias ?? Tensor.zeros([width])
        let (p, w, bh, h0) = (projected.storage.pointer, weight.storage.pointer, biasValues.storage.pointer, initial.storage.pointer)
        let out = TensorStorage(uninitializedCount: batch * length * h)
        // r, z, n and (h W_hnᵀ + b_hn) per [time, batch, hidden], kept for the backward pass.
        let block = length * batch * h
        let saved = TensorStorage(uninitializedCount: 4 * block)
        let (sr, sz, sn, shn) = (saved.pointer, saved.pointer + block, saved.pointer + 2 * block, saved.pointer + 3 * block)
        func previous(_ s: Int) -> (UnsafeMutablePointer<Float>, Int) {
            s == 0 ? (h0, h) : (out.pointer + times[s - 1] * h, length * h)
        }
        let recurrent = UnsafeMutablePointer<Float>.allocate(capacity: batch * width)
        defer { recurrent.deallocate() }
        for (s, t) in times.enumerated() {
            let (hp, hpStride) = previous(s)
            BLAS.sgemm(transposeA: false, transposeB: true, m: batch, n: width, k: h,
                       a: hp, lda: hpStride, b: w, ldb: h, c: recurrent, ldc: width)
            for b in 0..<batch {
                let pRow = p + (b * length + t) * width
                let gRow = recurrent + b * width
                let hRow = hp + b * hpStride
                let oRow = out.pointer + (b * length + t) * h
                let sv = (t * batch + b) * h
                for j in 0..<h {
                    let r = SigmoidKernel.apply(pRow[j] + gRow[j] + bh[j])
                    let z = SigmoidKernel.apply(pRow[h + j] + gRow[h + j] + bh[h + j])
                    let hn = gRow[2 * h + j] + bh[2 * h + j]
                    let n = Foundation.tanh(pRow[2 * h + j] + r * hn)
                    oRow[j] = n + z * (hRow[j] - n)
                    sr[sv + j] = r
                    sz[sv + j] = z
                    sn[sv + j] = n
                    shn[sv + j] = hn
                }
            }
        }
        let output = Tensor(shape: [batch, length, h], storage: out)
        let inputs = [projected, weight] + (bias.map { [$0] } ?? []) + [initial]
        let hasBias = bias != nil
        return Tensor.recorded(output, inputs: inputs) { gradient in
            // The raw pointers below stay valid while the closure holds these tensors.
            withExtendedLifetime((weight, initial, saved, out)) {
                let g = gradient.storage.pointer
                let dProjected = Tensor.zeros([batch, length, width])
                let dRecurrent = TensorStorage(uninitializedCount: batch * length * width)
                let hPrevious = TensorStorage(uninitializedCount: batch * length * h)
                let dInitial = Tensor.zeros([batch, h])
                let dp = dProjected.storage.pointer
                let dh = dInitial.storage.pointer
                for s in stride(from: length - 1, through: 0, by: -1) {
                    let t = times[s]
                    let (hp, hpStride) = previous(s)
                    for b in 0..<batch {
                        let row = b * length + t
                        let sv = (t * batch + b) * h
                        let hRow = hp + b * hpStride
                        for j in 0..<h {
                            let (r, z, n, hn) = (sr[sv + j], sz[sv + j], sn[sv + j], shn[sv + j])
                            let previousValue = hRow[j]
                            let dOut = g[row * h + j] + dh[b * h + j]
                            let dnPre = dOut * (1 - z) * (1 - n * n)
                            let dzPre = dOut * (previousValue - n) * z * (1 - z)
                            let drPre = dnPre * hn * r * (1 - r)
                            dp[row * width + j] = drPre
                            dp[row * width + h + j] = dzPre
                            dp[row * width + 2 * h + j] = dnPre
                            dRecurrent.pointer[row * width + j] = drPre
                            dRecurrent.pointer[row * width + h + j] = dzPre
                            dRecurrent.pointer[row * width + 2 * h + j] = dnPre * r
                            dh[b * h + j] = dOut * z
                            hPrevious.pointer[row * h + j] = previousValue
                        }
                    }
                    // dh_{t−1} += dRecurrent_t · W_hh.
                    BLAS.sgemm(transposeA: false, transposeB: false, m: batch, n: h, k: width,
                               a: dRecurrent.pointer + t * width, lda: length * width, b: w, ldb: h,
                               beta: 1, c: dh, ldc: h)
                }
                let (dWeight, dBias) = recurrentParameterGradients(dRecurrent, hPrevious, rows: batch * length, width: width, hidden: h)
                return [dProjected, dWeight] + (hasBias ? [dBias] : []) + [dInitial]
            }
        }
    }

    // MARK: LSTM

    /// The LSTM recurrence (PyTorch's formulation, gate order i, f, g, o):
    /// `(i, f, g, o) = (σ, σ, tanh, σ)(p + h W_hhᵀ + b_hh)`, `c' = f ⊙ c + i ⊙ g`,
    /// `h' = o ⊙ tanh(c')`.
    ///
    /// - Parameters:
    ///   - projected: `[batch, length, 4·hidden]`, the input contributions `x W_ihᵀ + b_ih`.
    ///   - weight: `W_hh`, `[4·hidden, hidden]`.
    ///   - bias: `b_hh`, `[4·hidden]`, if any.
    ///   - initialHidden: `h₀`, `[batch, hidden]`.
    ///   - initialCell: `c₀`, `[batch, hidden]`.
    ///   - reverse: whether to run from the last time step to the first.
    /// - Returns: `[batch, length, 2·hidden]`: at each step the hidden state in the first
    ///   `hidden` features and the cell state in the last `hidden`.
    static func lstm(
        projected: Tensor, weight: Tensor, bias: Tensor?, initialHidden: Tensor, initialCell: Tensor, reverse: Bool
    ) -> Tensor {
        let (batch, length, hidden) = checkShapes(
            "LSTM", projected: projected, weight: weight, bias: bias, initial: [initialHidden, initialCell], gates: 4)
        let (h, width, outWidth) = (hidden, 4 * hidden, 2 * hidden)
        let times = timeOrder(length, reverse: reverse)
        let biasValues = bias ?? Tensor.zeros([width])
        let (p, w, bh) = (projected.storage.pointer, weight.storage.pointer, biasValues.storage.pointer)
        let (h0, c0) = (initialHidden.storage.pointer, initialCell.storage.pointer)
        let out = TensorStorage(uninitializedCount: batch * length * outWidth)
        // i, f, g, o and tanh(c) per [time, batch, hidden], kept for the backward pass.
        let block = length * batch * h
        let saved = TensorStorage(uninitializedCount: 5 * block)
        let sv0 = saved.pointer
        func previous(_ s: Int) -> (hidden: UnsafeMutablePointer<Float>, cell: UnsafeMutablePointer<Float>, stride: Int) {
            s == 0 ? (h0, c0, h) : (out.pointer + times[s - 1] * outWidth, out.pointer + times[s - 1] * outWidth + h, length * outWidth)
        }
        let gates = UnsafeMutablePointer<Float>.allocate(capacity: batch * width)
        defer { gates.deallocate() }
        for (s, t) in times.enumerated() {
            let (hp, cp, pStride) = previous(s)
            BLAS.sgemm(transposeA: false, transposeB: true, m: batch, n: width, k: h,
                       a: hp, lda: pStride, b: w, ldb: h, c: gates, ldc: width)
            for b in 0..<batch {
                let pRow = p + (b * length + t) * width
                let gRow = gates + b * width
                let cRow = cp + b * pStride
                let oRow = out.pointer + (b * length + t) * outWidth
                let sv = (t * batch + b) * h
                for j in 0..<h {
                    let i = SigmoidKernel.apply(pRow[j] + gRow[j] + bh[j])
                    let f = SigmoidKernel.apply(pRow[h + j] + gRow[h + j] + bh[h + j])
                    let g = Foundation.tanh(pRow[2 * h + j] + gRow[2 * h + j] + bh[2 * h + j])
                    let o = SigmoidKernel.apply(pRow[3 * h + j] + gRow[3 * h + j] + bh[3 * h + j])
                    let c = f * cRow[j] + i * g
                    let tc = Foundation.tanh(c)
                    oRow[j] = o * tc
                    oRow[h + j] = c
                    sv0[sv + j] = i
                    sv0[block + sv + j] = f
                    sv0[2 * block + sv + j] = g
                    sv0[3 * block + sv + j] = o
                    sv0[4 * block + sv + j] = tc
                }
            }
        }
        let output = Tensor(shape: [batch, length, outWidth], storage: out)
        let inputs = [projected, weight] + (bias.map { [$0] } ?? []) + [initialHidden, initialCell]
        let hasBias = bias != nil
        return Tensor.recorded(output, inputs: inputs) { gradient in
            // The raw pointers below stay valid while the closure holds these tensors.
            withExtendedLifetime((weight, initialHidden, initialCell, saved, out)) {
                let gOut = gradient.storage.pointer
                // Gates add p and h W_hhᵀ, so one buffer is the gradient of both.
                let dGates = Tensor.zeros([batch, length, width])
                let hPrevious = TensorStorage(uninitializedCount: batch * length * h)
                let dInitialHidden = Tensor.zeros([batch, h])
                let dInitialCell = Tensor.zeros([batch, h])
                let (dg, dh, dc) = (dGates.storage.pointer, dInitialHidden.storage.pointer, dInitialCell.storage.pointer)
                for s in stride(from: length - 1, through: 0, by: -1) {
                    let t = times[s]
                    let (hp, cp, pStride) = previous(s)
                    for b in 0..<batch {
                        let row = b * length + t
                        let sv = (t * batch + b) * h
                        for j in 0..<h {
                            let (i, f, g, o, tc) = (sv0[sv + j], sv0[block + sv + j], sv0[2 * block + sv + j],
                                                    sv0[3 * block + sv + j], sv0[4 * block + sv + j])
                            let dHidden = gOut[row * outWidth + j] + dh[b * h + j]
                            let dCell = gOut[row * outWidth + h + j] + dc[b * h + j] + dHidden * o * (1 - tc * tc)
                            dg[row * width + j] = dCell * g * i * (1 - i)
                            dg[row * width + h + j] = dCell * cp[b * pStride + j] * f * (1 - f)
                            dg[row * width + 2 * h + j] = dCell * i * (1 - g * g)
                            dg[row * width + 3 * h + j] = dHidden * tc * o * (1 - o)
                            dc[b * h + j] = dCell * f
                            hPrevious.pointer[row * h + j] = hp[b * pStride + j]
                        }
                    }
                    // dh_{t−1} = dGates_t · W_hh (its direct output gradient is added at step t−1).
                    BLAS.sgemm(transposeA: false, transposeB: false, m: batch, n: h, k: width,
                               a: dg + t * width, lda: length * width, b: w, ldb: h, c: dh, ldc: h)
                }
                let (dWeight, dBias) = recurrentParameterGradients(dGates.storage, hPrevious, rows: batch * length, width: width, hidden: h)
                return [dGates, dWeight] + (hasBias ? [dBias] : []) + [dInitialHidden, dInitialCell]
            }
        }
    }

    /// `dW_hh = Σ_t dRecurrent_tᵀ h_{t−1}` as one GEMM over all `rows = batch · length` steps,
    /// and `db_hh = Σ_t dRecurrent_t`.
    private static func recurrentParameterGradients(
        _ dRecurrent: TensorStorage, _ hPrevious: TensorStorage, rows: Int, width: Int, hidden: Int
    ) -> (Tensor, Tensor) {
        let dWeight = Tensor(shape: [width, hidden]) { out in
            BLAS.sgemm(transposeA: true, transposeB: false, m: width, n: hidden, k: rows,
                       a: dRecurrent.pointer, lda: width, b: hPrevious.pointer, ldb: hidden,
                       c: out.baseAddress!, ldc: hidden)
        }
        let dBias = Tensor(shape: [width]) { out in
            out.initialize(repeating: 0)
            for r in 0..<rows {
                let row = dRecurrent.pointer + r * width
                for k in 0..<width { out[k] += row[k] }
            }
        }
        return (dWeight, dBias)
    }
}
