import PruningCore

/// The entries of one parameter that belong to the channels of a ``PrunableGroup``.
///
/// Channel `c` of the group owns, along ``axis`` of the parameter, the `blockSize` consecutive
/// entries starting at `offset + c · blockSize`. Most slices have `offset = 0` and
/// `blockSize = 1` (channel `c` is row or column `c`); an attention head of dimension `d` in a
/// fused `qkv` projection is three slices of the same weight, with `blockSize = d` and offsets
/// `0`, `heads · d` and `2 · heads · d`.
public struct ParameterSlice: Sendable, Hashable, Codable {
    /// How the parameter relates to the channels.
    public enum Role: String, Sendable, Hashable, Codable {
        /// The parameter computes the channels: output rows of a convolution or linear layer,
        /// its bias, the per-channel entries of a normalization layer (including its buffers),
        /// a depthwise filter.
        case output
        /// The parameter reads the channels: input columns of the next layer.
        case input
    }

    /// The parameter's dotted name (as in `PruningCore/Module/namedParameters()`).
    public var parameter: String
    /// The axis of the parameter the channels run along.
    public var axis: Int
    /// The index of channel 0's first entry along ``axis``.
    public var offset: Int
    /// The number of consecutive entries each channel owns.
    public var blockSize: Int
    /// Whether the slice computes or reads the channels.
    public var role: Role

    /// A slice of `parameter` along `axis`, channel `c` owning entries
    /// `offset + c · blockSize ..< offset + (c + 1) · blockSize`.
    public init(_ parameter: String, axis: Int, offset: Int = 0, blockSize: Int = 1, role: Role) {
        precondition(axis >= 0 && offset >= 0 && blockSize >= 1,
                      "ParameterSlice: \(parameter) needs axis ≥ 0, offset ≥ 0, blockSize ≥ 1 (got \(axis), \(offset), \(blockSize))")
        self.parameter = parameter
        self.axis = axis
        self.offset = offset
        self.blockSize = blockSize
        self.role = role
    }

    /// The entries along ``axis`` owned by `channel`.
    public func entries(ofChannel channel: Int) -> Range<Int> {
        (offset + channel * blockSize)..<(offset + (channel + 1) * blockSize)
    }
}

/// A set of channels (or heads, or hidden units) that structural pruning must remove together,
/// with every parameter slice they couple.
///
/// Removing channel `c` of a group removes, in every listed slice, the entries that channel
/// owns; the model stays a dense, smaller model of the same architecture. Zeroing those same
/// entries instead (``ChannelPrunable/zeroChannels(_:ofGroup:)``) leaves the model's function
/// identical to the pruned model's: this is the correctness property of a group description.
public struct PrunableGroup: Sendable, Hashable, Codable {
    /// A stable name such as `layer1.0.inner` or `blocks.3.attn.heads`.
    public var name: String
    /// The number of channels in the group.
    public var size: Int
    /// The coupled parameter slices.
    public var slices: [ParameterSlice]

    /// A group of `size` channels coupling `slices`.
    public init(name: String, size: Int, slices: [ParameterSlice]) {
        self.name = name
        self.size = size
        self.slices = slices
    }

    /// The slices that compute the channels (for importance scores such as filter norms).
    public var outputSlices: [ParameterSlice] { slices.filter { $0.role == .output } }
    /// The slices that read the channels.
    public var inputSlices: [ParameterSlice] { slices.filter { $0.role == .input } }
}

/// A model that lists its structurally prunable channel groups and can physically remove
/// channels from them.
///
/// Conforming types describe their groups in ``prunableGroups`` (recomputed from the current
/// shapes, with stable names); the default ``pruneGroup(_:keeping:)`` shrinks every coupled
/// parameter with ``shrinkParameters(of:keeping:)``. A type with state derived from channel
/// counts (a depthwise convolution's group count) overrides ``pruneGroup(_:keeping:)``, calls
/// ``shrinkParameters(of:keeping:)`` and then updates that state.
public protocol ChannelPrunable: Module {
    /// The groups, recomputed from the current parameter shapes.
    var prunableGroups: [PrunableGroup] { get }

    /// Keeps only the channels at `indices` (in increasing order, whatever order they are given
    /// in) of the group named `name`, replacing every coupled parameter by a smaller one.
    ///
    /// - Throws: ``ChannelPruningError`` for an unknown group, an empty, repeated or
    ///   out-of-range index list, or a slice that does not fit its parameter. Nothing changes
    ///   when it throws.
    func pruneGroup(_ name: String, keeping indices: [Int]) throws
}

extension ChannelPrunable {
    /// The group named `name`.
    ///
    /// - Throws: ``ChannelPruningError/unknownGroup(_:available:)``.
    public func prunableGroup(named name: String) throws(ChannelPruningError) -> PrunableGroup {
        let groups = prunableGroups
        guard let group = groups.first(where: { $0.name == name }) else {
            throw .unknownGroup(name, available: groups.map(\.name))
        }
        return group
    }

    /// Shrinks every parameter of the group named `name` to the channels at `indices`.
    public func pruneGroup(_ name: String, keeping indices: [Int]) throws {
        try shrinkParameters(of: prunableGroup(named: name), keeping: indices)
    }

