import Foundation
import PruningCore

/// Saves and restores a trained prompt's parameters as a safetensors file (written atomically),
/// so that a measurement can resume without training again.
public enum PromptCheckpoint {
    /// Writes `prompt`'s parameters to `url`, with its method name and `metadata`.
    ///
    /// - Throws: a `FormatError` or file-system error; a failed write leaves any previous file intact.
    public static func save(_ prompt: some TrainablePrompt, to url: URL, metadata: [String: String] = [:]) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        var all = metadata
        all["method"] = prompt.methodName
        try SafeTensors.write(prompt.stateDictionary(), metadata: all, to: url)
    }

    /// Loads the parameters saved at `url` into `prompt` and returns the file's metadata.
    ///
    /// - Throws: ``MemorizationError/checkpointMismatch(file:reason:)`` when the file was saved
    ///   from another method or its tensors do not fit; `FormatError` for an unreadable file.
    @discardableResult
    public static func load(into prompt: some TrainablePrompt, from url: URL) throws -> [String: String] {
        let file = try SafeTensorsFile(contentsOf: url)
        if let method = file.metadata["method"], method != prompt.methodName {
            throw MemorizationError.checkpointMismatch(file: url.path, reason: "holds a '\(method)' prompt, not '\(prompt.methodName)'")
        }
        let expected = prompt.stateDictionary()
        guard Set(file.names) == Set(expected.keys) else {
            throw MemorizationError.checkpointMismatch(
                file: url.path, reason: "tensors \(file.names.sorted()) do not match the prompt's \(expected.keys.sorted())")
        }
        var values: [String: Tensor] = [:]
        for (name, tensor) in expected {
            let stored = try file.tensor(named: name)
            guard stored.shape == tensor.shape else {
                throw MemorizationError.checkpointMismatch(
                    file: url.path, reason: "tensor '\(name)' is \(stored.shape), the prompt needs \(tensor.shape)")
            }
            values[name] = stored
        }
        try prompt.load(values)
        return file.metadata
    }
}
