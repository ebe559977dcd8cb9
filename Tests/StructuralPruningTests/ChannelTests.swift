import Foundation
import ModelZoo
import PruningCore
import PruningTestSupport
import StructuralPruning
import Testing

@Suite("Channel gating, cost model and export")
struct ChannelTests {
    /// Hard masks keeping about half of every gate (at least one entry).
    func masks(_ gates: GateSet, seed: UInt64) -> [Tensor] {
        randomHardMasks(GateSetLike(widths: gates.gates.map(\.width)), keep: 0.5, seed: seed)
    }

    /// Checks gating ≡ export, cost formula ≡ exported count, and save/reload for one model.
    func checkExport<Model: ChannelPrunable & Layer, Base: Codable & Sendable>(
        build: () -> Model, base: Base, make: (Base) -> Model, inputShape: [Int], gated: [String]? = nil, seed: UInt64
    ) throws {
        let model = build()
        randomize(model, seed: seed)
        model.eval()
        let gating = try ChannelGating(model: model, gatedGroups: gated)
        let hard = masks(gating.gates, seed: seed)
        var random = RandomGenerator(seed: seed)
        let input = Tensor.randomNormal([2] + inputShape, using: &random)
        let gatedOutput = try withoutGradients { try gating.withMasks(hard, on: model) { model(input) } }
        let costs = try ChannelCostModel.Measure.allCases.map { measure in
            try ChannelCostModel(model: model, inputShape: inputShape, gatedGroups: gated, measure: measure)
        }
        // The weights are restored after gating.
        let dense = withoutGradients { model(input) }
        try ChannelMaskExport.apply(hard, gating: gating, to: model)
        let exported = withoutGradients { model(input) }
        #expect(maximumDifference(exported, gatedOutput) < 1e-5, "export vs gated: \(maximumDifference(exported, gatedOutput))")
        #expect(maximumDifference(dense, gatedOutput) > 1e-4, "the masks change the output")
        for cost in costs {
            let counted = ChannelCostModel.count(model, inputShape: inputShape, measure: cost.measure)
            #expect(cost.count(hardMasks: hard) == counted, "\(cost.measure)")
            #expect(abs(Double(cost.cost(hard).scalars[0]) - Double(counted)) <= 1e-6 * Double(counted) + 1, "\(cost.measure)")
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("channels-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try ChannelMaskExport.save(model, base: base, to: folder)
        let reloaded: Model = try ChannelMaskExport.load(from: folder) { make($0) }
        reloaded.eval()
        #expect(withoutGradients { reloaded(input) }.scalars == exported.scalars)
    }

    @Test("ResNet-20, ResNet-56, MobileNetV2 and a user CNN: the exported model equals the hard-gated one, costs equal the exported counts, and it reloads")
    func exportMatchesGating() throws {
        let resnet = ResNet.Configuration(inputChannels: 1, classCount: 10, stageWidths: [4, 8, 16], blocksPerStage: [3, 3, 3], stem: .cifar)
        try checkExport(
            build: { var r = RandomGenerator(seed: 1); return ResNet(configuration: resnet, using: &r) }, base: resnet,
            make: { var r = RandomGenerator(seed: 9); return ResNet(configuration: $0, using: &r) }, inputShape: [1, 12, 12], seed: 1)
        let resnet56 = ResNet.Configuration(inputChannels: 1, classCount: 10, stageWidths: [2, 4, 8], blocksPerStage: [9, 9, 9], stem: .cifar)
        try checkExport(
            build: { var r = RandomGenerator(seed: 4); return ResNet(configuration: resnet56, using: &r) }, base: resnet56,
            make: { var r = RandomGenerator(seed: 9); return ResNet(configuration: $0, using: &r) }, inputShape: [1, 8, 8], seed: 4)
        try checkExport(
            build: { var r = RandomGenerator(seed: 2); return MobileNetV2(widthMultiplier: 0.25, inputChannels: 1, classCount: 4, using: &r) },
            base: Float(0.25), make: { var r = RandomGenerator(seed: 3); return MobileNetV2(widthMultiplier: $0, inputChannels: 1, classCount: 4, using: &r) },
            inputShape: [1, 16, 16], seed: 2)
        try checkExport(build: { UserCNN() }, base: "user-cnn", make: { _ in UserCNN(seed: 5) }, inputShape: [1, 8, 8], seed: 3)
    }

    @Test("ResNet-20 at 28×28: parameters, MACs and FLOPs equal a hand count")
    func resnet20HandCount() throws {
        var random = RandomGenerator(seed: 0)
        let model = ResNet.cifar(depth: 20, inputChannels: 1, classCount: 10, using: &random)
        let parameters = try ChannelCostModel(model: model, inputShape: [1, 28, 28], measure: .parameters)
        let macs = try ChannelCostModel(model: model, inputShape: [1, 28, 28], measure: .macs)
        let flops = try ChannelCostModel(model: model, inputShape: [1, 28, 28], measure: .flops)
        // Convolutions k·c_in·c_out·H·W: stem 3×3×1×16 at 28², stage 1 six 3×3×16×16 at 28²,
        // stage 2 3×3×16×32 + five 3×3×32×32 + 1×1×16×32 at 14², stage 3 likewise at 7², fc 64×10.
        let stem = 9 * 1 * 16 * 784, stage1 = 6 * 9 * 16 * 16 * 784
        let stage2 = (9 * 16 * 32 + 5 * 9 * 32 * 32 + 16 * 32) * 196
        let stage3 = (9 * 32 * 64 + 5 * 9 * 64 * 64 + 32 * 64) * 49
        let handMACs = stem + stage1 + stage2 + stage3 + 640
        #expect(handMACs == 31_021_952)
        #expect(Int(macs.fullCost) == handMACs)
        // FLOPs add 3·c_out·H·W per convolution (BatchNorm and ReLU).
        let outputs = 16 * 784 + 6 * 16 * 784 + 7 * 32 * 196 + 7 * 64 * 49
        #expect(Int(flops.fullCost) == handMACs + 3 * outputs)
        // Weights + conv-free BatchNorm scale/shift + fc bias; the documented 272,186.
        #expect(Int(parameters.fullCost) == 272_186 && model.parameterCount == 272_186)
        #expect(macs.prunableFraction > 0.99)
        // Unknown group names are typed errors listing the model's groups.
        #expect(throws: StructuralPruningError.self) {
            try ChannelCostModel(model: model, inputShape: [1, 28, 28], gatedGroups: ["layer9.0.inner"], measure: .macs)
        }
    }

    @Test("Soft gates: gradients reach the masks (finite differences) and the weights are restored")
    func gateGradients() throws {
        let model = UserCNN()
        randomize(model, seed: 4)
        model.eval()
        let gating = try ChannelGating(model: model)
        let input = testTensor([1, 1, 6, 6], seed: 2)
        let before = model.stateDictionary()
        checkGradients(of: { masks in
            (try? gating.withMasks(masks, on: model) { model(input) }) ?? Tensor.zeros([1, 3])
        }, at: [testTensor([6], lower: 0.2, upper: 1, seed: 3), testTensor([8], lower: 0.2, upper: 1, seed: 4)])
        #expect(model.stateDictionary().allSatisfy { $0.value.scalars == before[$0.key]!.scalars })
        #expect(throws: StructuralPruningError.maskShapeMismatch(gate: "conv2.output", expected: 8, actual: 7)) {
            try gating.withMasks([Tensor.ones([6]), Tensor.ones([7])], on: model) { model(input) }
        }
    }

