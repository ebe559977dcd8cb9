import PruningCore
import ModelZoo

/// One epoch of stage 1 or 2 of ``InterpretationSteeredPruning``.
public struct InterpretationStageRecord: Sendable, Codable, Equatable {
    /// `predictor` or `selector`.
    public var stage: String
    /// The epoch, from 1.
    public var epoch: Int
    /// The mean loss.
    public var loss: Double
    /// The selector's mean KL term (nil for the predictor).
    public var divergence: Double?
    /// The selector's mean area term (nil for the predictor).
    public var area: Double?
    /// The selector's mean mask width σ in pixels (nil for the predictor).
    public var meanWidth: Double?
    /// Wall-clock seconds.
    public var seconds: Double

    /// A record.
    public init(stage: String, epoch: Int, loss: Double, divergence: Double? = nil, area: Double? = nil, meanWidth: Double? = nil, seconds: Double) {
        self.stage = stage
        self.epoch = epoch
        self.loss = loss
        self.divergence = divergence
        self.area = area
        self.meanWidth = meanWidth
        self.seconds = seconds
    }
}

/// One epoch of the controller (stage 4).
public struct InterpretationControllerEpoch: Sendable, Codable, Equatable {
    /// The epoch, from 1.
    public var epoch: Int
    /// The mean total loss (signal + FLOPs term).
    public var loss: Double
    /// The mean signal term (the weighted RBF MSE, the KL or the cross-entropy).
    public var signal: Double
    /// The kept fraction of prunable FLOPs of the noise-free hard masks after the epoch.
    public var prunableRatio: Double
    /// Wall-clock seconds.
    public var seconds: Double

    /// A record.
    public init(epoch: Int, loss: Double, signal: Double, prunableRatio: Double, seconds: Double) {
        self.epoch = epoch
        self.loss = loss
        self.signal = signal
        self.prunableRatio = prunableRatio
        self.seconds = seconds
    }
}

/// The original's explanations and outputs on the controller's split (stage 3).
public struct SaliencyTargets: Sendable {
    /// The split.
    public let data: ImageClassificationDataSet
    /// The original's raw RBF parameters `[count, 3]`.
    public let parameters: Tensor
    /// The original's logits `[count, classes]`.
    public let logits: Tensor
    /// The standard deviation of each raw parameter over the split `[1, 3]` (at least 10⁻³),
    /// the unit the controller's MSE measures errors in.
    public let scale: Tensor

    /// Targets for `data`.
    public init(data: ImageClassificationDataSet, parameters: Tensor, logits: Tensor) {
        precondition(parameters.shape == [data.count, 3] && logits.rank == 2 && logits.shape[0] == data.count,
                     "SaliencyTargets: parameters \(parameters.shape) and logits \(logits.shape) for \(data.count) images")
        self.data = data
        self.parameters = parameters
        self.logits = logits
        let n = Double(max(data.count, 1))
        let columns = (0..<3).map { k -> Float in
            let values = stride(from: k, to: parameters.count, by: 3).map { Double(parameters.scalars[$0]) }
            let mean = values.reduce(0, +) / n
            let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / n
            return Float(max(variance.squareRoot(), 1e-3))
        }
        scale = Tensor(shape: [1, 3], scalars: columns)
    }
}

/// A trained controller (stage 4) and the masks it chose.
public struct InterpretationControllerResult {
    /// The signal it was trained with.
    public let signal: ControllerSignal
    /// The controller.
    public let controller: any MaskController
    /// The final hard masks, within the budget.
    public let masks: [Tensor]
    /// Their kept fraction of prunable FLOPs.
    public let prunableRatio: Double
    /// Every epoch (empty when loaded from a checkpoint).
    public let history: [InterpretationControllerEpoch]
}
