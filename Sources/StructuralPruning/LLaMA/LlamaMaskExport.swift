import ModelZoo
import PruningCore

/// Turns hard DISP-LLM masks into a physically smaller `LlamaModel`: each mask becomes the
/// list of kept indices (in increasing order), and the model is rebuilt with per-block index
/// lists (`LlamaLayerConfiguration`: S1–S3 and S5 as residual index lists, S4 as the MLP
/// width) and sliced dense weights. The exported model runs `index_select` / `index_add` on the
/// full-width residual stream and computes what the dense model computes under the same hard
/// masks; it saves and reloads with `LlamaModel/save(toDirectory:)` and
/// `LlamaModel/load(from:)`.
public enum LlamaMaskExport {
    /// The kept indices of every structure of every block.
    ///
    /// - Throws: ``StructuralPruningError/maskShapeMismatch(gate:expected:actual:)`` for masks
    ///   that do not fit the gates; ``StructuralPruningError/emptyStructure(gate:)`` for a mask
    ///   that keeps nothing.
    public static func selections(
        masks: [Tensor], gates blockGates: LlamaBlockGates
    ) throws(StructuralPruningError) -> [LlamaLayerSelection] {
        try blockGates.gates.validate(masks)
        var result: [LlamaLayerSelection] = []
        for layer in 0..<blockGates.configuration.layerCount {
            var kept: [[Int]] = []
            for structure in LlamaBlockStructure.allCases {
                let index = blockGates.gateIndex(layer: layer, structure)
                let indices = GateSet.keptIndices(masks[index])
                guard !indices.isEmpty else { throw .emptyStructure(gate: blockGates.gates.gates[index].name) }
                kept.append(indices)
            }
            let dense = blockGates.configuration.hiddenSize
            func list(_ indices: [Int], full: Int) -> [Int]? { indices.count == full ? nil : indices }
            result.append(LlamaLayerSelection(
                intermediateIndices: list(kept[3], full: blockGates.configuration.intermediateSize),
                attentionInputIndices: list(kept[0], full: dense), attentionOutputIndices: list(kept[1], full: dense),
                mlpInputIndices: list(kept[2], full: dense), mlpOutputIndices: list(kept[4], full: dense)))
        }
        return result
    }

    /// The physically pruned model for hard `masks` over the dense `model`.
    ///
    /// - Throws: as ``selections(masks:gates:)``, and
    ///   ``StructuralPruningError/modelAlreadyPruned(layer:field:)`` when `model` is not dense.
    public static func prunedModel(_ model: LlamaModel, masks: [Tensor]) throws(StructuralPruningError) -> LlamaModel {
        let gates = try LlamaBlockGates(configuration: model.configuration)
        let pruned = model.selecting(try selections(masks: masks, gates: gates))
        pruned.isTraining = model.isTraining
        if !model.isTraining { pruned.eval() }
        return pruned
    }

    /// The decoder-block parameters of `model` counted from its weight tensors: the seven
    /// projection matrices of every block (norms, embeddings and the LM head excluded) — the
    /// quantity DISP-LLM's budget is a fraction of.
    public static func blockParameterCount(of model: LlamaModel) -> Int {
        model.layers.reduce(0) { total, layer in
            let projections = [
                layer.attention.queryProjection, layer.attention.keyProjection, layer.attention.valueProjection,
                layer.attention.outputProjection, layer.mlp.gateProjection, layer.mlp.upProjection, layer.mlp.downProjection,
            ]
            return total + projections.reduce(0) { $0 + $1.weight.value.count }
        }
    }
}
