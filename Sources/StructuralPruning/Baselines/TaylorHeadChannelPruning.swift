import Foundation
import ModelZoo
import PruningCore

/// LLM-Pruner-style block-wise structural pruning (Ma, Fang and Wang, 2023, "LLM-Pruner: On the
/// Structural Pruning of Large Language Models", arXiv 2305.11627): inside a range of middle
/// layers, whole attention heads and MLP neurons are removed by first-order Taylor importance
/// of their weights on calibration text, the same fraction in every pruned layer, without
/// recovery training.
///
/// A structure's importance is computed from the gradient `g` of the calibration loss with
/// respect to its weights `w` (the rows and columns that form it: a query head's `q_proj` rows
/// and `o_proj` columns; an MLP neuron's `gate_proj`/`up_proj` rows and `down_proj` column):
/// ``Importance/elementwise`` `Σ_k |w_k g_k|` (LLM-Pruner's `param_first`, its default) or
/// ``Importance/vectorized`` `|Σ_k w_k g_k|`. Under grouped-query attention a key–value head is
/// shared by several query heads; like LLM-Pruner's GQA support this keeps the key–value heads
/// and removes query heads, the same number from every group (the layout requires equal groups).
///
/// The budget is met by the MLP width: each pruned layer keeps `max(1, round(g·(1 − ρ)))` query
/// heads per group and the MLP width that brings the block parameters to `p` of the dense
/// count, where ρ is the common ratio solved for.
public struct TaylorHeadChannelPruning: Sendable {
    /// How weight-gradient products are combined within a structure.
    public enum Importance: String, Sendable, CaseIterable, Codable {
        /// `Σ |w · g|` (LLM-Pruner's `param_first`).
        case elementwise
        /// `|Σ w · g|` (LLM-Pruner's `vectorize`).
        case vectorized
    }

    /// The fraction of block parameters to keep.
    public let keptFraction: Double
    /// The first pruned layer (LLM-Pruner on LLaMA-7B: 4 of 32).
    public let firstLayer: Int
    /// The number of last layers left whole (LLM-Pruner on LLaMA-7B: 2).
    public let protectedLastLayers: Int
    /// The importance.
    public let importance: Importance

    /// A pruner.
    ///
    /// - Throws: ``StructuralPruningError/budgetOutOfRange(field:value:)`` outside (0, 1);
    ///   ``StructuralPruningError/invalidSetting(field:value:expected:)`` for negative layer
    ///   bounds.
    public init(
        keptFraction: Double, firstLayer: Int = 4, protectedLastLayers: Int = 2, importance: Importance = .elementwise
    ) throws(StructuralPruningError) {
        guard keptFraction > 0, keptFraction < 1 else { throw .budgetOutOfRange(field: "keptFraction", value: keptFraction) }
        guard firstLayer >= 0 else { throw .invalidSetting(field: "firstLayer", value: Double(firstLayer), expected: "≥ 0") }
        guard protectedLastLayers >= 0 else {
            throw .invalidSetting(field: "protectedLastLayers", value: Double(protectedLastLayers), expected: "≥ 0")
        }
        self.keptFraction = keptFraction
        self.firstLayer = firstLayer
        self.protectedLastLayers = protectedLastLayers
        self.importance = importance
    }

    /// Per layer, the importance of every query head and every MLP neuron.
    public static func importances(
        of model: LlamaModel, calibration: [[Int]], importance: Importance
    ) throws(StructuralPruningError) -> [(heads: [Double], neurons: [Double])] {
        try LlamaCalibration.validate(calibration)
        let configuration = model.configuration
        let projections = model.layers.map { layer in
            [layer.attention.queryProjection, layer.attention.outputProjection,
             layer.mlp.gateProjection, layer.mlp.upProjection, layer.mlp.downProjection]
        }
        let parameters = projections.flatMap { $0.map(\.weight) }
        var total = Gradients()
        for window in calibration {
            let (_, gradients) = valueAndGradient(of: parameters) {
                let logits = model.logits(for: [Array(window.dropLast())])
                return crossEntropy(logits: logits.reshaped(to: [window.count - 1, logits.shape[2]]), labels: Array(window.dropFirst()))
            }
            total.accumulate(gradients)
        }
        let dq = configuration.headDimension
        return projections.map { layer in
            let products = layer.map { projection -> [Float] in
                let w = projection.weight.value.scalars, g = total[projection.weight]!.scalars
                return zip(w, g).map { importance == .elementwise ? Swift.abs($0 * $1) : $0 * $1 }
            }
            func rows(_ values: [Float], _ columns: Int, _ rowRange: Range<Int>) -> Double {
                rowRange.reduce(0.0) { sum, r in sum + (0..<columns).reduce(0.0) { $0 + Double(values[r * columns + $1]) } }
            }
            func column(_ values: [Float], _ columns: Int, _ c: Int) -> Double {
                stride(from: c, to: values.count, by: columns).reduce(0.0) { $0 + Double(values[$1]) }
            }
            let d = layer[0].inputCount
            let heads = (0..<configuration.headCount).map { h -> Double in
                let q = rows(products[0], d, (h * dq)..<((h + 1) * dq))
                let o = (h * dq..<(h + 1) * dq).reduce(0.0) { $0 + column(products[1], layer[1].inputCount, $1) }
                return importance == .elementwise ? q + o : Swift.abs(q + o)
            }
            let neurons = (0..<layer[2].outputCount).map { n -> Double in
                let total = rows(products[2], d, n..<(n + 1)) + rows(products[3], d, n..<(n + 1))
                    + column(products[4], layer[4].inputCount, n)
                return importance == .elementwise ? total : Swift.abs(total)
            }
            return (heads, neurons)
        }
    }

