import PruningCore

/// The structures a method learns masks for: an ordered list of named gates, each a vector of
/// `width` entries at some ``GateGranularity``.
///
/// A gate set is the shared currency of the package's structural methods: a controller
/// produces one logit vector per gate (``MaskController``), a relaxation turns logits into soft
/// or hard masks (``GateRelaxation``), a cost model prices the masks and an export turns the
/// final hard masks into index lists.
public struct GateSet: Sendable, Equatable {
    /// One gate.
    public struct Gate: Sendable, Equatable, Hashable {
        /// A unique name, such as `layers.3.s1` or `layer2.1.conv1`.
        public var name: String
        /// The number of entries of the gate vector.
        public var width: Int
        /// What one entry switches.
        public var granularity: GateGranularity

        /// A gate.
        public init(name: String, width: Int, granularity: GateGranularity = .channel) {
            self.name = name
            self.width = width
            self.granularity = granularity
        }
    }

    /// The gates, in order.
    public let gates: [Gate]
    /// The offset of each gate in the concatenated gate vector.
    public let offsets: [Int]

    /// A gate set from its gates.
    ///
    /// - Throws: ``StructuralPruningError/invalidGate(name:reason:)`` for an empty set, a
    ///   non-positive width or group size, or a repeated name.
    public init(_ gates: [Gate]) throws(StructuralPruningError) {
        guard !gates.isEmpty else { throw .invalidGate(name: "", reason: "a gate set needs at least one gate") }
        var names = Set<String>()
        var offsets: [Int] = []
        var offset = 0
        for gate in gates {
            guard gate.width > 0 else { throw .invalidGate(name: gate.name, reason: "width \(gate.width) must be positive") }
            guard gate.granularity.channelsPerEntry > 0 else {
                throw .invalidGate(name: gate.name, reason: "\(gate.granularity) covers no channels")
            }
            guard names.insert(gate.name).inserted else { throw .invalidGate(name: gate.name, reason: "the name is used twice") }
            offsets.append(offset)
            offset += gate.width
        }
        self.gates = gates
        self.offsets = offsets
    }

    /// The number of gates.
    public var count: Int { gates.count }

    /// The total number of gate entries.
    public var totalWidth: Int { (offsets.last ?? 0) + (gates.last?.width ?? 0) }

    /// The position of the gate called `name`, if any.
    public func index(of name: String) -> Int? { gates.firstIndex { $0.name == name } }

    /// Checks that `masks` holds one vector per gate with the gate's width along the last axis.
    ///
    /// - Throws: ``StructuralPruningError/maskShapeMismatch(gate:expected:actual:)``.
    public func validate(_ masks: [Tensor]) throws(StructuralPruningError) {
        guard masks.count == gates.count else {
            throw .maskShapeMismatch(gate: "(gate count)", expected: gates.count, actual: masks.count)
        }
        for (gate, mask) in zip(gates, masks) where mask.shape.last != gate.width {
            throw .maskShapeMismatch(gate: gate.name, expected: gate.width, actual: mask.shape.last ?? 0)
        }
    }

    /// The masks concatenated along the last axis, `[..., totalWidth]`.
    public func concatenated(_ masks: [Tensor]) -> Tensor { Tensor.concatenate(masks, alongAxis: -1) }

    /// A concatenated vector `[..., totalWidth]` split back into one tensor per gate.
    public func split(_ vector: Tensor) -> [Tensor] {
        precondition(vector.shape.last == totalWidth, "GateSet.split: \(vector.shape) does not end in \(totalWidth)")
        return zip(gates, offsets).map { gate, offset in vector.sliced(alongAxis: -1, from: offset, count: gate.width) }
    }

    /// The mask of gate `index` repeated over the channels each entry covers, `[..., width ·
    /// channelsPerEntry]` (differentiable).
    public func channelMask(_ mask: Tensor, gate index: Int) -> Tensor {
        let per = gates[index].granularity.channelsPerEntry
        guard per > 1 else { return mask }
        let lead = Array(mask.shape.dropLast())
        return mask.unsqueezed(at: -1).expanded(to: lead + [mask.shape.last!, per])
            .reshaped(to: lead + [mask.shape.last! * per])
    }

    /// The kept entries of a hard mask (values ≥ 0.5), in order.
    public static func keptIndices(_ mask: Tensor) -> [Int] {
        mask.scalars.enumerated().compactMap { $0.element >= 0.5 ? $0.offset : nil }
    }
}
