/// A per-row reorganization of a token sequence that removes tokens: which input tokens each
/// output token holds. Implemented by ``TokenMergePlan`` (bipartite soft matching) and
/// ``AttentionPruningPlan`` (EViT's class-attention top-k).
///
/// Conventions shared by every plan: the real tokens of a row are a prefix of its positions
/// (right padding), and so are its real output tokens; the output tensor has
/// ``outputTokenCount`` tokens, and the slots after a row's real outputs hold padding.
public protocol TokenReductionPlan: Sendable {
    /// The number of batch rows.
    var batchSize: Int { get }
    /// The number of tokens of the input tensor (padding included).
    var inputTokenCount: Int { get }
    /// The number of tokens of the output tensor (padding included).
    var outputTokenCount: Int { get }
    /// The number of real output tokens of each row.
    var outputValidLengths: [Int] { get }
    /// Whether the plan leaves every row unchanged.
    var isIdentity: Bool { get }
    /// For each real output token of `row`, the real input tokens it holds, in ascending
    /// position order. Input tokens held by no output token were dropped.
    func members(ofRow row: Int) -> [[Int]]
}

extension TokenMergePlan: TokenReductionPlan {
    /// For each real output token of `row`, its group: the token itself, or a B destination and
    /// the sources merged into it (pruned sources included — they count towards its size).
    public func members(ofRow row: Int) -> [[Int]] {
        let plan = rows[row]
        var groups = [[Int]](repeating: [], count: plan.outputCount)
        for (token, slot) in plan.realSlots.enumerated() { groups[slot].append(token) }
        return groups
    }
}
