import PruningCore

/// Prices masks: what a model costs (parameters, FLOPs, MACs) when only the entries a mask keeps
/// remain, as a differentiable function of the masks so that a budget loss can train the
/// controller through straight-through hard masks.
public protocol StructureCostModel {
    /// The gates the masks belong to.
    var gates: GateSet { get }
    /// The cost with every entry kept.
    var fullCost: Double { get }
    /// The cost of the masked model as a scalar tensor (differentiable in `masks`).
    func cost(_ masks: [Tensor]) -> Tensor
    /// The exact cost for hard 0/1 masks (default: ``cost(_:)`` rounded).
    func count(hardMasks masks: [Tensor]) -> Int
}

extension StructureCostModel {
    /// The kept fraction `cost(masks) / fullCost` (differentiable).
    public func ratio(_ masks: [Tensor]) -> Tensor { cost(masks) / Float(fullCost) }
}
