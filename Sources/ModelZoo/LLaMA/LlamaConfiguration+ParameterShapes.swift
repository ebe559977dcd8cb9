extension LlamaConfiguration {
    /// Every weight of the model this configuration describes, with its Hugging Face name and
    /// row-major shape, in the order of ``LlamaModel``'s `namedParameters()`.
    ///
    /// Per layer, with the widths of ``dimensions(ofLayer:)``: `q_proj` `[H · dq, |S1|]`,
    /// `k_proj` `[K · dq, |S1|]`, `v_proj` `[K · dv, |S1|]`, `o_proj` `[|S2|, H · dv]`,
    /// `gate_proj`/`up_proj` `[I, |S3|]`, `down_proj` `[|S5|, I]`, and the two norms `[d]`;
    /// then `model.embed_tokens.weight` `[vocab, d]` first, `model.norm.weight` `[d]`, and
    /// `lm_head.weight` `[vocab, d]` when the embeddings are not tied.
    public func parameterShapes() -> [(name: String, shape: [Int])] {
        var result: [(name: String, shape: [Int])] = [("model.embed_tokens.weight", [vocabularySize, hiddenSize])]
        for index in 0..<layerCount {
            let layer = dimensions(ofLayer: index)
            let prefix = "model.layers.\(index)."
            let attentionInput = layer.attentionInputIndices?.count ?? hiddenSize
            let attentionOutput = layer.attentionOutputIndices?.count ?? hiddenSize
            let mlpInput = layer.mlpInputIndices?.count ?? hiddenSize
            let mlpOutput = layer.mlpOutputIndices?.count ?? hiddenSize
            let dq = layer.queryKeyHeadDimension
            let dv = layer.valueHeadDimension
            result += [
                (prefix + "self_attn.q_proj.weight", [layer.headCount * dq, attentionInput]),
                (prefix + "self_attn.k_proj.weight", [layer.keyValueHeadCount * dq, attentionInput]),
                (prefix + "self_attn.v_proj.weight", [layer.keyValueHeadCount * dv, attentionInput]),
                (prefix + "self_attn.o_proj.weight", [attentionOutput, layer.headCount * dv]),
                (prefix + "mlp.gate_proj.weight", [layer.intermediateSize, mlpInput]),
                (prefix + "mlp.up_proj.weight", [layer.intermediateSize, mlpInput]),
                (prefix + "mlp.down_proj.weight", [mlpOutput, layer.intermediateSize]),
                (prefix + "input_layernorm.weight", [hiddenSize]),
                (prefix + "post_attention_layernorm.weight", [hiddenSize]),
            ]
        }
        result.append(("model.norm.weight", [hiddenSize]))
        if !tiedEmbeddings { result.append(("lm_head.weight", [vocabularySize, hiddenSize])) }
        return result
    }

    /// The number of weights of the model (the tied LM head counted once).
    public var parameterCount: Int {
        parameterShapes().reduce(0) { $0 + $1.shape.reduce(1, *) }
    }
}
