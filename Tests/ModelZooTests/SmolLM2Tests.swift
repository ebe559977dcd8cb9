import Foundation
import ModelZoo
import PruningCore
import Testing

/// SmolLM2-135M loaded from its GGUF file, shared by the tests below.
enum SmolLM2Model {
    nonisolated(unsafe) static let loaded: (model: LlamaModel, tokenizer: ByteLevelBPETokenizer)? = {
        guard let file = SmolLM2File.file,
            let model = try? LlamaModel(gguf: file),
            let tokenizer = try? ByteLevelBPETokenizer(gguf: file)
        else { return nil }
        model.eval()
        return (model, tokenizer)
    }()
}

/// The decoder on the real model, against an independent float64 NumPy implementation that
/// dequantizes the file itself (`Fixtures/make_llama_logits_fixture.py`).
@Suite(.serialized, .enabled(if: SmolLM2File.isAvailable)) struct SmolLM2Tests {
    struct Reference: Decodable {
        struct Position: Decodable {
            let logsumexp: Double
            let top_ids: [Int]
            let top_logits: [Double]
            let first_logits: [Double]
        }
        let prompt: String
        let ids: [Int]
        let positions: [Position]
        let next_token_greedy: Int
    }

    static func reference() throws -> Reference {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/llama_logits_fixture.json")
        return try JSONDecoder().decode(Reference.self, from: Data(contentsOf: url))
    }

    @Test("the configuration read from the GGUF metadata is SmolLM2-135M's")
    func configuration() throws {
        let file = try #require(SmolLM2File.file)
        #expect(try LlamaConfiguration(gguf: file) == .smolLM2_135M)
    }

    @Test("logits match the NumPy reference at every position (absolute 0.05 on logits up to ~30)")
    func logits() throws {
        let (model, tokenizer) = try #require(SmolLM2Model.loaded)
        let reference = try Self.reference()
        #expect(tokenizer.encode(reference.prompt) == reference.ids)
        let logits = withoutGradients { model.logits(for: reference.ids) }.reshaped(to: [reference.ids.count, -1])
        #expect(logits.shape == [reference.ids.count, 49_152])
        let logSumExp = logits.logSumExp(alongAxis: 1)
        for (t, position) in reference.positions.enumerated() {
            let row = logits.sliced(alongAxis: 0, from: t, count: 1).reshaped(to: [-1])
            #expect(row.max(alongAxis: 0).indices == [position.top_ids[0]], "top-1 at position \(t)")
            for (id, value) in zip(position.top_ids, position.top_logits) {
                #expect(Swift.abs(Double(row[id]) - value) < 0.05, "logit \(id) at position \(t)")
            }
            for (id, value) in position.first_logits.enumerated() {
                #expect(Swift.abs(Double(row[id]) - value) < 0.05, "logit \(id) at position \(t)")
            }
            #expect(Swift.abs(Double(logSumExp[t]) - position.logsumexp) < 0.05)
        }
    }

    @Test("greedy decoding continues the prompt as the reference does")
    func greedy() throws {
        let (model, tokenizer) = try #require(SmolLM2Model.loaded)
        let reference = try Self.reference()
        let generated = model.generate(from: reference.ids, maxNewTokens: 1)
        #expect(generated.last == reference.next_token_greedy)
        #expect(tokenizer.decode([reference.next_token_greedy]) == " Berlin")
    }

    @Test("perplexity of a WikiText-2 test slice is finite and plausible", .enabled(if: DataFiles.directory != nil))
    func perplexity() throws {
        let (model, tokenizer) = try #require(SmolLM2Model.loaded)
        let text = try WikiText2Evaluation.text(split: .test)
        let ids = Array(tokenizer.encode(String(text.prefix(4000))).prefix(257))
        let first = model.perplexity(of: ids, windowLength: 128)
        let again = model.perplexity(of: ids, windowLength: 128)
        #expect(first.perplexity.isFinite && first.perplexity > 2 && first.perplexity < 100)
        #expect(first.perplexity == again.perplexity)
        #expect(first.tokenCount == 2 * 127)
    }
}
