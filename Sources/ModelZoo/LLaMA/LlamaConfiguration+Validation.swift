/// A LLaMA configuration that describes no valid model, or a configuration file that cannot be
/// read.
public enum LlamaConfigurationError: Error, Equatable, CustomStringConvertible {
    /// A field has an impossible value; `field` is its JSON path (for example
    /// `layers[3].rotary_pairs`).
    case invalidValue(field: String, reason: String)
    /// The configuration asks for a feature this implementation lacks (for example RoPE
    /// scaling).
    case unsupported(field: String, reason: String)
    /// A configuration file is missing, unreadable or not a valid configuration.
    case invalidFile(file: String, reason: String)

    /// A sentence naming the field or file and the problem.
    public var description: String {
        switch self {
        case .invalidValue(let field, let reason): "LLaMA configuration field '\(field)': \(reason)"
        case .unsupported(let field, let reason): "LLaMA configuration field '\(field)' is not supported: \(reason)"
        case .invalidFile(let file, let reason): "\(file): not a valid LLaMA configuration: \(reason)"
        }
    }
}

extension LlamaConfiguration {
    /// The largest `maxPositions × headDimension` accepted (2^25): rotary tables of at most
    /// 128 MiB, which covers a 131,072-token context at head dimension 128 and keeps a
    /// configuration read from a file from demanding tables larger than memory.
    public static let maximumRotaryTableSize = 1 << 25

    /// The most layers a configuration may have (4,096; the largest LLaMA models have 126).
    public static let maximumLayerCount = 4096

    /// Rejects a layer count outside `1...maximumLayerCount` before anything is sized by it.
    static func checkLayerCount(_ count: Int) throws {
        guard count > 0 && count <= maximumLayerCount else {
            throw LlamaConfigurationError.invalidValue(
                field: "num_hidden_layers", reason: "\(count) is outside 1...\(maximumLayerCount)")
        }
    }

    /// Checks that the configuration describes a model: positive sizes, head counts that
    /// divide, an even head dimension, rotary tables within ``maximumRotaryTableSize``,
    /// ``layers`` empty or of ``layerCount`` entries, and valid
    /// per-layer overrides (rotary pairs in range, distinct and of equal length per head; index
    /// lists non-empty, distinct and inside the hidden size).
    ///
    /// - Throws: ``LlamaConfigurationError/invalidValue(field:reason:)`` naming the first bad
    ///   field by its JSON path.
    public func validate() throws {
        try Self.checkLayerCount(layerCount)
        func require(_ condition: Bool, _ field: String, _ reason: @autoclosure () -> String) throws {
            if !condition { throw LlamaConfigurationError.invalidValue(field: field, reason: reason()) }
        }
        try require(vocabularySize > 0, "vocab_size", "must be positive, got \(vocabularySize)")
        try require(hiddenSize > 0, "hidden_size", "must be positive, got \(hiddenSize)")
        try require(layerCount >= 0, "num_hidden_layers", "must not be negative, got \(layerCount)")
        try require(headCount > 0, "num_attention_heads", "must be positive, got \(headCount)")
        try require(
            keyValueHeadCount > 0 && headCount % keyValueHeadCount == 0, "num_key_value_heads",
            "\(keyValueHeadCount) must be a positive divisor of num_attention_heads \(headCount)")
        try require(
            headDimension > 0 && headDimension % 2 == 0, "head_dim",
            "must be positive and even (rotary pairs), got \(headDimension)")
        try require(intermediateSize > 0, "intermediate_size", "must be positive, got \(intermediateSize)")
        try require(
            rmsNormEpsilon >= 0 && rmsNormEpsilon.isFinite, "rms_norm_eps",
            "must be finite and non-negative, got \(rmsNormEpsilon)")
        try require(ropeTheta > 0 && ropeTheta.isFinite, "rope_theta", "must be positive, got \(ropeTheta)")
        try require(maxPositions > 0, "max_position_embeddings", "must be positive, got \(maxPositions)")
        // The rotary tables hold maxPositions × head_dim / 2 cosines and as many sines.
        try require(
            maxPositions <= Self.maximumRotaryTableSize / headDimension, "max_position_embeddings",
            "\(maxPositions) positions × head_dim \(headDimension) exceed the rotary table limit of \(Self.maximumRotaryTableSize) entries")
        for (field, id) in [("bos_token_id", bosTokenID), ("eos_token_id", eosTokenID)] {
            if let id {
                try require(id >= 0 && id < vocabularySize, field, "\(id) is outside 0..<\(vocabularySize)")
            }
        }
        try require(
            layers.isEmpty || layers.count == layerCount, "layers",
            "has \(layers.count) entries for \(layerCount) layers (give one per layer, or none)")
        for (index, layer) in layers.enumerated() {
            try validate(layer, field: "layers[\(index)]")
        }
    }

    private func validate(_ layer: LlamaLayerConfiguration, field: String) throws {
        func require(_ condition: Bool, _ name: String, _ reason: @autoclosure () -> String) throws {
            if !condition {
                throw LlamaConfigurationError.invalidValue(field: field + "." + name, reason: reason())
            }
        }
        let heads = layer.headCount ?? headCount
        let keyValueHeads = layer.keyValueHeadCount ?? keyValueHeadCount
        try require(heads > 0, "num_attention_heads", "must be positive, got \(heads)")
        try require(
            keyValueHeads > 0 && heads % keyValueHeads == 0, "num_key_value_heads",
            "\(keyValueHeads) must be a positive divisor of the layer's \(heads) query heads")
        if let pairs = layer.rotaryPairs {
            try require(
                pairs.count == 1 || pairs.count == keyValueHeads, "rotary_pairs",
                "has \(pairs.count) lists; give one shared list or one per key-value head (\(keyValueHeads))")
            let length = pairs[0].count
            for (head, list) in pairs.enumerated() {
                try require(!list.isEmpty, "rotary_pairs", "list \(head) is empty")
                try require(
                    list.count == length, "rotary_pairs",
                    "list \(head) has \(list.count) pairs, list 0 has \(length); every head needs the same count")
                try require(
                    list.allSatisfy { $0 >= 0 && $0 < rotaryPairCount }, "rotary_pairs",
                    "list \(head) holds a pair outside 0..<\(rotaryPairCount)")
                try require(Set(list).count == list.count, "rotary_pairs", "list \(head) repeats a pair")
            }
        }
        if let value = layer.valueHeadDimension {
            try require(value > 0, "value_head_dim", "must be positive, got \(value)")
        }
        if let width = layer.intermediateSize {
            try require(width > 0, "intermediate_size", "must be positive, got \(width)")
        }
        let lists = [
            ("attention_input_indices", layer.attentionInputIndices),
            ("attention_output_indices", layer.attentionOutputIndices),
            ("mlp_input_indices", layer.mlpInputIndices), ("mlp_output_indices", layer.mlpOutputIndices),
        ]
        for (name, list) in lists {
            guard let list else { continue }
            try require(!list.isEmpty, name, "is empty; a sub-block needs at least one dimension")
            try require(
                list.allSatisfy { $0 >= 0 && $0 < hiddenSize }, name,
                "holds an index outside 0..<\(hiddenSize)")
            try require(Set(list).count == list.count, name, "repeats an index")
        }
    }
}
