import PruningCore

extension LlamaModel {
    /// One empty key–value cache per layer, for incremental decoding.
    public func makeCaches() -> [KeyValueCache] {
        (0..<layers.count).map { _ in KeyValueCache() }
    }

    /// The token embeddings of `tokens` (rows of equal length), `[batch, length, hidden]`.
    ///
    /// - Precondition: the rows have equal length and every id is in `0..<vocabularySize`.
    public func embeddings(for tokens: [[Int]]) -> Tensor {
        let length = tokens.first?.count ?? 0
        precondition(
            tokens.allSatisfy { $0.count == length },
            "LlamaModel: token rows have different lengths \(tokens.map(\.count)); pad them to one length")
        return embedding(tokens.flatMap { $0 }, shape: [tokens.count, length])
    }

    /// The final hidden states (after `model.norm`, before the LM head) for `embeddings`
    /// `[batch, length, hidden]` — token embeddings or any other vectors, such as soft prompts.
    ///
    /// - Parameters:
    ///   - embeddings: `[batch, length, hidden]`.
    ///   - caches: one cache per layer (``makeCaches()``); positions then start at the cached
    ///     length, and the new keys and values are appended.
    ///   - mask: an optional extra attention mask broadcastable to `[batch, heads, length,
    ///     keyLength]`, for example `AttentionMask/keyPadding(validLengths:keyLength:)`; the
    ///     causal mask is always applied.
    ///   - hook: observes or replaces block intermediates (``LlamaActivationHook``).
    /// - Returns: `[batch, length, hidden]`.
    public func hiddenStates(
        embeddings: Tensor, caches: [KeyValueCache]? = nil, mask: AttentionMask? = nil,
        hook: LlamaActivationHook? = nil
    ) -> Tensor {
        finalNorm(runLayers(embeddings, caches: caches, mask: mask, hook: hook, through: layers.count - 1))
    }

    /// The final hidden states for `tokens` (rows of equal length), `[batch, length, hidden]`;
    /// see ``hiddenStates(embeddings:caches:mask:hook:)``.
    public func hiddenStates(
        for tokens: [[Int]], caches: [KeyValueCache]? = nil, mask: AttentionMask? = nil,
        hook: LlamaActivationHook? = nil
    ) -> Tensor {
        hiddenStates(embeddings: embeddings(for: tokens), caches: caches, mask: mask, hook: hook)
    }

    /// The LM head applied to hidden states `[..., hidden]`, giving `[..., vocab]` (the tied
    /// embedding matrix or `lm_head`).
    public func logits(fromHiddenStates hidden: Tensor) -> Tensor {
        if let languageModelHead { return languageModelHead(hidden) }
        return hidden.matmul(embedding.weight.value, transposingOther: true)
    }

    /// Next-token logits `[batch, length, vocab]` for `tokens` (rows of equal length): entry
    /// `[b, t]` scores the token after `tokens[b][t]`.
    ///
    /// - Parameters: as ``hiddenStates(embeddings:caches:mask:hook:)``.
    public func logits(
        for tokens: [[Int]], caches: [KeyValueCache]? = nil, mask: AttentionMask? = nil,
        hook: LlamaActivationHook? = nil
    ) -> Tensor {
        logits(fromHiddenStates: hiddenStates(for: tokens, caches: caches, mask: mask, hook: hook))
    }

    /// Next-token logits `[1, length, vocab]` for one sequence.
    public func logits(for tokens: [Int], caches: [KeyValueCache]? = nil, hook: LlamaActivationHook? = nil) -> Tensor {
        logits(for: [tokens], caches: caches, hook: hook)
    }

    /// Next-token logits `[batch, length, vocab]` for input vectors `[batch, length, hidden]`
    /// (soft prompts concatenated with token embeddings, for example); gradients flow to
    /// `embeddings`.
    public func logits(
        embeddings: Tensor, caches: [KeyValueCache]? = nil, mask: AttentionMask? = nil,
        hook: LlamaActivationHook? = nil
    ) -> Tensor {
        logits(fromHiddenStates: hiddenStates(embeddings: embeddings, caches: caches, mask: mask, hook: hook))
    }

    /// Logits `[batch, length, vocab]` together with the intermediates `kinds` of `layers`
    /// (nil: all), one record per layer in layer order (empty for layers not captured).
    public func logits(
        for tokens: [[Int]], capturing kinds: Set<LlamaActivationKind>, layers selected: Set<Int>? = nil,
        mask: AttentionMask? = nil
    ) -> (logits: Tensor, activations: [LlamaLayerActivations]) {
        var records = (0..<layers.count).map { LlamaLayerActivations(layer: $0) }
        let hook = LlamaActivationHook(kinds: kinds, layers: selected) { layer, kind, x in
            records[layer].tensors[kind] = x
            return nil
        }
        let result = logits(for: tokens, mask: mask, hook: hook)
        return (result, records)
    }

    /// The intermediates `kinds` of `layers` (nil: all) for `tokens`, one record per layer in
    /// layer order (empty for layers not captured). Runs the blocks only up to the last selected
    /// layer and skips the LM head, which makes it the cheap call for calibration statistics.
    public func activations(
        for tokens: [[Int]], capturing kinds: Set<LlamaActivationKind>, layers selected: Set<Int>? = nil,
        mask: AttentionMask? = nil
    ) -> [LlamaLayerActivations] {
        activations(embeddings: embeddings(for: tokens), capturing: kinds, layers: selected, mask: mask)
    }

    /// The intermediates `kinds` of `layers` (nil: all) for input vectors `[batch, length,
    /// hidden]`; see ``activations(for:capturing:layers:mask:)``.
    public func activations(
        embeddings: Tensor, capturing kinds: Set<LlamaActivationKind>, layers selected: Set<Int>? = nil,
        mask: AttentionMask? = nil
    ) -> [LlamaLayerActivations] {
        var records = (0..<layers.count).map { LlamaLayerActivations(layer: $0) }
        let hook = LlamaActivationHook(kinds: kinds, layers: selected) { layer, kind, x in
            records[layer].tensors[kind] = x
            return nil
        }
        let last = selected?.max() ?? layers.count - 1
        if last >= 0 {
            _ = runLayers(embeddings, caches: nil, mask: mask, hook: hook, through: last)
        }
        return records
    }

    /// The residual stream after blocks `0 ... last`.
    func runLayers(
        _ embeddings: Tensor, caches: [KeyValueCache]?, mask: AttentionMask?, hook: LlamaActivationHook?, through last: Int
    ) -> Tensor {
        precondition(
            embeddings.rank == 3 && embeddings.shape[2] == configuration.hiddenSize,
            "LlamaModel: input \(embeddings.shape) must be [batch, length, \(configuration.hiddenSize)]")
        if let caches {
            precondition(caches.count == layers.count, "LlamaModel: \(caches.count) caches for \(layers.count) layers")
        }
        precondition(last < layers.count, "LlamaModel: layer \(last) is outside 0..<\(layers.count)")
        var h = embeddings
        for layer in layers.prefix(last + 1) {
            h = layer(h, cache: caches?[layer.index], mask: mask, hook: hook)
        }
        return h
    }
}
