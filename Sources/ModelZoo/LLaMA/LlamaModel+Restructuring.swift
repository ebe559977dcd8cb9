import PruningCore

extension LlamaModel {
    /// A physically smaller model keeping, in every layer, the structures `selections` names
    /// (see ``LlamaLayerSelection``); the configuration records the new widths, kept rotary
    /// frequencies and residual index sets. Weights are sliced, not retrained.
    ///
    /// Keeping everything in order gives a model that computes exactly what this one does.
    ///
    /// - Parameter selections: one selection per layer.
    /// - Precondition: every index is inside the layer's current width and appears once; per-head
    ///   lists number 1 or the layer's key–value heads and have equal, non-zero lengths.
    public func selecting(_ selections: [LlamaLayerSelection]) -> LlamaModel {
        precondition(
            selections.count == layers.count,
            "LlamaModel.selecting: \(selections.count) selections for \(layers.count) layers")
        var configuration = self.configuration
        if configuration.layers.isEmpty {
            configuration.layers = Array(repeating: LlamaLayerConfiguration(), count: layers.count)
        }
        var weights = self.weights()
        for (index, selection) in selections.enumerated() {
            configuration.layers[index] = select(
                selection, inLayer: index, override: configuration.layers[index], weights: &weights)
        }
        return Self.rebuilt(configuration: configuration, weights: weights)
    }

    /// The same model with its q/k rows re-laid for `pairing` (see
    /// ``LlamaTensorNaming/convertingRopePairing(_:configuration:to:)``); it computes the same
    /// logits up to rounding. Converting a GGUF-loaded model to ``LlamaConfiguration/RopePairing/halves``
    /// gives Hugging Face-layout weights, and pair `j` of every head at rows `(j, j + d/2)`.
    public func convertingRopePairing(to pairing: LlamaConfiguration.RopePairing) -> LlamaModel {
        let (weights, configuration) = LlamaTensorNaming.convertingRopePairing(
            weights(), configuration: configuration, to: pairing)
        return Self.rebuilt(configuration: configuration, weights: weights)
    }

    /// A model from weights derived from a valid model (cannot fail).
    private static func rebuilt(configuration: LlamaConfiguration, weights: [String: Tensor]) -> LlamaModel {
        do {
            return try LlamaModel(configuration: configuration, weights: weights, naming: .huggingFace)
        } catch {
            preconditionFailure("LlamaModel: derived weights do not fit the derived configuration: \(error)")
        }
    }

