import ModelZoo
import PruningCore

/// A user's own CNN made prunable by conforming to `ChannelPrunable`: conv(1→6) → BN → ReLU →
/// conv(6→8, stride 2) → BN → ReLU → global average pooling → linear(8→3).
final class UserCNN: Layer, ChannelPrunable {
    let conv1: Conv2d, bn1: BatchNorm, conv2: Conv2d, bn2: BatchNorm, fc: Linear
    var isTraining = true

    init(seed: UInt64 = 1) {
        var random = RandomGenerator(seed: seed)
        conv1 = Conv2d(inChannels: 1, outChannels: 6, kernelSize: 3, padding: 1, using: &random)
        bn1 = BatchNorm(featureCount: 6)
        conv2 = Conv2d(inChannels: 6, outChannels: 8, kernelSize: 3, stride: 2, padding: 1, bias: false, using: &random)
        bn2 = BatchNorm(featureCount: 8)
        fc = Linear(inputCount: 8, outputCount: 3, using: &random)
    }

    var children: [(String, any Module)] { [("conv1", conv1), ("bn1", bn1), ("conv2", conv2), ("bn2", bn2), ("fc", fc)] }

    func callAsFunction(_ input: Tensor) -> Tensor {
        let x = conv2(conv1(input, normalizedBy: bn1, relu: true), normalizedBy: bn2, relu: true)
        return fc(x.mean(alongAxes: [2, 3]))
    }

    var prunableGroups: [PrunableGroup] {
        func batchNorm(_ name: String) -> [ParameterSlice] {
            ["weight", "bias", "running_mean", "running_var"].map { ParameterSlice("\(name).\($0)", axis: 0, role: .output) }
        }
        return [
            PrunableGroup(name: "conv1.output", size: conv1.outputChannels, slices: [
                ParameterSlice("conv1.weight", axis: 0, role: .output), ParameterSlice("conv1.bias", axis: 0, role: .output),
            ] + batchNorm("bn1") + [ParameterSlice("conv2.weight", axis: 1, role: .input)]),
            PrunableGroup(name: "conv2.output", size: conv2.outputChannels, slices: [
                ParameterSlice("conv2.weight", axis: 0, role: .output),
            ] + batchNorm("bn2") + [ParameterSlice("fc.weight", axis: 1, role: .input)]),
        ]
    }
}

/// Moves every parameter away from its initial value so that BatchNorm statistics matter.
func randomize(_ model: some Module, seed: UInt64) {
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
