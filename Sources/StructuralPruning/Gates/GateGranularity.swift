/// What one entry of a gate switches on or off.
///
/// The granularity says how a gate vector of width `w` maps onto the tensors it prunes; the
/// controllers and budget losses only see the gate vector.
public enum GateGranularity: Sendable, Equatable, Hashable, Codable {
    /// One entry per channel (a convolution's output channel, an MLP neuron, a residual
    /// dimension).
    case channel
    /// One entry per group of `size` consecutive channels (GroupNorm groups, blocks of FFN
    /// units).
    case group(size: Int)
    /// One entry per attention head of `dimension` channels.
    case head(dimension: Int)
    /// One entry per block that a depth gate keeps or skips (`y = (1 − m)·x + m·block(x)`).
    case depth

    /// The channels one gate entry covers.
    public var channelsPerEntry: Int {
        switch self {
        case .channel, .depth: 1
        case .group(let size): size
        case .head(let dimension): dimension
        }
    }
}
