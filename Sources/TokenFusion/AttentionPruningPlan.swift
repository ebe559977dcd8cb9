import PruningCore

/// EViT's token reorganization (Liang et al., 2022, "Not All Patches are What You Need:
/// Expediting Vision Transformers via Token Reorganizations", arXiv:2202.07800), the pruning
/// baseline: keep the tokens the class token attends to most, drop the rest, and optionally fuse
/// the dropped ones into one extra token (``DroppedTokens``).
///
/// Scores are the class token's attention to each key, averaged over heads
/// (``ProportionalAttention/classAttention(query:key:mask:)``); token 0 is the class token and
/// is always kept first. To compare with ToMe at equal cost, a layer removes `r` tokens net,
/// capped like ToMe at `(t − 1) / 2`:
/// - without fusion, the `r` lowest-scoring tokens are dropped;
/// - with fusion, the `r + 1` lowest-scoring tokens are replaced by one token appended after
///   the kept ones — EViT's `Σ aᵢ xᵢ` (``DroppedTokens/fusedSum``) or the weighted mean
///   (``DroppedTokens/fusedMean``) — whose size is the sum of theirs.
///
/// Kept tokens come in descending score order (EViT's sorted `topk`; ties by position). The
/// fused token is an ordinary token in later layers, so it may be kept, dropped or fused again.
/// Rows are processed on their real tokens only (right padding), as ``TokenMergePlan`` does.
public struct AttentionPruningPlan: TokenReductionPlan, Equatable {
    /// The selection of one batch row.
    public struct Row: Sendable, Equatable {
        /// The number of real input tokens.
        public let validLength: Int
        /// The input positions kept, in output order: the class token, then the others by
        /// descending class attention (position order when nothing is dropped).
        public let kept: [Int]
        /// The input positions dropped (or fused), ascending.
        public let dropped: [Int]
        /// What happens to the dropped tokens.
        public let droppedTokens: DroppedTokens

        /// The number of real output tokens.
        public var outputCount: Int { kept.count + (droppedTokens.fuses && !dropped.isEmpty ? 1 : 0) }
        /// Whether nothing is dropped.
        public var isIdentity: Bool { dropped.isEmpty }
    }

    /// The selection of each batch row.
    public let rows: [Row]
    /// The number of tokens of the input tensor.
    public let inputTokenCount: Int
    /// The number of tokens of the output tensor.
    public let outputTokenCount: Int

    /// The plan removing `r` tokens per row by class attention.
    ///
    /// - Parameters:
    ///   - classAttention: the class token's attention to every token `[batch, tokens]`.
    ///   - r: the number of tokens to remove per row.
    ///   - droppedTokens: whether and how the dropped tokens are fused into one extra token.
    ///   - validLengths: the real tokens of each row, or nil when nothing is padding.
    public init(classAttention: Tensor, r: Int, droppedTokens: DroppedTokens, validLengths: [Int]? = nil) {
        precondition(classAttention.rank == 2,
                     "AttentionPruningPlan: class attention \(classAttention.shape) must be [batch, tokens]")
        let (batch, tokens) = (classAttention.shape[0], classAttention.shape[1])
        let lengths = validLengths ?? [Int](repeating: tokens, count: batch)
        precondition(lengths.count == batch && lengths.allSatisfy { $0 >= 0 && $0 <= tokens },
                     "AttentionPruningPlan: valid lengths \(lengths) do not fit class attention \(classAttention.shape)")
        let scores = classAttention.scalars
        var rows: [Row] = []
        for (b, length) in lengths.enumerated() {
            let removed = BipartiteSoftMatching.mergeCount(requested: r, tokenCount: length, protectedCount: 1)
            if removed == 0 {
                rows.append(Row(validLength: length, kept: Array(0..<length), dropped: [], droppedTokens: droppedTokens))
                continue
            }
            let candidates = Array(1..<length)
            let order = BipartiteSoftMatching.stableDescendingOrder(candidates.map { scores[b * tokens + $0] })
            let keepCount = length - 1 - removed - (droppedTokens.fuses ? 1 : 0)
            rows.append(
                Row(validLength: length, kept: [0] + order[..<keepCount].map { candidates[$0] },
                    dropped: order[keepCount...].map { candidates[$0] }.sorted(), droppedTokens: droppedTokens))
        }
        self.rows = rows
        inputTokenCount = tokens
        outputTokenCount = rows.allSatisfy(\.isIdentity) ? tokens : (rows.map(\.outputCount).max() ?? 0)
    }