    /// Sets to zero, in every slice of the group named `name`, the entries owned by `channels`
    /// (the soft-pruning counterpart of ``pruneGroup(_:keeping:)``: the model's function then
    /// equals that of the model pruned to the other channels).
    ///
    /// - Throws: ``ChannelPruningError`` as ``pruneGroup(_:keeping:)``.
    public func zeroChannels(_ channels: [Int], ofGroup name: String) throws {
        let group = try prunableGroup(named: name)
        let parameters = try resolvedSlices(of: group)
        for channel in channels where !(0..<group.size).contains(channel) {
            throw ChannelPruningError.indexOutOfRange(group: group.name, index: channel, size: group.size)
        }
        for (slice, parameter) in parameters {
            var value = parameter.value
            let shape = value.shape
            let inner = shape[(slice.axis + 1)...].reduce(1, *)
            let outer = shape[..<slice.axis].reduce(1, *)
            let length = shape[slice.axis]
            value.withUnsafeMutableBufferPointer { buffer in
                for channel in channels {
                    for entry in slice.entries(ofChannel: channel) {
                        for o in 0..<outer {
                            let start = (o * length + entry) * inner
                            for i in start..<(start + inner) { buffer[i] = 0 }
                        }
                    }
                }
            }
            parameter.value = value
        }
    }

    /// Replaces every parameter sliced by `group` with the entries of the channels at
    /// `indices`. Parameters sliced several times along one axis (a fused `qkv` weight) are
    /// shrunk once, keeping every entry no slice removes.
    ///
    /// - Throws: ``ChannelPruningError``; nothing changes when it throws.
    public func shrinkParameters(of group: PrunableGroup, keeping indices: [Int]) throws(ChannelPruningError) {
        guard !indices.isEmpty else { throw .emptySelection(group: group.name) }
        let kept = indices.sorted()
        for (position, index) in kept.enumerated() {
            guard index >= 0 && index < group.size else {
                throw .indexOutOfRange(group: group.name, index: index, size: group.size)
            }
            if position > 0 && kept[position - 1] == index { throw .repeatedIndex(group: group.name, index: index) }
        }
        let keptSet = Set(kept)
        let removed = (0..<group.size).filter { !keptSet.contains($0) }
        let resolved = try resolvedSlices(of: group)

        // Entries to remove per (parameter, axis), collected before anything changes.
        var removals: [SlicedAxis: (parameter: Parameter, entries: Set<Int>)] = [:]
        for (slice, parameter) in resolved {
            let key = SlicedAxis(name: slice.parameter, axis: slice.axis)
            var entries = removals[key]?.entries ?? []
            for channel in removed { entries.formUnion(slice.entries(ofChannel: channel)) }
            removals[key] = (parameter, entries)
        }
        // A parameter sliced along two axes is shrunk along each in turn.
        for (key, removal) in removals.sorted(by: { ($0.key.name, $0.key.axis) < ($1.key.name, $1.key.axis) }) {
            let length = removal.parameter.value.shape[key.axis]
            let keep = (0..<length).filter { !removal.entries.contains($0) }
            removal.parameter.value = withoutGradients {
                removal.parameter.value.indexSelect(keep, alongAxis: key.axis)
            }
        }
    }

    /// Each slice of `group` with the parameter it names, checked against the parameter's shape.
    private func resolvedSlices(of group: PrunableGroup) throws(ChannelPruningError) -> [(ParameterSlice, Parameter)] {
        let byName = Dictionary(namedParameters().map { ($0.name, $0.parameter) }, uniquingKeysWith: { first, _ in first })
        var result: [(ParameterSlice, Parameter)] = []
        for slice in group.slices {
            guard let parameter = byName[slice.parameter] else {
                throw .unknownParameter(group: group.name, parameter: slice.parameter)
            }
            let shape = parameter.shape
            let end = slice.offset + group.size * slice.blockSize
            guard slice.axis < shape.count && end <= shape[slice.axis] else {
                throw .sliceOutOfRange(group: group.name, parameter: slice.parameter, shape: shape,
                                       axis: slice.axis, end: end)
            }
            result.append((slice, parameter))
        }
        return result
    }
}

/// One axis of one named parameter.
private struct SlicedAxis: Hashable {
    let name: String
    let axis: Int
}

/// A channel-pruning request that cannot be carried out.
public enum ChannelPruningError: Error, Equatable, CustomStringConvertible {
    /// No group has this name.
    case unknownGroup(String, available: [String])
    /// The index list is empty: a group keeps at least one channel.
    case emptySelection(group: String)
    /// An index is not a channel of the group.
    case indexOutOfRange(group: String, index: Int, size: Int)
    /// An index appears twice.
    case repeatedIndex(group: String, index: Int)
    /// A slice names a parameter the model does not have.
    case unknownParameter(group: String, parameter: String)
    /// A slice reaches past the end of its parameter's axis.
    case sliceOutOfRange(group: String, parameter: String, shape: [Int], axis: Int, end: Int)

    /// A sentence naming the group and the problem.
    public var description: String {
        switch self {
        case .unknownGroup(let name, let available):
            "no prunable group named '\(name)'; the model has \(available.joined(separator: ", "))"
        case .emptySelection(let group):
            "group '\(group)': keeping no channel would disconnect the model; keep at least one"
        case .indexOutOfRange(let group, let index, let size):
            "group '\(group)': channel \(index) is outside 0..<\(size)"
        case .repeatedIndex(let group, let index):
            "group '\(group)': channel \(index) is listed twice"
        case .unknownParameter(let group, let parameter):
            "group '\(group)' names parameter '\(parameter)', which the model does not have"
        case .sliceOutOfRange(let group, let parameter, let shape, let axis, let end):
            "group '\(group)': parameter '\(parameter)' of shape \(shape) has no entries up to \(end) on axis \(axis)"
        }
    }
}
