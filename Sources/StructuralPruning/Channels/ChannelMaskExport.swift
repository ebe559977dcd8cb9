import Foundation
import ModelZoo
import PruningCore

/// Turns hard channel masks into a physically smaller network, and saves and reloads pruned
/// networks with their per-group widths.
public enum ChannelMaskExport {
    /// Removes, in place, the channels the hard `masks` drop from every gated group of `model`
    /// (`ChannelPrunable/pruneGroup(_:keeping:)` on each), optionally rounding every kept width
    /// up to a multiple of `roundTo` (Torch-Pruning's `round_to`) by keeping back the dropped
    /// channels of highest `priority` (default: lowest index first).
    ///
    /// - Returns: the kept indices of every gate.
    /// - Throws: ``StructuralPruningError/emptyStructure(gate:)`` naming a group the masks empty;
    ///   ``StructuralPruningError/maskShapeMismatch(gate:expected:actual:)``; the model's
    ///   `ChannelPruningError`.
    @discardableResult
    public static func apply(
        _ masks: [Tensor], gating: ChannelGating, to model: some ChannelPrunable, roundTo: Int = 1,
        priorities: [[Float]]? = nil
    ) throws -> [[Int]] {
        try gating.gates.validate(masks)
        guard roundTo >= 1 else {
            throw StructuralPruningError.invalidSetting(field: "roundTo", value: Double(roundTo), expected: "a multiple ≥ 1")
        }
        var selections: [[Int]] = []
        for (index, (group, mask)) in zip(gating.groups, masks).enumerated() {
            var kept = GateSet.keptIndices(mask)
            guard !kept.isEmpty else { throw StructuralPruningError.emptyStructure(gate: group.name) }
            let target = min(group.size, (kept.count + roundTo - 1) / roundTo * roundTo)
            if kept.count < target {
                let keptSet = Set(kept)
                let priority: [Float] = priorities?[index] ?? (0..<group.size).map { Float(-$0) }
                let dropped: [Int] = (0..<group.size).filter { !keptSet.contains($0) }
                let ordered: [Int] = dropped.sorted { priority[$0] > priority[$1] }
                kept = (kept + ordered.prefix(target - kept.count)).sorted()
            }
            selections.append(kept)
        }
        for (group, kept) in zip(gating.groups, selections) where kept.count < group.size {
            try model.pruneGroup(group.name, keeping: kept)
        }
        return selections
    }

    /// The architecture file written beside the weights.
    public struct Architecture<Base: Codable & Sendable>: Codable, Sendable {
        /// The dense architecture the model was pruned from.
        public var base: Base
        /// The kept width of every pruned group, by group name.
        public var groupWidths: [String: Int]
        /// A format marker.
        public var format: String = "pruned-channels-v1"

        /// An architecture record.
        public init(base: Base, groupWidths: [String: Int]) {
            self.base = base
            self.groupWidths = groupWidths
        }
    }

    /// The weights file inside a saved directory.
    public static let weightsFileName = "model.safetensors"
    /// The architecture file inside a saved directory.
    public static let architectureFileName = "architecture.json"

    /// Saves `model` (pruned from a dense network of architecture `base`) to `directory`:
    /// `model.safetensors` and `architecture.json` with the width of every group. Both files are
    /// written completely before either replaces its predecessor, so a failed save leaves the
    /// previous model intact.
    public static func save<Base: Codable & Sendable>(
        _ model: some ChannelPrunable, base: Base, to directory: URL
    ) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let widths = Dictionary(model.prunableGroups.map { ($0.name, $0.size) }, uniquingKeysWith: { a, _ in a })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let json = try encoder.encode(Architecture(base: base, groupWidths: widths))
        let transaction = FileTransaction()
        try transaction.writeSafeTensors(model.stateDictionary(), to: directory.appendingPathComponent(weightsFileName))
        try transaction.write(json, to: directory.appendingPathComponent(architectureFileName))
        try transaction.commit()
    }

    /// Loads a model saved by ``save(_:base:to:)``: builds the dense network with `make`, narrows
    /// every group to its saved width, then loads the weights strictly (every tensor present,
    /// none extra, every shape equal).
    ///
    /// - Throws: ``StructuralPruningError/invalidSetting(field:value:expected:)`` for a width
    ///   outside `1...size` or a group the architecture does not have;
    ///   `FormatError` for a missing or malformed file (`invalidJSON` naming the field of a bad
    ///   architecture file, whose base configuration is checked as it decodes);
    ///   `ModuleError/inFile(file:error:)` for weights that do not fit.
    public static func load<Base: Codable & Sendable, Model: ChannelPrunable>(
        from directory: URL, make: (Base) throws -> Model
    ) throws -> Model {
        let architectureURL = directory.appendingPathComponent(architectureFileName)
        let architecture = try JSONFile.decode(Architecture<Base>.self, from: architectureURL)
        let model = try make(architecture.base)
        let groups = model.prunableGroups
        for (name, width) in architecture.groupWidths.sorted(by: { $0.key < $1.key }) {
            guard let group = groups.first(where: { $0.name == name }) else {
                throw StructuralPruningError.invalidSetting(
                    field: "\(architectureFileName): groupWidths.\(name)", value: Double(width), expected: "a group of the architecture")
            }
            guard width >= 1 && width <= group.size else {
                throw StructuralPruningError.invalidSetting(
                    field: "\(architectureFileName): groupWidths.\(name)", value: Double(width), expected: "a width in 1...\(group.size)")
            }
            if width < group.size { try model.pruneGroup(name, keeping: Array(0..<width)) }
        }
        try model.load(from: directory.appendingPathComponent(weightsFileName), strict: true)
        return model
    }
}
