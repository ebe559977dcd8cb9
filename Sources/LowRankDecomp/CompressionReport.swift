import ModelZoo
import PruningCore

/// What a compression run did and what it cost: parameter counts before and after (whole model
/// and decoder blocks only), the per-layer allocation, timings and peak memory.
public struct CompressionReport: Sendable, Equatable, Codable {
    /// The method, for example `MoDeGPT (mlp+keyQuery+valueOutput)`.
    public var method: String
    /// The requested fraction of block parameters to remove.
    public var targetCompressionRatio: Double
    /// All parameters of the input model (the tied LM head counted once).
    public var parametersBefore: Int
    /// All parameters of the output model.
    public var parametersAfter: Int
    /// The decoder blocks' parameters of the input model (projections and norms).
    public var blockParametersBefore: Int
    /// The decoder blocks' parameters of the output model.
    public var blockParametersAfter: Int
    /// The sparsity allocated to each layer (fraction of its block parameters).
    public var layerSparsities: [Double]
    /// The block-influence score of each layer, when computed.
    public var blockInfluences: [Double]?
    /// The widths of each output layer, when the method sets them (nil for factorized models).
    public var layerWidths: [LayerWidths]?
    /// The number of calibration tokens.
    public var calibrationTokenCount: Int
    /// Seconds spent running calibration data through the blocks and accumulating statistics.
    public var calibrationSeconds: Double
    /// Seconds spent in the decompositions and in building the weights.
    public var decompositionSeconds: Double
    /// Wall-clock seconds of the whole run (calibration, decompositions, model assembly).
    public var compressionSeconds: Double
    /// The process's peak resident set size at the end of the run, in bytes. It is a
    /// process-lifetime peak: it includes the input model, whatever the process held before, and
    /// tensor buffers kept for reuse (`TensorMemory`, up to its capacity).
    public var peakResidentBytes: Int
    /// The resident set size when the run started, in bytes, where the platform reports it.
    public var residentBytesAtStart: Int?

    /// The fraction of block parameters removed.
    public var blockCompressionRatio: Double {
        blockParametersBefore > 0 ? 1 - Double(blockParametersAfter) / Double(blockParametersBefore) : 0
    }

    /// The fraction of all parameters removed.
    public var totalCompressionRatio: Double {
        parametersBefore > 0 ? 1 - Double(parametersAfter) / Double(parametersBefore) : 0
    }

    /// The parameters of the decoder blocks of `configuration`: every projection and norm of
    /// every layer (embeddings, final norm and LM head excluded).
    public static func blockParameterCount(of configuration: LlamaConfiguration) -> Int {
        configuration.parameterShapes()
            .filter { $0.name.hasPrefix("model.layers.") }
            .reduce(0) { $0 + $1.shape.reduce(1, *) }
    }
}
