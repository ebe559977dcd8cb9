import Foundation
import PruningCore

/// The hyperparameters of a BERT encoder, read from and written to a Hugging Face `config.json`
/// (`BertConfig`'s field names: `hidden_size`, `num_hidden_layers`, …).
///
/// ```swift
/// let configuration = try BERTConfiguration.load(from: configURL)
/// configuration.headDimension   // 32 for all-MiniLM-L6-v2
/// ```
public struct BERTConfiguration: Codable, Sendable, Equatable {
    /// The number of vocabulary entries (`vocab_size`).
    public var vocabularySize: Int
    /// The width of the hidden states (`hidden_size`).
    public var hiddenSize: Int
    /// The number of transformer layers (`num_hidden_layers`).
    public var layerCount: Int
    /// The number of attention heads per layer (`num_attention_heads`).
    public var headCount: Int
    /// The width of the feed-forward block (`intermediate_size`).
    public var intermediateSize: Int
    /// The feed-forward activation (`hidden_act`).
    public var hiddenActivation: BERTActivation
    /// The dropout probability after the embeddings, the attention output and the feed-forward
    /// block (`hidden_dropout_prob`).
    public var hiddenDropoutProbability: Double
    /// The dropout probability of the attention weights (`attention_probs_dropout_prob`); read
    /// and written for completeness, not applied by ``BERTSelfAttention``.
    public var attentionDropoutProbability: Double
    /// The number of learned positions (`max_position_embeddings`).
    public var maximumPositionCount: Int
    /// The number of segment (token type) embeddings (`type_vocab_size`).
    public var tokenTypeCount: Int
    /// The layer-normalization epsilon (`layer_norm_eps`).
    public var layerNormEpsilon: Double
    /// The id of the padding token (`pad_token_id`).
    public var paddingTokenID: Int

    /// A configuration with the given sizes and BERT's defaults for the rest.
    public init(
        vocabularySize: Int, hiddenSize: Int, layerCount: Int, headCount: Int, intermediateSize: Int,
        hiddenActivation: BERTActivation = .gelu, hiddenDropoutProbability: Double = 0.1,
        attentionDropoutProbability: Double = 0.1, maximumPositionCount: Int = 512, tokenTypeCount: Int = 2,
        layerNormEpsilon: Double = 1e-12, paddingTokenID: Int = 0
    ) {
        self.vocabularySize = vocabularySize
        self.hiddenSize = hiddenSize
        self.layerCount = layerCount
        self.headCount = headCount
        self.intermediateSize = intermediateSize
        self.hiddenActivation = hiddenActivation
        self.hiddenDropoutProbability = hiddenDropoutProbability
        self.attentionDropoutProbability = attentionDropoutProbability
        self.maximumPositionCount = maximumPositionCount
        self.tokenTypeCount = tokenTypeCount
        self.layerNormEpsilon = layerNormEpsilon
        self.paddingTokenID = paddingTokenID
    }

    /// all-MiniLM-L6-v2 (Wang et al., 2020, "MiniLM", https://arxiv.org/abs/2002.10957, tuned
    /// by sentence-transformers): 6 layers, hidden size 384, 12 heads, feed-forward 1536.
    public static let miniLML6 = BERTConfiguration(
        vocabularySize: 30522, hiddenSize: 384, layerCount: 6, headCount: 12, intermediateSize: 1536)

    /// The width of each attention head, `hiddenSize / headCount`.
    public var headDimension: Int { hiddenSize / headCount }

