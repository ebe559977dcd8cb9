import ModelZoo
import PruningCore

/// MoDeGPT: training-free compression of a LLaMA-architecture model by modular decomposition
/// (Lin et al., 2025, "MoDeGPT: Modular Decomposition for Large Language Model Compression",
/// ICLR 2025, arXiv 2408.09632).
///
/// Each decoder block is seen as three pairs of matrices joined by an inner dimension, and each
/// pair is compressed jointly, in closed form, from activation correlations of a small
/// calibration set — no gradient, no fine-tuning:
/// - Type I, the MLP: keep intermediate channels by ridge-leverage scores and refit `down_proj`
///   (Nyström; ``NystromMLPCompression``);
/// - Type II, query–key: keep whole rotary pairs by CR scores (``RotaryPairSelection``);
/// - Type III, value–output: whitened truncated SVD of each head's `W_V W_O`
///   (``ValueOutputCompression``).
///
/// The per-layer budget comes from block-influence scores (``SparsityAllocation``). The output
/// is a physically smaller ``LlamaModel`` whose configuration records every layer's widths and
/// kept rotary frequencies, so it runs, saves and reloads like any other.
///
/// Pipeline (memory: the calibration hidden states plus one layer's statistics):
/// 1. embed the calibration sequences; when the allocation needs them, run the original blocks
///    once over the set to measure block influence;
/// 2. allocate the per-layer sparsities and turn them into widths (``LayerWidths``);
/// 3. for each block in order: run the original block over the hidden states with hooks that
///    accumulate its float64 correlations, decompose, drop the statistics, and advance the
///    hidden states (through the original block, as in the paper, or through the compressed one
///    with ``MoDeGPTConfiguration/StatisticsSource/compressedPrefix``).
///
/// Rotary pairs are selected in the model's own layout (``LlamaConfiguration/ropePairing``): a
/// model read from GGUF keeps its interleaved pairs `(2j, 2j + 1)`, a Hugging Face one its
/// halves `(j, j + d/2)`; no conversion is needed.
///
/// ```swift
/// let model = try LlamaModel(gguf: GGUFFile(contentsOf: ModelFiles.smolLM2()))
/// let calibration = try CalibrationSequences.windows(of: validationIDs, count: 32, length: 512)
/// let (small, report) = try MoDeGPT().compress(model, calibration: calibration)
/// print(report.blockCompressionRatio, report.compressionSeconds)
/// try small.save(toDirectory: folder)
/// ```
public struct MoDeGPT: Sendable {
    /// The settings.
    public let configuration: MoDeGPTConfiguration

    /// A compressor with `configuration` (the paper's defaults unless given).
    public init(configuration: MoDeGPTConfiguration = MoDeGPTConfiguration()) {
        self.configuration = configuration
    }

    /// The per-layer sparsities for `layerCount` layers: the block-influence allocation when
    /// `blockInfluences` are given and the configuration asks for it, else uniform.
    public func layerSparsities(layerCount: Int, blockInfluences: [Double]?) -> [Double] {
        if case .blockInfluence(let temperature) = configuration.allocation, let blockInfluences {
            precondition(blockInfluences.count == layerCount, "MoDeGPT: \(blockInfluences.count) scores for \(layerCount) layers")
            return SparsityAllocation.blockInfluence(
                scores: blockInfluences, averageSparsity: configuration.compressionRatio, temperature: temperature,
                maximum: configuration.maximumLayerSparsity)
        }
        return SparsityAllocation.uniform(layerCount: layerCount, averageSparsity: configuration.compressionRatio)
    }

