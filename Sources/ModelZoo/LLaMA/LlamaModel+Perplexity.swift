import Foundation
import PruningCore

/// The result of ``LlamaModel/perplexity(of:windowLength:prependBOS:)``.
public struct LlamaPerplexity: Sendable, Equatable {
    /// `exp(meanNegativeLogLikelihood)`.
    public var perplexity: Double
    /// The mean negative log-likelihood of the scored tokens, in nats.
    public var meanNegativeLogLikelihood: Double
    /// The number of scored tokens.
    public var tokenCount: Int
    /// Tokens fed to the model (including any BOS) per second of wall-clock time.
    public var tokensPerSecond: Double
}

extension LlamaModel {
    /// The perplexity of `ids` under the protocol of non-overlapping windows.
    ///
    /// `ids` is cut into consecutive windows of `windowLength` tokens (the last one may be
    /// shorter), and each window is evaluated alone, with no context carried over:
    /// - without a BOS, token `t > 0` of a window is scored given tokens `0..<t`, and the first
    ///   token of each window is not scored (it has no context);
    /// - with `prependBOS`, the model reads the configuration's BOS followed by the window, and
    ///   every window token is scored.
    ///
    /// The perplexity is `exp` of the mean negative log-likelihood over all scored tokens. Runs
    /// without recording gradients; the per-token log-likelihoods come from the fused
    /// `crossEntropy(logits:labels:)` and are summed in double precision.
    ///
    /// - Parameters:
    ///   - ids: the token stream.
    ///   - windowLength: the number of tokens of `ids` per window.
    ///   - prependBOS: whether to put ``LlamaConfiguration/bosTokenID`` before every window.
    /// - Precondition: `windowLength ≥ 1` (2 without BOS); the window plus BOS fits
    ///   ``LlamaConfiguration/maxPositions``; a BOS is configured when `prependBOS` is set.
    public func perplexity(of ids: [Int], windowLength: Int, prependBOS: Bool = false) -> LlamaPerplexity {
        precondition(
            windowLength >= (prependBOS ? 1 : 2),
            "LlamaModel.perplexity: windowLength \(windowLength) scores no token")
        precondition(
            windowLength + (prependBOS ? 1 : 0) <= configuration.maxPositions,
            "LlamaModel.perplexity: windows of \(windowLength) tokens exceed \(configuration.maxPositions) positions")
        let bos = configuration.bosTokenID
        precondition(!prependBOS || bos != nil, "LlamaModel.perplexity: prependBOS needs configuration.bosTokenID")
        return windowedPerplexity(of: ids, windowLength: windowLength, beginningOfSequence: prependBOS ? bos : nil)
    }
}
