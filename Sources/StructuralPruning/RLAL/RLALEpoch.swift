/// What one epoch of an ``RLAL`` run did and measured.
public struct RLALEpoch: Sendable, Codable, Equatable {
    /// The stage an epoch belongs to.
    public enum Phase: String, Sendable, Codable {
        /// Plain training before the search.
        case warmUp
        /// Episodes, decoder and agent updates, then (when weights train) one aligned weight epoch.
        case search
        /// Weight training towards the fixed chosen sub-network.
        case aligned
        /// Fine-tuning of the exported network.
        case fineTune
    }

    /// The epoch's number within the run (from 1).
    public var epoch: Int
    /// The stage.
    public var phase: Phase
    /// The mean training loss of the epoch's weight steps (nil: no weight steps).
    public var trainingLoss: Double?
    /// The mean and largest reward of the epoch's episodes.
    public var meanReward: Double?, bestEpisodeReward: Double?
    /// The reward of the chosen sub-network on this epoch's weights.
    public var incumbentReward: Double?
    /// The chosen sub-network's ratios per gated group and kept fraction of prunable FLOPs.
    public var incumbentRatios: [Double]?, incumbentPrunableFraction: Double?
    /// The root-mean-square error of the decoder on this epoch's rewards before it saw them.
    public var decoderPredictionError: Double?
    /// The root-mean-square error of the decoder over the whole buffer after the epoch's updates.
    public var decoderFitError: Double?
    /// The accuracy on the validation set of the network under the chosen sub-network's mask (the
    /// dense network in warm-up, the exported one when fine-tuning).
    public var validationAccuracy: Double
    /// Wall-clock seconds.
    public var seconds: Double

    /// A record.
    public init(
        epoch: Int, phase: Phase, trainingLoss: Double?, meanReward: Double?, bestEpisodeReward: Double?, incumbentReward: Double?,
        incumbentRatios: [Double]?, incumbentPrunableFraction: Double?, decoderPredictionError: Double?, decoderFitError: Double?,
        validationAccuracy: Double, seconds: Double
    ) {
        self.epoch = epoch
        self.phase = phase
        self.trainingLoss = trainingLoss
        self.meanReward = meanReward
        self.bestEpisodeReward = bestEpisodeReward
        self.incumbentReward = incumbentReward
        self.incumbentRatios = incumbentRatios
        self.incumbentPrunableFraction = incumbentPrunableFraction
        self.decoderPredictionError = decoderPredictionError
        self.decoderFitError = decoderFitError
        self.validationAccuracy = validationAccuracy
        self.seconds = seconds
    }
}
