import ModelZoo
import PruningCore

/// The truncated-SVD baselines: every projection of every block is replaced by two factors of
/// a rank chosen so that the block loses the requested fraction of its parameters.
///
/// - ``Weighting/plain``: the rank-r truncated SVD of each weight matrix (data-free).
/// - ``Weighting/activationAware``: the rank-r approximation minimizing the output error on the
///   calibration activations, `‖(W − Ŵ) C^{1/2}‖_F` with `C` the correlation of the matrix's
///   input (SVD-LLM's truncation-aware whitening, Wang et al., 2024, arXiv 2403.07378; see
///   ``LowRankApproximation``). The correlations come from the dense model, layer by layer.
///
/// A factorized projection cannot be held by `LlamaModel`, whose layers fix each weight's
/// shape by the layer widths, so the output is a ``LowRankLlamaModel``. Every projection of a
/// layer keeps the same fraction `1 − s` of its parameters, with `s` chosen so that the layer
/// (norms included) loses ``compressionRatio`` of its block parameters; a matrix whose
/// factors would not be smaller than itself stays dense.
public struct TruncatedSVDCompression: Sendable {
    /// How the approximation error is measured.
    public enum Weighting: Sendable, Equatable {
        /// The Frobenius error of the weights (plain truncated SVD).
        case plain
        /// The error of the outputs on the calibration inputs (whitened SVD).
        case activationAware
    }

    /// The fraction of block parameters to remove, in `[0, 1)`.
    public var compressionRatio: Double
    /// Plain or activation-aware.
    public var weighting: Weighting
    /// Calibration sequences per forward pass.
    public var batchSize: Int

    /// A baseline removing `compressionRatio` of the block parameters.
    public init(compressionRatio: Double = 0.3, weighting: Weighting = .activationAware, batchSize: Int = 4) {
        self.compressionRatio = compressionRatio
        self.weighting = weighting
        self.batchSize = batchSize
    }

    /// Factorizes every block projection of `model`.
    ///
    /// - Parameters:
    ///   - model: a LLaMA model with dense rotary pairs and full residual streams in every layer.
    ///   - calibration: token sequences of one length (unused by ``Weighting/plain`` beyond
    ///     validation).
    /// - Throws: ``MoDeGPTError``.
    public func compress(_ model: LlamaModel, calibration: [[Int]]) throws -> (LowRankLlamaModel, CompressionReport) {
        try Self.compress(model, calibration: calibration, variants: [self])[0]
    }

    /// Factorizes `model` once per entry of `variants` (for example several compression
    /// ratios) from one calibration pass; each report gives the shared calibration time plus
    /// the variant's own decomposition time.
    ///
    /// - Parameters:
    ///   - model: a LLaMA model with dense rotary pairs and full residual streams in every layer.
    ///   - calibration: token sequences of one length.
    ///   - variants: one or more baselines with the same ``weighting`` and ``batchSize``.
    /// - Returns: the factorized models and their reports, in the order of `variants`.
    /// - Throws: ``MoDeGPTError``.
    public static func compress(
        _ model: LlamaModel, calibration: [[Int]], variants: [TruncatedSVDCompression]
    ) throws -> [(LowRankLlamaModel, CompressionReport)] {
        guard let first = variants.first else {
            throw MoDeGPTError.invalidConfiguration(field: "variants", reason: "no configuration given")
        }
        for variant in variants {
            guard variant.compressionRatio >= 0 && variant.compressionRatio < 1 else {
                throw MoDeGPTError.invalidConfiguration(
                    field: "compressionRatio", reason: "\(variant.compressionRatio) is outside [0, 1)")
            }
            guard variant.batchSize > 0 else {
                throw MoDeGPTError.invalidConfiguration(field: "batchSize", reason: "\(variant.batchSize) must be positive")
            }
            guard variant.weighting == first.weighting, variant.batchSize == first.batchSize else {
                throw MoDeGPTError.invalidConfiguration(
                    field: "variants", reason: "the variants of one pass must share weighting and batch size")
            }
        }
        let source = model.configuration
        try CalibrationSequences.validate(calibration, for: source)
        try Self.requireFullRotaryAndResidual(source)

        let clock = ContinuousClock()
        let residentAtStart = ProcessMemory.currentResidentBytes
        var calibrationTime = Duration.zero
        var decompositionTimes = Array(repeating: Duration.zero, count: variants.count)
        let aware = first.weighting == .activationAware
        let (layers, tokenCount) = try withoutGradients { () throws -> ([[LowRankLlamaLayer]], Int) in
            var stream: CalibrationStream? = aware
                ? CalibrationStream(model: model, sequences: calibration, batchSize: first.batchSize) : nil
            var layers = Array(repeating: [LowRankLlamaLayer](), count: variants.count)
            for (index, layer) in model.layers.enumerated() {
                var correlations: LayerCorrelations?
                if stream != nil {
                    let statistics = LayerCorrelations(
                        layer: index, kinds: [.attentionInput, .attentionOutput, .mlpInput, .mlpIntermediate],
                        dimensions: source.dimensions(ofLayer: index), hiddenSize: source.hiddenSize)
                    let begin = clock.now
                    stream!.run(layer, hook: statistics.hook(), advancing: true)
                    calibrationTime += clock.now - begin
                    correlations = statistics
                }
                var spectra = LayerSpectra()
                for (variant, compressor) in variants.enumerated() {
                    let begin = clock.now
                    layers[variant].append(
                        try compressor.factorize(layer, correlations: correlations, spectra: &spectra, hiddenSize: source.hiddenSize))
                    decompositionTimes[variant] += clock.now - begin
                }
            }
            return (layers, stream?.tokenCount ?? 0)
        }
        let peak = ProcessMemory.peakResidentBytes
        return zip(variants, zip(layers, decompositionTimes)).map { compressor, pair in
            let (layers, decompositionTime) = pair
            let compressed = LowRankLlamaModel(source: model, layers: layers)
            let report = CompressionReport(
                method: compressor.weighting == .plain ? "truncated SVD" : "activation-aware truncated SVD",
                targetCompressionRatio: compressor.compressionRatio, parametersBefore: source.parameterCount,
                parametersAfter: compressed.parameterCount,
                blockParametersBefore: CompressionReport.blockParameterCount(of: source),
                blockParametersAfter: compressed.blockParameterCount,
                layerSparsities: SparsityAllocation.uniform(
                    layerCount: source.layerCount, averageSparsity: compressor.compressionRatio),
                blockInfluences: nil, layerWidths: nil, calibrationTokenCount: tokenCount,
                calibrationSeconds: calibrationTime / .seconds(1), decompositionSeconds: decompositionTime / .seconds(1),
                compressionSeconds: (calibrationTime + decompositionTime) / .seconds(1), peakResidentBytes: peak,
                residentBytesAtStart: residentAtStart)
            return (compressed, report)
        }
    }

