import Foundation
import ModelZoo
import PruningCore
import PruningTestSupport
import Testing

@Suite struct LLaMALayoutTests {
    @Test("GGUF and Hugging Face names map both ways")
    func names() {
        let configuration = tinyLlamaConfiguration(tied: false)
        let expected: [String: String] = [
            "model.embed_tokens.weight": "token_embd.weight", "model.norm.weight": "output_norm.weight",
            "lm_head.weight": "output.weight", "model.layers.1.self_attn.q_proj.weight": "blk.1.attn_q.weight",
            "model.layers.0.self_attn.k_proj.weight": "blk.0.attn_k.weight",
            "model.layers.0.self_attn.v_proj.weight": "blk.0.attn_v.weight",
            "model.layers.1.self_attn.o_proj.weight": "blk.1.attn_output.weight",
            "model.layers.0.input_layernorm.weight": "blk.0.attn_norm.weight",
            "model.layers.1.post_attention_layernorm.weight": "blk.1.ffn_norm.weight",
            "model.layers.0.mlp.gate_proj.weight": "blk.0.ffn_gate.weight",
            "model.layers.0.mlp.up_proj.weight": "blk.0.ffn_up.weight",
            "model.layers.1.mlp.down_proj.weight": "blk.1.ffn_down.weight",
        ]
        for (hf, gguf) in expected {
            #expect(LlamaTensorNaming.ggufName(forHuggingFaceName: hf) == gguf)
            #expect(LlamaTensorNaming.huggingFaceName(forGGUFName: gguf) == hf)
        }
        for (name, _) in configuration.parameterShapes() {
            let gguf = LlamaTensorNaming.ggufName(forHuggingFaceName: name)
            #expect(gguf != nil)
            #expect(gguf.flatMap { LlamaTensorNaming.huggingFaceName(forGGUFName: $0) } == name)
        }
        #expect(LlamaTensorNaming.huggingFaceName(forGGUFName: "blk.29.ffn_down.weight") == "model.layers.29.mlp.down_proj.weight")
        for bad in ["blk.03.attn_q.weight", "blk.+3.attn_q.weight", "blk.x.attn_q.weight", "blk.1.attn_qq.weight",
                    "rope_freqs.weight", "blk.1.attn_q.bias", "blk..weight"] {
            #expect(LlamaTensorNaming.huggingFaceName(forGGUFName: bad) == nil, "\(bad)")
        }
        #expect(LlamaTensorNaming.ggufName(forHuggingFaceName: "model.layers.0.self_attn.rotary_emb.inv_freq") == nil)
    }

    @Test("the row order undoes llama.cpp's permutation reshape(heads, 2, d/2, in).swapaxes(1, 2)")
    func rowOrderMatchesConverter() {
        let (heads, d) = (3, 6)
        // llama.cpp: GGUF row h·d + 2i + s holds Hugging Face row h·d + s·d/2 + i.
        var ggufFromHF = [Int](repeating: 0, count: heads * d)
        for h in 0..<heads {
            for i in 0..<(d / 2) {
                for s in 0..<2 { ggufFromHF[h * d + 2 * i + s] = h * d + s * d / 2 + i }
            }
        }
        let toInterleaved = LlamaTensorNaming.rotaryRowOrder(headCount: heads, headDimension: d, from: .halves, to: .interleaved)
        #expect(toInterleaved == ggufFromHF)
        let toHalves = LlamaTensorNaming.rotaryRowOrder(headCount: heads, headDimension: d, from: .interleaved, to: .halves)
        #expect((0..<(heads * d)).map { toInterleaved[toHalves[$0]] } == Array(0..<(heads * d)))
        #expect(LlamaTensorNaming.rotaryRowOrder(headCount: 2, headDimension: 4, from: .halves, to: .halves) == Array(0..<8))
        #expect(LlamaTensorNaming.headDimensions(keepingPairs: [2, 0], headDimension: 8, pairing: .halves) == [2, 0, 6, 4])
        #expect(LlamaTensorNaming.headDimensions(keepingPairs: [2, 0], headDimension: 8, pairing: .interleaved) == [4, 5, 0, 1])
    }

