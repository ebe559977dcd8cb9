import ModelZoo
import PruningCore

/// Parameters, MACs and FLOPs of a channel-prunable network (`ChannelPrunable`) as a
/// differentiable function of channel masks on some of its groups.
///
/// The model is run once on an input of the given shape while `LayerCallRecorder` notes every
/// convolution and linear layer with its output size. Under masks, every parameter dimension
/// that a gated group's slices run along shrinks to the kept channels (`Σ m · blockSize`), so:
///
/// - **parameters** = `Σ_p Π_axis dim_axis(m)` over every trainable parameter (BatchNorm scale and
///   shift included, running statistics excluded) — exactly `parameterCount` of the exported
///   model;
/// - **MACs** = `Σ_layers |weight(m)| · positions`, with `positions` = `H_out · W_out` (times the
///   batch-free token count for linear layers): `k·(c_in/g)·c_out·H·W` for a convolution, one
///   filter tap per output for a depthwise convolution;
/// - **FLOPs** (the papers' count, `Flops_constraint_*` in the interpretation-steered pruning and
///   Auto-Train-Once code) = MACs `+ 3 · c_out · H·W` for every convolution, the BatchNorm and
///   ReLU that follow it.
///
/// The full cost and the kept cost both count the whole network (stem, classifier, ungated
/// groups), so a ratio `r` is a fraction of the whole model's cost; ``prunableFraction`` says
/// how much of it the gates can reach.
public struct ChannelCostModel: StructureCostModel {
    /// What is counted.
    public enum Measure: String, Sendable, CaseIterable, Codable {
        /// Trainable parameters.
        case parameters
        /// Multiply–accumulates of one forward pass of one sample.
        case macs
        /// MACs plus `3 · c_out · H · W` per convolution (the papers' FLOPs).
        case flops
    }

    /// One parameter with how its dimensions depend on the masks.
    struct Term {
        /// Per axis: the constant part of the dimension, and the (gate, block size) pairs that add
        /// kept channels to it.
        var axes: [(constant: Int, gated: [(gate: Int, blockSize: Int)])]
        /// The factor the parameter's element count is multiplied by (1 for parameters, the
        /// output positions for MACs).
        var factor: Int
    }

    /// The gated groups, one gate each (width = the group's channel count).
    public let gates: GateSet
    /// What is counted.
    public let measure: Measure
    /// The cost of the unmasked network.
    public let fullCost: Double
    /// The part of ``fullCost`` that depends on some gate.
    public let prunableCost: Double
    let terms: [Term]

    /// The cost model of `model` at `inputShape` (one sample, e.g. `[1, 28, 28]`) with gates on the
    /// groups named in `gatedGroups` (nil: every group of the model).
    ///
    /// - Throws: ``StructuralPruningError/invalidGate(name:reason:)`` for an unknown group name
    ///   (the message lists the model's groups); ``StructuralPruningError/unsupportedLayer(parameter:shape:)``
    ///   for a weight of rank ≥ 2 that no `Conv2d` or `Linear` used in the forward pass — never a
    ///   silent undercount.
    public init(
        model: some ChannelPrunable & Layer, inputShape: [Int], gatedGroups: [String]? = nil, measure: Measure
    ) throws(StructuralPruningError) {
        let groups = model.prunableGroups
        let chosen: [PrunableGroup]
        if let gatedGroups {
            chosen = try gatedGroups.map { name throws(StructuralPruningError) in
                guard let group = groups.first(where: { $0.name == name }) else {
                    throw .invalidGate(name: name, reason: "the model has no such group (it has \(groups.map(\.name).joined(separator: ", ")))")
                }
                return group
            }
        } else {
            chosen = groups
        }
        gates = try GateSet(chosen.map { GateSet.Gate(name: $0.name, width: $0.size) })
        self.measure = measure
        let named = model.namedParameters()
        var slicesByParameter: [String: [(gate: Int, slice: ParameterSlice)]] = [:]
        for (gate, group) in chosen.enumerated() {
            for slice in group.slices { slicesByParameter[slice.parameter, default: []].append((gate, slice)) }
        }
        func term(for name: String, shape: [Int], factor: Int) -> Term {
            var axes = shape.map { (constant: $0, gated: [(gate: Int, blockSize: Int)]()) }
            for (gate, slice) in slicesByParameter[name] ?? [] where slice.axis < shape.count {
                axes[slice.axis].constant -= chosen[gate].size * slice.blockSize
                axes[slice.axis].gated.append((gate, slice.blockSize))
            }
            return Term(axes: axes, factor: factor)
        }
        var terms: [Term] = []
        switch measure {
        case .parameters:
            for (name, parameter) in named where !parameter.isBuffer {
                terms.append(term(for: name, shape: parameter.shape, factor: 1))
            }
        case .macs, .flops:
            let names = Dictionary(named.map { (ObjectIdentifier($0.parameter), $0.name) }, uniquingKeysWith: { a, _ in a })
            let (_, calls) = withoutGradients {
                LayerCallRecorder.recording { _ = forward(model, Tensor.zeros([1] + inputShape)) }
            }
            let used = Set(calls.map { ObjectIdentifier($0.weight) })
            for (name, parameter) in named where !parameter.isBuffer && parameter.shape.count >= 2 && !used.contains(ObjectIdentifier(parameter)) {
                throw .unsupportedLayer(parameter: name, shape: parameter.shape)
            }
            for call in calls {
                guard let name = names[ObjectIdentifier(call.weight)] else { continue }
                let positions: Int
                switch call.kind {
                case .convolution: positions = call.outputShape.dropFirst(2).reduce(1, *)
                case .linear: positions = call.outputShape.dropFirst().dropLast().reduce(1, *)
                }
                let weight = term(for: name, shape: call.weight.shape, factor: positions)
                terms.append(weight)
                if case .convolution = call.kind, measure == .flops {
                    // 3 · c_out · H · W: the output-channel axis of the weight, times 3 · positions.
                    terms.append(Term(axes: [weight.axes[0]], factor: 3 * positions))
                }
            }
        }
        self.terms = terms
        fullCost = terms.reduce(0.0) { total, term in
            total + Double(term.factor) * term.axes.reduce(1.0) { product, axis in
                product * Double(axis.constant + axis.gated.reduce(0) { $0 + chosenSize(chosen, $1.gate) * $1.blockSize })
            }
        }
        prunableCost = terms.filter { $0.axes.contains { !$0.gated.isEmpty } }.reduce(0.0) { total, term in
            total + Double(term.factor) * term.axes.reduce(1.0) { product, axis in
                product * Double(axis.constant + axis.gated.reduce(0) { $0 + chosenSize(chosen, $1.gate) * $1.blockSize })
            }
        }
    }