    /// The number of batch rows.
    public var batchSize: Int { rows.count }
    /// Whether nothing is dropped in any row.
    public var isIdentity: Bool { rows.allSatisfy(\.isIdentity) }
    /// The number of real output tokens of each row.
    public var outputValidLengths: [Int] { rows.map(\.outputCount) }

    /// For each real output token of `row`: a kept token alone, or (last) the fused tokens.
    public func members(ofRow row: Int) -> [[Int]] {
        let plan = rows[row]
        var groups = plan.kept.map { [$0] }
        if plan.outputCount > plan.kept.count { groups.append(plan.dropped) }
        return groups
    }

    /// The reorganized tokens and their sizes.
    ///
    /// Differentiable with respect to `tokens` and `classAttention` (gathers and an index-add);
    /// sizes carry no gradient.
    ///
    /// - Parameters:
    ///   - tokens: `[batch, inputTokenCount, channels]`.
    ///   - sizes: `[batch, inputTokenCount]`; a fused token's size is the sum of its members'.
    ///   - classAttention: the scores the plan was built from, `[batch, inputTokenCount]`.
    /// - Returns: tokens `[batch, outputTokenCount, channels]` and sizes `[batch, outputTokenCount]`.
    public func apply(_ tokens: Tensor, sizes: Tensor, classAttention: Tensor) -> (tokens: Tensor, sizes: Tensor) {
        precondition(tokens.rank == 3 && tokens.shape[0] == batchSize && tokens.shape[1] == inputTokenCount,
                     "AttentionPruningPlan: tokens \(tokens.shape) should be [\(batchSize), \(inputTokenCount), channels]")
        precondition(sizes.shape == [batchSize, inputTokenCount] && classAttention.shape == sizes.shape,
                     "AttentionPruningPlan: sizes \(sizes.shape) and class attention \(classAttention.shape) should be [\(batchSize), \(inputTokenCount)]")
        if isIdentity { return (tokens, sizes) }
        let (n, out, channels) = (inputTokenCount, outputTokenCount, tokens.shape[2])
        var copied: [(input: Int, slot: Int)] = []
        var fused: [(input: Int, slot: Int)] = []
        var isFusedSlot = [Float](repeating: 0, count: batchSize * outputTokenCount)
        for (b, row) in rows.enumerated() {
            for (slot, token) in row.kept.enumerated() { copied.append((b * n + token, b * out + slot)) }
            if row.outputCount > row.kept.count {
                for token in row.dropped { fused.append((b * n + token, b * out + row.kept.count)) }
                if row.droppedTokens == .fusedMean { isFusedSlot[b * out + row.kept.count] = 1 }
            }
            for k in 0..<min(out - row.outputCount, n - row.validLength) { copied.append((b * n + row.validLength + k, b * out + row.outputCount + k)) }
        }
        let flat = tokens.reshaped(to: [batchSize * n, channels])
        var result = Tensor.zeros([batchSize * out, channels])
            .indexAdding(flat.indexSelect(copied.map(\.input), alongAxis: 0), at: copied.map(\.slot), alongAxis: 0)
        if !fused.isEmpty {
            let weights = classAttention.reshaped(to: [batchSize * n]).indexSelect(fused.map(\.input), alongAxis: 0)
            let members = flat.indexSelect(fused.map(\.input), alongAxis: 0) * weights.unsqueezed(at: 1)
            result = result.indexAdding(members, at: fused.map(\.slot), alongAxis: 0)
            if isFusedSlot.contains(1) {
                // Divide each mean-fused token by its total weight, every other token by 1.
                let others = Tensor(shape: [batchSize * out], scalars: isFusedSlot.map { 1 - $0 })
                let totals = Tensor.zeros([batchSize * out]).indexAdding(
                    weights * Tensor(fused.map { isFusedSlot[$0.slot] }), at: fused.map(\.slot), alongAxis: 0)
                result = result / (totals + others).unsqueezed(at: 1)
            }
        }
        let newSizes = Tensor(shape: [batchSize, out]) { o in
            o.initialize(repeating: 0)
            sizes.withUnsafeBufferPointer { s in
                for pair in copied + fused { o[pair.slot] += s[pair.input] }
            }
        }
        return (result.reshaped(to: [batchSize, out, channels]), newSizes)
    }
}
