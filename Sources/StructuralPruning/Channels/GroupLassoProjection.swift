import ModelZoo
import PruningCore

/// The proximal step of the group lasso on the channels a mask switches off (Auto-Train-Once,
/// `resnet_gate.py:project_wegit/groupproximal` in the official code):
///
/// `W_c ← W_c · max(0, ‖W_c‖₂ − λ·ρ_g·η) / ‖W_c‖₂`   for every channel `c` with `m_c = 0`,
///
/// where `W_c` is everything that computes the channel — the group's output slices among the
/// trainable parameters (convolution filter rows, biases, BatchNorm scale and shift; not the
/// running statistics) — taken jointly, η the current learning rate, λ the strength and
/// `ρ_g = (zeros in group g) / (zeros in all groups)` (``Weighting/proportionalToZeros``; with
/// ``Weighting/uniform`` `ρ_g = 1`, the plain group lasso `λ Σ_c ‖W_c‖₂`). Repeated, it drives
/// the switched-off channels to exactly zero, so removing them changes nothing.
public enum GroupLassoProjection {
    /// How the step is shared between groups.
    public enum Weighting: String, Sendable, Codable {
        /// `ρ_g = (zeros in group g) / (zeros in all groups)` (Auto-Train-Once).
        case proportionalToZeros
        /// `ρ_g = 1` for every group.
        case uniform
    }

    /// Applies one proximal step to `model` for the hard `masks` of `gating`.
    ///
    /// - Parameters:
    ///   - model: the network whose weights are shrunk in place.
    ///   - gating: the gate layout of its channel groups.
    ///   - masks: the current hard masks, one per gate.
    ///   - step: `λ · η`.
    ///   - weighting: how the step is shared between groups.
    /// - Returns: the summed norm `Σ ‖W_c‖₂` of the switched-off channels after the step.
    @discardableResult
    public static func apply(
        to model: some ChannelPrunable, gating: ChannelGating, masks: [Tensor], step: Float,
        weighting: Weighting = .proportionalToZeros
    ) throws -> Double {
        try gating.gates.validate(masks)
        let parameters = Dictionary(model.namedParameters().map { ($0.name, $0.parameter) }, uniquingKeysWith: { a, _ in a })
        let zeros = masks.map { mask in mask.scalars.filter { $0 < 0.5 }.count }
        let total = zeros.reduce(0, +)
        guard total > 0 else { return 0 }
        var remaining = 0.0
        for (gate, (group, mask)) in zip(gating.groups, masks).enumerated() where zeros[gate] > 0 {
            let rho: Float = weighting == .uniform ? 1 : Float(zeros[gate]) / Float(total)
            let slices = group.outputSlices.filter { parameters[$0.parameter]?.isTrainable ?? false }
            var values = slices.map { parameters[$0.parameter]!.value.scalars }
            for (channel, keep) in mask.scalars.enumerated() where keep < 0.5 {
                var entries: [[Int]] = []
                var squared = 0.0
                for (k, slice) in slices.enumerated() {
                    let shape = parameters[slice.parameter]!.shape
                    let inner = shape[(slice.axis + 1)...].reduce(1, *), outer = shape[..<slice.axis].reduce(1, *)
                    var list: [Int] = []
                    for entry in slice.entries(ofChannel: channel) {
                        for o in 0..<outer {
                            let start = (o * shape[slice.axis] + entry) * inner
                            list += start..<(start + inner)
                        }
                    }
                    for i in list { squared += Double(values[k][i] * values[k][i]) }
                    entries.append(list)
                }
                let norm = Float(squared.squareRoot())
                let scale: Float = norm > 0 ? max(0, norm - step * rho) / norm : 0
                for (k, list) in entries.enumerated() { for i in list { values[k][i] *= scale } }
                remaining += Double(norm * scale)
            }
            for (slice, updated) in zip(slices, values) {
                let parameter = parameters[slice.parameter]!
                parameter.value = Tensor(shape: parameter.shape, scalars: updated)
            }
        }
        return remaining
    }
}