    /// Reads and checks a Hugging Face `config.json`.
    ///
    /// - Throws: ``BERTError/unreadableFile(file:reason:)`` when the file cannot be read or is not
    ///   JSON; ``BERTError/invalidConfiguration(file:field:reason:)`` naming the field that is
    ///   missing, ill-typed or out of range.
    public static func load(from url: URL) throws(BERTError) -> BERTConfiguration {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw .unreadableFile(file: url.path, reason: error.localizedDescription)
        }
        let configuration: BERTConfiguration
        do {
            configuration = try JSONDecoder().decode(BERTConfiguration.self, from: data)
        } catch let DecodingError.keyNotFound(key, _) {
            throw .invalidConfiguration(file: url.path, field: key.stringValue, reason: "is missing")
        } catch let DecodingError.typeMismatch(_, context) {
            throw .invalidConfiguration(file: url.path, field: Self.field(context), reason: "has the wrong type")
        } catch let DecodingError.valueNotFound(_, context) {
            throw .invalidConfiguration(file: url.path, field: Self.field(context), reason: "is null")
        } catch let DecodingError.dataCorrupted(context) where !context.codingPath.isEmpty {
            throw .invalidConfiguration(file: url.path, field: Self.field(context), reason: context.debugDescription)
        } catch {
            throw .unreadableFile(file: url.path, reason: "not a JSON object (\(error))")
        }
        try configuration.validate(file: url.path)
        return configuration
    }

    private static func field(_ context: DecodingError.Context) -> String {
        context.codingPath.map(\.stringValue).joined(separator: ".")
    }

    /// Checks that the sizes are positive and that the heads divide the hidden size.
    ///
    /// - Parameter file: names the configuration in errors.
    /// - Throws: ``BERTError/invalidConfiguration(file:field:reason:)``.
    public func validate(file: String = "(in memory)") throws(BERTError) {
        let sizes: [(CodingKeys, Int)] = [
            (.vocabularySize, vocabularySize), (.hiddenSize, hiddenSize), (.layerCount, layerCount),
            (.headCount, headCount), (.intermediateSize, intermediateSize),
            (.maximumPositionCount, maximumPositionCount), (.tokenTypeCount, tokenTypeCount),
        ]
        for (key, value) in sizes where value <= 0 {
            throw .invalidConfiguration(file: file, field: key.rawValue, reason: "is \(value), must be positive")
        }
        if hiddenSize % headCount != 0 {
            throw .invalidConfiguration(
                file: file, field: CodingKeys.headCount.rawValue,
                reason: "is \(headCount), which does not divide hidden_size \(hiddenSize)")
        }
        for (key, value) in [(CodingKeys.hiddenDropoutProbability, hiddenDropoutProbability),
                             (.attentionDropoutProbability, attentionDropoutProbability)]
        where !(0...1).contains(value) {
            throw .invalidConfiguration(file: file, field: key.rawValue, reason: "is \(value), must be in [0, 1]")
        }
        if !(layerNormEpsilon > 0) {
            throw .invalidConfiguration(
                file: file, field: CodingKeys.layerNormEpsilon.rawValue, reason: "is \(layerNormEpsilon), must be positive")
        }
        if !(0..<vocabularySize).contains(paddingTokenID) {
            throw .invalidConfiguration(
                file: file, field: CodingKeys.paddingTokenID.rawValue,
                reason: "is \(paddingTokenID), outside the vocabulary 0..<\(vocabularySize)")
        }
    }

    /// The `config.json` field names.
    enum CodingKeys: String, CodingKey {
        case vocabularySize = "vocab_size"
        case hiddenSize = "hidden_size"
        case layerCount = "num_hidden_layers"
        case headCount = "num_attention_heads"
        case intermediateSize = "intermediate_size"
        case hiddenActivation = "hidden_act"
        case hiddenDropoutProbability = "hidden_dropout_prob"
        case attentionDropoutProbability = "attention_probs_dropout_prob"
        case maximumPositionCount = "max_position_embeddings"
        case tokenTypeCount = "type_vocab_size"
        case layerNormEpsilon = "layer_norm_eps"
        case paddingTokenID = "pad_token_id"
        case positionEmbeddingType = "position_embedding_type"
    }

    /// Decodes a `config.json`: the five sizes are required, the other fields default as in
    /// `BertConfig`; `position_embedding_type`, when present, must be `absolute`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = BERTConfiguration(vocabularySize: 1, hiddenSize: 1, layerCount: 1, headCount: 1, intermediateSize: 1)
        vocabularySize = try container.decode(Int.self, forKey: .vocabularySize)
        hiddenSize = try container.decode(Int.self, forKey: .hiddenSize)
        layerCount = try container.decode(Int.self, forKey: .layerCount)
        headCount = try container.decode(Int.self, forKey: .headCount)
        intermediateSize = try container.decode(Int.self, forKey: .intermediateSize)
        hiddenActivation = try container.decodeIfPresent(BERTActivation.self, forKey: .hiddenActivation) ?? defaults.hiddenActivation
        hiddenDropoutProbability = try container.decodeIfPresent(Double.self, forKey: .hiddenDropoutProbability)
            ?? defaults.hiddenDropoutProbability
        attentionDropoutProbability = try container.decodeIfPresent(Double.self, forKey: .attentionDropoutProbability)
            ?? defaults.attentionDropoutProbability
        maximumPositionCount = try container.decodeIfPresent(Int.self, forKey: .maximumPositionCount) ?? defaults.maximumPositionCount
        tokenTypeCount = try container.decodeIfPresent(Int.self, forKey: .tokenTypeCount) ?? defaults.tokenTypeCount
        layerNormEpsilon = try container.decodeIfPresent(Double.self, forKey: .layerNormEpsilon) ?? defaults.layerNormEpsilon
        paddingTokenID = try container.decodeIfPresent(Int.self, forKey: .paddingTokenID) ?? defaults.paddingTokenID
        if let type = try container.decodeIfPresent(String.self, forKey: .positionEmbeddingType), type != "absolute" {
            throw DecodingError.dataCorruptedError(
                forKey: .positionEmbeddingType, in: container,
                debugDescription: "is '\(type)'; only absolute position embeddings are supported")
        }
    }

    /// Encodes the fields under their `config.json` names, with `position_embedding_type`
    /// `absolute`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(vocabularySize, forKey: .vocabularySize)
        try container.encode(hiddenSize, forKey: .hiddenSize)
        try container.encode(layerCount, forKey: .layerCount)
        try container.encode(headCount, forKey: .headCount)
        try container.encode(intermediateSize, forKey: .intermediateSize)
        try container.encode(hiddenActivation, forKey: .hiddenActivation)
        try container.encode(hiddenDropoutProbability, forKey: .hiddenDropoutProbability)
        try container.encode(attentionDropoutProbability, forKey: .attentionDropoutProbability)
        try container.encode(maximumPositionCount, forKey: .maximumPositionCount)
        try container.encode(tokenTypeCount, forKey: .tokenTypeCount)
        try container.encode(layerNormEpsilon, forKey: .layerNormEpsilon)
        try container.encode(paddingTokenID, forKey: .paddingTokenID)
        try container.encode("absolute", forKey: .positionEmbeddingType)
    }
}

