import ModelZoo
import PruningCore

/// The classic channel-importance criteria a pruning paper is measured against, computed for
/// the gated groups of a ``ChannelGating``:
///
/// - ``l1Norm``: the L1 norm of every filter that computes the channel (Li et al., 2017,
///   "Pruning Filters for Efficient ConvNets"): the group's output slices of rank ≥ 2
///   (convolution and linear weights), summed over the group's producers;
/// - ``batchNormScale``: `|γ|` of the BatchNorm layers that normalize the channel (Liu et al.,
///   2017, "Learning Efficient Convolutional Networks through Network Slimming"): the group's
///   rank-1 output slices named `*.weight` whose layer also has `running_mean`;
/// - ``taylor``: first-order Taylor importance of the channel's gate (Molchanov et al., 2019,
///   "Importance Estimation for Neural Network Pruning"): `Σ_batches (∂L/∂m_c)²` at `m = 1` on
///   calibration batches — the squared first-order change of the loss when the channel is
///   removed;
/// - ``random``: uniform random scores (the baseline that tells whether a criterion helps).
public enum ChannelImportance: String, Sendable, CaseIterable, Codable {
    /// Filter L1 norm.
    case l1Norm
    /// BatchNorm scale magnitude.
    case batchNormScale
    /// First-order Taylor expansion of the loss in the gate.
    case taylor
    /// Uniform random scores.
    case random

    /// One score per channel of every gated group (higher: more important).
    ///
    /// - Parameters:
    ///   - model: the network the gating was made for.
    ///   - gating: the gated groups.
    ///   - batches: calibration batches (used by ``taylor`` only; at least one).
    ///   - seed: the seed of ``random``.
    /// - Throws: ``StructuralPruningError/invalidSetting(field:value:expected:)`` when ``taylor``
    ///   gets no batch or a group has no slice the criterion can read.
    public func scores<Model: ChannelPrunable & Layer>(
        _ model: Model, gating: ChannelGating, batches: [ImageBatch] = [], seed: UInt64 = 0
    ) throws -> [[Double]] {
        let parameters = Dictionary(model.namedParameters().map { ($0.name, $0.parameter) }, uniquingKeysWith: { a, _ in a })
        switch self {
        case .random:
            var random = RandomGenerator(seed: seed)
            return gating.groups.map { group in (0..<group.size).map { _ in random.nextUniformDouble() } }
        case .l1Norm, .batchNormScale:
            return try gating.groups.map { group in
                var scores = [Double](repeating: 0, count: group.size)
                var used = 0
                for slice in group.outputSlices {
                    guard let parameter = parameters[slice.parameter] else { continue }
                    let isBatchNormScale = parameter.shape.count == 1 && slice.parameter.hasSuffix(".weight")
                        && parameters[String(slice.parameter.dropLast("weight".count)) + "running_mean"] != nil
                    guard self == .l1Norm ? parameter.shape.count >= 2 : isBatchNormScale else { continue }
                    used += 1
                    let values = parameter.value.scalars
                    let shape = parameter.shape
                    let inner = shape[(slice.axis + 1)...].reduce(1, *), outer = shape[..<slice.axis].reduce(1, *)
                    for channel in 0..<group.size {
                        for entry in slice.entries(ofChannel: channel) {
                            for o in 0..<outer {
                                let start = (o * shape[slice.axis] + entry) * inner
                                for i in start..<(start + inner) { scores[channel] += Double(Swift.abs(values[i])) }
                            }
                        }
                    }
                }
                guard used > 0 else {
                    throw StructuralPruningError.invalidSetting(
                        field: "importance \(rawValue) of group \(group.name)", value: 0,
                        expected: self == .l1Norm ? "a convolution or linear weight among its producers" : "a BatchNorm layer among its producers")
                }
                return scores
            }
        case .taylor:
            guard !batches.isEmpty else {
                throw StructuralPruningError.invalidSetting(field: "batches", value: 0, expected: "at least one calibration batch for Taylor importance")
            }
            var scores = gating.groups.map { [Double](repeating: 0, count: $0.size) }
            let training = model.isTraining
            model.eval()
            defer { if training { model.train() } }
            for batch in batches {
                let masks = gating.groups.map { Tensor.ones([$0.size]).requiringGradient() }
                let loss = try gating.withMasks(masks, on: model) {
                    crossEntropy(logits: model(batch.images), labels: batch.labels)
                }
                let gradients = loss.gradients(withRespectTo: masks)
                for (g, gradient) in gradients.enumerated() {
                    for (c, value) in gradient.scalars.enumerated() { scores[g][c] += Double(value) * Double(value) }
                }
            }
            return scores
        }
    }
}
