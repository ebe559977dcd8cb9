import Foundation

/// The mean cross-entropy between `logits` `[batch, classes]` and integer `labels`.
///
/// Fused: one pass computes the row log-sum-exp (stable for any finite logits) and the loss;
/// the backward pass writes `(softmax − onehot) / batch` directly.
/// - Precondition: one label per row, each in `0..<classes`.
public func crossEntropy(logits: Tensor, labels: [Int]) -> Tensor {
    precondition(logits.rank == 2 && logits.shape[0] == labels.count,
                 "crossEntropy: logits \(logits.shape) need one label per row, got \(labels.count)")
    let (rows, classes) = (logits.shape[0], logits.shape[1])
    for label in labels {
        precondition(label >= 0 && label < classes, "crossEntropy: label \(label) is out of range 0..<\(classes)")
    }
    var logSumExp = [Float](repeating: 0, count: rows)
    var total: Double = 0
    logits.withUnsafeBufferPointer { x in
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: max(classes, 1))
        defer { scratch.deallocate() }
        for r in 0..<rows {
            let row = x.baseAddress! + r * classes
            var m = -Float.infinity
            for c in 0..<classes { m = max(m, row[c]) }
            let sum = VectorMath.expShifted(row, scratch, count: classes, shift: m)
            logSumExp[r] = m + Foundation.log(sum)
            total += Double(logSumExp[r] - row[labels[r]])
        }
    }
    let loss = Tensor(Float(total / Double(max(rows, 1))))
    return Tensor.recorded(loss, inputs: [logits]) { g in
        let scale = g.scalar / Float(max(rows, 1))
        let gradient = logits.withUnsafeBufferPointer { x in
            Tensor(shape: logits.shape) { out in
                for r in 0..<rows {
                    let base = r * classes
                    _ = VectorMath.expShifted(x.baseAddress! + base, out.baseAddress! + base, count: classes, shift: logSumExp[r])
                    for c in 0..<classes { out[base + c] *= scale }
                    out[base + labels[r]] -= scale
                }
            }
        }
        return [gradient]
    }
}

/// The mean squared error between `prediction` and `target`.
public func meanSquaredError(_ prediction: Tensor, _ target: Tensor) -> Tensor {
    let difference = prediction - target
    return (difference * difference).mean()
}

/// The batch-mean Kullback–Leibler divergence `KL(softmax(t / τ) ‖ softmax(s / τ))` of the
/// student's `logits` `s` from the teacher's `targetLogits` `t` (both `[batch, classes]`),
/// times `τ²` (Hinton et al.'s distillation loss; PyTorch's
/// `kl_div(log_softmax(s/τ), softmax(t/τ), reduction="batchmean")·τ²`). The teacher is a
/// constant: no gradient reaches `targetLogits`.
public func distillationLoss(logits: Tensor, targetLogits: Tensor, temperature: Float = 1) -> Tensor {
    precondition(logits.rank == 2 && logits.shape == targetLogits.shape,
                 "distillationLoss: logits \(logits.shape) and targets \(targetLogits.shape) must both be [batch, classes]")
    precondition(temperature > 0, "distillationLoss: temperature \(temperature) must be positive")
    let teacherLog = (targetLogits.detached() / temperature).logSoftmax(alongAxis: 1)
    let teacher = teacherLog.exp()
    let student = (logits / temperature).logSoftmax(alongAxis: 1)
    let perRow = (teacher * (teacherLog - student)).sum()
    return perRow / Float(max(logits.shape[0], 1)) * (temperature * temperature)
}

/// The mean binary cross-entropy of `logits` against `targets` in [0, 1], computed stably:
/// `max(x, 0) − x·t + log(1 + e^−|x|)`.
public func binaryCrossEntropy(logits: Tensor, targets: Tensor) -> Tensor {
    let positive = logits.relu()
    let term = positive - logits * targets + (-logits.abs()).exp().log1pApproximate()
    return term.mean()
}

extension Tensor {
    /// `log(1 + x)` for `x ≥ 0` (used by the stable loss formulas).
    func log1pApproximate() -> Tensor { (self + 1).log() }
}

/// The fraction of rows of `logits` whose largest entry is at the label.
public func accuracy(logits: Tensor, labels: [Int]) -> Double {
    let predicted = logits.max(alongAxis: 1).indices
    let correct = zip(predicted, labels).filter { $0 == $1 }.count
    return labels.isEmpty ? 0 : Double(correct) / Double(labels.count)
}

/// Cross-entropy against label-smoothed targets: `(1 − ε) · CE(logits, labels) + ε · mean_k(−log p_k)`,
/// the loss of a one-hot target mixed with the uniform distribution (Szegedy et al., 2016).
///
/// - Precondition: `0 ≤ smoothing ≤ 1`, and as ``crossEntropy(logits:labels:)``.
public func crossEntropy(logits: Tensor, labels: [Int], labelSmoothing smoothing: Float) -> Tensor {
    precondition(smoothing >= 0 && smoothing <= 1, "crossEntropy: label smoothing \(smoothing) must be in [0, 1]")
    let plain = crossEntropy(logits: logits, labels: labels)
    guard smoothing > 0 else { return plain }
    let uniform = logits.logSoftmax(alongAxis: -1).mean() * -1
    return plain * (1 - smoothing) + uniform * smoothing
}
