import Foundation
import PruningCore

extension DISPLLMPruner {
    /// The metadata key holding the step history (JSON) in a checkpoint.
    public static let historyMetadataKey = "displlm_history"
    /// The metadata key holding the kept fraction, the controller kind and the seed, which a
    /// resumed run must match.
    public static let settingsMetadataKey = "displlm_settings"

    private var settingsSummary: String {
        let kind: String = switch configuration.controller {
        case .freeLogits: "free-logits"
        case .hypernetwork(let s): "hypernetwork-\(s.codeSize)-\(s.hiddenSize)"
        }
        return "p=\(configuration.keptFraction) lambda=\(configuration.regularizationWeight) controller=\(kind) seed=\(configuration.seed) length=\(configuration.sequenceLength) batch=\(configuration.batchSize)"
    }

    /// Saves the controller, the step history and the random state positions to a safetensors
    /// file (replaced atomically). The optimizer's moments are not saved: a resumed run restarts
    /// them, which the history records by the step where it resumed.
    public func saveCheckpoint(to url: URL) throws {
        let history = String(decoding: try JSONEncoder().encode(history), as: UTF8.self)
        try SafeTensors.write(
            controller.stateDictionary(),
            metadata: [Self.historyMetadataKey: history, Self.settingsMetadataKey: settingsSummary,
                       "training_seconds": String(trainingSeconds)],
            to: url)
    }

    /// Restores a checkpoint written by ``saveCheckpoint(to:)`` for the same settings: the
    /// controller's weights and the history; the noise and window streams restart from seeds
    /// derived from the step count.
    ///
    /// - Throws: ``StructuralPruningError/invalidSetting(field:value:expected:)`` when the
    ///   checkpoint was made with other settings; `FormatError` for a malformed file (its
    ///   history included); `ModuleError/inFile(file:error:)` for weights that do not fit the
    ///   controller or hold NaN or infinity.
    public func loadCheckpoint(from url: URL) throws {
        let file = try SafeTensorsFile(contentsOf: url)
        guard file.metadata[Self.settingsMetadataKey] == settingsSummary else {
            throw StructuralPruningError.invalidSetting(
                field: "checkpoint \(url.lastPathComponent)", value: 0,
                expected: "settings '\(settingsSummary)', found '\(file.metadata[Self.settingsMetadataKey] ?? "none")'")
        }
        let tensors = try file.tensors()
        for (name, tensor) in tensors {
            if let index = tensor.firstNonFiniteIndex { throw ModuleError.inFile(file: url.path, error: .nonFiniteValue(name: name, index: index)) }
        }
        do {
            try controller.load(tensors)
        } catch let error as ModuleError {
            throw ModuleError.inFile(file: url.path, error: error)
        }
        let saved: [DISPLLMStep]
        do {
            saved = try JSONDecoder().decode([DISPLLMStep].self, from: Data((file.metadata[Self.historyMetadataKey] ?? "[]").utf8))
        } catch let error as DecodingError {
            throw FormatError.invalidJSON(file: url.path, reason: "metadata '\(Self.historyMetadataKey)': \(JSONFile.describe(error))")
        }
        history = saved
        trainingSeconds = Double(file.metadata["training_seconds"] ?? "") ?? saved.reduce(0) { $0 + $1.seconds }
        // Fresh noise and window streams derived from the step count: a resumed run is
        // reproducible, but not bit-identical to an uninterrupted one.
        generator = RandomGenerator(seed: configuration.seed &+ UInt64(saved.count))
        sampler = RandomGenerator(seed: configuration.seed &+ 0x5EED &+ UInt64(saved.count))
    }
}
