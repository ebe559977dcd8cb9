import Foundation
import ModelZoo

/// The structure of a ``LowRankLlamaModel``: the source model's `LlamaConfiguration` plus,
/// for every block, its head counts and whether each projection is dense or factorized (and at
/// which rank). Together with the parameter tensors it determines the model completely; it is
/// what ``LowRankLlamaModel/save(toDirectory:)`` writes beside the weights.
///
/// JSON form (keys sorted when written):
///
/// ```json
/// {
///   "format": "low_rank_llama", "version": 1,
///   "configuration": { …a LLaMA config.json… },
///   "layers": [
///     { "head_count": 9, "key_value_head_count": 3,
///       "projections": {
///         "self_attn.q_proj": { "out_features": 576, "in_features": 576, "rank": 201 },
///         "mlp.down_proj": { "out_features": 576, "in_features": 1536, "rank": null }, … } }, …
///   ]
/// }
/// ```
///
/// `rank` is `null` for a dense projection (parameter `weight` `[out, in]`), else the inner
/// dimension `r` of the factors `output_factor` `[out, r]` and `input_factor` `[r, in]`.
public struct LowRankLlamaArchitecture: Codable, Equatable, Sendable {
    /// The value of the `format` field.
    public static let formatName = "low_rank_llama"
    /// The value of the `version` field this code writes and reads.
    public static let formatVersion = 1
    /// The projections of a block, by their names inside it (the keys of
    /// ``Layer/projections``), in the order of ``LowRankLlamaLayer/children``.
    public static let projectionNames = [
        "self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj", "self_attn.o_proj",
        "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj",
    ]

    /// One projection's shape `[out, in]` and, when factorized, its rank.
    public struct Projection: Codable, Equatable, Sendable {
        /// The number of output features.
        public var outputCount: Int
        /// The number of input features.
        public var inputCount: Int
        /// The inner dimension of the factors; nil for a dense weight.
        public var rank: Int?

        /// A projection `[outputCount, inputCount]`, factorized at `rank` unless it is nil.
        public init(outputCount: Int, inputCount: Int, rank: Int?) {
            self.outputCount = outputCount
            self.inputCount = inputCount
            self.rank = rank
        }

        /// The description of `linear`.
        public init(of linear: LowRankLinear) {
            self.init(outputCount: linear.outputCount, inputCount: linear.inputCount, rank: linear.rank)
        }

        enum CodingKeys: String, CodingKey {
            case outputCount = "out_features"
            case inputCount = "in_features"
            case rank
        }

