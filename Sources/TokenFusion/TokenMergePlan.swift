/// The outcome of one bipartite soft matching step (Bolya et al., 2023, "Token Merging: Your ViT
/// but Faster", arXiv:2210.09461): for each batch row, which tokens are merged into which, and
/// where every input token lands in the reduced sequence.
///
/// Tokens are split alternately into set A (even positions) and set B (odd positions). Each
/// merged A token (a *source*) joins the B token it is most similar to (its *destination*); the
/// other A tokens are *kept*. The output of a row is ToMe's `cat([unmerged, dst])`: the kept A
/// tokens in ``Row/kept`` order, then every B token in position order (each now standing for its
/// merged group), then padding.
///
/// Rows may hold fewer real tokens than the tensor (right padding, ``Row/validLength``); a row
/// of `n` real tokens is matched exactly as the unpadded sequence would be, so its output does
/// not depend on the batch. Its real outputs fill the first ``Row/outputCount`` slots; the next
/// slots up to ``outputTokenCount`` are taken by its first padding tokens, and the rest of its
/// padding is dropped.
///
/// A plan is pure index algebra: ``TokenReduction`` applies it to tokens and sizes, and
/// ``TokenSources`` follows it to trace which input tokens each output token holds.
public struct TokenMergePlan: Sendable, Equatable {
    /// The matching of one batch row.
    public struct Row: Sendable, Equatable {
        /// The number of real (non-padding) input tokens; they occupy positions
        /// `0 ..< validLength`.
        public let validLength: Int
        /// The input positions of the merged A tokens, most similar edge first (ToMe's `src_idx`,
        /// mapped back to token positions).
        public let sources: [Int]
        /// The input position of the B token each source merges into, aligned with ``sources``
        /// (ToMe's `dst_idx`). Several sources may share a destination.
        public let destinations: [Int]
        /// The input positions of the unmerged A tokens in output order (ToMe's `unm_idx`):
        /// descending similarity of their best edge, or ascending position when the class token
        /// is protected.
        public let kept: [Int]

        /// A row from its matching.
        ///
        /// - Precondition: `sources` and `destinations` align, sources and kept tokens are the
        ///   even positions below `validLength` exactly once, and destinations are odd positions
        ///   below `validLength`.
        public init(validLength: Int, sources: [Int], destinations: [Int], kept: [Int]) {
            precondition(sources.count == destinations.count,
                         "TokenMergePlan.Row: \(sources.count) sources but \(destinations.count) destinations")
            let evens = Set(stride(from: 0, to: validLength, by: 2))
            precondition(Set(sources + kept) == evens && sources.count + kept.count == evens.count,
                         "TokenMergePlan.Row: sources \(sources) and kept \(kept) must be the even positions below \(validLength)")
            precondition(destinations.allSatisfy { $0 % 2 == 1 && $0 < validLength },
                         "TokenMergePlan.Row: destinations \(destinations) must be odd positions below \(validLength)")
            self.validLength = validLength
            self.sources = sources
            self.destinations = destinations
            self.kept = kept
        }

        /// The identity matching of `validLength` tokens: nothing merged, tokens in order.
        public static func identity(validLength: Int) -> Row {
            Row(validLength: validLength, sources: [], destinations: [], kept: Array(stride(from: 0, to: validLength, by: 2)))
        }

        /// Whether nothing is merged.
        public var isIdentity: Bool { sources.isEmpty }

        /// The number of real output tokens, `validLength − sources.count`.
        public var outputCount: Int { validLength - sources.count }

        /// The output slot of every real input token, `[validLength]`: kept A tokens first, then
        /// the B tokens in position order; a source takes its destination's slot. An identity
        /// row maps every token to its own position.
        public var realSlots: [Int] {
            if isIdentity { return Array(0..<validLength) }
            var slots = [Int](repeating: -1, count: validLength)
            for (slot, token) in kept.enumerated() { slots[token] = slot }
            var slot = kept.count
            for token in stride(from: 1, to: validLength, by: 2) {
                slots[token] = slot
                slot += 1
            }
            for (source, destination) in zip(sources, destinations) { slots[source] = slots[destination] }
            return slots
        }

        /// For each real output slot, `[outputCount]`, the input token that stands for it when
        /// sources are dropped: the kept A token or the B destination.
        public var representatives: [Int] {
            if isIdentity { return Array(0..<validLength) }
            return kept + Array(stride(from: 1, to: validLength, by: 2))
        }
    }

    /// The matching of each batch row.
    public let rows: [Row]
    /// The number of tokens of the input tensor (padding included).
    public let inputTokenCount: Int
    /// The number of tokens of the output tensor: the largest real output count of any row
    /// (or `inputTokenCount` when nothing is merged).
    public let outputTokenCount: Int
    /// For each input token, row-major `[batch · inputTokenCount]`, its flat output index
    /// `row · outputTokenCount + slot`, or −1 for a dropped padding token.
    public let flatSlots: [Int]
    /// For each output token, row-major `[batch · outputTokenCount]`, the flat input index
    /// `row · inputTokenCount + token` of the token that stands for it unchanged when merged
    /// sources are dropped (the kept A token, the B destination, or a padding token).
    public let flatRepresentatives: [Int]

    /// A plan from per-row matchings over a tensor of `inputTokenCount` tokens.
    ///
    /// - Precondition: every row's `validLength` is at most `inputTokenCount`.
    public init(rows: [Row], inputTokenCount: Int) {
        precondition(rows.allSatisfy { $0.validLength <= inputTokenCount },
                     "TokenMergePlan: a row has more valid tokens than the \(inputTokenCount) input tokens")
        self.rows = rows
        self.inputTokenCount = inputTokenCount
        let output = rows.allSatisfy(\.isIdentity) ? inputTokenCount : (rows.map(\.outputCount).max() ?? 0)
        outputTokenCount = output
        var slots = [Int](repeating: -1, count: rows.count * inputTokenCount)
        var representatives = [Int](repeating: -1, count: rows.count * output)
        for (b, row) in rows.enumerated() {
            let realSlots = row.realSlots
            for (token, slot) in realSlots.enumerated() { slots[b * inputTokenCount + token] = b * output + slot }
            for (slot, token) in row.representatives.enumerated() {
                representatives[b * output + slot] = b * inputTokenCount + token
            }
            let paddingSlots = output - row.outputCount
            for k in 0..<min(paddingSlots, inputTokenCount - row.validLength) {
                let token = row.validLength + k
                slots[b * inputTokenCount + token] = b * output + row.outputCount + k
                representatives[b * output + row.outputCount + k] = b * inputTokenCount + token
            }
        }
        precondition(!representatives.contains(-1),
                     "TokenMergePlan: the rows cannot fill \(output) output tokens from \(inputTokenCount) input tokens")
        flatSlots = slots
        flatRepresentatives = representatives
    }

    /// The number of batch rows.
    public var batchSize: Int { rows.count }

    /// Whether no row merges anything (the reduction is the identity).
    public var isIdentity: Bool { rows.allSatisfy(\.isIdentity) }

    /// The number of real tokens of each output row (the rest is padding).
    public var outputValidLengths: [Int] { rows.map(\.outputCount) }

    /// The output slot of each input token of row `row` (−1 for dropped padding).
    public func slots(ofRow row: Int) -> [Int] {
        flatSlots[(row * inputTokenCount)..<((row + 1) * inputTokenCount)].map { $0 < 0 ? -1 : $0 - row * outputTokenCount }
    }
}
