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
/// is a physically smaller `LlamaModel` whose configuration records every layer's widths and
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
/// Rotary pairs are selected in the model's own layout (`LlamaConfiguration/ropePairing`): a
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
    ///   - progress: called after each block with the number of blocks done and the total.
    /// - Returns: the compressed model and a report of sizes, allocation, timings and memory.
    /// - Throws: ``MoDeGPTError`` for a bad configuration, calibration set, unsupported layer
    ///   or failed decomposition.
    public func compress(
        _ model: LlamaModel, calibration: [[Int]], progress: (_ done: Int, _ total: Int) -> Void = { _, _ in }
    ) throws -> (LlamaModel, CompressionReport) {
        try Self.compress(model, calibration: calibration, variants: [configuration], progress: progress)[0]
    }

    /// Compresses `model` once per configuration in `variants` from one calibration pass: the
    /// statistics of the dense model do not depend on the compression ratio, the modules or the
    /// allocation, so a sweep (10–40 %, ablations) costs one calibration plus one decomposition
    /// per variant.
    ///
    /// Each report gives the shared calibration time plus the variant's own decomposition time
    /// as its compression time, and the peak memory of the whole sweep.
    ///
    /// - Parameters:
    ///   - model: as for ``compress(_:calibration:progress:)``.
    ///   - calibration: token sequences of one length.
    ///   - variants: one or more configurations with the same ``MoDeGPTConfiguration/batchSize``;
    ///     ``MoDeGPTConfiguration/StatisticsSource/compressedPrefix`` is allowed only alone.
    ///   - progress: called after each block with the number of blocks done and the total.
    /// - Returns: the compressed models and their reports, in the order of `variants`.
    /// - Throws: ``MoDeGPTError``.
    public static func compress(
        _ model: LlamaModel, calibration: [[Int]], variants: [MoDeGPTConfiguration],
        progress: (_ done: Int, _ total: Int) -> Void = { _, _ in }
    ) throws -> [(LlamaModel, CompressionReport)] {
        guard let first = variants.first else {
            throw MoDeGPTError.invalidConfiguration(field: "variants", reason: "no configuration given")
        }
        for variant in variants { try variant.validate() }
        guard variants.allSatisfy({ $0.batchSize == first.batchSize }) else {
            throw MoDeGPTError.invalidConfiguration(field: "batchSize", reason: "the variants of one pass must share it")
        }
        let sequential = first.statisticsSource == .compressedPrefix
        guard variants.count == 1 || variants.allSatisfy({ $0.statisticsSource == .denseModel }) else {
            throw MoDeGPTError.invalidConfiguration(
                field: "statisticsSource", reason: "compressedPrefix fits each block to its own compressed prefix, so it compresses one variant per pass")
        }
        let compressors = variants.map { MoDeGPT(configuration: $0) }
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
        let residentAtStart = ProcessMemory.currentResidentBytes
        var calibrationTime = Duration.zero
        var decompositionTimes = Array(repeating: Duration.zero, count: variants.count)
        func timed<T>(_ total: inout Duration, _ body: () throws -> T) rethrows -> T {
            let begin = clock.now
            defer { total += clock.now - begin }
            return try body()
        }

        struct Outcome {
            var model: LlamaModel
            var influences: [Double]?
            var sparsities: [Double]
            var widths: [LayerWidths]
        }
        let (outcomes, tokenCount) = try withoutGradients { () throws -> ([Outcome], Int) in
            var stream = CalibrationStream(model: model, sequences: calibration, batchSize: first.batchSize)
            var influences: [Double]?
            if compressors.contains(where: { if case .blockInfluence = $0.configuration.allocation { true } else { false } }) {
                influences = timed(&calibrationTime) { stream.blockInfluences(of: model) }
            }
            let plans = compressors.map { compressor -> (sparsities: [Double], widths: [LayerWidths]) in
                let sparsities = compressor.layerSparsities(layerCount: source.layerCount, blockInfluences: influences)
                let widths = sparsities.enumerated().map { index, sparsity in
                    LayerWidths(
                        removing: sparsity, of: source.dimensions(ofLayer: index), hiddenSize: source.hiddenSize,
                        modules: compressor.configuration.modules)
                }
                return (sparsities, widths)
            }
            let kinds = compressors.reduce(into: Set<LayerCorrelations.Kind>()) { $0.formUnion($1.neededCorrelations) }

            let dense = model.weights()
            var weights = Array(repeating: dense, count: variants.count)
            var template = source
            if template.layers.isEmpty { template.layers = Array(repeating: LlamaLayerConfiguration(), count: source.layerCount) }
            var targets = Array(repeating: template, count: variants.count)
            for (index, layer) in model.layers.enumerated() {
                defer { progress(index + 1, source.layerCount) }
                let dimensions = source.dimensions(ofLayer: index)
                let changed = plans.indices.filter { plans[$0].widths[index] != LayerWidths(dimensions) }
                guard !changed.isEmpty else {
                    timed(&calibrationTime) { stream.run(layer, advancing: true) }
                    continue
                }
                let statistics = LayerCorrelations(
                    layer: index, kinds: kinds, dimensions: dimensions, hiddenSize: source.hiddenSize)
                timed(&calibrationTime) { stream.run(layer, hook: statistics.hook(), advancing: !sequential) }
                for variant in changed {
                    var layerWeights = LlamaLayerWeights(index: index, weights: dense, configuration: source)
                    try timed(&decompositionTimes[variant]) {
                        try compressors[variant].compressLayer(
                            &layerWeights, widths: plans[variant].widths[index], statistics: statistics,
                            dimensions: dimensions, pairing: source.ropePairing)
                        layerWeights.write(into: &weights[variant])
                    }
                    targets[variant].layers[index] = layerWeights.override
                    if sequential {
                        let compressedLayer = layerWeights.decoderLayer(configuration: source)
                        timed(&calibrationTime) { stream.run(compressedLayer, advancing: true) }
                    }
                }
            }
            let outcomes = try variants.indices.map { variant in
                Outcome(
                    model: try LlamaModel(configuration: targets[variant], weights: weights[variant], naming: .huggingFace),
                    influences: influences, sparsities: plans[variant].sparsities, widths: plans[variant].widths)
            }
            return (outcomes, stream.tokenCount)
        }

        let peak = ProcessMemory.peakResidentBytes
        return zip(compressors, zip(outcomes, decompositionTimes)).map { compressor, pair in
            let (outcome, decompositionTime) = pair
            let configuration = compressor.configuration
            if !model.isTraining { outcome.model.eval() }
            let report = CompressionReport(
                method: "MoDeGPT (\(configuration.modules))", targetCompressionRatio: configuration.compressionRatio,
                parametersBefore: source.parameterCount, parametersAfter: outcome.model.configuration.parameterCount,
                blockParametersBefore: CompressionReport.blockParameterCount(of: source),
                blockParametersAfter: CompressionReport.blockParameterCount(of: outcome.model.configuration),
                layerSparsities: outcome.sparsities, blockInfluences: outcome.influences, layerWidths: outcome.widths,
                calibrationTokenCount: tokenCount, calibrationSeconds: calibrationTime / .seconds(1),
                decompositionSeconds: decompositionTime / .seconds(1),
                compressionSeconds: (calibrationTime + decompositionTime) / .seconds(1),
                peakResidentBytes: peak, residentBytesAtStart: residentAtStart)
            return (outcome.model, report)
        }
    }
}