    /// The fraction of the full cost that depends on some gate.
    public var prunableFraction: Double { fullCost > 0 ? prunableCost / fullCost : 0 }

    /// The cost under `masks` (differentiable; a straight-through hard mask passes gradients).
    public func cost(_ masks: [Tensor]) -> Tensor {
        precondition(masks.count == gates.count, "ChannelCostModel: \(masks.count) masks for \(gates.count) gates")
        let sums = masks.map { $0.sum() }
        var total: Tensor? = nil
        var constant = 0.0
        for term in terms {
            var product: Tensor? = nil
            var scalar = Double(term.factor)
            for axis in term.axes {
                if axis.gated.isEmpty {
                    scalar *= Double(axis.constant)
                } else {
                    var dimension = sums[axis.gated[0].gate] * Float(axis.gated[0].blockSize)
                    for extra in axis.gated.dropFirst() { dimension = dimension + sums[extra.gate] * Float(extra.blockSize) }
                    if axis.constant != 0 { dimension = dimension + Float(axis.constant) }
                    product = product.map { $0 * dimension } ?? dimension
                }
            }
            if let product {
                let scaled = product * Float(scalar)
                total = total.map { $0 + scaled } ?? scaled
            } else {
                constant += scalar
            }
        }
        return (total ?? Tensor(0)) + Float(constant)
    }

    /// The cost for hard 0/1 masks, counted exactly in integers.
    public func count(hardMasks masks: [Tensor]) -> Int {
        let kept = masks.map { GateSet.keptIndices($0).count }
        return terms.reduce(0) { total, term in
            total + term.factor * term.axes.reduce(1) { product, axis in
                product * (axis.constant + axis.gated.reduce(0) { $0 + kept[$1.gate] * $1.blockSize })
            }
        }
    }

    /// The cost of `model` itself, counted from its current shapes and one recorded forward pass
    /// (an exported model's true cost, to compare with ``count(hardMasks:)``).
    public static func count(_ model: some ChannelPrunable & Layer, inputShape: [Int], measure: Measure) -> Int {
        switch measure {
        case .parameters:
            return model.namedParameters().filter { !$0.parameter.isBuffer }.reduce(0) { $0 + $1.parameter.value.count }
        case .macs, .flops:
            let (_, calls) = withoutGradients { LayerCallRecorder.recording { _ = forward(model, Tensor.zeros([1] + inputShape)) } }
            return calls.reduce(0) { total, call in
                switch call.kind {
                case .convolution:
                    let positions = call.outputShape.dropFirst(2).reduce(1, *)
                    return total + call.weight.value.count * positions + (measure == .flops ? 3 * call.outputShape[1] * positions : 0)
                case .linear:
                    return total + call.weight.value.count * call.outputShape.dropFirst().dropLast().reduce(1, *)
                }
            }
        }
    }
}

private func chosenSize(_ groups: [PrunableGroup], _ gate: Int) -> Int { groups[gate].size }

/// Runs a model's forward pass in evaluation mode, restoring its mode afterwards.
func forward(_ model: some Layer, _ input: Tensor) -> Tensor {
    let training = model.isTraining
    model.eval()
    defer { if training { model.train() } }
    return model(input)
}
