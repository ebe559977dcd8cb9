import Foundation
import ModelZoo
import PruningCore
import PruningTestSupport
import Testing

@Suite struct VisionMobileNetV2Tests {
    @Test("the base model has torchvision's 3,504,872 parameters; channel rounding")
    func parameterCount() {
        var random = RandomGenerator(seed: 0)
        let model = MobileNetV2(widthMultiplier: 1, inputChannels: 3, classCount: 1000, using: &random)
        #expect(model.parameterCount == 3_504_872)
        #expect(model.blocks.count == 17)
        #expect(MobileNetV2.roundedChannels(32 * 0.25) == 8)
        #expect(MobileNetV2.roundedChannels(96 * 0.35) == 32)
        #expect(MobileNetV2.roundedChannels(24 * 0.75) == 24)
        #expect(model.prunableGroups.map(\.name).filter { $0.hasSuffix(".output") } == [
            "features.0.output", "features.1.output", "features.2.output", "features.4.output", "features.7.output",
            "features.11.output", "features.14.output", "features.17.output", "features.18.output",
        ])
    }

    @Test("names follow torchvision; small-input strides reduce 8-fold")
    func namesAndShapes() {
        var random = RandomGenerator(seed: 1)
        let model = MobileNetV2(widthMultiplier: 0.25, inputChannels: 1, classCount: 10, using: &random)
        let names = Set(model.namedParameters().map(\.name))
        for name in ["features.0.0.weight", "features.0.1.running_mean", "features.1.conv.0.0.weight", "features.1.conv.1.weight",
                     "features.1.conv.2.bias", "features.2.conv.0.0.weight", "features.2.conv.1.0.weight",
                     "features.2.conv.2.weight", "features.2.conv.3.weight", "features.17.conv.3.bias",
                     "features.18.0.weight", "features.18.1.weight", "classifier.1.weight", "classifier.1.bias"] {
            #expect(names.contains(name), "missing \(name)")
        }
        #expect(withoutGradients { model(testTensor([2, 1, 28, 28])) }.shape == [2, 10])
        #expect(model.blocks.map(\.depthwise.stride.0) == [1, 1, 1, 2, 1, 1, 2, 1, 1, 1, 1, 1, 1, 2, 1, 1, 1])
        // At width 0.25 the first three blocks keep 8 channels (16·0.25 and 24·0.25 round up to
        // 8), so blocks 1 and 2 become residual too: 12 instead of the base model's 10.
        #expect(model.blocks.map(\.usesResidual).filter { $0 }.count == 12)
        let rgb = MobileNetV2(widthMultiplier: 0.25, inputChannels: 3, classCount: 4, smallInputs: false, using: &random)
        #expect(rgb.stem.convolution.stride.0 == 2)
        #expect(withoutGradients { rgb(testTensor([2, 3, 32, 32])) }.shape == [2, 4])
    }

    @Test("a configuration rebuilds the same architecture and survives JSON")
    func configurationRoundTrip() throws {
        var random = RandomGenerator(seed: 3)
        let model = MobileNetV2(widthMultiplier: 0.5, inputChannels: 1, classCount: 7, dropoutProbability: 0.1, using: &random)
        let decoded = try JSONDecoder().decode(MobileNetV2.Configuration.self, from: JSONEncoder().encode(model.configuration))
        #expect(decoded == MobileNetV2.Configuration(widthMultiplier: 0.5, inputChannels: 1, classCount: 7, dropoutProbability: 0.1))
        let rebuilt = MobileNetV2(configuration: decoded, using: &random)
        #expect(rebuilt.namedParameters().map(\.name) == model.namedParameters().map(\.name))
        #expect(rebuilt.namedParameters().map(\.parameter.shape) == model.namedParameters().map(\.parameter.shape))
    }

    @Test("every parameter receives a gradient")
    func gradientFlow() {
        var random = RandomGenerator(seed: 2)
        let model = MobileNetV2(widthMultiplier: 0.25, inputChannels: 3, classCount: 3, dropoutProbability: 0, using: &random)
        VisionTestHelpers.checkEveryParameterLearns(model, input: testTensor([3, 3, 16, 16]), labels: [0, 1, 2])
    }

    @Test("groups: expanded channels, residual chains, the last convolution; counts by hand")
    func groups() throws {
        var random = RandomGenerator(seed: 3)
        let model = MobileNetV2(widthMultiplier: 0.25, inputChannels: 3, classCount: 10, using: &random)
        let names = model.prunableGroups.map(\.name)
        #expect(names.filter { $0.hasSuffix(".expanded") }.count == 16)
        // Blocks 1–3 add into the stem's channels (see namesAndShapes).
        #expect(names.filter { $0.hasSuffix(".output") } == [
            "features.0.output", "features.4.output", "features.7.output", "features.11.output", "features.14.output",
            "features.17.output", "features.18.output",
        ])
        let stem = try model.prunableGroup(named: "features.0.output")
        #expect(stem.outputSlices.map(\.parameter).contains("features.1.conv.0.0.weight"))
        // Block 1's projection both reads and writes the chain.
        #expect(stem.outputSlices.map(\.parameter).contains("features.1.conv.1.weight"))
        #expect(stem.inputSlices.map(\.parameter) == [
            "features.1.conv.1.weight", "features.2.conv.0.0.weight", "features.3.conv.0.0.weight", "features.4.conv.0.0.weight",
        ])
        // features.2: 8 → 48 → 8 channels. Removing 8 expanded channels: expansion rows 8·8 = 64,
        // BN 16, depthwise filters 8·9 = 72, BN 16, projection columns 8·8 = 64.
        let count = model.parameterCount
        try model.pruneGroup("features.2.expanded", keeping: Array(0..<40))
        #expect(model.parameterCount == count - 232)
        #expect(model.blocks[1].depthwise.groups == 40)
        #expect(model.blocks[1].depthwise.weight.shape == [40, 1, 3, 3])
        #expect(withoutGradients { model(testTensor([1, 3, 16, 16])) }.shape == [1, 10])
    }

    @Test("pruned MobileNetV2 computes what the zeroed dense one computes")
    func pruningMatchesZeroing() throws {
        try VisionTestHelpers.checkPruningMatchesZeroing(
            build: {
                var random = RandomGenerator(seed: 4)
                return MobileNetV2(widthMultiplier: 0.25, inputChannels: 3, classCount: 5, using: &random)
            },
            input: testTensor([2, 3, 12, 12], seed: 5))
    }
}
