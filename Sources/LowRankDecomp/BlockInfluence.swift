import PruningCore

/// The block-influence score of a decoder block (Men et al., 2024, "ShortGPT: Layers in Large
/// Language Models are More Redundant Than You Expect", arXiv 2403.03853), which MoDeGPT uses
/// to allocate sparsity: `BI = mean over tokens of 1 − cos(h_in, h_out)` between the hidden
/// state entering and leaving the block. A block that barely turns the residual stream scores
/// near 0.
public struct BlockInfluence: Sendable, Equatable {
    /// The sum of `1 − cos` over the tokens seen, in float64.
    public private(set) var sum = 0.0
    /// The number of tokens seen.
    public private(set) var tokenCount = 0

    /// An empty accumulator.
    public init() {}

    /// The mean of `1 − cos` over the tokens seen (0 before any token).
    public var score: Double { tokenCount > 0 ? sum / Double(tokenCount) : 0 }

    /// Adds the tokens of a block's input and output, `[..., d]` each. A token whose input or
    /// output is the zero vector counts as cosine 0.
    ///
    /// - Precondition: equal shapes.
    public mutating func add(input: Tensor, output: Tensor) {
        precondition(
            input.shape == output.shape && input.rank >= 1,
            "BlockInfluence: input \(input.shape) and output \(output.shape) differ")
        let width = input.shape[input.rank - 1]
        guard width > 0 else { return }
        let tokens = input.count / width
        var total = 0.0
        input.withUnsafeBufferPointer { a in
            output.withUnsafeBufferPointer { b in
                for t in 0..<tokens {
                    var dot = 0.0, normA = 0.0, normB = 0.0
                    for i in (t * width)..<((t + 1) * width) {
                        let (x, y) = (Double(a[i]), Double(b[i]))
                        dot += x * y
                        normA += x * x
                        normB += y * y
                    }
                    let denominator = (normA * normB).squareRoot()
                    total += 1 - (denominator > 0 ? dot / denominator : 0)
                }
            }
        }
        sum += total
        tokenCount += tokens
    }
}