    /// Slices layer `index`'s weights for `selection` and returns its new override.
    private func select(
        _ selection: LlamaLayerSelection, inLayer index: Int, override: LlamaLayerConfiguration,
        weights: inout [String: Tensor]
    ) -> LlamaLayerConfiguration {
        let dimensions = configuration.dimensions(ofLayer: index)
        let hidden = configuration.hiddenSize
        let (heads, keyValueHeads) = (dimensions.headCount, dimensions.keyValueHeadCount)
        let group = heads / keyValueHeads
        var result = override
        func take(_ name: String, _ indices: [Int], alongAxis axis: Int) {
            let key = "model.layers.\(index).\(name).weight"
            weights[key] = weights[key]!.indexSelect(indices, alongAxis: axis)
        }
        func check(_ indices: [Int], below limit: Int, _ what: String) {
            precondition(!indices.isEmpty, "LlamaModel.selecting: layer \(index) keeps no \(what)")
            precondition(
                indices.allSatisfy { $0 >= 0 && $0 < limit } && Set(indices).count == indices.count,
                "LlamaModel.selecting: layer \(index) \(what) \(indices) must be distinct positions in 0..<\(limit)")
        }
        func perHead(_ lists: [[Int]], below limit: Int, _ what: String) -> [[Int]] {
            precondition(
                lists.count == 1 || lists.count == keyValueHeads,
                "LlamaModel.selecting: layer \(index) has \(lists.count) \(what) lists for \(keyValueHeads) key-value heads")
            for list in lists {
                check(list, below: limit, what)
                precondition(list.count == lists[0].count, "LlamaModel.selecting: layer \(index) \(what) lists differ in length")
            }
            return lists.count == 1 ? Array(repeating: lists[0], count: keyValueHeads) : lists
        }

        if let kept = selection.intermediateIndices {
            check(kept, below: dimensions.intermediateSize, "MLP neurons")
            take("mlp.gate_proj", kept, alongAxis: 0)
            take("mlp.up_proj", kept, alongAxis: 0)
            take("mlp.down_proj", kept, alongAxis: 1)
            result.intermediateSize = kept.count
        }
        if let lists = selection.rotaryPairs {
            let kept = perHead(lists, below: dimensions.rotaryPairs[0].count, "rotary pairs")
            let dq = dimensions.queryKeyHeadDimension
            let rows = kept.map {
                LlamaTensorNaming.headDimensions(keepingPairs: $0, headDimension: dq, pairing: configuration.ropePairing)
            }
            take("self_attn.q_proj", (0..<heads).flatMap { h in rows[h / group].map { h * dq + $0 } }, alongAxis: 0)
            take("self_attn.k_proj", (0..<keyValueHeads).flatMap { g in rows[g].map { g * dq + $0 } }, alongAxis: 0)
            let pairs = (0..<keyValueHeads).map { g in kept[g].map { dimensions.rotaryPairs[g][$0] } }
            result.rotaryPairs = pairs.allSatisfy { $0 == pairs[0] } ? [pairs[0]] : pairs
        }
        if let lists = selection.valueDimensions {
            let kept = perHead(lists, below: dimensions.valueHeadDimension, "value dimensions")
            let dv = dimensions.valueHeadDimension
            take("self_attn.v_proj", (0..<keyValueHeads).flatMap { g in kept[g].map { g * dv + $0 } }, alongAxis: 0)
            take("self_attn.o_proj", (0..<heads).flatMap { h in kept[h / group].map { h * dv + $0 } }, alongAxis: 1)
            result.valueHeadDimension = kept[0].count
        }
        if let kept = selection.queryHeads {
            check(kept, below: heads, "query heads")
            precondition(kept == kept.sorted(), "LlamaModel.selecting: layer \(index) query heads \(kept) must be in increasing order")
            let perGroup = (0..<keyValueHeads).map { g in kept.filter { $0 / group == g }.count }
            precondition(
                perGroup.allSatisfy { $0 == perGroup[0] },
                "LlamaModel.selecting: layer \(index) keeps \(perGroup) query heads of its key-value groups; every group needs the same count")
            let dq = 2 * (result.rotaryPairs.map { $0[0].count } ?? dimensions.rotaryPairs[0].count)
            let dv = result.valueHeadDimension ?? dimensions.valueHeadDimension
            take("self_attn.q_proj", kept.flatMap { h in (0..<dq).map { h * dq + $0 } }, alongAxis: 0)
            take("self_attn.o_proj", kept.flatMap { h in (0..<dv).map { h * dv + $0 } }, alongAxis: 1)
            result.headCount = kept.count
        }
        func residual(_ kept: [Int]?, current: [Int]?, _ what: String, slicing: [(String, Int)]) -> [Int]? {
            guard let kept else { return current }
            check(kept, below: current?.count ?? hidden, what)
            for (name, axis) in slicing { take(name, kept, alongAxis: axis) }
            return kept.map { current?[$0] ?? $0 }
        }
        result.attentionInputIndices = residual(
            selection.attentionInputIndices, current: dimensions.attentionInputIndices, "attention inputs",
            slicing: [("self_attn.q_proj", 1), ("self_attn.k_proj", 1), ("self_attn.v_proj", 1)])
        result.attentionOutputIndices = residual(
            selection.attentionOutputIndices, current: dimensions.attentionOutputIndices, "attention outputs",
            slicing: [("self_attn.o_proj", 0)])
        result.mlpInputIndices = residual(
            selection.mlpInputIndices, current: dimensions.mlpInputIndices, "MLP inputs",
            slicing: [("mlp.gate_proj", 1), ("mlp.up_proj", 1)])
        result.mlpOutputIndices = residual(
            selection.mlpOutputIndices, current: dimensions.mlpOutputIndices, "MLP outputs",
            slicing: [("mlp.down_proj", 0)])
        return result
    }
}
