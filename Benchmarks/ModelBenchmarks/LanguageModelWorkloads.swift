import Foundation
import ModelZoo
import PruningCore

/// SmolLM2-135M's forward pass over one prompt, logits at every position.
struct PrefillWorkload: ModelWorkload {
    let model: LlamaModel
    let ids: [Int]

    var title: String { "SmolLM2-135M forward over a \(ids.count)-token WikiText-2 prompt, logits at every position" }
    var unit: String { "tokens" }
    var unitsPerRun: Int { ids.count }

    /// The token ids, and our logits at a few positions for the reference to compare.
    func referenceInput() -> [String: Any] {
        let logits = withoutGradients { model.logits(for: ids) }  // [1, length, vocab]
        let vocabulary = logits.shape[2]
        let positions = Array(Set(stride(from: 0, to: ids.count, by: 128)).union([ids.count - 1])).sorted()
        let rows = logits.withUnsafeBufferPointer { all in
            positions.map { p in (0..<vocabulary).map { Double(all[p * vocabulary + $0]) } }
        }
        return ["ids": ids, "checkPositions": positions, "checkLogits": rows]
    }

    func run() {
        _ = withoutGradients { model.logits(for: ids) }
    }
}

/// Greedy decoding with the key–value cache: a prompt's forward, then one token at a time.
struct DecodeWorkload: ModelWorkload {
    let model: LlamaModel
    let prompt: [Int]
    let newTokens: Int

    var title: String {
        "SmolLM2-135M greedy decoding of \(newTokens) tokens after a \(prompt.count)-token prompt, KV cache (time includes the prompt)"
    }
    var unit: String { "tokens" }
    var unitsPerRun: Int { newTokens }

    /// The prompt, and our tokens for the reference to compare.
    func referenceInput() -> [String: Any] {
        ["prompt": prompt, "newTokens": newTokens, "tokens": decode()]
    }

    func run() { _ = decode() }

    /// No stop token: every run produces exactly `newTokens` tokens.
    private func decode() -> [Int] {
        model.generate(from: prompt, maxNewTokens: newTokens, stopTokens: [])
    }
}

/// Perplexity over non-overlapping windows (``LlamaModel/perplexity(of:windowLength:prependBOS:)``).
struct PerplexityWorkload: ModelWorkload {
    let model: LlamaModel
    let ids: [Int]
    let windowLength: Int

    var title: String {
        "SmolLM2-135M perplexity of \(ids.count) WikiText-2 tokens in windows of \(windowLength)"
    }
    var unit: String { "tokens" }
    var unitsPerRun: Int { ids.count }

    /// The token ids and window length, and our perplexity for the reference to compare.
    func referenceInput() -> [String: Any] {
        let result = model.perplexity(of: ids, windowLength: windowLength)
        print("our perplexity: \(format(result.perplexity, 4)) over \(result.tokenCount) scored tokens")
        return ["ids": ids, "windowLength": windowLength, "perplexity": result.perplexity]
    }

    func run() {
        _ = model.perplexity(of: ids, windowLength: windowLength)
    }
}
