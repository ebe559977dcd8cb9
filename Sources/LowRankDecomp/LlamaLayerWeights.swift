import ModelZoo
import PruningCore

/// The weights of one LLaMA decoder layer in the model's `[out, in]` layout, with the layer
/// override that describes their widths; a compression method edits them and writes them back
/// into a Hugging Face-named weight dictionary, or builds a runnable block from them.
struct LlamaLayerWeights {
    /// The layer index.
    let index: Int
    var query: Tensor
    var key: Tensor
    var value: Tensor
    var output: Tensor
    var gate: Tensor
    var up: Tensor
    var down: Tensor
    var inputNorm: Tensor
    var postAttentionNorm: Tensor
    /// The layer's override, updated with every width change.
    var override: LlamaLayerConfiguration

    /// The tensors by Hugging Face name (relative to the layer, without `.weight`).
    private var named: [(String, Tensor)] {
        [("self_attn.q_proj", query), ("self_attn.k_proj", key), ("self_attn.v_proj", value),
         ("self_attn.o_proj", output), ("mlp.gate_proj", gate), ("mlp.up_proj", up), ("mlp.down_proj", down),
         ("input_layernorm", inputNorm), ("post_attention_layernorm", postAttentionNorm)]
    }

    /// Layer `index` of `weights` (Hugging Face names, as ``LlamaModel/weights()`` gives).
    init(index: Int, weights: [String: Tensor], configuration: LlamaConfiguration) {
        func tensor(_ name: String) -> Tensor {
            guard let value = weights["model.layers.\(index).\(name).weight"] else {
                preconditionFailure("LlamaLayerWeights: layer \(index) has no \(name) weight")
            }
            return value
        }
        self.index = index
        query = tensor("self_attn.q_proj")
        key = tensor("self_attn.k_proj")
        value = tensor("self_attn.v_proj")
        output = tensor("self_attn.o_proj")
        gate = tensor("mlp.gate_proj")
        up = tensor("mlp.up_proj")
        down = tensor("mlp.down_proj")
        inputNorm = tensor("input_layernorm")
        postAttentionNorm = tensor("post_attention_layernorm")
        override = configuration.layers.isEmpty ? LlamaLayerConfiguration() : configuration.layers[index]
    }

    /// Writes the tensors into `weights` under their Hugging Face names.
    func write(into weights: inout [String: Tensor]) {
        for (name, tensor) in named { weights["model.layers.\(index).\(name).weight"] = tensor }
    }

    /// A runnable decoder block holding these weights, with the rotary tables of `configuration`
    /// gathered for the kept pairs recorded in ``override``.
    func decoderLayer(configuration: LlamaConfiguration) -> LlamaDecoderLayer {
        var layered = configuration
        if layered.layers.isEmpty {
            layered.layers = Array(repeating: LlamaLayerConfiguration(), count: configuration.layerCount)
        }
        layered.layers[index] = override
        let dimensions = layered.dimensions(ofLayer: index)
        let full = RotaryEmbedding(
            frequencies: configuration.rotaryFrequencies, maxPositions: configuration.maxPositions,
            pairing: configuration.ropePairing.rotaryPairing)
        let rotaries = dimensions.sharesRotaryPairs
            ? [full.keepingPairs(dimensions.rotaryPairs[0])]
            : dimensions.rotaryPairs.map { full.keepingPairs($0) }
        let attention = LlamaAttention(
            query: query, key: key, value: value, output: output, headCount: dimensions.headCount,
            keyValueHeadCount: dimensions.keyValueHeadCount, rotaries: rotaries, scale: configuration.attentionScale)
        func norm(_ weight: Tensor) -> RMSNorm {
            let norm = RMSNorm(featureCount: configuration.hiddenSize, epsilon: configuration.rmsNormEpsilon)
            norm.weight.value = weight
            return norm
        }
        return LlamaDecoderLayer(
            index: index, attention: attention, mlp: LlamaMLP(gate: gate, up: up, down: down),
            inputNorm: norm(inputNorm), postAttentionNorm: norm(postAttentionNorm))
    }
}