        /// Encodes `out_features`, `in_features` and `rank` (`null` when dense).
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(outputCount, forKey: .outputCount)
            try c.encode(inputCount, forKey: .inputCount)
            if let rank { try c.encode(rank, forKey: .rank) } else { try c.encodeNil(forKey: .rank) }
        }
    }

    /// One block: its head counts and its seven projections.
    public struct Layer: Codable, Equatable, Sendable {
        /// The number of query heads.
        public var headCount: Int
        /// The number of key–value heads.
        public var keyValueHeadCount: Int
        /// The projections by name (exactly the names in ``projectionNames``).
        public var projections: [String: Projection]

        /// A block description.
        public init(headCount: Int, keyValueHeadCount: Int, projections: [String: Projection]) {
            self.headCount = headCount
            self.keyValueHeadCount = keyValueHeadCount
            self.projections = projections
        }

        /// The description of `layer`.
        public init(of layer: LowRankLlamaLayer) {
            let modules = [layer.query, layer.key, layer.value, layer.output, layer.gate, layer.up, layer.down]
            self.init(
                headCount: layer.headCount, keyValueHeadCount: layer.keyValueHeadCount,
                projections: Dictionary(uniqueKeysWithValues: zip(projectionNames, modules.map(Projection.init(of:)))))
        }

        enum CodingKeys: String, CodingKey {
            case headCount = "head_count"
            case keyValueHeadCount = "key_value_head_count"
            case projections
        }
    }

    /// The source model's configuration (vocabulary, widths, norms, rotary embedding, tying).
    public var configuration: LlamaConfiguration
    /// The blocks, one per layer of ``configuration``.
    public var layers: [Layer]

    /// An architecture from its parts.
    public init(configuration: LlamaConfiguration, layers: [Layer]) {
        self.configuration = configuration
        self.layers = layers
    }

    /// The architecture of `model`.
    public init(of model: LowRankLlamaModel) {
        self.init(configuration: model.configuration, layers: model.layers.map(Layer.init(of:)))
    }

    enum CodingKeys: String, CodingKey {
        case format, version, configuration, layers
    }

    /// Decodes the JSON form, checking `format` and `version`.
    ///
    /// - Throws: `DecodingError` for a missing or mistyped field or an unknown format or
    ///   version; `LlamaConfigurationError` for an unsupported base configuration.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let format = try c.decode(String.self, forKey: .format)
        guard format == Self.formatName else {
            throw DecodingError.dataCorruptedError(
                forKey: .format, in: c, debugDescription: "'\(format)' is not '\(Self.formatName)'")
        }
        let version = try c.decode(Int.self, forKey: .version)
        guard version == Self.formatVersion else {
            throw DecodingError.dataCorruptedError(
                forKey: .version, in: c, debugDescription: "version \(version) is not supported (only \(Self.formatVersion))")
        }
        self.init(
            configuration: try c.decode(LlamaConfiguration.self, forKey: .configuration),
            layers: try c.decode([Layer].self, forKey: .layers))
    }

    /// Encodes the JSON form with `format` and `version`.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(Self.formatName, forKey: .format)
        try c.encode(Self.formatVersion, forKey: .version)
        try c.encode(configuration, forKey: .configuration)
        try c.encode(layers, forKey: .layers)
    }

    /// The architecture as pretty-printed JSON with sorted keys.
    public func jsonData() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return try encoder.encode(self)
    }

    /// Decodes and validates an architecture from JSON `data`.
    ///
    /// - Parameters:
    ///   - data: the bytes of the architecture file.
    ///   - source: the name used in error messages (a file path).
    /// - Throws: ``LowRankModelFileError/invalidDescription(file:field:reason:)`` naming
    ///   `source` and the field at fault.
    public static func decode(_ data: Data, source: String) throws -> LowRankLlamaArchitecture {
        let architecture: LowRankLlamaArchitecture
        do {
            architecture = try JSONDecoder().decode(LowRankLlamaArchitecture.self, from: data)
        } catch let error as DecodingError {
            let (field, reason) = describe(error)
            throw LowRankModelFileError.invalidDescription(file: source, field: field, reason: reason)
        } catch let error as LlamaConfigurationError {
            let (field, reason) = describe(error)
            throw LowRankModelFileError.invalidDescription(file: source, field: field, reason: reason)
        } catch {
            throw LowRankModelFileError.invalidDescription(file: source, field: "", reason: "\(error)")
        }
        try architecture.validate(source: source)
        return architecture
    }

    /// Checks that the description is a model ``LowRankLlamaModel`` can run: a valid base
    /// configuration, one block per layer, each with the seven projections, positive sizes and
    /// ranks, heads of the configuration's head dimension that split evenly, and projection
    /// shapes that chain through the residual stream and the MLP.
    ///
    /// - Parameter source: the name used in error messages (a file path).
    /// - Throws: ``LowRankModelFileError/invalidDescription(file:field:reason:)`` naming the
    ///   first bad field.
    public func validate(source: String) throws {
        func require(_ condition: Bool, _ field: String, _ reason: @autoclosure () -> String) throws {
            if !condition { throw LowRankModelFileError.invalidDescription(file: source, field: field, reason: reason()) }
        }
        do {
            try configuration.validate()
        } catch let error as LlamaConfigurationError {
            let (field, reason) = Self.describe(error)
            throw LowRankModelFileError.invalidDescription(file: source, field: field, reason: reason)
        }
        let hidden = configuration.hiddenSize
        let headDimension = configuration.headDimension
        try require(
            layers.count == configuration.layerCount, "layers",
            "\(layers.count) blocks for a configuration of \(configuration.layerCount) layers")
        for (index, layer) in layers.enumerated() {
            let path = "layers[\(index)]"
            let (heads, groups) = (layer.headCount, layer.keyValueHeadCount)
            try require(heads > 0, path + ".head_count", "\(heads) must be positive")
            try require(
                groups > 0 && heads % groups == 0, path + ".key_value_head_count",
                "\(groups) must be positive and divide the \(heads) query heads")
            let names = Set(layer.projections.keys)
            if let missing = Self.projectionNames.first(where: { !names.contains($0) }) {
                try require(false, path + ".projections", "missing projection '\(missing)'")
            }
            if let extra = names.subtracting(Self.projectionNames).sorted().first {
                try require(false, path + ".projections", "unknown projection '\(extra)'")
            }
            for name in Self.projectionNames {
                let projection = layer.projections[name]!
                let field = "\(path).projections.\(name)"
                try require(projection.outputCount > 0, field + ".out_features", "\(projection.outputCount) must be positive")
                try require(projection.inputCount > 0, field + ".in_features", "\(projection.inputCount) must be positive")
                if let rank = projection.rank { try require(rank > 0, field + ".rank", "\(rank) must be positive or null") }
            }
            func shape(_ name: String) -> (out: Int, in: Int) {
                (layer.projections[name]!.outputCount, layer.projections[name]!.inputCount)
            }
            let (q, k, v, o) = (shape("self_attn.q_proj"), shape("self_attn.k_proj"), shape("self_attn.v_proj"), shape("self_attn.o_proj"))
            let (gate, up, down) = (shape("mlp.gate_proj"), shape("mlp.up_proj"), shape("mlp.down_proj"))
            for (name, input) in [("self_attn.q_proj", q.in), ("self_attn.k_proj", k.in), ("self_attn.v_proj", v.in),
                                  ("mlp.gate_proj", gate.in), ("mlp.up_proj", up.in)] {
                try require(input == hidden, "\(path).projections.\(name).in_features", "\(input) is not the hidden size \(hidden)")
            }
            for (name, output) in [("self_attn.o_proj", o.out), ("mlp.down_proj", down.out)] {
                try require(output == hidden, "\(path).projections.\(name).out_features", "\(output) is not the hidden size \(hidden)")
            }
            try require(
                q.out == heads * headDimension, path + ".projections.self_attn.q_proj.out_features",
                "\(q.out) is not \(heads) heads of \(headDimension)")
            try require(
                k.out == groups * headDimension, path + ".projections.self_attn.k_proj.out_features",
                "\(k.out) is not \(groups) heads of \(headDimension)")
            try require(
                v.out % groups == 0, path + ".projections.self_attn.v_proj.out_features",
                "\(v.out) does not split into \(groups) heads")
            try require(
                o.in * groups == v.out * heads, path + ".projections.self_attn.o_proj.in_features",
                "\(o.in) is not \(heads) heads of \(v.out / groups)")
            try require(up.out == gate.out, path + ".projections.mlp.up_proj.out_features", "\(up.out) differs from gate_proj's \(gate.out)")
            try require(down.in == gate.out, path + ".projections.mlp.down_proj.in_features", "\(down.in) differs from gate_proj's \(gate.out)")
        }
    }

    /// The JSON path and problem of a decoding error.
    private static func describe(_ error: DecodingError) -> (field: String, reason: String) {
        func path(_ context: DecodingError.Context, _ key: (any CodingKey)? = nil) -> String {
            let keys = context.codingPath + (key.map { [$0] } ?? [])
            return keys.map { $0.intValue.map { "[\($0)]" } ?? "." + $0.stringValue }.joined()
                .trimmingCharacters(in: CharacterSet(charactersIn: "."))
        }
        switch error {
        case .keyNotFound(let key, let context): return (path(context, key), "missing")
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            var reason = context.debugDescription
            if let underlying = context.underlyingError { reason += " (\(underlying.localizedDescription))" }
            return (path(context), reason)
        @unknown default: return ("", "\(error)")
        }
    }

    /// The field (under `configuration`) and problem of a base-configuration error.
    private static func describe(_ error: LlamaConfigurationError) -> (field: String, reason: String) {
        switch error {
        case .invalidValue(let field, let reason): ("configuration." + field, reason)
        case .unsupported(let field, let reason): ("configuration." + field, "not supported: " + reason)
        case .invalidFile(_, let reason): ("configuration", reason)
        }
    }
}
