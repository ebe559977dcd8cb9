import Foundation
import PruningCore

extension LlamaModel {
    /// The weights file inside a saved model directory.
    public static let weightsFileName = "model.safetensors"
    /// The configuration file inside a saved model directory.
    public static let configurationFileName = "config.json"
    /// The safetensors `__metadata__` key holding the configuration JSON, so that the weights
    /// file describes itself.
    public static let configurationMetadataKey = "llama_configuration"

    /// Saves the model to `directory` (created if needed) as a Hugging Face-style checkpoint:
    /// `model.safetensors` (F32, Hugging Face names, the configuration JSON also stored in its
    /// metadata under ``configurationMetadataKey``) and `config.json` (Hugging Face keys plus
    /// `rope_pairing` and per-layer overrides). Both files are written completely before either
    /// replaces its predecessor, so a failed save leaves the previous model intact.
    ///
    /// The q/k rows are saved in the model's own layout; a model read from GGUF keeps
    /// `rope_pairing: interleaved` unless converted first with ``convertingRopePairing(to:)``.
    ///
    /// - Throws: `FormatError/writeFailed(file:reason:)` or a file-system error.
    public func save(toDirectory directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let data = try configuration.jsonData()
        let transaction = FileTransaction()
        try transaction.writeSafeTensors(
            stateDictionary(), metadata: ["format": "pt", Self.configurationMetadataKey: String(decoding: data, as: UTF8.self)],
            to: directory.appendingPathComponent(Self.weightsFileName))
        try transaction.write(data, to: directory.appendingPathComponent(Self.configurationFileName))
        try transaction.commit()
    }

    /// Loads a model saved by ``save(toDirectory:)``, or a single-file Hugging Face LLaMA
    /// checkpoint.
    ///
    /// `url` is a directory holding `model.safetensors`, or a safetensors file. The configuration
    /// comes from the file's metadata when present (it was written with the weights), else from
    /// `config.json` beside the weights file. Tensors of any safetensors float type are converted
    /// to `Float`; an `lm_head.weight` stored for a model with tied embeddings is ignored.
    ///
    /// - Throws: `FormatError` for a missing or malformed weights file,
    ///   ``LlamaConfigurationError`` for a missing or invalid configuration, and
    ///   ``LlamaWeightsError`` when the weights do not fit it.
    public static func load(from url: URL) throws -> LlamaModel {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw FormatError.fileNotFound(file: url.path)
        }
        let weightsURL = isDirectory.boolValue ? url.appendingPathComponent(weightsFileName) : url
        let file = try SafeTensorsFile(contentsOf: weightsURL)
        let configuration: LlamaConfiguration
        if let json = file.metadata[configurationMetadataKey] {
            configuration = try LlamaConfiguration.decode(Data(json.utf8), source: weightsURL.path + " (metadata)")
        } else {
            configuration = try LlamaConfiguration.load(
                from: weightsURL.deletingLastPathComponent().appendingPathComponent(configurationFileName))
        }
        var weights: [String: Tensor] = [:]
        for name in file.names where !(configuration.tiedEmbeddings && name == "lm_head.weight") {
            weights[name] = try file.tensor(named: name)
        }
        return try LlamaWeightsError.naming(file: weightsURL.path) {
            try LlamaModel(configuration: configuration, weights: weights, naming: .huggingFace)
        }
    }
}