/// The activation of a BERT feed-forward block (`hidden_act`).
public enum BERTActivation: String, Codable, Sendable, CaseIterable {
    /// The exact GELU `x · Φ(x)` (`gelu`; Hendrycks & Gimpel, 2016).
    case gelu
    /// The tanh approximation of GELU (`gelu_new`; also read from `gelu_pytorch_tanh` and
    /// `gelu_fast`).
    case geluTanh = "gelu_new"
    /// The rectified linear unit (`relu`).
    case relu
    /// SiLU / swish `x · sigmoid(x)` (`silu`; also read from `swish`).
    case silu

    /// Reads a `hidden_act` name, accepting Hugging Face's aliases.
    public init(from decoder: any Decoder) throws {
        let name = try decoder.singleValueContainer().decode(String.self)
        switch name {
        case "gelu": self = .gelu
        case "gelu_new", "gelu_pytorch_tanh", "gelu_fast": self = .geluTanh
        case "relu": self = .relu
        case "silu", "swish": self = .silu
        default:
            throw DecodingError.dataCorrupted(DecodingError.Context(
                codingPath: decoder.codingPath,
                debugDescription: "is '\(name)'; supported: gelu, gelu_new, gelu_pytorch_tanh, gelu_fast, relu, silu, swish"))
        }
    }

    /// Applies the activation elementwise.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        switch self {
        case .gelu: x.gelu()
        case .geluTanh: x.gelu(approximate: true)
        case .relu: x.relu()
        case .silu: x.silu()
        }
    }
}
