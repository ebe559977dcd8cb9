import ModelZoo
import PruningCore

/// DISP-LLM's gates for a dense LLaMA model: five per block (``LlamaBlockStructure``), named
/// `layers.<l>.s1` … `layers.<l>.s5`, in block order — the order the hypernetwork's GRU reads
/// them.
///
/// ``hook(masks:)`` applies masks inside the frozen model exactly where the official training
/// model multiplies them (`modeling_llama_pruning.py`): S1 on the normed attention input, S2 on
/// the o_proj output, S3 on the normed MLP input, S4 on `silu(gate_proj(x))` and on `up_proj(x)`
/// separately (so a soft S4 acts squared on their product), S5 on the down_proj output. The
/// residual stream, the norms, the embeddings and the LM head are never masked.
public struct LlamaBlockGates: Sendable {
    /// The model's configuration (dense).
    public let configuration: LlamaConfiguration
    /// The gates, `5 · layerCount` of them.
    public let gates: GateSet

    /// The gates for a dense model of `configuration`.
    ///
    /// - Throws: ``StructuralPruningError/modelAlreadyPruned(layer:field:)`` when a layer
    ///   already has overrides (index lists, pruned widths or heads).
    public init(configuration: LlamaConfiguration) throws(StructuralPruningError) {
        for (index, layer) in configuration.layers.enumerated() where layer != LlamaLayerConfiguration() {
            let field = layer.attentionInputIndices != nil || layer.attentionOutputIndices != nil
                || layer.mlpInputIndices != nil || layer.mlpOutputIndices != nil
                ? "residual index lists" : "pruned widths or heads"
            throw .modelAlreadyPruned(layer: index, field: field)
        }
        self.configuration = configuration
        var list: [GateSet.Gate] = []
        for layer in 0..<configuration.layerCount {
            for structure in LlamaBlockStructure.allCases {
                let width = structure == .mlpIntermediate ? configuration.intermediateSize : configuration.hiddenSize
                list.append(GateSet.Gate(name: "layers.\(layer).\(structure.shortName)", width: width))
            }
        }
        gates = try GateSet(list)
    }

    /// The position of `structure` of block `layer` in the gate set.
    public func gateIndex(layer: Int, _ structure: LlamaBlockStructure) -> Int {
        layer * LlamaBlockStructure.allCases.count + structure.rawValue
    }

    /// A hook that multiplies the activations of a forward pass by `masks` (one per gate, soft
    /// or hard); gradients flow into the masks.
    ///
    /// - Precondition: `masks` fits ``gates``.
    public func hook(masks: [Tensor]) -> LlamaActivationHook {
        precondition(masks.count == gates.count, "LlamaBlockGates.hook: \(masks.count) masks for \(gates.count) gates")
        let stride = LlamaBlockStructure.allCases.count
        return LlamaActivationHook(kinds: [.attentionInput, .attentionProjection, .mlpInput, .gateActivation, .upProjection, .mlpOutput]) {
            layer, kind, x in
            let structure: LlamaBlockStructure = switch kind {
            case .attentionInput: .attentionInput
            case .attentionProjection: .attentionOutput
            case .mlpInput: .mlpInput
            case .gateActivation, .upProjection: .mlpIntermediate
            default: .mlpOutput
            }
            return x * masks[layer * stride + structure.rawValue]
        }
    }
}