    /// Throws for a layer with pruned rotary pairs or residual index lists.
    static func requireFullRotaryAndResidual(_ configuration: LlamaConfiguration) throws(MoDeGPTError) {
        for index in 0..<configuration.layerCount {
            let dimensions = configuration.dimensions(ofLayer: index)
            if dimensions.rotaryPairs.contains(where: { $0 != Array(0..<configuration.rotaryPairCount) }) {
                throw .unsupportedLayer(index: index, reason: "its rotary pairs are pruned")
            }
            if dimensions.attentionInputIndices != nil || dimensions.attentionOutputIndices != nil
                || dimensions.mlpInputIndices != nil || dimensions.mlpOutputIndices != nil {
                throw .unsupportedLayer(index: index, reason: "it reads or writes a subset of the residual stream")
            }
        }
    }

    /// The factorized block of `layer`.
    private func factorize(
        _ layer: LlamaDecoderLayer, correlations: LayerCorrelations?,
        spectra: inout LayerSpectra, hiddenSize: Int
    ) throws(MoDeGPTError) -> LowRankLlamaLayer {
        let attention = layer.attention
        let mlp = layer.mlp
        let projections: [(Linear, LayerCorrelations.Kind)] = [
            (attention.queryProjection, .attentionInput), (attention.keyProjection, .attentionInput),
            (attention.valueProjection, .attentionInput), (attention.outputProjection, .attentionOutput),
            (mlp.gateProjection, .mlpInput), (mlp.upProjection, .mlpInput), (mlp.downProjection, .mlpIntermediate),
        ]
        let projectionCount = projections.reduce(0) { $0 + $1.0.weight.value.count }
        let block = projectionCount + 2 * hiddenSize
        let keep = 1 - Swift.min(1, compressionRatio * Double(block) / Double(projectionCount))
        var factorized: [LowRankLinear] = []
        for (index, (linear, kind)) in projections.enumerated() {
            let weight = linear.weight.value
            guard compressionRatio > 0,
                  let rank = LowRankApproximation.rank(keeping: keep, rows: weight.shape[0], columns: weight.shape[1])
            else {
                factorized.append(LowRankLinear(weight: weight))
                continue
            }
            let dense = Matrix64(weight)
            do {
                if spectra.leftSingularVectors[index] == nil {
                    var root: Matrix64?
                    if let correlations {
                        if spectra.roots[kind] == nil {
                            spectra.roots[kind] = try LinearAlgebra.symmetricSquareRoot(correlations.mean(kind)[0])
                        }
                        root = spectra.roots[kind]
                    }
                    spectra.leftSingularVectors[index] = try LowRankApproximation.spectrum(
                        of: dense, correlationRoot: root).leftSingularVectors
                }
            } catch {
                throw .decompositionFailed(layer: layer.index, module: "truncated SVD", underlying: error)
            }
            let (b, a) = LowRankApproximation.factors(
                of: dense, leftSingularVectors: spectra.leftSingularVectors[index]!, rank: rank)
            factorized.append(LowRankLinear(outputFactor: Tensor(b), inputFactor: Tensor(a)))
        }
        func norm(_ source: RMSNorm) -> RMSNorm {
            let copy = RMSNorm(featureCount: source.featureCount, epsilon: source.epsilon)
            copy.weight.value = source.weight.value
            return copy
        }
        return LowRankLlamaLayer(
            query: factorized[0], key: factorized[1], value: factorized[2], output: factorized[3], gate: factorized[4],
            up: factorized[5], down: factorized[6], inputNorm: norm(layer.inputNorm),
            postAttentionNorm: norm(layer.postAttentionNorm), headCount: attention.headCount,
            keyValueHeadCount: attention.keyValueHeadCount)
    }
}

/// The rank-independent factorizations of one layer, shared by every variant of a sweep: the
/// square root of each input correlation and the left singular vectors of each (whitened)
/// projection.
struct LayerSpectra {
    /// `C^{1/2}` by correlation kind.
    var roots: [LayerCorrelations.Kind: Matrix64] = [:]
    /// The left singular vectors by projection index (q, k, v, o, gate, up, down).
    var leftSingularVectors: [Int: Matrix64] = [:]
}
