import ModelZoo
import PruningCore
import PruningTestSupport
import Testing

/// Shared checks for the vision models' tests.
enum VisionTestHelpers {
    /// Moves every parameter away from its initial value, deterministically: BatchNorm running
    /// variances to U(0.5, 1.5), running means to U(−0.2, 0.2), everything else by U(−0.05, 0.05)
    /// (normalization scales by U(−0.5, 0.5)). Pruning tests then see non-trivial norms.
    static func randomizeParameters(of model: some Module, seed: UInt64) {
        var random = RandomGenerator(seed: seed)
        for (name, parameter) in model.namedParameters() {
            let shape = parameter.shape
            if name.hasSuffix("running_var") {
                parameter.value = Tensor.randomUniform(shape, lower: 0.5, upper: 1.5, using: &random)
            } else if name.hasSuffix("running_mean") {
                parameter.value = Tensor.randomUniform(shape, lower: -0.2, upper: 0.2, using: &random)
            } else {
                let spread: Float = shape.count == 1 && name.hasSuffix("weight") ? 0.5 : 0.05
                parameter.value = parameter.value + Tensor.randomUniform(shape, lower: -spread, upper: spread, using: &random)
            }
        }
    }

    /// A random subset of `0..<size` with about half the channels (at least one, at most
    /// `size − 1` when `size > 1`), in increasing order.
    static func keptChannels(of size: Int, using random: inout RandomGenerator) -> [Int] {
        let count = max(1, size / 2)
        return Array(random.permutation(size).prefix(count)).sorted()
    }

    /// Checks that keeping every channel of every group changes nothing, and that pruning every
    /// group to a random half gives the same outputs (relative/absolute tolerance 1e-4) as the
    /// dense model with the removed channels zeroed.
    static func checkPruningMatchesZeroing<Model: ChannelPrunable & Layer>(
        build: () -> Model, input: Tensor, seed: UInt64 = 3, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        // Keeping everything is the identity.
        let whole = build()
        randomizeParameters(of: whole, seed: seed)
        whole.eval()
        let before = whole.stateDictionary()
        let expected = withoutGradients { whole(input) }
        for group in whole.prunableGroups { try whole.pruneGroup(group.name, keeping: Array(0..<group.size)) }
        let after = whole.stateDictionary()
        #expect(Set(after.keys) == Set(before.keys), sourceLocation: sourceLocation)
        for (name, value) in before {
            #expect(after[name]?.shape == value.shape && after[name]?.scalars == value.scalars,
                    "\(name) changed when keeping every channel", sourceLocation: sourceLocation)
        }
        #expect(withoutGradients { whole(input) }.scalars == expected.scalars, sourceLocation: sourceLocation)

        // Pruning equals zeroing.
        let zeroed = build()
        let pruned = build()
        for model in [zeroed, pruned] {
            randomizeParameters(of: model, seed: seed)
            model.eval()
        }
        var random = RandomGenerator(seed: seed + 1)
        var kept: [String: [Int]] = [:]
        for group in zeroed.prunableGroups {
            let keep = keptChannels(of: group.size, using: &random)
            kept[group.name] = keep
            try zeroed.zeroChannels((0..<group.size).filter { !keep.contains($0) }, ofGroup: group.name)
            try pruned.pruneGroup(group.name, keeping: keep)
        }
        for group in pruned.prunableGroups {
            #expect(group.size == kept[group.name]?.count, "group \(group.name) size", sourceLocation: sourceLocation)
        }
        #expect(pruned.parameterCount < zeroed.parameterCount, sourceLocation: sourceLocation)
        let dense = withoutGradients { zeroed(input) }
        let small = withoutGradients { pruned(input) }
        expectClose(small, dense, relativeTolerance: 1e-4, absoluteTolerance: 1e-4,
                    "pruned vs zeroed", sourceLocation: sourceLocation)
        // The zeroing must matter: the zeroed model differs from the untouched one.
        #expect(dense.scalars != expected.scalars, sourceLocation: sourceLocation)
    }

    /// Checks that every trainable parameter receives a non-zero gradient from a cross-entropy
    /// loss on `input`.
    static func checkEveryParameterLearns(
        _ model: some Layer, input: Tensor, labels: [Int], sourceLocation: SourceLocation = #_sourceLocation
    ) {
        model.train()
        let (loss, gradients) = valueAndGradient(of: model) { crossEntropy(logits: model(input), labels: labels) }
        #expect(loss.scalar.isFinite, sourceLocation: sourceLocation)
        for (name, parameter) in model.namedParameters() where parameter.isTrainable {
            let norm = gradients[parameter].map { $0.norm().scalar } ?? 0
            #expect(norm > 0 && norm.isFinite, "\(name) has gradient norm \(norm)", sourceLocation: sourceLocation)
        }
    }
}
