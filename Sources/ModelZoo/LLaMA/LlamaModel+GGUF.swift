import Foundation
import PruningCore

extension LlamaConfiguration {
    /// The configuration a GGUF file's `llama.*` metadata describes (dense layers, GGUF
    /// ``RopePairing/interleaved`` layout, tied embeddings when the file has no `output.weight`).
    ///
    /// - Throws: ``GGUFError`` naming a missing or mistyped key;
    ///   ``LlamaConfigurationError/invalidFile(file:reason:)`` when the architecture is not
    ///   `llama` or the described model is invalid.
    public init(gguf file: GGUFFile) throws {
        do {
            self = try Self.described(by: file)
            try validate()
        } catch let error as LlamaConfigurationError {
            throw LlamaConfigurationError.invalidFile(file: file.path, reason: error.description)
        }
    }

    private static func described(by file: GGUFFile) throws -> LlamaConfiguration {
        let architecture = try file.string(forKey: "general.architecture")
        guard architecture == "llama" else {
            throw LlamaConfigurationError.invalidValue(field: "general.architecture", reason: "is '\(architecture)', expected 'llama'")
        }
        let headCount = try file.int(forKey: "llama.attention.head_count")
        let hiddenSize = try file.int(forKey: "llama.embedding_length")
        let layerCount = try file.int(forKey: "llama.block_count")
        try checkLayerCount(layerCount)
        let vocabulary = try (file.metadata["llama.vocab_size"]?.int)
            ?? file.strings(forKey: "tokenizer.ggml.tokens").count
        return LlamaConfiguration(
            vocabularySize: vocabulary,
            hiddenSize: hiddenSize,
            layerCount: layerCount,
            headCount: headCount,
            keyValueHeadCount: file.metadata["llama.attention.head_count_kv"]?.int ?? headCount,
            headDimension: file.metadata["llama.rope.dimension_count"]?.int ?? (headCount > 0 ? hiddenSize / headCount : 0),
            intermediateSize: try file.int(forKey: "llama.feed_forward_length"),
            rmsNormEpsilon: try file.float(forKey: "llama.attention.layer_norm_rms_epsilon"),
            ropeTheta: Double(file.metadata["llama.rope.freq_base"]?.float ?? 10_000),
            ropePairing: .interleaved,
            tiedEmbeddings: file.tensorInfo(named: "output.weight") == nil,
            maxPositions: file.metadata["llama.context_length"]?.int ?? 2048,
            bosTokenID: file.metadata["tokenizer.ggml.bos_token_id"]?.int,
            eosTokenID: file.metadata["tokenizer.ggml.eos_token_id"]?.int)
    }
}

extension LlamaModel {
    /// The decoder stored in a GGUF file, with every tensor dequantized to `Float`.
    ///
    /// The weights keep the file's layout (q/k rows permuted for interleaved rotary pairs);
    /// ``convertingRopePairing(to:)`` turns the model into the Hugging Face layout.
    ///
    /// ```swift
    /// let file = try GGUFFile(contentsOf: try ModelFiles.smolLM2())
    /// let model = try LlamaModel(gguf: file)
    /// let tokenizer = try ByteLevelBPETokenizer(gguf: file)
    /// ```
    /// - Throws: ``GGUFError`` for unreadable tensors, ``LlamaWeightsError`` for missing or
    ///   mis-shaped ones.
    public convenience init(gguf file: GGUFFile) throws {
        let configuration = try LlamaConfiguration(gguf: file)
        var weights: [String: Tensor] = [:]
        for info in file.tensors where info.name != "rope_freqs.weight" {
            weights[info.name] = try file.tensor(named: info.name)
        }
        do {
            try self.init(configuration: configuration, weights: weights, naming: .gguf)
        } catch let error as LlamaWeightsError {
            throw LlamaWeightsError.inFile(file: file.path, error: error)
        }
    }
}
