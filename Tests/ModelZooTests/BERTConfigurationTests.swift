import Foundation
import ModelZoo
import PruningCore
import Testing

@Suite struct BERTConfigurationTests {
    /// all-MiniLM-L6-v2's `config.json`.
    static let miniLMJSON = """
        {"_name_or_path": "nreimers/MiniLM-L6-H384-uncased", "architectures": ["BertModel"],
         "attention_probs_dropout_prob": 0.1, "gradient_checkpointing": false, "hidden_act": "gelu",
         "hidden_dropout_prob": 0.1, "hidden_size": 384, "initializer_range": 0.02, "intermediate_size": 1536,
         "layer_norm_eps": 1e-12, "max_position_embeddings": 512, "model_type": "bert", "num_attention_heads": 12,
         "num_hidden_layers": 6, "pad_token_id": 0, "position_embedding_type": "absolute",
         "transformers_version": "4.8.2", "type_vocab_size": 2, "use_cache": true, "vocab_size": 30522}
        """

    static func load(_ json: String) throws -> (BERTConfiguration, String) {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("config-\(UUID().uuidString).json")
        try json.write(to: url, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        return (try BERTConfiguration.load(from: url), url.path)
    }

    /// The error thrown when loading `json`, with the path of the temporary file.
    static func loadingError(_ json: String) throws -> (BERTError?, String) {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("config-\(UUID().uuidString).json")
        try json.write(to: url, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: url) }
        do {
            _ = try BERTConfiguration.load(from: url)
            return (nil, url.path)
        } catch {
            return (error, url.path)
        }
    }

    @Test("all-MiniLM-L6-v2's config.json decodes to the preset")
    func miniLM() throws {
        let (configuration, _) = try Self.load(Self.miniLMJSON)
        #expect(configuration == .miniLML6)
        #expect(configuration.headDimension == 32)
        #expect(configuration.hiddenActivation == .gelu)
        #expect(configuration.layerNormEpsilon == 1e-12)
    }

    @Test("optional fields take BertConfig's defaults; activation aliases are accepted")
    func defaults() throws {
        let (configuration, _) = try Self.load("""
            {"vocab_size": 100, "hidden_size": 16, "num_hidden_layers": 1, "num_attention_heads": 4,
             "intermediate_size": 32, "hidden_act": "gelu_pytorch_tanh"}
            """)
        #expect(configuration == BERTConfiguration(
            vocabularySize: 100, hiddenSize: 16, layerCount: 1, headCount: 4, intermediateSize: 32,
            hiddenActivation: .geluTanh, hiddenDropoutProbability: 0.1, attentionDropoutProbability: 0.1,
            maximumPositionCount: 512, tokenTypeCount: 2, layerNormEpsilon: 1e-12, paddingTokenID: 0))
    }

    @Test("encoding and decoding round-trip")
    func roundTrip() throws {
        var configuration = BERTConfiguration.miniLML6
        configuration.hiddenActivation = .relu
        configuration.layerCount = 3
        let data = try JSONEncoder().encode(configuration)
        #expect(try JSONDecoder().decode(BERTConfiguration.self, from: data) == configuration)
        let json = try #require(String(data: data, encoding: .utf8))
        #expect(json.contains("\"num_hidden_layers\":3") && json.contains("\"hidden_act\":\"relu\""))
    }

    @Test("activations apply the documented function")
    func activations() {
        let x = Tensor([-1, 0.5, 2])
        #expect(BERTActivation.gelu(x).scalars == x.gelu().scalars)
        #expect(BERTActivation.geluTanh(x).scalars == x.gelu(approximate: true).scalars)
        #expect(BERTActivation.relu(x).scalars == [0, 0.5, 2])
        #expect(BERTActivation.silu(x).scalars == x.silu().scalars)
    }

    @Test("invalid configurations throw errors naming the field", arguments: [
        (#"{"hidden_size": 8, "num_hidden_layers": 1, "num_attention_heads": 2, "intermediate_size": 8}"#,
         "vocab_size", "is missing"),
        (#"{"vocab_size": 10, "hidden_size": "8", "num_hidden_layers": 1, "num_attention_heads": 2, "intermediate_size": 8}"#,
         "hidden_size", "has the wrong type"),
        (#"{"vocab_size": 10, "hidden_size": 8, "num_hidden_layers": 1, "num_attention_heads": 3, "intermediate_size": 8}"#,
         "num_attention_heads", "does not divide"),
        (#"{"vocab_size": 10, "hidden_size": 8, "num_hidden_layers": 0, "num_attention_heads": 2, "intermediate_size": 8}"#,
         "num_hidden_layers", "must be positive"),
        (#"{"vocab_size": 10, "hidden_size": 8, "num_hidden_layers": 1, "num_attention_heads": 2, "intermediate_size": 8, "hidden_act": "mish"}"#,
         "hidden_act", "mish"),
        (#"{"vocab_size": 10, "hidden_size": 8, "num_hidden_layers": 1, "num_attention_heads": 2, "intermediate_size": 8, "position_embedding_type": "relative_key"}"#,
         "position_embedding_type", "relative_key"),
        (#"{"vocab_size": 10, "hidden_size": 8, "num_hidden_layers": 1, "num_attention_heads": 2, "intermediate_size": 8, "hidden_dropout_prob": 1.5}"#,
         "hidden_dropout_prob", "[0, 1]"),
        (#"{"vocab_size": 10, "hidden_size": 8, "num_hidden_layers": 1, "num_attention_heads": 2, "intermediate_size": 8, "pad_token_id": 10}"#,
         "pad_token_id", "outside the vocabulary"),
    ])
    func invalid(json: String, field: String, reason: String) throws {
        let (error, path) = try Self.loadingError(json)
        guard case .invalidConfiguration(let file, let actualField, let actualReason)? = error else {
            Issue.record("expected invalidConfiguration(\(field)), got \(String(describing: error))")
            return
        }
        #expect(file == path)
        #expect(actualField == field)
        #expect(actualReason.contains(reason), "\(actualReason)")
        #expect(error!.description.contains(field))
    }

    @Test("unreadable configurations name the file")
    func unreadable() throws {
        let (notJSON, path) = try Self.loadingError("not json")
        guard case .unreadableFile(let file, _)? = notJSON else {
            Issue.record("expected unreadableFile, got \(String(describing: notJSON))")
            return
        }
        #expect(file == path)
        let missing = URL(fileURLWithPath: "/nonexistent/config.json")
        #expect(throws: BERTError.self) { try BERTConfiguration.load(from: missing) }
    }
}
