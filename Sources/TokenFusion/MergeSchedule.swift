/// How many tokens each layer removes — ToMe's `r`, in the three forms `tome.utils.parse_r`
/// accepts (Bolya et al., 2023, arXiv:2210.09461).
///
/// The per-layer cap `(t − protected) / 2` of ``BipartiteSoftMatching`` still applies when the
/// schedule is run, so late layers of a long schedule may remove fewer tokens than listed
/// (``tokenCounts(initialTokenCount:layerCount:protectedCount:)``).
public enum MergeSchedule: Sendable, Hashable {
    /// The same `r` in every layer (`parse_r(L, r)` with an integer).
    case constant(Int)
    /// A linear schedule, ToMe's `(r, inflection)` tuple: from `int(r · (1 − inflection))` in
    /// the first layer to `2r − int(r · (1 − inflection))` in the last, each value truncated
    /// toward zero. Inflection −1 gives ToMe's "decreasing schedule" (2r down to 0), 0 constant
    /// `r`, and positive values increase; the total stays about `r · L`.
    case linear(r: Int, inflection: Double)
    /// An explicit value per layer; missing trailing layers remove nothing.
    case perLayer([Int])

    /// The `r` of each of `layerCount` layers (`parse_r`).
    ///
    /// ```swift
    /// MergeSchedule.linear(r: 16, inflection: -1).values(layerCount: 12)
    /// // [32, 29, 26, 23, 20, 17, 14, 11, 8, 5, 2, 0]
    /// ```
    ///
    /// - Precondition: a per-layer list has at most `layerCount` entries.
    public func values(layerCount: Int) -> [Int] {
        precondition(layerCount >= 0, "MergeSchedule: negative layer count \(layerCount)")
        switch self {
        case .constant(let r):
            return [Int](repeating: r, count: layerCount)
        case .perLayer(let list):
            precondition(list.count <= layerCount,
                          "MergeSchedule: \(list.count) per-layer values for \(layerCount) layers")
            return list + [Int](repeating: 0, count: layerCount - list.count)
        case .linear(let r, let inflection):
            let first = Double(Int(Double(r) * (1 - inflection)))
            let last = Double(2 * r) - first
            if layerCount == 1 { return [Int(first)] }
            let step = (last - first) / Double(layerCount - 1)
            return (0..<layerCount).map { Int(first + step * Double($0)) }
        }
    }

    /// The number of tokens after each of `layerCount` layers for a sequence of
    /// `initialTokenCount` tokens, with ToMe's per-layer cap applied.
    ///
    /// ```swift
    /// MergeSchedule.constant(16).tokenCounts(initialTokenCount: 197, layerCount: 12, protectedCount: 1)
    /// // [181, 165, 149, 133, 117, 101, 85, 69, 53, 37, 21, 11]
    /// ```
    public func tokenCounts(initialTokenCount: Int, layerCount: Int, protectedCount: Int) -> [Int] {
        var tokens = initialTokenCount
        return values(layerCount: layerCount).map { r in
            tokens -= BipartiteSoftMatching.mergeCount(requested: r, tokenCount: tokens, protectedCount: protectedCount)
            return tokens
        }
    }
}
