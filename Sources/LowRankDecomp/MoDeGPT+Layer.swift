import ModelZoo
import PruningCore

extension MoDeGPT {
    /// The correlations the enabled module types need.
    var neededCorrelations: Set<LayerCorrelations.Kind> {
        var kinds: Set<LayerCorrelations.Kind> = []
        if configuration.modules.contains(.mlp) { kinds.insert(.mlpIntermediate) }
        if configuration.modules.contains(.keyQuery) { kinds.formUnion([.queries, .keys]) }
        if configuration.modules.contains(.valueOutput) { kinds.insert(.attentionInput) }
        return kinds
    }

    /// Applies the three decompositions to one layer's weights, shrinking it to `widths`. A
    /// module whose width does not change is left untouched (so a 0 % budget is the identity).
    ///
    /// - Throws: ``MoDeGPTError/decompositionFailed(layer:module:underlying:)``.
    func compressLayer(
        _ weights: inout LlamaLayerWeights, widths: LayerWidths, statistics: LayerCorrelations,
        dimensions: LlamaLayerDimensions, pairing: LlamaConfiguration.RopePairing
    ) throws(MoDeGPTError) {
        let layer = weights.index
        let modules = configuration.modules
        func attempt<T>(_ module: String, _ body: () throws(LinearAlgebraError) -> T) throws(MoDeGPTError) -> T {
            do { return try body() } catch { throw .decompositionFailed(layer: layer, module: module, underlying: error) }
        }

        if modules.contains(.mlp) && widths.intermediateSize < dimensions.intermediateSize {
            let correlation = statistics.mean(.mlpIntermediate)[0]
            let ridge = configuration.nystromRidge
            let result = try attempt("MLP (Nyström)") { () throws(LinearAlgebraError) in
                let scores = try statistics.derived("ridge-leverage scores, λ = \(ridge)") { () throws(LinearAlgebraError) in
                    try NystromMLPCompression.ridgeLeverageScores(of: correlation, ridge: ridge)
                }
                return try NystromMLPCompression.compress(
                    gate: weights.gate, up: weights.up, down: weights.down, correlation: correlation,
                    keeping: widths.intermediateSize, ridge: ridge, scores: scores)
            }
            weights.gate = result.gate
            weights.up = result.up
            weights.down = result.down
            weights.override.intermediateSize = widths.intermediateSize
        }

        let (heads, keyValueHeads) = (dimensions.headCount, dimensions.keyValueHeadCount)
        let group = heads / keyValueHeads
        if modules.contains(.keyQuery) && widths.rotaryPairCount < dimensions.rotaryPairs[0].count {
            let dq = dimensions.queryKeyHeadDimension
            let queries = statistics.mean(.queries)
            let keys = statistics.mean(.keys)
            let pairs = (0..<(dq / 2)).map { j -> (Int, Int) in
                let rows = LlamaTensorNaming.headDimensions(keepingPairs: [j], headDimension: dq, pairing: pairing)
                return (rows[0], rows[1])
            }
            var kept: [[Int]] = []
            for g in 0..<keyValueHeads {
                let scores = try attempt("key-query (CR)") { () throws(LinearAlgebraError) in
                    try RotaryPairSelection.pairScores(
                        queryCorrelations: Array(queries[(g * group)..<((g + 1) * group)]), keyCorrelation: keys[g],
                        pairs: pairs, ridge: configuration.keyQueryRidge)
                }
                kept.append(RotaryPairSelection.selectPairs(scores: scores, keeping: widths.rotaryPairCount))
            }
            let rows = kept.map { LlamaTensorNaming.headDimensions(keepingPairs: $0, headDimension: dq, pairing: pairing) }
            weights.query = weights.query.indexSelect(
                (0..<heads).flatMap { h in rows[h / group].map { h * dq + $0 } }, alongAxis: 0)
            weights.key = weights.key.indexSelect(
                (0..<keyValueHeads).flatMap { g in rows[g].map { g * dq + $0 } }, alongAxis: 0)
            let densePairs = (0..<keyValueHeads).map { g in kept[g].map { dimensions.rotaryPairs[g][$0] } }
            weights.override.rotaryPairs = densePairs.allSatisfy { $0 == densePairs[0] } ? [densePairs[0]] : densePairs
        }

        if modules.contains(.valueOutput) && widths.valueHeadDimension < dimensions.valueHeadDimension {
            let dv = dimensions.valueHeadDimension
            let correlation = statistics.mean(.attentionInput)[0]
            let value = Matrix64(weights.value)
            let output = Matrix64(weights.output)
            var newValues: [Matrix64] = []
            var newOutputs = [Matrix64?](repeating: nil, count: heads)
            for g in 0..<keyValueHeads {
                let members = Array((g * group)..<((g + 1) * group))
                let result = try attempt("value-output (SVD)") { () throws(LinearAlgebraError) in
                    try ValueOutputCompression.compress(
                        value: value.rows((g * dv)..<((g + 1) * dv)),
                        outputs: members.map { output.columns(($0 * dv)..<(($0 + 1) * dv)) },
                        correlation: correlation, rank: widths.valueHeadDimension, ridge: configuration.valueOutputRidge)
                }
                newValues.append(result.value)
                for (h, block) in zip(members, result.outputs) { newOutputs[h] = block }
            }
            weights.value = Tensor(Matrix64.verticallyStacked(newValues))
            weights.output = Tensor.concatenate(newOutputs.map { Tensor($0!) }, alongAxis: 1)
            weights.override.valueHeadDimension = widths.valueHeadDimension
        }
    }
}
