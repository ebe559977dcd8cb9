/// What one Auto-Train-Once epoch measured.
public struct AutoTrainOnceEpoch: Sendable, Codable, Equatable {
    /// The epoch, from 1.
    public var epoch: Int
    /// Mean weight-step loss.
    public var trainingLoss: Double
    /// Mean controller loss (CE + FLOPs term) of the epoch's controller steps (nil: none).
    public var controllerLoss: Double?
    /// The kept fraction of prunable FLOPs under the epoch's hard mask.
    public var prunableRatio: Double
    /// Held-out accuracy of the network with the current hard mask applied.
    public var maskedAccuracy: Double
    /// `Σ ‖W_c‖₂` of the switched-off channels after the epoch's last projection.
    public var switchedOffNorm: Double
    /// Wall-clock seconds.
    public var seconds: Double
}
