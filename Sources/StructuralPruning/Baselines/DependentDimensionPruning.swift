import Foundation
import ModelZoo
import PruningCore

/// Dependent structural pruning of a LLaMA model: one subset K of the residual-stream
/// dimensions, shared by every block, is what every block reads and writes (S1 = S2 = S3 = S5 =
/// K, all MLP neurons kept) — the constraint DISP-LLM removes. It is SliceGPT's structure
/// without its rotation: SliceGPT first rotates the stream by the PCA of calibration
/// activations so that the discarded dimensions carry little energy; here the dimensions are
/// chosen in the original basis, by one of two scores:
///
/// - ``Criterion/activationEnergy``: `Σ_l E[u_{l,i}²] + E[v_{l,i}²]`, the energy of dimension `i`
///   in the normalized attention and MLP inputs of every block on calibration text;
/// - ``Criterion/weightMagnitude``: the squared norm of every weight that reads or writes
///   dimension `i` (columns of q/k/v/gate/up_proj, rows of o/down_proj) over all blocks.
///
/// With `|K| = k` the blocks keep `k · (2·d_q + 2·d_kv + 3·d_ff)` parameters, so `k = p·d`
/// meets a kept fraction p (up to rounding to whole dimensions). The dimensions outside K still
/// carry the token embedding to the final norm (the residual stream stays full width), which
/// can only help compared with deleting them.
public struct DependentDimensionPruning: Sendable {
    /// How dimensions are scored.
    public enum Criterion: String, Sendable, CaseIterable, Codable {
        /// Calibration activation energy of the normalized block inputs.
        case activationEnergy
        /// Squared weight norms of the rows and columns touching the dimension.
        case weightMagnitude
    }

    /// The fraction of block parameters to keep.
    public let keptFraction: Double
    /// The score.
    public let criterion: Criterion

    /// A pruner keeping `keptFraction` of the block parameters.
    ///
    /// - Throws: ``StructuralPruningError/budgetOutOfRange(field:value:)`` outside (0, 1).
    public init(keptFraction: Double, criterion: Criterion) throws(StructuralPruningError) {
        guard keptFraction > 0, keptFraction < 1 else { throw .budgetOutOfRange(field: "keptFraction", value: keptFraction) }
        self.keptFraction = keptFraction
        self.criterion = criterion
    }

    /// The score of every residual dimension (higher is kept first).
    ///
    /// - Throws: ``StructuralPruningError/textTooShort(field:tokens:needed:)`` when the
    ///   activation criterion gets no usable calibration window.
    public func scores(_ model: LlamaModel, calibration: [[Int]]) throws(StructuralPruningError) -> [Double] {
        let d = model.configuration.hiddenSize
        var scores = [Double](repeating: 0, count: d)
        switch criterion {
        case .activationEnergy:
            try LlamaCalibration.validate(calibration)
            for layer in LlamaCalibration.inputEnergy(of: model, windows: calibration) {
                for i in 0..<d { scores[i] += layer.attention[i] + layer.mlp[i] }
            }
        case .weightMagnitude:
            for layer in model.layers {
                let reading = [layer.attention.queryProjection, layer.attention.keyProjection, layer.attention.valueProjection,
                               layer.mlp.gateProjection, layer.mlp.upProjection]
                for projection in reading {
                    let w = projection.weight.value.scalars, columns = projection.inputCount
                    for (k, v) in w.enumerated() { scores[k % columns] += Double(v * v) }
                }
                for projection in [layer.attention.outputProjection, layer.mlp.downProjection] {
                    let w = projection.weight.value.scalars, columns = projection.inputCount
                    for (k, v) in w.enumerated() { scores[k / columns] += Double(v * v) }
                }
            }
        }
        return scores
    }

    /// The pruned model.
    ///
    /// - Throws: ``StructuralPruningError/modelAlreadyPruned(layer:field:)`` for a model with
    ///   overrides; ``StructuralPruningError/textTooShort(field:tokens:needed:)`` for unusable
    ///   calibration windows (activation criterion).
    public func prune(_ model: LlamaModel, calibration: [[Int]] = []) throws(StructuralPruningError) -> LlamaPruningResult {
        let start = ContinuousClock.now
        let gates = try LlamaBlockGates(configuration: model.configuration)
        let d = model.configuration.hiddenSize
        let scores = try scores(model, calibration: calibration)
        let k = min(d, max(1, Int((keptFraction * Double(d)).rounded())))
        let kept = Array(scores.indices.sorted { scores[$0] > scores[$1] }.prefix(k)).sorted()
        let mask = Tensor(shape: [d], scalars: (0..<d).map { Set(kept).contains($0) ? 1 : 0 })
        let masks = gates.gates.gates.enumerated().map { index, gate in
            index % LlamaBlockStructure.allCases.count == LlamaBlockStructure.mlpIntermediate.rawValue ? Tensor.ones([gate.width]) : mask
        }
        let pruned = try LlamaMaskExport.prunedModel(model, masks: masks)
        return LlamaPruningResult(
            model: pruned, denseBlockParameters: LlamaMaskExport.blockParameterCount(of: model),
            keptBlockParameters: LlamaMaskExport.blockParameterCount(of: pruned),
            seconds: (ContinuousClock.now - start) / .seconds(1))
    }
}
