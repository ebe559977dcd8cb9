import PruningCore

/// Which original input tokens each current token holds, followed through every reduction
/// step (ToMe's `trace_source` / `merge_source`, kept as index lists rather than a dense
/// `[batch, tokens, originalTokens]` matrix).
///
/// At the start every real token holds itself and padding holds nothing. After a merge (or a
/// ToFu prune) each output token holds the union of its group's sources, so every original real
/// token appears exactly once; EViT without fusion drops tokens, whose originals then appear
/// nowhere.
public struct TokenSources: Sendable, Equatable {
    /// The number of tokens of the original input (padding included).
    public let originalTokenCount: Int
    /// For each batch row and current token, the original positions it holds, ascending.
    /// Padding tokens hold nothing.
    public private(set) var rows: [[[Int]]]

    /// The identity: each real token of each row holds itself.
    ///
    /// - Parameters:
    ///   - validLengths: the number of real tokens of each row.
    ///   - tokenCount: the number of tokens of the input tensor.
    public init(validLengths: [Int], tokenCount: Int) {
        precondition(validLengths.allSatisfy { $0 >= 0 && $0 <= tokenCount },
                     "TokenSources: valid lengths \(validLengths) do not fit \(tokenCount) tokens")
        originalTokenCount = tokenCount
        rows = validLengths.map { length in (0..<tokenCount).map { $0 < length ? [$0] : [] } }
    }

    /// The sources after `plan` has been applied to the current tokens.
    ///
    /// - Precondition: the plan's input is the current token layout.
    public func reduced(by plan: some TokenReductionPlan) -> TokenSources {
        precondition(plan.batchSize == rows.count && rows.allSatisfy { $0.count == plan.inputTokenCount },
                     "TokenSources: a plan over \(plan.batchSize) rows of \(plan.inputTokenCount) tokens does not fit the current \(rows.count) rows of \(rows.first?.count ?? 0) tokens")
        var result = self
        for b in rows.indices {
            var row = plan.members(ofRow: b).map { group in group.flatMap { rows[b][$0] }.sorted() }
            row += [[Int]](repeating: [], count: plan.outputTokenCount - row.count)
            result.rows[b] = row
        }
        return result
    }

    /// The number of original tokens each current token holds, `[batch][tokens]` (equal to the
    /// token sizes of the merging reductions).
    public var counts: [[Int]] { rows.map { $0.map(\.count) } }

    /// The current tokens spread back over the original positions, `[batch,
    /// originalTokenCount, width]`: each original token gets the value of the token holding it,
    /// and original tokens held by none (padding, discarded tokens) get zeros — per-token outputs
    /// in the original order, as token classification needs. Differentiable (a gather).
    ///
    /// - Parameter tokens: the current tokens `[batch, tokens, width]`.
    public func expanded(_ tokens: Tensor) -> Tensor {
        let count = rows.first?.count ?? 0
        precondition(tokens.rank == 3 && tokens.shape[0] == rows.count && tokens.shape[1] == count,
                     "TokenSources.expanded: tokens \(tokens.shape) should be [\(rows.count), \(count), width]")
        let (width, flatCount) = (tokens.shape[2], rows.count * count)
        var holder = [Int](repeating: flatCount, count: rows.count * originalTokenCount)
        for (b, row) in rows.enumerated() {
            for (t, sources) in row.enumerated() {
                for s in sources { holder[b * originalTokenCount + s] = b * count + t }
            }
        }
        let flat = Tensor.concatenate([tokens.reshaped(to: [flatCount, width]), Tensor.zeros([1, width])], alongAxis: 0)
        return flat.indexSelect(holder, alongAxis: 0).reshaped(to: [rows.count, originalTokenCount, width])
    }

    /// ToMe's source matrix `[batch, tokens, originalTokenCount]`: 1 where a current token holds
    /// an original token, else 0.
    public var matrix: Tensor {
        let tokens = rows.first?.count ?? 0
        let original = originalTokenCount
        return Tensor(shape: [rows.count, tokens, original]) { out in
            out.initialize(repeating: 0)
            for (b, row) in rows.enumerated() {
                for (t, sources) in row.enumerated() {
                    for s in sources { out[(b * tokens + t) * original + s] = 1 }
                }
            }
        }
    }
}
