import Foundation
import PruningCore
import Testing

/// `Conv2d.callAsFunction(_:normalizedBy:relu:)`: the BatchNorm folded into the convolution's
/// output pass equals the layers run one after the other.
@Suite("Convolution with a folded BatchNorm")
struct ConvolutionEpilogueTests {
    /// A convolution configuration: channels, map size, kernel, stride, padding, groups, bias.
    struct Case: CustomStringConvertible {
        let inChannels, outChannels, size, kernel, stride, padding, groups: Int
        let bias: Bool
        var description: String {
            "\(inChannels)→\(outChannels) \(size)×\(size) k\(kernel) s\(stride) p\(padding) g\(groups) bias \(bias)"
        }
    }

    static let cases = [
        Case(inChannels: 3, outChannels: 8, size: 28, kernel: 3, stride: 1, padding: 1, groups: 1, bias: true),  // one image per GEMM
        Case(inChannels: 16, outChannels: 12, size: 7, kernel: 3, stride: 1, padding: 1, groups: 1, bias: false),  // staged batches
        Case(inChannels: 8, outChannels: 8, size: 9, kernel: 3, stride: 1, padding: 1, groups: 8, bias: true),  // depthwise
        Case(inChannels: 6, outChannels: 4, size: 5, kernel: 1, stride: 1, padding: 0, groups: 1, bias: true),  // pointwise
        Case(inChannels: 4, outChannels: 6, size: 11, kernel: 3, stride: 2, padding: 1, groups: 2, bias: false),  // strided, grouped
    ]

    /// An evaluation-mode BatchNorm with non-trivial running statistics and affine parameters.
    static func normalization(_ channels: Int, using random: inout RandomGenerator) -> BatchNorm {
        let norm = BatchNorm(featureCount: channels)
        norm.runningMean.value = Tensor.randomNormal([channels], using: &random)
        norm.runningVariance.value = Tensor.randomUniform([channels], lower: 0.2, upper: 3, using: &random)
        norm.weight.value = Tensor.randomNormal([channels], using: &random)
        norm.bias.value = Tensor.randomNormal([channels], using: &random)
        norm.isTraining = false
        return norm
    }

    @Test("fused equals BatchNorm after the convolution, with and without ReLU", arguments: cases)
    func fusedMatchesComposition(_ c: Case) {
        var random = RandomGenerator(seed: 7)
        let convolution = Conv2d(
            inChannels: c.inChannels, outChannels: c.outChannels, kernelSize: c.kernel, stride: c.stride,
            padding: c.padding, groups: c.groups, bias: c.bias, using: &random)
        let norm = Self.normalization(c.outChannels, using: &random)
        let input = Tensor.randomNormal([5, c.inChannels, c.size, c.size], using: &random)
        for relu in [false, true] {
            let (fused, reference) = withoutGradients {
                let composed = norm(convolution(input))
                return (convolution(input, normalizedBy: norm, relu: relu), relu ? composed.relu() : composed)
            }
            #expect(fused.shape == reference.shape)
            let largest = reference.scalars.map(Swift.abs).max() ?? 0
            let difference = zip(fused.scalars, reference.scalars).map { Swift.abs($0 - $1) }.max() ?? 0
            // Float rounding of the folded scale and shift: a few ulp of the output's magnitude.
            #expect(difference <= 1e-5 * Swift.max(1, largest), "\(c) relu \(relu): \(difference)")
            if relu { #expect(fused.scalars.allSatisfy { $0 >= 0 }) }
        }
    }

    @Test("in training mode, or while differentiating, the layers run as written")
    func fallsBackWhenNeeded() throws {
        var random = RandomGenerator(seed: 3)
        let convolution = Conv2d(inChannels: 2, outChannels: 3, kernelSize: 3, padding: 1, using: &random)
        let norm = Self.normalization(3, using: &random)
        let input = Tensor.randomNormal([4, 2, 6, 6], using: &random)
        // Differentiating with respect to the input: the gradient must flow through the
        // composition (a fused, unrecorded result would give none).
        let x = input.requiringGradient()
        let output = convolution(x, normalizedBy: norm, relu: true)
        let gradient = try #require(output.sum().gradients(withRespectTo: [x]).first)
        let reference = try #require(norm(convolution(x)).relu().sum().gradients(withRespectTo: [x]).first)
        #expect(gradient.scalars == reference.scalars)
        #expect(gradient.scalars.contains { $0 != 0 })
        // Training mode: batch statistics, so the result differs from the running-statistics one.
        norm.isTraining = true
        let training = withoutGradients { convolution(input, normalizedBy: norm, relu: false) }
        norm.isTraining = false
        let evaluation = withoutGradients { convolution(input, normalizedBy: norm, relu: false) }
        let mean = training.scalars.reduce(0, +) / Float(training.count)
        #expect(Swift.abs(mean - norm.bias.value.scalars.reduce(0, +) / 3) < 1e-4)
        #expect(training.scalars != evaluation.scalars)
    }
}
