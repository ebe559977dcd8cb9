/// The mean cross-entropy between `logits` `[batch, classes]` and integer `labels`.
///
/// Computed through a stable log-softmax.
/// - Precondition: one label per row, each in `0..<classes`.
public func crossEntropy(logits: Tensor, labels: [Int]) -> Tensor {
    precondition(logits.rank == 2 && logits.shape[0] == labels.count,
                 "crossEntropy: logits \(logits.shape) need one label per row, got \(labels.count)")
    let logProbabilities = logits.logSoftmax(alongAxis: 1)
    let picked = logProbabilities.gathering(alongAxis: 1, indices: labels)
    return -picked.mean()
}

/// The mean squared error between `prediction` and `target`.
public func meanSquaredError(_ prediction: Tensor, _ target: Tensor) -> Tensor {
    let difference = prediction - target
    return (difference * difference).mean()
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
