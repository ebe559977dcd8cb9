import ModelZoo
import PruningCore

/// Measures how linearly each layer responds to interpolated tokens — ToFu's criterion for
/// choosing between pruning and merging (Kim et al., 2024, arXiv:2312.01026: "token pruning
/// proves advantageous when the model exhibits sensitivity to input interpolations, while token
/// merging is effective when the model manifests close to linear responses").
///
/// A merged token is an interpolation of its group, and the first function it meets is the
/// layer's MLP half (merging happens between attention and MLP). So for each layer the probe
/// runs the unreduced model on a few batches, takes the pairs that layer's bipartite matching
/// would merge at `r`, and compares the MLP half `g` on interpolations with the interpolation of
/// its outputs:
///
///     nonlinearity = √( Σ ‖g(α a + (1−α) b) − (α g(a) + (1−α) g(b))‖² / Σ ‖g(a) − g(b)‖² ),
///
/// summed over matched pairs `(a, b)` and the weights α. It is 0 for an affine `g`, and about 1
/// when the output at an interpolated input is as far from the linear prediction as the two
/// endpoints' outputs are from each other.
public struct LinearityProbe: Sendable {
    /// The number of matched pairs per row and layer (the `r` of the matching).
    public var r: Int
    /// The interpolation weights α, each in (0, 1); `[0.5]` (the midpoint, as a merge of two
    /// equal-size tokens) by default.
    public var interpolationWeights: [Float]
    /// Whether token 0 is a protected class token in the matching.
    public var protectsClassToken: Bool

    /// A probe; see the properties.
    public init(r: Int, interpolationWeights: [Float] = [0.5], protectsClassToken: Bool = true) {
        precondition(r > 0, "LinearityProbe: r \(r) must be positive")
        precondition(!interpolationWeights.isEmpty && interpolationWeights.allSatisfy { $0 > 0 && $0 < 1 },
                     "LinearityProbe: interpolation weights \(interpolationWeights) must lie in (0, 1)")
        self.r = r
        self.interpolationWeights = interpolationWeights
        self.protectsClassToken = protectsClassToken
    }

    /// The nonlinearity of each block, measured on `batches` of input tokens `[batch, tokens,
    /// width]` with their valid lengths (nil: no padding). Runs without recording gradients.
    public func nonlinearity(of blocks: [some TokenMergingBlock], batches: [(tokens: Tensor, validLengths: [Int]?)]) -> [Float] {
        var deviation = [Double](repeating: 0, count: blocks.count)
        var spread = [Double](repeating: 0, count: blocks.count)
        withoutGradients {
            for batch in batches {
                let (size, count) = (batch.tokens.shape[0], batch.tokens.shape[1])
                let lengths = batch.validLengths ?? [Int](repeating: count, count: size)
                let mask = ProportionalAttention.mask(sizes: nil, validLengths: lengths, tokenCount: count)
                var x = batch.tokens
                for (layer, block) in blocks.enumerated() {
                    let (hidden, _, key) = block.attentionHalf(x, mask: mask)
                    let plan = BipartiteSoftMatching.plan(
                        metric: key.mean(alongAxis: 1), r: r, protectsClassToken: protectsClassToken, validLengths: lengths)
                    let (d, s) = measure(block, hidden: hidden, plan: plan)
                    deviation[layer] += d
                    spread[layer] += s
                    x = block.feedForward(hidden)
                }
            }
        }
        return zip(deviation, spread).map { $1 > 0 ? Float(($0 / $1).squareRoot()) : 0 }
    }

    /// The nonlinearity of each layer of a BERT encoder on `inputs`.
    public func nonlinearity(of encoder: BERTEncoder, inputs: [BERTInput]) -> [Float] {
        let batches = withoutGradients { inputs.map { (tokens: encoder.embeddings($0), validLengths: Optional($0.validLengths)) } }
        return nonlinearity(of: encoder.layers, batches: batches)
    }

    /// The first layer that should merge rather than prune, from per-layer nonlinearity
    /// scores: the smallest `k` such that every layer from `k` on scores below `threshold`
    /// (`scores.count` when the last layer does not, so every layer prunes).
    ///
    /// The default threshold ½ is where merging and pruning break even. A merged pair's token
    /// stands for both members, so compare its output with both members' outputs `g(a)`, `g(b)`:
    /// pruning (keeping `b`) costs `‖g(a) − g(b)‖²`, while averaging to the midpoint `m` costs
    /// `‖g(a) − g(b)‖² / 2 + 2‖g(m) − (g(a) + g(b)) / 2‖²`. Averaging is cheaper exactly when the
    /// nonlinearity at α = ½ (the default probe) is below ½ — summed over the probed pairs, when
    /// the layer's score is. (MLERP then corrects the merged token's norm.) The contiguous split
    /// keeps ToFu's "prune early, merge late" shape; a per-layer choice can be written with
    /// ``ReductionStrategy/perLayer(_:)``.
    ///
    /// On all-MiniLM-L6-v2 (WikiText-2 passages of 128 tokens, r = 4…16) the scores fall from
    /// about 0.24 in layer 0 to 0.17 in layers 2–4 and 0.02–0.05 in layer 5: all below ½, so the
    /// rule merges (MLERP) in every layer. That measured best: mean cosine to the unreduced
    /// sentence embeddings 0.972 at r = 8 and 0.880 at r = 16, against 0.964 and 0.846 for the
    /// default split (layers 0–3 prune) and 0.959 and 0.808 for pruning everywhere.
    ///
    /// - Parameters:
    ///   - scores: the nonlinearity of each layer (``nonlinearity(of:batches:)``).
    ///   - threshold: the score from which a layer prunes.
    /// - Returns: the value for ``ReductionStrategy/tofu(firstMergingLayer:)``.
    public static func firstMergingLayer(scores: [Float], threshold: Float = 0.5) -> Int {
        var first = scores.count
        while first > 0 && scores[first - 1] < threshold { first -= 1 }
        return first
    }

    /// The summed squared deviations from linearity and squared endpoint differences of one
    /// layer's matched pairs.
    private func measure(_ block: some TokenMergingBlock, hidden: Tensor, plan: TokenMergePlan) -> (Double, Double) {
        let (count, width) = (hidden.shape[1], hidden.shape[2])
        var sources: [Int] = []
        var destinations: [Int] = []
        for (b, row) in plan.rows.enumerated() {
            sources += row.sources.map { b * count + $0 }
            destinations += row.destinations.map { b * count + $0 }
        }
        if sources.isEmpty { return (0, 0) }
        let flat = hidden.reshaped(to: [hidden.shape[0] * count, width])
        let a = flat.indexSelect(sources, alongAxis: 0)
        let b = flat.indexSelect(destinations, alongAxis: 0)
        let mixes = interpolationWeights.map { a * $0 + b * (1 - $0) }
        let pairs = sources.count
        let outputs = block.feedForward(Tensor.concatenate([a, b] + mixes, alongAxis: 0).unsqueezed(at: 0))
            .reshaped(to: [2 + mixes.count, pairs, width])
        let ga = outputs.sliced(alongAxis: 0, from: 0, count: 1)
        let gb = outputs.sliced(alongAxis: 0, from: 1, count: 1)
        var deviation = 0.0
        for (k, alpha) in interpolationWeights.enumerated() {
            let linear = ga * alpha + gb * (1 - alpha)
            deviation += Double((outputs.sliced(alongAxis: 0, from: 2 + k, count: 1) - linear).squared().sum().scalar)
        }
        let spread = Double((ga - gb).squared().sum().scalar) * Double(interpolationWeights.count)
        return (deviation, spread)
    }
}
