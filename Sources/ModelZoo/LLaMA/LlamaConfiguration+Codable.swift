import Foundation
import PruningCore

/// JSON in the form of a Hugging Face LLaMA `config.json`, plus this package's fields
/// `rope_pairing` and `layers` (per-layer overrides, omitted for a dense model).
///
/// Decoding accepts a Hugging Face configuration as is: `head_dim` defaults to
/// `hidden_size / num_attention_heads`, `num_key_value_heads` to `num_attention_heads`,
/// `rope_pairing` to `halves` (the Hugging Face weight layout), `eos_token_id` may be a list
/// (its first entry is used), `rope_theta` may sit in transformers 5's `rope_parameters`, and
/// unknown keys are ignored. Features this implementation lacks
/// (`rope_scaling`, biases, an activation other than SiLU) are rejected rather than ignored.
extension LlamaConfiguration: Codable {
    enum CodingKeys: String, CodingKey {
        case vocabularySize = "vocab_size"
        case hiddenSize = "hidden_size"
        case layerCount = "num_hidden_layers"
        case headCount = "num_attention_heads"
        case keyValueHeadCount = "num_key_value_heads"
        case headDimension = "head_dim"
        case intermediateSize = "intermediate_size"
        case rmsNormEpsilon = "rms_norm_eps"
        case ropeTheta = "rope_theta"
        case ropePairing = "rope_pairing"
        case tiedEmbeddings = "tie_word_embeddings"
        case maxPositions = "max_position_embeddings"
        case bosTokenID = "bos_token_id"
        case eosTokenID = "eos_token_id"
        case layers
        case modelType = "model_type"
        case architectures
        case hiddenActivation = "hidden_act"
        case ropeScaling = "rope_scaling"
        case ropeParameters = "rope_parameters"
        case attentionBias = "attention_bias"
        case mlpBias = "mlp_bias"
    }

    enum RopeParameterKeys: String, CodingKey {
        case theta = "rope_theta"
        case type = "rope_type"
    }

