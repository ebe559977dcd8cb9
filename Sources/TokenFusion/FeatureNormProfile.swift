import PruningCore

/// The mean Euclidean norm of the token features after every layer — the quantity behind ToFu's
/// MLERP (Kim et al., 2024, arXiv:2312.01026): averaging shrinks norms (‖mean‖ ≤ mean of the
/// norms, with equality only for parallel tokens), which shifts the feature distribution the
/// later layers see; MLERP gives a merged token the norm of its largest member instead.
///
/// Two points per layer are measured, as in ``LayerTrace``: right after the layer's reduction
/// (before its MLP half), where a merged token first appears, and the layer's output. Each mean
/// is over every real token of every row and batch (the class token included, padding
/// excluded), each token counted once whatever its size.
///
/// ```swift
/// let profile = FeatureNormProfile.measure(
///     .tome(.constant(8)), batches: [(tokens: vit.embed(images), validLengths: nil)], through: vit.blocks)
/// profile.output   // [layers] mean ‖x‖ of each layer's output tokens
/// ```
public struct FeatureNormProfile: Sendable, Equatable {
    /// The sum of the norms right after each layer's reduction.
    private var reducedSums: [Double]
    /// The sum of the norms of each layer's output tokens.
    private var outputSums: [Double]
    /// The number of real tokens measured at each layer (all rows and batches).
    public private(set) var tokenCounts: [Int]

    /// An empty profile of `layerCount` layers.
    public init(layerCount: Int) {
        precondition(layerCount >= 0, "FeatureNormProfile: negative layer count \(layerCount)")
        reducedSums = [Double](repeating: 0, count: layerCount)
        outputSums = reducedSums
        tokenCounts = [Int](repeating: 0, count: layerCount)
    }

    /// The number of layers.
    public var layerCount: Int { tokenCounts.count }

    /// The mean token norm right after each layer's reduction, before its MLP half (0 for a
    /// layer that saw no token).
    public var afterReduction: [Double] { zip(reducedSums, tokenCounts).map { $1 > 0 ? $0 / Double($1) : 0 } }

    /// The mean token norm of each layer's output (0 for a layer that saw no token).
    public var output: [Double] { zip(outputSums, tokenCounts).map { $1 > 0 ? $0 / Double($1) : 0 } }

    /// The mean number of real tokens per row at each layer, for `rowCount` measured rows.
    public func tokensPerRow(rowCount: Int) -> [Double] {
        tokenCounts.map { Double($0) / Double(max(rowCount, 1)) }
    }

    /// Adds one layer's tokens to the profile.
    ///
    /// - Precondition: the layer index is below ``layerCount``.
    public mutating func record(_ trace: LayerTrace) {
        precondition(trace.layer >= 0 && trace.layer < layerCount,
                     "FeatureNormProfile: layer \(trace.layer) outside a profile of \(layerCount) layers")
        let reduced = Self.normSum(trace.reduced.tokens, validLengths: trace.reduced.validLengths)
        let output = Self.normSum(trace.output.tokens, validLengths: trace.output.validLengths)
        reducedSums[trace.layer] += reduced.sum
        outputSums[trace.layer] += output.sum
        tokenCounts[trace.layer] += reduced.count
    }

    /// The profile of `configuration` run on `batches` of input tokens `[batch, tokens, width]`
    /// with their valid lengths (nil: no padding), through `blocks`. Runs without recording
    /// gradients.
    public static func measure(
        _ configuration: TokenFusionConfiguration, batches: [(tokens: Tensor, validLengths: [Int]?)],
        through blocks: [some TokenMergingBlock]
    ) -> FeatureNormProfile {
        var profile = FeatureNormProfile(layerCount: blocks.count)
        withoutGradients {
            for batch in batches {
                _ = configuration.forward(batch.tokens, validLengths: batch.validLengths, through: blocks) {
                    profile.record($0)
                }
            }
        }
        return profile
    }

    /// The sum of the Euclidean norms of the real tokens of `tokens` `[batch, tokens, width]`
    /// (the first `validLengths[b]` of row `b`), and how many there are.
    static func normSum(_ tokens: Tensor, validLengths: [Int]) -> (sum: Double, count: Int) {
        precondition(tokens.rank == 3 && tokens.shape[0] == validLengths.count,
                     "FeatureNormProfile: tokens \(tokens.shape) do not fit \(validLengths.count) valid lengths")
        let (count, width) = (tokens.shape[1], tokens.shape[2])
        var total = 0.0
        tokens.withUnsafeBufferPointer { x in
            for (b, length) in validLengths.enumerated() {
                precondition(length <= count, "FeatureNormProfile: valid length \(length) exceeds \(count) tokens")
                for t in 0..<length {
                    let base = (b * count + t) * width
                    var squares: Float = 0
                    for c in 0..<width { squares += x[base + c] * x[base + c] }
                    total += Double(squares.squareRoot())
                }
            }
        }
        return (total, validLengths.reduce(0, +))
    }
}
