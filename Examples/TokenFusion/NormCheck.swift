import Foundation
import TokenFusion

/// ToFu's norm check: the mean token norm after every layer when merging by averaging, by
/// MLERP, or not at all, at one r.
struct NormCheck: Codable {
    /// One configuration's profile.
    struct Entry: Codable {
        /// The method's name.
        var method: String
        /// The mean token norm right after each layer's reduction, before its MLP half.
        var afterReduction: [Double]
        /// The mean token norm of each layer's output.
        var output: [Double]
        /// The mean number of real tokens per image (or passage) in each layer.
        var tokensPerRow: [Double]
    }

    /// The tokens removed per layer.
    var r: Int
    /// The images (or passages) measured.
    var rowCount: Int
    /// One profile per configuration, the unreduced model first.
    var entries: [Entry]

    /// The compared configurations at `r` for `layerCount` layers: none, average everywhere
    /// (ToMe), MLERP everywhere, ToFu (prune early, MLERP later) and ToFu with averaging.
    static func configurations(r: Int, layerCount: Int) -> [(name: String, configuration: TokenFusionConfiguration)] {
        [
            ("no merging", .identity),
            ("average (ToMe)", .tome(.constant(r))),
            ("MLERP", TokenFusionConfiguration(schedule: .constant(r), strategy: .uniform(.mlerp))),
            ("ToFu (prune, MLERP)", .tofu(.constant(r))),
            ("ToFu (prune, average)", ToFuAblation.withAveraging(.constant(r), layerCount: layerCount)),
        ]
    }

    /// Measures every configuration with `profile`.
    static func measure(
        r: Int, layerCount: Int, rowCount: Int, profile: (TokenFusionConfiguration) -> FeatureNormProfile
    ) -> NormCheck {
        let entries = configurations(r: r, layerCount: layerCount).map { name, configuration in
            let measured = profile(configuration)
            return Entry(
                method: name, afterReduction: measured.afterReduction, output: measured.output,
                tokensPerRow: measured.tokensPerRow(rowCount: rowCount))
        }
        return NormCheck(r: r, rowCount: rowCount, entries: entries)
    }

    /// A markdown table: one row per layer and measuring point, one column per method, each
    /// cell the mean norm and its ratio to the unreduced model's; the token counts are those of
    /// the reducing configurations and of the unreduced model (every mean is over the tokens
    /// present, so the unreduced model averages over more of them).
    func markdown() -> String {
        guard let reference = entries.first else { return "" }
        var lines = ["| layer | measured | tokens | " + entries.map(\.method).joined(separator: " | ") + " |",
                     "|---|---|---|" + String(repeating: "---|", count: entries.count)]
        let tokens = entries.count > 1 ? entries[1].tokensPerRow : reference.tokensPerRow
        for layer in reference.output.indices {
            for (point, values) in [("after reduction", \Entry.afterReduction), ("output", \Entry.output)] {
                let cells = entries.map { entry in
                    let value = entry[keyPath: values][layer]
                    let base = reference[keyPath: values][layer]
                    return String(format: "%.3f (%.3f×)", value, base > 0 ? value / base : 0)
                }
                let counts = "\(Self.count(tokens[layer])) of \(Self.count(reference.tokensPerRow[layer]))"
                lines.append("| \(layer) | \(point) | \(counts) | " + cells.joined(separator: " | ") + " |")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A mean token count: an integer when it is one, else one decimal.
    static func count(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%.1f", value)
    }
}

/// The ablation isolating MLERP in ToFu.
enum ToFuAblation {
    /// ToFu's default split with size-weighted averaging (ToMe's merge) where ToFu uses MLERP.
    static func withAveraging(_ schedule: MergeSchedule, layerCount: Int) -> TokenFusionConfiguration {
        let reductions = ReductionStrategy.tofu(firstMergingLayer: nil).reductions(layerCount: layerCount)
            .map { $0 == .mlerp ? TokenReduction.average : $0 }
        return TokenFusionConfiguration(schedule: schedule, strategy: .perLayer(reductions))
    }
}
