import ModelZoo
import PruningCore

/// Soft or hard channel masks applied inside a `ChannelPrunable` network during a forward pass.
///
/// A gate acts on every **reader** of its group — the slices with role
/// `ParameterSlice/Role/input`: the next convolution's input columns, the classifier's input
/// columns, every block that reads a residual stream. Multiplying the reads of channel `c` by
/// `m_c` is the virtual gate of the papers (`y = m ⊙ x` before the next layer), and with
/// `m_c = 0` nothing reads the channel, so the network computes exactly what the network with
/// the channel removed computes (tested against ``ChannelMaskExport``), residual groups
/// included. Gradients reach the masks and, when they are being trained, the weights.
public struct ChannelGating {
    /// The gated groups as they were when the gating was made.
    public let groups: [PrunableGroup]
    /// One gate per group.
    public let gates: GateSet

    /// Gates on the groups named `gatedGroups` of `model` (nil: all of its groups).
    ///
    /// - Throws: ``StructuralPruningError/invalidGate(name:reason:)`` for an unknown group name,
    ///   or a group that no layer reads.
    public init(model: some ChannelPrunable, gatedGroups: [String]? = nil) throws(StructuralPruningError) {
        let all = model.prunableGroups
        let chosen: [PrunableGroup] = try (gatedGroups ?? all.map(\.name)).map { name throws(StructuralPruningError) in
            guard let group = all.first(where: { $0.name == name }) else {
                throw .invalidGate(name: name, reason: "the model has no such group (it has \(all.map(\.name).joined(separator: ", ")))")
            }
            guard !group.inputSlices.isEmpty else {
                throw .invalidGate(name: name, reason: "no layer reads this group, so a gate on its readers does nothing")
            }
            return group
        }
        groups = chosen
        gates = try GateSet(chosen.map { GateSet.Gate(name: $0.name, width: $0.size) })
    }

    /// The groups the CNN methods gate when none are named: every block's inner channels —
    /// ResNet's `.inner` (between a block's two convolutions), MobileNetV2's `.expanded` (an
    /// inverted residual's expanded channels), a transformer MLP's `.hidden` — which are not
    /// tied to a residual stream; every group if the model has none of them.
    public static func defaultGroupNames(of model: some ChannelPrunable) -> [String] {
        let names = model.prunableGroups.map(\.name)
        let inner = names.filter { $0.hasSuffix(".inner") || $0.hasSuffix(".expanded") || $0.hasSuffix(".hidden") }
        return inner.isEmpty ? names : inner
    }

    /// Runs `body` with the readers of every gated group scaled by its mask, then restores the
    /// weights. Call it inside `valueAndGradient(of:_:)` to differentiate through the masks.
    ///
    /// - Throws: ``StructuralPruningError/maskShapeMismatch(gate:expected:actual:)`` when the masks
    ///   do not fit the gates or the model's groups changed size; rethrows `body`'s error.
    public func withMasks<R>(
        _ masks: [Tensor], on model: some ChannelPrunable, _ body: () throws -> R
    ) throws -> R {
        try gates.validate(masks)
        let parameters = Dictionary(model.namedParameters().map { ($0.name, $0.parameter) }, uniquingKeysWith: { a, _ in a })
        var saved: [(Parameter, Tensor)] = []
        var seen = Set<ObjectIdentifier>()
        defer { for (parameter, value) in saved.reversed() { parameter.value = value } }
        for (group, mask) in zip(groups, masks) {
            for slice in group.inputSlices {
                guard let parameter = parameters[slice.parameter], slice.axis < parameter.shape.count,
                      slice.offset + group.size * slice.blockSize <= parameter.shape[slice.axis] else {
                    throw StructuralPruningError.maskShapeMismatch(
                        gate: group.name, expected: group.size, actual: parameters[slice.parameter]?.shape[safe: slice.axis] ?? 0)
                }
                if seen.insert(ObjectIdentifier(parameter)).inserted { saved.append((parameter, parameter.value)) }
                let length = parameter.shape[slice.axis]
                var pieces: [Tensor] = []
                if slice.offset > 0 { pieces.append(Tensor.ones([slice.offset])) }
                let channels = slice.blockSize == 1 ? mask
                    : mask.unsqueezed(at: -1).expanded(to: [group.size, slice.blockSize]).reshaped(to: [group.size * slice.blockSize])
                pieces.append(channels)
                let rest = length - slice.offset - group.size * slice.blockSize
                if rest > 0 { pieces.append(Tensor.ones([rest])) }
                var shape = Array(repeating: 1, count: parameter.shape.count)
                shape[slice.axis] = length
                let factor = (pieces.count == 1 ? pieces[0] : Tensor.concatenate(pieces, alongAxis: 0)).reshaped(to: shape)
                parameter.value = parameter.value * factor
            }
        }
        return try body()
    }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
