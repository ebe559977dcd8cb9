import ModelZoo
import PruningCore

/// The magnitude baseline: structured pruning of query heads and MLP channels by the norm of
/// their weights, with no data and no refit.
///
/// In every layer, with `G = H / K` query heads per key–value head:
/// - each group drops `min(G − 1, round(ratio · G))` query heads, those with the smallest
///   `‖q_proj rows‖² + ‖o_proj columns‖²` (key–value heads are kept, and every group keeps the
///   same number of query heads so that grouped-query attention stays regular);
/// - the MLP drops the channels with the smallest `‖gate row‖² + ‖up row‖² + ‖down column‖²`,
///   as many as needed for the layer to lose ``compressionRatio`` of its block parameters.
///
/// The output is a physically smaller `LlamaModel` (fewer heads and a narrower MLP per layer).
public struct MagnitudePruning: Sendable {
    /// The fraction of block parameters to remove, in `[0, 1)`.
    public var compressionRatio: Double

    /// A baseline removing `compressionRatio` of the block parameters.
    public init(compressionRatio: Double = 0.3) {
        self.compressionRatio = compressionRatio
    }

    /// Prunes `model`.
    ///
    /// - Parameter model: a LLaMA model whose layers read and write the whole residual stream.
    /// - Throws: ``MoDeGPTError/invalidConfiguration(field:reason:)`` or
    ///   ``MoDeGPTError/unsupportedLayer(index:reason:)``.
    public func compress(_ model: LlamaModel) throws -> (LlamaModel, CompressionReport) {
        guard compressionRatio >= 0 && compressionRatio < 1 else {
            throw MoDeGPTError.invalidConfiguration(field: "compressionRatio", reason: "\(compressionRatio) is outside [0, 1)")
        }
        let source = model.configuration
        let clock = ContinuousClock()
        let start = clock.now
        let residentAtStart = ProcessMemory.currentResidentBytes
        var weights = model.weights()
        var target = source
        if target.layers.isEmpty { target.layers = Array(repeating: LlamaLayerConfiguration(), count: source.layerCount) }
        for index in 0..<source.layerCount {
            let dimensions = source.dimensions(ofLayer: index)
            if dimensions.attentionInputIndices != nil || dimensions.attentionOutputIndices != nil
                || dimensions.mlpInputIndices != nil || dimensions.mlpOutputIndices != nil {
                throw MoDeGPTError.unsupportedLayer(index: index, reason: "it reads or writes a subset of the residual stream")
            }
            var layer = LlamaLayerWeights(index: index, weights: weights, configuration: source)
            prune(&layer, dimensions: dimensions, hiddenSize: source.hiddenSize)
            layer.write(into: &weights)
            target.layers[index] = layer.override
        }
        let pruned = try LlamaModel(configuration: target, weights: weights, naming: .huggingFace)
        if !model.isTraining { pruned.eval() }
        let seconds = (clock.now - start) / .seconds(1)
        let report = CompressionReport(
            method: "magnitude structured pruning", targetCompressionRatio: compressionRatio,
            parametersBefore: source.parameterCount, parametersAfter: target.parameterCount,
            blockParametersBefore: CompressionReport.blockParameterCount(of: source),
            blockParametersAfter: CompressionReport.blockParameterCount(of: target),
            layerSparsities: SparsityAllocation.uniform(layerCount: source.layerCount, averageSparsity: compressionRatio),
            blockInfluences: nil, layerWidths: (0..<target.layerCount).map { LayerWidths(target.dimensions(ofLayer: $0)) },
            calibrationTokenCount: 0, calibrationSeconds: 0, decompositionSeconds: seconds, compressionSeconds: seconds,
            peakResidentBytes: ProcessMemory.peakResidentBytes, residentBytesAtStart: residentAtStart)
        return (pruned, report)
    }

    /// Removes the weakest query heads and MLP channels of one layer.
    private func prune(_ layer: inout LlamaLayerWeights, dimensions: LlamaLayerDimensions, hiddenSize d: Int) {
        let (heads, keyValueHeads) = (dimensions.headCount, dimensions.keyValueHeadCount)
        let (dq, dv, width) = (dimensions.queryKeyHeadDimension, dimensions.valueHeadDimension, dimensions.intermediateSize)
        let group = heads / keyValueHeads
        let block = LayerWidths(dimensions).blockParameterCount(headCount: heads, keyValueHeadCount: keyValueHeads, hiddenSize: d)
        let budget = compressionRatio * Double(block)

        let droppedPerGroup = Swift.min(group - 1, Int((compressionRatio * Double(group)).rounded()))
        var removed = 0
        if droppedPerGroup > 0 {
            let queryRows = rowSquaredNorms(layer.query)
            let outputColumns = rowSquaredNorms(layer.output.transposed())
            let scores = (0..<heads).map { h in
                (0..<dq).reduce(0.0) { $0 + queryRows[h * dq + $1] } + (0..<dv).reduce(0.0) { $0 + outputColumns[h * dv + $1] }
            }
            let kept = (0..<keyValueHeads).flatMap { g in
                topIndices(of: Array(scores[(g * group)..<((g + 1) * group)]), count: group - droppedPerGroup).map { g * group + $0 }
            }
            layer.query = layer.query.indexSelect(kept.flatMap { h in (0..<dq).map { h * dq + $0 } }, alongAxis: 0)
            layer.output = layer.output.indexSelect(kept.flatMap { h in (0..<dv).map { h * dv + $0 } }, alongAxis: 1)
            layer.override.headCount = kept.count
            removed = (heads - kept.count) * (dq + dv) * d
        }

        let channels = Swift.min(width - 1, Swift.max(0, Int(((budget - Double(removed)) / Double(3 * d)).rounded())))
        if channels > 0 {
            let gate = rowSquaredNorms(layer.gate)
            let up = rowSquaredNorms(layer.up)
            let down = rowSquaredNorms(layer.down.transposed())
            let kept = topIndices(of: (0..<width).map { gate[$0] + up[$0] + down[$0] }, count: width - channels)
            layer.gate = layer.gate.indexSelect(kept, alongAxis: 0)
            layer.up = layer.up.indexSelect(kept, alongAxis: 0)
            layer.down = layer.down.indexSelect(kept, alongAxis: 1)
            layer.override.intermediateSize = kept.count
        }
    }

    /// The squared Euclidean norm of every row of a matrix, in float64.
    private func rowSquaredNorms(_ matrix: Tensor) -> [Double] {
        let (rows, columns) = (matrix.shape[0], matrix.shape[1])
        return matrix.withUnsafeBufferPointer { p in
            (0..<rows).map { r in
                var sum = 0.0
                for c in 0..<columns { sum += Double(p[r * columns + c]) * Double(p[r * columns + c]) }
                return sum
            }
        }
    }
}
