import ExampleSupport
import Foundation
import ModelZoo
import PruningCore

/// Prefill and decoding throughput of saved compressed models against the dense model,
/// measured in interleaved rounds (dense, then each model, repeated) so that a change in the
/// machine's load affects every model alike; each figure is the best of its rounds.
struct ThroughputComparison {
    /// One model's figures.
    struct Entry: Codable {
        /// The model's name (its folder, or "dense").
        var name: String
        /// All parameters.
        var parameters: Int
        /// Best prefill tokens per second.
        var prefillTokensPerSecond: Double
        /// Best cached decoding tokens per second.
        var decodeTokensPerSecond: Double
    }

    /// Measures `dense` and `models` over `rounds` interleaved rounds.
    static func measure(
        dense: LlamaModel, models: [(String, LlamaModel)], prompt: [Int], decodeTokens: Int, rounds: Int
    ) -> [Entry] {
        let all = [("dense", dense)] + models
        var prefill = Array(repeating: 0.0, count: all.count)
        var decode = Array(repeating: 0.0, count: all.count)
        for round in 1...rounds {
            for (index, (_, model)) in all.enumerated() {
                prefill[index] = max(prefill[index], model.prefillTokensPerSecond(prompt: prompt, repeats: 1))
                decode[index] = max(
                    decode[index], model.decodeTokensPerSecond(prompt: Array(prompt.prefix(64)), newTokens: decodeTokens))
            }
            writeLine("  throughput round \(round)/\(rounds) done")
        }
        return all.indices.map { index in
            Entry(
                name: all[index].0, parameters: all[index].1.configuration.parameterCount,
                prefillTokensPerSecond: prefill[index], decodeTokensPerSecond: decode[index])
        }
    }

    /// A markdown table with speed-ups over the first (dense) entry.
    static func markdown(_ entries: [Entry]) -> String {
        guard let dense = entries.first else { return "" }
        var lines = [
            "| Model | Params | Prefill tok/s | × dense | Decode tok/s | × dense |",
            "|---|---|---|---|---|---|",
        ]
        for entry in entries {
            lines.append(
                "| \(entry.name) | \(ResultTable.millions(entry.parameters)) | \(ResultTable.fixed(entry.prefillTokensPerSecond, 0)) "
                    + "| \(ResultTable.fixed(entry.prefillTokensPerSecond / dense.prefillTokensPerSecond, 2))× "
                    + "| \(ResultTable.fixed(entry.decodeTokensPerSecond, 1)) "
                    + "| \(ResultTable.fixed(entry.decodeTokensPerSecond / dense.decodeTokensPerSecond, 2))× |")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
