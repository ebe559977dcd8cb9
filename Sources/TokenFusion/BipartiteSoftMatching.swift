import PruningCore

/// ToMe's bipartite soft matching (Bolya et al., 2023, "Token Merging: Your ViT but Faster",
/// arXiv:2210.09461, §3.1; reference `tome/merge.py`): the pairing of similar tokens that token
/// merging, ToFu's pruning and MLERP all reduce with.
///
/// For each batch row of `t` tokens:
/// 1. `r` is capped at `(t − protected) / 2` (`protected` is 1 with a class token, else 0);
///    nothing happens when it is 0.
/// 2. Each metric vector is divided by its Euclidean norm, so scores are cosine similarities.
/// 3. The tokens are split alternately: set A holds positions 0, 2, 4, …, set B positions 1, 3, ….
/// 4. Every A token finds its most similar B token (the first on ties). With a protected class
///    token, A token 0 (the class token) gets score −∞ and is never merged.
/// 5. The A tokens are sorted by that best score, descending (a *stable* sort, so ties keep
///    position order; PyTorch's unstable `argsort` may order ties differently). The first `r`
///    are merged into their B partners; the rest are kept, in that descending order — or in
///    ascending position order with a class token, so that it stays first.
///
/// The result is a ``TokenMergePlan``; nothing is differentiated here (ToMe matches under
/// `no_grad`), and gradients later flow only through the gathers and sums of ``TokenReduction``.
public enum BipartiteSoftMatching {
    /// The number of tokens actually merged in a sequence of `tokenCount` tokens when `r` are
    /// requested: `max(0, min(r, (tokenCount − protectedCount) / 2))`, ToMe's per-layer cap.
    public static func mergeCount(requested r: Int, tokenCount: Int, protectedCount: Int) -> Int {
        max(0, min(r, (tokenCount - protectedCount) / 2))
    }

    /// The merge plan that removes up to `r` tokens from each row of `metric`.
    ///
    /// - Parameters:
    ///   - metric: the similarity features `[batch, tokens, channels]`, usually the attention
    ///     keys averaged over heads. A zero vector has cosine similarity 0 with everything.
    ///   - r: the number of tokens to remove per row (capped as ``mergeCount(requested:tokenCount:protectedCount:)``
    ///     says, row by row).
    ///   - protectsClassToken: whether token 0 is a class token that is never merged away and
    ///     stays first.
    ///   - validLengths: the number of real tokens of each row (right padding), or nil when no
    ///     token is padding. Each row is matched as if it held only its real tokens.
    /// - Returns: the plan; ``TokenMergePlan/isIdentity`` when nothing is merged.
    public static func plan(
        metric: Tensor, r: Int, protectsClassToken: Bool = false, validLengths: [Int]? = nil
    ) -> TokenMergePlan {
        precondition(metric.rank == 3, "BipartiteSoftMatching: metric \(metric.shape) must be [batch, tokens, channels]")
        let (batch, tokens) = (metric.shape[0], metric.shape[1])
        let lengths = validLengths ?? [Int](repeating: tokens, count: batch)
        precondition(lengths.count == batch && lengths.allSatisfy { $0 >= 0 && $0 <= tokens },
                     "BipartiteSoftMatching: valid lengths \(lengths) do not fit metric \(metric.shape)")
        let protected = protectsClassToken ? 1 : 0
        let counts = lengths.map { mergeCount(requested: r, tokenCount: $0, protectedCount: protected) }
        if counts.allSatisfy({ $0 == 0 }) {
            return TokenMergePlan(rows: lengths.map { TokenMergePlan.Row.identity(validLength: $0) }, inputTokenCount: tokens)
        }
        let scores = withoutGradients { similarities(metric.detached()) }
        let (sizeA, sizeB) = ((tokens + 1) / 2, tokens / 2)
        var rows: [TokenMergePlan.Row] = []
        scores.withUnsafeBufferPointer { s in
            for (b, length) in lengths.enumerated() {
                let merged = counts[b]
                if merged == 0 {
                    rows.append(.identity(validLength: length))
                    continue
                }
                let (countA, countB) = ((length + 1) / 2, length / 2)
                var best = [Float](repeating: -.infinity, count: countA)
                var partner = [Int](repeating: 0, count: countA)
                for i in 0..<countA where !(protectsClassToken && i == 0) {
                    let row = s.baseAddress! + (b * sizeA + i) * sizeB
                    var value = row[0]
                    var index = 0
                    for j in 1..<countB where row[j] > value {
                        value = row[j]
                        index = j
                    }
                    best[i] = value
                    partner[i] = index
                }
                let order = stableDescendingOrder(best)
                var kept = Array(order[merged...])
                if protectsClassToken { kept.sort() }
                let sources = order[..<merged]
                rows.append(
                    TokenMergePlan.Row(
                        validLength: length, sources: sources.map { 2 * $0 }, destinations: sources.map { 2 * partner[$0] + 1 },
                        kept: kept.map { 2 * $0 }))
            }
        }
        return TokenMergePlan(rows: rows, inputTokenCount: tokens)
    }

    /// Cosine similarities between set A (even positions) and set B (odd positions),
    /// `[batch, ⌈tokens/2⌉, ⌊tokens/2⌋]`, through one batched matrix product.
    static func similarities(_ metric: Tensor) -> Tensor {
        let (batch, tokens, channels) = (metric.shape[0], metric.shape[1], metric.shape[2])
        let unit = Tensor(shape: metric.shape) { out in
            metric.withUnsafeBufferPointer { m in
                for t in 0..<(batch * tokens) {
                    let base = t * channels
                    var squares: Float = 0
                    for c in 0..<channels { squares += m[base + c] * m[base + c] }
                    let scale = squares > 0 ? 1 / squares.squareRoot() : 0
                    for c in 0..<channels { out[base + c] = m[base + c] * scale }
                }
            }
        }
        let setA = unit.indexSelect(Array(stride(from: 0, to: tokens, by: 2)), alongAxis: 1)
        let setB = unit.indexSelect(Array(stride(from: 1, to: tokens, by: 2)), alongAxis: 1)
        return setA.matmul(setB, transposingOther: true)
    }

    /// The positions of `values` sorted by value, largest first; equal values keep position order.
    static func stableDescendingOrder(_ values: [Float]) -> [Int] {
        values.indices.sorted { i, j in values[i] > values[j] || (values[i] == values[j] && i < j) }
    }
}