    @Test("Export rejects a mask that empties a group (naming it) and rounds widths to a multiple")
    func exportEdgeCases() throws {
        let model = UserCNN()
        let gating = try ChannelGating(model: model)
        #expect(throws: StructuralPruningError.emptyStructure(gate: "conv2.output")) {
            try ChannelMaskExport.apply([Tensor.ones([6]), Tensor.zeros([8])], gating: gating, to: model)
        }
        let kept = try ChannelMaskExport.apply(
            [Tensor([1, 0, 0, 0, 0, 0]), Tensor([0, 1, 0, 1, 0, 0, 0, 1])], gating: gating, to: model, roundTo: 4)
        #expect(kept == [[0, 1, 2, 3], [0, 1, 3, 7]])
        #expect(model.conv1.outputChannels == 4 && model.conv2.outputChannels == 4 && model.fc.inputCount == 4)
    }
}

/// A CNN that runs its second convolution by hand (not through `Conv2d`).
final class HandRolledCNN: Layer, ChannelPrunable {
    let conv1: Conv2d, extra: Parameter
    var isTraining = true
    init() {
        var random = RandomGenerator(seed: 1)
        conv1 = Conv2d(inChannels: 1, outChannels: 4, kernelSize: 3, padding: 1, using: &random)
        extra = Parameter(Tensor.randomNormal([2, 4, 1, 1], using: &random))
    }
    var ownParameters: [(String, Parameter)] { [("extra", extra)] }
    var children: [(String, any Module)] { [("conv1", conv1)] }
    func callAsFunction(_ input: Tensor) -> Tensor { Tensor.conv2d(conv1(input), extra.value) }
    var prunableGroups: [PrunableGroup] {
        [PrunableGroup(name: "conv1.output", size: 4, slices: [
            ParameterSlice("conv1.weight", axis: 0, role: .output), ParameterSlice("extra", axis: 1, role: .input)])]
    }
}

@Suite("Unsupported layers")
struct UnsupportedLayerTests {
    @Test("A weight no Conv2d or Linear used is a thrown error naming it, not a silent undercount")
    func unsupported() {
        #expect(throws: StructuralPruningError.unsupportedLayer(parameter: "extra", shape: [2, 4, 1, 1])) {
            try ChannelCostModel(model: HandRolledCNN(), inputShape: [1, 6, 6], measure: .macs)
        }
    }
}
