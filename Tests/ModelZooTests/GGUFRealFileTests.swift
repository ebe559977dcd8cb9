import Foundation
import ModelZoo
import PruningCore
import Testing

/// The SmolLM2-135M-Instruct GGUF file, opened once for all tests that need it.
enum SmolLM2File {
    static let file: GGUFFile? = try? GGUFFile(contentsOf: ModelFiles.smolLM2())
    static var isAvailable: Bool { (try? ModelFiles.smolLM2()) != nil }
}

/// Checks the reader on SmolLM2-135M-Instruct.Q4_1.gguf against `gguf.GGUFReader` and
/// `gguf.quants.dequantize` (fixture `smollm2_gguf_reference.json`, written by
/// `Fixtures/make_gguf_fixture.py`).
@Suite(.enabled(if: SmolLM2File.isAvailable)) struct GGUFRealFileTests {
    struct Reference: Decodable {
        struct TensorReference: Decodable {
            let ggml_dimensions: [Int]
            let type: String
            let offset: Int
            let first: [Double]
            let last: [Double]
            let sum: Double
            let row_1000: [Double]?
        }
        let version: Int
        let tensor_count: Int
        let metadata_count: Int
        let data_offset: Int
        let token_count: Int
        let merge_count: Int
        let first_tokens: [String]
        let first_merges: [String]
        let tensors: [String: TensorReference]
    }

    static func reference() throws -> Reference {
        try JSONDecoder().decode(Reference.self, from: Data(contentsOf: GGUFTestFiles.fixture("smollm2_gguf_reference.json")))
    }

    @Test("header, metadata and tokenizer arrays match the reference")
    func header() throws {
        let file = try #require(SmolLM2File.file)
        let reference = try Self.reference()
        #expect(Int(file.version) == reference.version && file.version == 3)
        #expect(file.tensors.count == reference.tensor_count && file.tensors.count == 272)
        #expect(file.metadata.count == reference.metadata_count && file.metadata.count == 33)
        #expect(file.dataOffset == reference.data_offset)
        #expect(file.alignment == 32)
        #expect(try file.string(forKey: "general.architecture") == "llama")
        #expect(try file.string(forKey: "general.name") == "Smollm2 135M 8k Lc100K Mix1 Ep2")
        #expect(try file.strings(forKey: "general.languages") == ["en"])
        #expect(file.metadata["llama.block_count"] == .uint32(30))
        #expect(try file.int(forKey: "llama.context_length") == 8192)
        #expect(try file.int(forKey: "llama.embedding_length") == 576)
        #expect(try file.int(forKey: "llama.feed_forward_length") == 1536)
        #expect(try file.int(forKey: "llama.attention.head_count") == 9)
        #expect(try file.int(forKey: "llama.attention.head_count_kv") == 3)
        #expect(try file.int(forKey: "llama.vocab_size") == 49152)
        #expect(try file.int(forKey: "llama.rope.dimension_count") == 64)
        #expect(file.metadata["llama.rope.freq_base"] == .float32(100_000))
        #expect(file.metadata["llama.attention.layer_norm_rms_epsilon"] == .float32(9.999999747378752e-06))
        #expect(try file.string(forKey: "tokenizer.ggml.model") == "gpt2")
        #expect(try file.string(forKey: "tokenizer.ggml.pre") == "smollm")
        #expect(try file.int(forKey: "tokenizer.ggml.bos_token_id") == 1)
        #expect(try file.int(forKey: "tokenizer.ggml.eos_token_id") == 2)
        #expect(try file.int(forKey: "tokenizer.ggml.unknown_token_id") == 0)
        #expect(try file.int(forKey: "tokenizer.ggml.padding_token_id") == 2)
        #expect(try file.bool(forKey: "tokenizer.ggml.add_bos_token") == false)
        let tokens = try file.strings(forKey: "tokenizer.ggml.tokens")
        let merges = try file.strings(forKey: "tokenizer.ggml.merges")
        #expect(tokens.count == reference.token_count && tokens.count == 49152)
        #expect(merges.count == reference.merge_count && merges.count == 48900)
        #expect(Array(tokens.prefix(8)) == reference.first_tokens)
        #expect(Array(merges.prefix(10)) == reference.first_merges)
        let types = try file.ints(forKey: "tokenizer.ggml.token_type")
        #expect(types.count == 49152 && types.filter { $0 == 3 }.count == 17 && types.filter { $0 == 1 }.count == 49135)
    }

    @Test("tensor directory: types, sizes and totals")
    func directory() throws {
        let file = try #require(SmolLM2File.file)
        #expect(file.tensors.first?.name == "token_embd.weight" && file.tensors.last?.name == "output_norm.weight")
        #expect(file.tensors.reduce(0) { $0 + $1.elementCount } == 134_515_008)
        #expect(file.tensors.reduce(0) { $0 + $1.byteCount } == 96_576_768)
        #expect(file.tensors.filter { $0.type == .q4_1 }.count == 210)
        #expect(file.tensors.filter { $0.type == .q8_0 }.count == 1)
        #expect(file.tensors.filter { $0.type == .f32 }.count == 61)
        #expect(file.tensorInfo(named: "token_embd.weight")?.shape == [49152, 576])
        #expect(file.tensorInfo(named: "blk.29.ffn_down.weight")?.dimensions == [1536, 576])
        #expect(file.tensorInfo(named: "output.weight") == nil)
    }

    @Test("dequantized tensors match the NumPy reference",
          arguments: ["blk.0.attn_q.weight", "blk.17.ffn_down.weight", "token_embd.weight", "output_norm.weight"])
    func tensorValues(name: String) throws {
        let file = try #require(SmolLM2File.file)
        let expected = try #require(try Self.reference().tensors[name])
        let info = try #require(file.tensorInfo(named: name))
        #expect(info.dimensions == expected.ggml_dimensions)
        #expect(info.type.name == expected.type)
        #expect(info.offset == expected.offset)
        let tensor = try file.tensor(named: name)
        #expect(tensor.shape == expected.ggml_dimensions.reversed())
        tensor.withUnsafeBufferPointer { values in
            // The kernels reproduce the reference arithmetic exactly.
            #expect(Array(values.prefix(8)) == expected.first.map(Float.init))
            #expect(Array(values.suffix(8)) == expected.last.map(Float.init))
            var sum = 0.0
            for value in values { sum += Double(value) }
            #expect(abs(sum - expected.sum) <= 1e-9 * max(1, abs(expected.sum)), "sum \(sum) vs \(expected.sum)")
            if let row = expected.row_1000 {
                #expect(Array(values[(1000 * 576)..<(1001 * 576)]) == row.map(Float.init))
            }
        }
    }
}