    @Test("GGUF-layout weights with interleaved pairs equal their Hugging Face conversion with halves (1e-5)")
    func ggufEqualsHuggingFace() throws {
        // Random weights in GGUF layout, as a GGUF file would hold them.
        let ggufConfiguration = tinyLlamaConfiguration(pairing: .interleaved, tied: false)
        var gguf: [String: Tensor] = [:]
        for (name, tensor) in randomLlamaWeights(ggufConfiguration, seed: 21) {
            gguf[try #require(LlamaTensorNaming.ggufName(forHuggingFaceName: name))] = tensor
        }
        let ggufModel = try LlamaModel(configuration: ggufConfiguration, weights: gguf)
        let (hf, hfConfiguration) = try LlamaTensorNaming.huggingFaceWeights(fromGGUF: gguf, configuration: ggufConfiguration)
        #expect(hfConfiguration.ropePairing == .halves)
        #expect(hf["model.layers.0.self_attn.q_proj.weight"]!.scalars != gguf["blk.0.attn_q.weight"]!.scalars)
        #expect(hf["model.layers.0.self_attn.v_proj.weight"]!.scalars == gguf["blk.0.attn_v.weight"]!.scalars)
        let hfModel = try LlamaModel(configuration: hfConfiguration, weights: hf, naming: .huggingFace)
        expectClose(evaluate(hfModel), evaluate(ggufModel), relativeTolerance: 1e-5, absoluteTolerance: 1e-5)
        // The wrong pairing for the layout gives a different function.
        var wrong = hfConfiguration
        wrong.ropePairing = .interleaved
        let mismatched = try LlamaModel(configuration: wrong, weights: hf, naming: .huggingFace)
        #expect(maximumDifference(evaluate(mismatched), evaluate(ggufModel)) > 1e-3)
        // Converting back restores the GGUF tensors exactly.
        let (back, backConfiguration) = try LlamaTensorNaming.ggufWeights(fromHuggingFace: hf, configuration: hfConfiguration)
        #expect(backConfiguration == ggufConfiguration)
        #expect(Set(back.keys) == Set(gguf.keys))
        for (name, tensor) in gguf { #expect(back[name]!.scalars == tensor.scalars, "\(name)") }
    }

    @Test("re-laying a pruned model's rotary pairs keeps its logits (1e-5)", arguments: LlamaConfiguration.RopePairing.allCases)
    func convertPrunedModel(pairing: LlamaConfiguration.RopePairing) throws {
        let model = try tinyPrunedModel(pairing: pairing)
        let other: LlamaConfiguration.RopePairing = pairing == .halves ? .interleaved : .halves
        let converted = model.convertingRopePairing(to: other)
        #expect(converted.configuration.ropePairing == other)
        #expect(converted.configuration.layers == model.configuration.layers)
        expectClose(evaluate(converted), evaluate(model), relativeTolerance: 1e-5, absoluteTolerance: 1e-5)
        #expect(evaluate(converted.convertingRopePairing(to: pairing)).scalars == evaluate(model).scalars)
    }

    @Test("unknown tensor names are rejected when converting")
    func unknownNames() {
        let configuration = tinyLlamaConfiguration()
        #expect(throws: LlamaWeightsError.unexpectedTensor(name: "rope_freqs.weight")) {
            try LlamaTensorNaming.huggingFaceWeights(fromGGUF: ["rope_freqs.weight": Tensor.zeros([4])], configuration: configuration)
        }
        #expect(throws: LlamaWeightsError.unexpectedTensor(name: "model.layers.0.self_attn.rotary_emb.inv_freq")) {
            try LlamaTensorNaming.ggufWeights(
                fromHuggingFace: ["model.layers.0.self_attn.rotary_emb.inv_freq": Tensor.zeros([4])], configuration: configuration)
        }
    }
}

/// Logits of Hugging Face transformers' `LlamaForCausalLM` on tiny random models (fixtures made
/// by `Fixtures/llama/make_llama_fixtures.py`).
@Suite struct LLaMAReferenceTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/llama")

    struct Expected: Decodable {
        let ids: [[Int]]
        let shape: [Int]
        let logits: [Float]
    }

    static func expected(_ name: String) throws -> Expected {
        try JSONDecoder().decode(Expected.self, from: Data(contentsOf: fixtures.appendingPathComponent("\(name)-expected.json")))
    }

    @Test("a transformers checkpoint loads and gives transformers' logits (2e-5)", arguments: ["tiny-tied", "tiny-untied"])
    func huggingFaceCheckpoint(name: String) throws {
        let model = try LlamaModel.load(from: Self.fixtures.appendingPathComponent(name))
        #expect(model.configuration.ropePairing == .halves)
        let expected = try Self.expected(name)
        expectClose(evaluate(model, expected.ids), Tensor(shape: expected.shape, scalars: expected.logits),
                    relativeTolerance: 2e-5, absoluteTolerance: 2e-5)
    }

    @Test("the same weights in GGUF names and llama.cpp row order give transformers' logits with interleaved pairs",
          arguments: ["tiny-tied", "tiny-untied"])
    func ggufLayout(name: String) throws {
        var configuration = try LlamaConfiguration.load(from: Self.fixtures.appendingPathComponent("\(name)/config.json"))
        configuration.ropePairing = .interleaved
        let weights = try SafeTensors.read(from: Self.fixtures.appendingPathComponent("\(name)-gguf.safetensors"))
        #expect(weights["token_embd.weight"] != nil)
        let model = try LlamaModel(configuration: configuration, weights: weights)
        let expected = try Self.expected(name)
        expectClose(evaluate(model, expected.ids), Tensor(shape: expected.shape, scalars: expected.logits),
                    relativeTolerance: 2e-5, absoluteTolerance: 2e-5)
    }
}