    /// Compresses `model` with the calibration sequences `calibration`.
    ///
    /// - Parameters:
    ///   - model: a LLaMA model whose layers read and write the whole residual stream (no
    ///     residual index lists); layers may already have pruned widths.
    ///   - calibration: token sequences of one length (for example
    ///     ``CalibrationSequences/windows(of:count:length:seed:)`` of WikiText-2 validation).
    /// - Returns: the compressed model and a report of sizes, allocation, timings and memory.
    /// - Throws: ``MoDeGPTError`` for a bad configuration, calibration set, unsupported layer
    ///   or failed decomposition.
    public func compress(_ model: LlamaModel, calibration: [[Int]]) throws -> (LlamaModel, CompressionReport) {
        try configuration.validate()
        let source = model.configuration
        try CalibrationSequences.validate(calibration, for: source)
        for index in 0..<source.layerCount {
            let dimensions = source.dimensions(ofLayer: index)
            if dimensions.attentionInputIndices != nil || dimensions.attentionOutputIndices != nil
                || dimensions.mlpInputIndices != nil || dimensions.mlpOutputIndices != nil {
                throw MoDeGPTError.unsupportedLayer(index: index, reason: "it reads or writes a subset of the residual stream")
            }
        }

        let clock = ContinuousClock()
        let start = clock.now
        let residentAtStart = ProcessMemory.currentResidentBytes
        var calibrationTime = Duration.zero
        var decompositionTime = Duration.zero
        func timed<T>(_ total: inout Duration, _ body: () throws -> T) rethrows -> T {
            let begin = clock.now
            defer { total += clock.now - begin }
            return try body()
        }

        let (compressed, influences, sparsities, widths, tokenCount) = try withoutGradients {
            () throws -> (LlamaModel, [Double]?, [Double], [LayerWidths], Int) in
            var stream = CalibrationStream(model: model, sequences: calibration, batchSize: configuration.batchSize)
            var influences: [Double]?
            if case .blockInfluence = configuration.allocation {
                influences = timed(&calibrationTime) { stream.blockInfluences(of: model) }
            }
            let sparsities = layerSparsities(layerCount: source.layerCount, blockInfluences: influences)
            let widths = sparsities.enumerated().map { index, sparsity in
                LayerWidths(
                    removing: sparsity, of: source.dimensions(ofLayer: index), hiddenSize: source.hiddenSize,
                    modules: configuration.modules)
            }

            var weights = model.weights()
            var target = source
            if target.layers.isEmpty { target.layers = Array(repeating: LlamaLayerConfiguration(), count: source.layerCount) }
            let advancesThroughOriginal = configuration.statisticsSource == .denseModel
            for (index, layer) in model.layers.enumerated() {
                let dimensions = source.dimensions(ofLayer: index)
                guard widths[index] != LayerWidths(dimensions) else {
                    timed(&calibrationTime) { stream.run(layer, advancing: true) }
                    continue
                }
                let statistics = LayerCorrelations(
                    layer: index, kinds: neededCorrelations, dimensions: dimensions, hiddenSize: source.hiddenSize)
                timed(&calibrationTime) { stream.run(layer, hook: statistics.hook(), advancing: advancesThroughOriginal) }
                var layerWeights = LlamaLayerWeights(index: index, weights: weights, configuration: source)
                try timed(&decompositionTime) {
                    try compressLayer(
                        &layerWeights, widths: widths[index], statistics: statistics, dimensions: dimensions,
                        pairing: source.ropePairing)
                    layerWeights.write(into: &weights)
                }
                target.layers[index] = layerWeights.override
                if !advancesThroughOriginal {
                    let compressedLayer = layerWeights.decoderLayer(configuration: source)
                    timed(&calibrationTime) { stream.run(compressedLayer, advancing: true) }
                }
            }
            let compressed = try LlamaModel(configuration: target, weights: weights, naming: .huggingFace)
            return (compressed, influences, sparsities, widths, stream.tokenCount)
        }
        if !model.isTraining { compressed.eval() }

        let report = CompressionReport(
            method: "MoDeGPT (\(configuration.modules))", targetCompressionRatio: configuration.compressionRatio,
            parametersBefore: source.parameterCount, parametersAfter: compressed.configuration.parameterCount,
            blockParametersBefore: CompressionReport.blockParameterCount(of: source),
            blockParametersAfter: CompressionReport.blockParameterCount(of: compressed.configuration),
            layerSparsities: sparsities, blockInfluences: influences, layerWidths: widths,
            calibrationTokenCount: tokenCount, calibrationSeconds: calibrationTime / .seconds(1),
            decompositionSeconds: decompositionTime / .seconds(1),
            compressionSeconds: (clock.now - start) / .seconds(1),
            peakResidentBytes: ProcessMemory.peakResidentBytes, residentBytesAtStart: residentAtStart)
        return (compressed, report)
    }
}
