/// The settings of ``MoDeGPT``, with the defaults of the paper's reference setting (Lin et al.,
/// 2025, arXiv 2408.09632) where it states them and of the most complete public port otherwise.
///
/// The paper gives no source code; the defaults that it does not state are those of the port
/// `cbacary/MoDeGPT`: Nyström ridge λ = 1e-2, allocation temperature ε = 0.15, maximum layer
/// sparsity 0.8, key–query ridge 1e-6, value–output ridge 1e-4, and 32 calibration sequences
/// from WikiText-2 (of 512 tokens here). Correlations are accumulated in float64 as the paper
/// does and divided by the number of calibration tokens, so the ridges are absolute values on
/// per-token correlations.
///
/// ```swift
/// var configuration = MoDeGPTConfiguration(compressionRatio: 0.3)
/// configuration.modules = [.mlp]                    // ablation: MLP only
/// let (small, report) = try MoDeGPT(configuration: configuration).compress(model, calibration: sequences)
/// ```
public struct MoDeGPTConfiguration: Sendable, Equatable {
    /// How the per-layer sparsities are chosen.
    public enum Allocation: Sendable, Equatable {
        /// The paper's global allocation: `φ = L · φ̄ · softmax(−BI / temperature)` from the
        /// block-influence scores, capped at ``MoDeGPTConfiguration/maximumLayerSparsity``
        /// (see ``SparsityAllocation/blockInfluence(scores:averageSparsity:temperature:maximum:)``).
        case blockInfluence(temperature: Double)
        /// The same sparsity in every layer (the limit of an infinite temperature).
        case uniform
    }

    /// Which hidden states the statistics of block `l` are computed from.
    public enum StatisticsSource: Sendable, Equatable {
        /// The blocks before `l` are the original ones: all statistics come from the dense
        /// model, as in the paper (one calibration pass with hooks on the original model).
        case denseModel
        /// The blocks before `l` are the already compressed ones, so each block is fitted to the
        /// inputs it will see (a sequential variant; costs one more block pass per layer).
        case compressedPrefix
    }

    /// The fraction of the decoder blocks' parameters to remove, in `[0, 1)` (0.3 removes 30 %
    /// of the q/k/v/o, gate/up/down and norm weights; embeddings and the LM head are kept).
    public var compressionRatio: Double
    /// The module types to compress; the others keep their widths and the budget of a layer
    /// is taken from the enabled ones alone.
    public var modules: MoDeGPTModules
    /// The per-layer allocation of the budget.
    public var allocation: Allocation
    /// The largest sparsity any layer may receive (0.8); the excess is redistributed.
    public var maximumLayerSparsity: Double
    /// λ of the ridge-leverage scores `diag(C (C + λI)⁻¹)` of the MLP step (1e-2).
    public var nystromRidge: Double
    /// The ridge added to the query and key correlations before their square roots (1e-6).
    public var keyQueryRidge: Double
    /// The ridge added to the attention-input correlation before whitening (1e-4).
    public var valueOutputRidge: Double
    /// Which hidden states the statistics come from (the dense model, as in the paper).
    public var statisticsSource: StatisticsSource
    /// The number of calibration sequences pushed through a block at once (4); bounds the
    /// memory of the attention scores, `batch · heads · length²` floats.
    public var batchSize: Int
    /// The number of calibration sequences ``calibrationWindows(of:seed:)`` draws (32, the
    /// paper's setting).
    public var calibrationSequenceCount: Int
    /// The length of each calibration sequence in tokens (512).
    public var calibrationSequenceLength: Int

    /// A configuration; every argument defaults to the paper's setting (30 % of the block
    /// parameters removed, all three module types, block-influence allocation at ε = 0.15).
    public init(
        compressionRatio: Double = 0.3, modules: MoDeGPTModules = .all,
        allocation: Allocation = .blockInfluence(temperature: 0.15), maximumLayerSparsity: Double = 0.8,
        nystromRidge: Double = 1e-2, keyQueryRidge: Double = 1e-6, valueOutputRidge: Double = 1e-4,
        statisticsSource: StatisticsSource = .denseModel, batchSize: Int = 4,
        calibrationSequenceCount: Int = 32, calibrationSequenceLength: Int = 512
    ) {
        self.compressionRatio = compressionRatio
        self.modules = modules
        self.allocation = allocation
        self.maximumLayerSparsity = maximumLayerSparsity
        self.nystromRidge = nystromRidge
        self.keyQueryRidge = keyQueryRidge
        self.valueOutputRidge = valueOutputRidge
        self.statisticsSource = statisticsSource
        self.batchSize = batchSize
        self.calibrationSequenceCount = calibrationSequenceCount
        self.calibrationSequenceLength = calibrationSequenceLength
    }

    /// Checks every field's range.
    ///
    /// - Throws: ``MoDeGPTError/invalidConfiguration(field:reason:)`` naming the field.
    public func validate() throws(MoDeGPTError) {
        func require(_ condition: Bool, _ field: String, _ reason: String) throws(MoDeGPTError) {
            if !condition { throw .invalidConfiguration(field: field, reason: reason) }
        }
        try require(
            compressionRatio >= 0 && compressionRatio < 1, "compressionRatio",
            "\(compressionRatio) is outside [0, 1)")
        try require(!modules.isEmpty, "modules", "no module type is enabled")
        try require(
            maximumLayerSparsity > 0 && maximumLayerSparsity < 1, "maximumLayerSparsity",
            "\(maximumLayerSparsity) is outside (0, 1)")
        try require(
            compressionRatio <= maximumLayerSparsity, "compressionRatio",
            "\(compressionRatio) exceeds maximumLayerSparsity \(maximumLayerSparsity)")
        if case .blockInfluence(let temperature) = allocation {
            try require(temperature > 0 && temperature.isFinite, "allocation", "temperature \(temperature) must be positive")
        }
        try require(nystromRidge > 0, "nystromRidge", "\(nystromRidge) must be positive")
        try require(keyQueryRidge >= 0, "keyQueryRidge", "\(keyQueryRidge) must not be negative")
        try require(valueOutputRidge >= 0, "valueOutputRidge", "\(valueOutputRidge) must not be negative")
        try require(batchSize > 0, "batchSize", "\(batchSize) must be positive")
        try require(
            calibrationSequenceCount > 0 && calibrationSequenceLength > 1, "calibrationSequenceCount",
            "\(calibrationSequenceCount) sequences of \(calibrationSequenceLength) tokens calibrate nothing")
    }

    /// ``calibrationSequenceCount`` windows of ``calibrationSequenceLength`` tokens of `ids` at
    /// seeded random offsets (see ``CalibrationSequences/windows(of:count:length:seed:)``), for
    /// example of the tokenized WikiText-2 validation text.
    ///
    /// - Throws: ``MoDeGPTError/textTooShort(tokenCount:needed:)``.
    public func calibrationWindows(of ids: [Int], seed: UInt64 = 0) throws(MoDeGPTError) -> [[Int]] {
        try CalibrationSequences.windows(
            of: ids, count: calibrationSequenceCount, length: calibrationSequenceLength, seed: seed)
    }
}
