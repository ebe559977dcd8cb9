import ModelZoo
import PruningCore

/// The MAC ratio of gated U-Net architectures: for gates `[B, size]` of a
/// ``DiffusionArchitectureSpace``, each sample's
/// `(fixed + Σ_b depth_b · perInnerChannel_b · groupSize · Σ width_b + perHead · Σ heads) / full`
/// (`DiffusionUNet/CostTerms`), differentiable in the gates. On hard gates it is exactly the
/// physically pruned network's `DiffusionUNet/multiplyAccumulates(height:width:)` over the
/// unpruned network's — APTP's resource ratio, here over the whole network's MACs rather than
/// the prunable part (the two differ by the affine rewrite of APTP's
/// `update_pruning_target`).
public struct DiffusionCostModel: Sendable {
    /// The space the gates come from.
    public let space: DiffusionArchitectureSpace
    /// The network's cost terms.
    public let terms: DiffusionUNet.CostTerms
    /// The unpruned network's MACs.
    public let fullMACs: Int

    /// The cost model of `network` (unpruned) on `height × width` images.
    public init(network: DiffusionUNet, space: DiffusionArchitectureSpace, height: Int = 28, width: Int = 28) {
        self.space = space
        terms = network.costTerms(height: height, width: width)
        fullMACs = terms.multiplyAccumulates(DiffusionUNet.Shape(unpruned: network.configuration))
    }

    /// The MACs nothing prunes, as a fraction of the full network's.
    public var fixedFraction: Double { Double(terms.fixed) / Double(fullMACs) }

    /// Each sample's kept fraction of the MACs, `[B]` (differentiable).
    public func ratios(_ gateValues: Tensor) -> Tensor {
        let parts = space.gates.split(gateValues)
        let blocks = space.blockCount
        let depth = parts[blocks + 1]
        var total = parts[blocks].sum(alongAxis: 1) * Float(terms.perHead) + Float(terms.fixed)
        for b in 0..<blocks {
            let channels = parts[b].sum(alongAxis: 1) * Float(space.groupSize * terms.perInnerChannel[b])
            total = total + channels * depth.sliced(alongAxis: 1, from: b, count: 1).reshaped(to: [gateValues.shape[0]])
        }
        return total / Float(fullMACs)
    }

    /// The MACs of the architecture hard gates (one row) describe.
    public func multiplyAccumulates(hardGates gateValues: Tensor) -> Int {
        terms.multiplyAccumulates(space.architecture(ofHardGates: gateValues).shape)
    }
}
