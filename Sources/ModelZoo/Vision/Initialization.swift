import Foundation
import PruningCore

/// Weight initializations used by the reference vision models.
enum Initialization {
    /// Kaiming-normal filters for a ReLU network, scaled by the fan-out as torchvision's ResNet
    /// and MobileNetV2 do (He et al., 2015, "Delving Deep into Rectifiers"): standard deviation
    /// `√(2 / (outChannels · kH · kW))`. Shape `[outChannels, inChannels/groups, kernel, kernel]`.
    static func kaimingConvolution(
        inChannels: Int, outChannels: Int, kernelSize: Int, groups: Int = 1, using generator: inout RandomGenerator
    ) -> Tensor {
        let fanOut = outChannels / groups * kernelSize * kernelSize
        return Tensor.randomNormal(
            [outChannels, inChannels / groups, kernelSize, kernelSize],
            standardDeviation: (2 / Float(fanOut)).squareRoot(), using: &generator)
    }

    /// Normal samples with standard deviation `standardDeviation`, redrawn until within two
    /// standard deviations (timm's `trunc_normal_(std=0.02)` for transformer weights).
    static func truncatedNormal(
        _ shape: [Int], standardDeviation: Float, using generator: inout RandomGenerator
    ) -> Tensor {
        Tensor(shape: shape) { out in
            for i in 0..<out.count {
                var sample = generator.nextNormal()
                while Swift.abs(sample) > 2 { sample = generator.nextNormal() }
                out[i] = sample * standardDeviation
            }
        }
    }

    /// A convolution without bias holding Kaiming-normal filters.
    static func convolution(
        _ inChannels: Int, _ outChannels: Int, kernelSize: Int, stride: Int = 1, groups: Int = 1,
        using generator: inout RandomGenerator
    ) -> Conv2d {
        Conv2d(
            weight: kaimingConvolution(
                inChannels: inChannels, outChannels: outChannels, kernelSize: kernelSize, groups: groups,
                using: &generator),
            stride: (stride, stride), padding: (kernelSize / 2, kernelSize / 2), groups: groups)
    }

    /// A linear layer with truncated-normal weights (standard deviation 0.02) and zero bias.
    static func transformerLinear(_ inputCount: Int, _ outputCount: Int, using generator: inout RandomGenerator) -> Linear {
        Linear(weight: truncatedNormal([outputCount, inputCount], standardDeviation: 0.02, using: &generator),
               bias: Tensor.zeros([outputCount]))
    }
}
