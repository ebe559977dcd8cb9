import Foundation
import PruningCore

/// Prefill and cached-decoding throughput of several LLaMA models against a dense one, measured
/// in interleaved rounds (dense, then each model, repeated) so that a change in the machine's
/// load affects every model alike; each figure is the best of its rounds. A timing, not a test.
public enum ThroughputComparison {
    /// One model's figures.
    public struct Entry: Codable, Sendable, Equatable {
        /// The model's name (its folder, or "dense").
        public var name: String
        /// All parameters.
        public var parameters: Int
        /// Best prefill tokens per second.
        public var prefillTokensPerSecond: Double
        /// Best cached decoding tokens per second.
        public var decodeTokensPerSecond: Double
    }

    /// Measures `dense` and `models` over `rounds` interleaved rounds: prefill of `prompt`, and
    /// greedy decoding of `decodeTokens` tokens after the first 64 tokens of `prompt`.
    ///
    /// - Parameters:
    ///   - dense: the unpruned reference model.
    ///   - models: the compressed models, by name.
    ///   - prompt: the prompt tokens (at least 64).
    ///   - decodeTokens: the tokens to decode greedily per measurement.
    ///   - rounds: the interleaved rounds; each model keeps its best.
    ///   - progress: called after each round with its number.
    public static func measure(
        dense: LlamaModel, models: [(String, LlamaModel)], prompt: [Int], decodeTokens: Int, rounds: Int,
        progress: (Int) -> Void = { _ in }
    ) -> [Entry] {
        let all = [("dense", dense)] + models
        var prefill = Array(repeating: 0.0, count: all.count)
        var decode = Array(repeating: 0.0, count: all.count)
        for round in 1...max(rounds, 1) {
            for (index, (_, model)) in all.enumerated() {
                prefill[index] = max(prefill[index], model.prefillTokensPerSecond(prompt: prompt, repeats: 1))
                decode[index] = max(
                    decode[index], model.decodeTokensPerSecond(prompt: Array(prompt.prefix(64)), newTokens: decodeTokens))
            }
            progress(round)
        }
        return all.indices.map { index in
            Entry(
                name: all[index].0, parameters: all[index].1.configuration.parameterCount,
                prefillTokensPerSecond: prefill[index], decodeTokensPerSecond: decode[index])
        }
    }

    /// A markdown table with speed-ups over the first (dense) entry.
    public static func markdown(_ entries: [Entry]) -> String {
        guard let dense = entries.first else { return "" }
        var lines = [
            "| Model | Params | Prefill tok/s | × dense | Decode tok/s | × dense |",
            "|---|---|---|---|---|---|",
        ]
        for entry in entries {
            lines.append(String(
                format: "| %@ | %.1f M | %.0f | %.2f× | %.1f | %.2f× |", entry.name, Double(entry.parameters) / 1e6,
                entry.prefillTokensPerSecond, entry.prefillTokensPerSecond / dense.prefillTokensPerSecond,
                entry.decodeTokensPerSecond, entry.decodeTokensPerSecond / dense.decodeTokensPerSecond))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
