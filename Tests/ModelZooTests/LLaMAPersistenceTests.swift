import Foundation
import ModelZoo
import PruningCore
import PruningTestSupport
import Testing

/// A fresh temporary directory, removed by the caller.
func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("llama-tests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

@Suite struct LLaMAPersistenceTests {
    @Test("save then load gives identical logits", arguments: [false, true])
    func roundTrip(pruned: Bool) throws {
        let model = pruned ? try tinyPrunedModel(pairing: .interleaved) : try tinyLlamaModel(tinyLlamaConfiguration(tied: false))
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try model.save(toDirectory: directory)
        let files = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        #expect(files == ["config.json", "model.safetensors"])

        let loaded = try LlamaModel.load(from: directory)
        #expect(loaded.configuration == model.configuration)
        #expect(evaluate(loaded).scalars == evaluate(model).scalars)
        // The weights file describes itself, and uses Hugging Face names.
        let file = try SafeTensorsFile(contentsOf: directory.appendingPathComponent("model.safetensors"))
        #expect(file.contains("model.layers.1.mlp.down_proj.weight"))
        #expect(file.metadata[LlamaModel.configurationMetadataKey] != nil)
        let single = try LlamaModel.load(from: directory.appendingPathComponent("model.safetensors"))
        #expect(evaluate(single).scalars == evaluate(model).scalars)
        // config.json alone also describes the model.
        let configuration = try LlamaConfiguration.load(from: directory.appendingPathComponent("config.json"))
        #expect(configuration == model.configuration)
    }

    @Test("a weights file without metadata takes config.json from its directory")
    func configurationFromFile() throws {
        let model = try tinyLlamaModel()
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try model.save(to: directory.appendingPathComponent("model.safetensors"))  // Module.save: weights only
        #expect(throws: LlamaConfigurationError.self) { try LlamaModel.load(from: directory) }
        try model.configuration.write(to: directory.appendingPathComponent("config.json"))
        #expect(evaluate(try LlamaModel.load(from: directory)).scalars == evaluate(model).scalars)
        #expect(throws: FormatError.fileNotFound(file: directory.appendingPathComponent("absent").path)) {
            try LlamaModel.load(from: directory.appendingPathComponent("absent"))
        }
    }
}

@Suite struct LLaMAConfigurationTests {
    @Test("a Hugging Face SmolLM2 config.json decodes to the preset with halves pairing")
    func huggingFaceConfiguration() throws {
        let json = """
        {"architectures": ["LlamaForCausalLM"], "attention_bias": false, "attention_dropout": 0.0,
         "bos_token_id": 1, "eos_token_id": 2, "head_dim": 64, "hidden_act": "silu", "hidden_size": 576,
         "initializer_range": 0.041666666666666664, "intermediate_size": 1536, "max_position_embeddings": 8192,
         "mlp_bias": false, "model_type": "llama", "num_attention_heads": 9, "num_hidden_layers": 30,
         "num_key_value_heads": 3, "pad_token_id": 2, "pretraining_tp": 1, "rms_norm_eps": 1e-05,
         "rope_scaling": null, "rope_theta": 100000, "tie_word_embeddings": true, "torch_dtype": "bfloat16",
         "transformers_version": "4.42.3", "use_cache": true, "vocab_size": 49152}
        """
        let configuration = try LlamaConfiguration.decode(Data(json.utf8))
        var expected = LlamaConfiguration.smolLM2_135M
        expected.ropePairing = .halves
        #expect(configuration == expected)
        #expect(configuration.dimensions(ofLayer: 29).queryKeyHeadDimension == 64)
    }

    @Test("pruned configurations round-trip through JSON with snake-case per-layer fields")
    func roundTrip() throws {
        let configuration = try tinyPrunedModel().configuration
        let data = try configuration.jsonData()
        let text = String(decoding: data, as: UTF8.self)
        for key in ["\"rope_pairing\"", "\"layers\"", "\"rotary_pairs\"", "\"attention_input_indices\"", "\"value_head_dim\""] {
            #expect(text.contains(key), "\(key)")
        }
        #expect(try LlamaConfiguration.decode(data) == configuration)
        // A dense configuration leaves out the per-layer list.
        let dense = String(decoding: try tinyLlamaConfiguration().jsonData(), as: UTF8.self)
        #expect(!dense.contains("\"layers\""))
        #expect(try LlamaConfiguration.decode(Data(dense.utf8)) == tinyLlamaConfiguration())
    }