    /// Decodes a Hugging Face-style LLaMA configuration.
    ///
    /// - Throws: `DecodingError` for missing or mistyped fields;
    ///   ``LlamaConfigurationError/unsupported(field:reason:)`` for RoPE scaling, biases or a
    ///   non-SiLU activation.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let hidden = try c.decode(Int.self, forKey: .hiddenSize)
        let heads = try c.decode(Int.self, forKey: .headCount)
        let layerCount = try c.decode(Int.self, forKey: .layerCount)
        try Self.checkLayerCount(layerCount)
        if let activation = try c.decodeIfPresent(String.self, forKey: .hiddenActivation), activation != "silu" {
            throw LlamaConfigurationError.unsupported(field: "hidden_act", reason: "'\(activation)'; only 'silu' (SwiGLU) is implemented")
        }
        if c.contains(.ropeScaling), try !c.decodeNil(forKey: .ropeScaling) {
            throw LlamaConfigurationError.unsupported(field: "rope_scaling", reason: "only unscaled rotary embeddings are implemented")
        }
        for key in [CodingKeys.attentionBias, .mlpBias] {
            guard try c.decodeIfPresent(Bool.self, forKey: key) == true else { continue }
            throw LlamaConfigurationError.unsupported(field: key.rawValue, reason: "LLaMA projections without biases only")
        }
        // transformers 5 writes the rotary settings as {"rope_theta": θ, "rope_type": "default"}.
        var theta = try c.decodeIfPresent(Double.self, forKey: .ropeTheta)
        if c.contains(.ropeParameters), try !c.decodeNil(forKey: .ropeParameters) {
            let rope = try c.nestedContainer(keyedBy: RopeParameterKeys.self, forKey: .ropeParameters)
            let type = try rope.decodeIfPresent(String.self, forKey: .type) ?? "default"
            guard type == "default" else {
                throw LlamaConfigurationError.unsupported(
                    field: "rope_parameters.rope_type", reason: "'\(type)'; only unscaled ('default') rotary embeddings are implemented")
            }
            theta = try rope.decodeIfPresent(Double.self, forKey: .theta) ?? theta
        }
        var eos: Int?
        if let single = try? c.decodeIfPresent(Int.self, forKey: .eosTokenID) {
            eos = single
        } else if let list = try c.decodeIfPresent([Int].self, forKey: .eosTokenID) {
            eos = list.first
        }
        self.init(
            vocabularySize: try c.decode(Int.self, forKey: .vocabularySize), hiddenSize: hidden,
            layerCount: layerCount, headCount: heads,
            keyValueHeadCount: try c.decodeIfPresent(Int.self, forKey: .keyValueHeadCount),
            headDimension: try c.decodeIfPresent(Int.self, forKey: .headDimension),
            intermediateSize: try c.decode(Int.self, forKey: .intermediateSize),
            rmsNormEpsilon: try c.decodeIfPresent(Float.self, forKey: .rmsNormEpsilon) ?? 1e-6,
            ropeTheta: theta ?? 10_000,
            ropePairing: try c.decodeIfPresent(RopePairing.self, forKey: .ropePairing) ?? .halves,
            tiedEmbeddings: try c.decodeIfPresent(Bool.self, forKey: .tiedEmbeddings) ?? false,
            maxPositions: try c.decodeIfPresent(Int.self, forKey: .maxPositions) ?? 2048,
            bosTokenID: try c.decodeIfPresent(Int.self, forKey: .bosTokenID), eosTokenID: eos,
            layers: try c.decodeIfPresent([LlamaLayerConfiguration].self, forKey: .layers))
    }

    /// Encodes the configuration with Hugging Face keys (`model_type` `llama`,
    /// `LlamaForCausalLM`, `hidden_act` `silu`), `rope_pairing`, and `layers` when some layer
    /// is pruned.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode("llama", forKey: .modelType)
        try c.encode(["LlamaForCausalLM"], forKey: .architectures)
        try c.encode("silu", forKey: .hiddenActivation)
        try c.encode(vocabularySize, forKey: .vocabularySize)
        try c.encode(hiddenSize, forKey: .hiddenSize)
        try c.encode(layerCount, forKey: .layerCount)
        try c.encode(headCount, forKey: .headCount)
        try c.encode(keyValueHeadCount, forKey: .keyValueHeadCount)
        try c.encode(headDimension, forKey: .headDimension)
        try c.encode(intermediateSize, forKey: .intermediateSize)
        try c.encode(rmsNormEpsilon, forKey: .rmsNormEpsilon)
        try c.encode(ropeTheta, forKey: .ropeTheta)
        try c.encode(ropePairing, forKey: .ropePairing)
        try c.encode(tiedEmbeddings, forKey: .tiedEmbeddings)
        try c.encode(maxPositions, forKey: .maxPositions)
        try c.encodeIfPresent(bosTokenID, forKey: .bosTokenID)
        try c.encodeIfPresent(eosTokenID, forKey: .eosTokenID)
        if !isDense { try c.encode(layers, forKey: .layers) }
    }

    /// The configuration as pretty-printed JSON with sorted keys.
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }

    /// Decodes and validates a configuration from JSON `data`.
    ///
    /// - Parameters:
    ///   - data: the bytes of a `config.json`.
    ///   - source: the name used in error messages (a file path).
    /// - Throws: ``LlamaConfigurationError/invalidFile(file:reason:)`` naming `source` and the
    ///   field at fault.
    public static func decode(_ data: Data, source: String = "configuration") throws -> LlamaConfiguration {
        do {
            let configuration = try JSONDecoder().decode(LlamaConfiguration.self, from: data)
            try configuration.validate()
            return configuration
        } catch let error as LlamaConfigurationError {
            throw LlamaConfigurationError.invalidFile(file: source, reason: error.description)
        } catch let error as DecodingError {
            throw LlamaConfigurationError.invalidFile(file: source, reason: Self.describe(error))
        } catch {
            throw LlamaConfigurationError.invalidFile(file: source, reason: "\(error)")
        }
    }

    /// Reads, decodes and validates the configuration file at `url` (a Hugging Face or this
    /// package's `config.json`).
    ///
    /// - Throws: ``LlamaConfigurationError/invalidFile(file:reason:)``.
    public static func load(from url: URL) throws -> LlamaConfiguration {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw LlamaConfigurationError.invalidFile(file: url.path, reason: "cannot read the file: \(error.localizedDescription)")
        }
        return try decode(data, source: url.path)
    }

    /// Writes the configuration as JSON to `url`, replacing the file atomically.
    ///
    /// - Throws: `FormatError.writeFailed(file:reason:)` when the file cannot be written (any
    ///   previous file is then intact).
    public func write(to url: URL) throws {
        try AtomicFile.write(jsonData(), to: url)
    }

    /// "field 'a.b': problem" for a decoding error.
    private static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context, _ key: (any CodingKey)? = nil) -> String {
            let keys = context.codingPath + (key.map { [$0] } ?? [])
            return keys.map { $0.intValue.map { "[\($0)]" } ?? "." + $0.stringValue }.joined()
                .trimmingCharacters(in: CharacterSet(charactersIn: "."))
        }
        switch error {
        case .keyNotFound(let key, let context): return "missing field '\(path(context, key))'"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "field '\(path(context))': \(context.debugDescription)"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? context.debugDescription : "field '\(path(context))': \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}