    /// The pruned model.
    ///
    /// - Throws: ``StructuralPruningError/modelAlreadyPruned(layer:field:)`` for a model with
    ///   overrides; ``StructuralPruningError/textTooShort(field:tokens:needed:)`` for unusable
    ///   calibration; ``StructuralPruningError/invalidSetting(field:value:expected:)`` when the
    ///   layer range is empty or the budget cannot be met inside it.
    public func prune(_ model: LlamaModel, calibration: [[Int]]) throws(StructuralPruningError) -> LlamaPruningResult {
        let start = ContinuousClock.now
        let configuration = model.configuration
        _ = try LlamaBlockGates(configuration: configuration)
        let pruned = Array(firstLayer..<max(firstLayer, configuration.layerCount - protectedLastLayers))
        guard !pruned.isEmpty else {
            throw .invalidSetting(field: "firstLayer", value: Double(firstLayer), expected: "a layer range that leaves layers to prune")
        }
        let scores = try Self.importances(of: model, calibration: calibration, importance: importance)
        let d = configuration.hiddenSize, ff = configuration.intermediateSize
        let (heads, groups) = (configuration.headCount, configuration.keyValueHeadCount)
        let perGroup = heads / groups
        let dq = configuration.headDimension
        let keyValue = groups * dq
        let layerFull = d * (2 * heads * dq + 2 * keyValue) + 3 * d * ff
        let full = layerFull * configuration.layerCount
        let target = keptFraction * Double(full)
        let fixed = Double(layerFull * (configuration.layerCount - pruned.count))
        // Bisect the common ratio ρ: heads per group from ρ, then the MLP width that meets the budget.
        func plan(_ rho: Double) -> (headsPerGroup: Int, width: Int) {
            let kept = max(1, Int((Double(perGroup) * (1 - rho)).rounded()))
            let attention = d * (2 * groups * kept * dq + 2 * keyValue)
            let perLayer = (target - fixed) / Double(pruned.count)
            let width = Int(((perLayer - Double(attention)) / Double(3 * d)).rounded())
            return (kept, width)
        }
        var low = 0.0, high = 1.0
        for _ in 0..<50 {
            let middle = (low + high) / 2
            let (_, width) = plan(middle)
            if Double(width) / Double(ff) > 1 - middle { high = middle } else { low = middle }
        }
        let (keptHeads, width) = plan((low + high) / 2)
        guard width >= 1, width <= ff else {
            throw .invalidSetting(field: "keptFraction", value: keptFraction, expected: "a budget reachable inside layers \(pruned.first!)..<\(pruned.last! + 1)")
        }
        var selections = Array(repeating: LlamaLayerSelection(), count: configuration.layerCount)
        for layer in pruned {
            let (headScores, neuronScores) = scores[layer]
            var keptQuery: [Int] = []
            for g in 0..<groups {
                let members = Array((g * perGroup)..<((g + 1) * perGroup))
                keptQuery += members.sorted { headScores[$0] > headScores[$1] }.prefix(keptHeads)
            }
            let neurons = neuronScores.indices.sorted { neuronScores[$0] > neuronScores[$1] }.prefix(width).sorted()
            selections[layer] = LlamaLayerSelection(
                intermediateIndices: width == ff ? nil : Array(neurons),
                queryHeads: keptHeads == perGroup ? nil : keptQuery.sorted())
        }
        let result = model.selecting(selections)
        if !model.isTraining { result.eval() }
        return LlamaPruningResult(
            model: result, denseBlockParameters: full, keptBlockParameters: LlamaMaskExport.blockParameterCount(of: result),
            seconds: (ContinuousClock.now - start) / .seconds(1))
    }
}