    @Test("invalid configurations are rejected naming the field")
    func validation() throws {
        func field(_ change: (inout LlamaConfiguration) -> Void) -> String? {
            var configuration = tinyLlamaConfiguration()
            change(&configuration)
            do {
                try configuration.validate()
                return nil
            } catch LlamaConfigurationError.invalidValue(let field, _) {
                return field
            } catch {
                return "unexpected \(error)"
            }
        }
        #expect(field { _ in } == nil)
        #expect(field { $0.layers = [] } == nil)
        #expect(field { $0.keyValueHeadCount = 3 } == "num_key_value_heads")
        #expect(field { $0.headDimension = 7 } == "head_dim")
        #expect(field { $0.eosTokenID = 64 } == "eos_token_id")
        #expect(field { $0.layers.removeLast() } == "layers")
        #expect(field { $0.layers[1].rotaryPairs = [[0, 4]] } == "layers[1].rotary_pairs")
        #expect(field { $0.layers[1].rotaryPairs = [[0, 1], [2]] } == "layers[1].rotary_pairs")
        #expect(field { $0.layers[1].rotaryPairs = [[0, 1], [2, 3], [1, 2]] } == "layers[1].rotary_pairs")
        #expect(field { $0.layers[0].rotaryPairs = [[1, 1]] } == "layers[0].rotary_pairs")
        #expect(field { $0.layers[0].attentionInputIndices = [3, 3] } == "layers[0].attention_input_indices")
        #expect(field { $0.layers[0].mlpOutputIndices = [32] } == "layers[0].mlp_output_indices")
        #expect(field { $0.layers[0].mlpInputIndices = [] } == "layers[0].mlp_input_indices")
        #expect(field { $0.layers[0].intermediateSize = 0 } == "layers[0].intermediate_size")
        #expect(field { $0.layers[0].keyValueHeadCount = 3 } == "layers[0].num_key_value_heads")
    }

    @Test("unreadable and unsupported configuration files name the file and field")
    func fileErrors() throws {
        func reason(_ json: String) -> String {
            do {
                _ = try LlamaConfiguration.decode(Data(json.utf8), source: "config.json")
                return "decoded"
            } catch {
                return "\(error)"
            }
        }
        let base = #""vocab_size": 64, "hidden_size": 32, "num_hidden_layers": 2, "num_attention_heads": 4, "intermediate_size": 48"#
        #expect(reason("{\(base)}") == "decoded")
        #expect(reason("{\(base), \"rope_parameters\": {\"rope_theta\": 500.0, \"rope_type\": \"default\"}}") == "decoded")
        let missing = reason(#"{"vocab_size": 64}"#)
        #expect(missing.contains("config.json") && missing.contains("hidden_size"))
        #expect(reason("{\(base), \"rope_scaling\": {\"type\": \"linear\", \"factor\": 2.0}}").contains("rope_scaling"))
        #expect(reason("{\(base), \"rope_parameters\": {\"rope_theta\": 5e5, \"rope_type\": \"llama3\"}}").contains("rope_type"))
        #expect(reason("{\(base), \"hidden_act\": \"gelu\"}").contains("hidden_act"))
        #expect(reason("{\(base), \"attention_bias\": true}").contains("attention_bias"))
        #expect(reason("{\(base), \"num_key_value_heads\": 3}").contains("num_key_value_heads"))
        #expect(reason("{\(base), \"layers\": [{\"rotary_pairs\": [[9]]}, {}]}").contains("layers[0].rotary_pairs"))
        let mistyped = #"{"vocab_size": 64, "hidden_size": "wide", "num_hidden_layers": 2, "num_attention_heads": 4, "intermediate_size": 48}"#
        #expect(reason(mistyped).contains("hidden_size"))
        #expect(reason("not json").contains("config.json"))
        let decoded = try LlamaConfiguration.decode(
            Data("{\(base), \"rope_parameters\": {\"rope_theta\": 500.0, \"rope_type\": \"default\"}}".utf8))
        #expect(decoded.ropeTheta == 500 && decoded.headDimension == 8 && decoded.keyValueHeadCount == 4)
        let list = try LlamaConfiguration.decode(Data("{\(base), \"eos_token_id\": [2, 0]}".utf8))
        #expect(list.eosTokenID == 2)
    }
}

/// A failed model save leaves the previous saved model loadable and unchanged.
@Suite struct LLaMASaveFailureTests {
    @Test("a save failing in the weights or in config.json keeps the previous model")
    func failedSaveKeepsModel() throws {
        let first = try tinyLlamaModel(tinyLlamaConfiguration(tied: false))
        let second = try tinyPrunedModel(pairing: .interleaved)
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try first.save(toDirectory: directory)
        let weights = try Data(contentsOf: directory.appendingPathComponent(LlamaModel.weightsFileName))
        let configuration = try Data(contentsOf: directory.appendingPathComponent(LlamaModel.configurationFileName))
        // The sizes of the second model's files, measured in a separate folder.
        let probe = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: probe) }
        try second.save(toDirectory: probe)
        let secondWeights = try Data(contentsOf: probe.appendingPathComponent(LlamaModel.weightsFileName)).count
        // Inside the weights header, inside the data, and inside config.json once the weights are staged.
        for limit in [100, secondWeights / 2, secondWeights + 10] {
            #expect(throws: FormatError.self, "limit \(limit)") {
                try WriteFaultInjection.$plan.withValue(WriteFaultInjection.Plan(failingAfter: limit)) {
                    try second.save(toDirectory: directory)
                }
            }
            #expect(try Data(contentsOf: directory.appendingPathComponent(LlamaModel.weightsFileName)) == weights)
            #expect(try Data(contentsOf: directory.appendingPathComponent(LlamaModel.configurationFileName)) == configuration)
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted() == ["config.json", "model.safetensors"])
            #expect(evaluate(try LlamaModel.load(from: directory)).scalars == evaluate(first).scalars)
        }
    }
}
