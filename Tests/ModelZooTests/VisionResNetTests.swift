import ModelZoo
import PruningCore
import PruningTestSupport
import Testing

@Suite struct VisionResNetTests {
    @Test("ResNet-20 has 272,474 parameters for 3-channel 10-class inputs")
    func resNet20ParameterCount() {
        // Stem 3·16·9 + BN 2·16 = 464. Stage 1: 3 blocks × (2 · 16·16·9 + 2 · 2·16) = 14,016.
        // Stage 2: first block 16·32·9 + 32·32·9 + 2·64 + projection 16·32 + 64 = 14,528, two more
        // blocks of 2 · 32·32·9 + 128 = 18,560 each: 51,648. Stage 3: 32·64·9 + 64·64·9 + 256 +
        // projection 32·64 + 128 = 57,728, two blocks of 73,984: 205,696. Classifier 64·10 + 10
        // = 650. Total 272,474: the paper's 0.27M (269,722 with option-A shortcuts) plus the two
        // projections (576 + 2,176 = 2,752). BatchNorm running statistics are buffers, not counted.
        var random = RandomGenerator(seed: 0)
        let model = ResNet.cifar(depth: 20, inputChannels: 3, classCount: 10, using: &random)
        #expect(model.parameterCount == 272_474)
        let grayscale = ResNet.cifar(depth: 20, inputChannels: 1, classCount: 10, using: &random)
        #expect(grayscale.parameterCount == 272_474 - 2 * 16 * 9)
        // ResNet-56: 853,018 with option A (the paper's 0.85M) + 2,752.
        #expect(ResNet.cifar(depth: 56, using: &random).parameterCount == 855_770)
    }

    @Test("parameter names follow torchvision")
    func names() {
        var random = RandomGenerator(seed: 0)
        let model = ResNet.cifar(depth: 20, inputChannels: 1, classCount: 10, width: 4, using: &random)
        let names = Set(model.namedParameters().map(\.name))
        for name in ["conv1.weight", "bn1.running_var", "layer1.0.conv1.weight", "layer1.2.bn2.bias",
                     "layer2.0.downsample.0.weight", "layer2.0.downsample.1.weight", "layer3.2.conv2.weight",
                     "fc.weight", "fc.bias"] {
            #expect(names.contains(name), "missing \(name)")
        }
        #expect(!names.contains("layer1.0.downsample.0.weight"))
        #expect(!names.contains("layer2.1.downsample.0.weight"))
        #expect(model.stages.map(\.count) == [3, 3, 3])
    }

    @Test("forward shapes for 28×28 grayscale and 32×32 RGB, CIFAR and ImageNet stems")
    func shapes() {
        var random = RandomGenerator(seed: 1)
        let gray = ResNet.cifar(depth: 20, inputChannels: 1, classCount: 10, width: 4, using: &random)
        #expect(withoutGradients { gray(testTensor([2, 1, 28, 28])) }.shape == [2, 10])
        #expect(withoutGradients { gray.features(testTensor([2, 1, 28, 28])) }.shape == [2, 16])
        let rgb = ResNet.cifar(depth: 20, inputChannels: 3, classCount: 7, width: 4, using: &random)
        #expect(withoutGradients { rgb(testTensor([2, 3, 32, 32])) }.shape == [2, 7])
        let small = ResNet.small(widths: [4, 8, 8, 8], inputChannels: 3, classCount: 5, using: &random)
        #expect(small.configuration.depth == 18)
        #expect(withoutGradients { small(testTensor([2, 3, 32, 32])) }.shape == [2, 5])
        let smallCIFAR = ResNet.small(
            blocksPerStage: [1, 1], widths: [4, 8], inputChannels: 1, classCount: 3, stem: .cifar, using: &random)
        #expect(withoutGradients { smallCIFAR(testTensor([1, 1, 28, 28])) }.shape == [1, 3])
    }

    @Test("every parameter receives a gradient")
    func gradientFlow() {
        var random = RandomGenerator(seed: 2)
        let model = ResNet.cifar(depth: 20, inputChannels: 1, classCount: 4, width: 4, using: &random)
        VisionTestHelpers.checkEveryParameterLearns(model, input: testTensor([3, 1, 12, 12]), labels: [0, 3, 1])
        let small = ResNet.small(widths: [4, 4, 8, 8], inputChannels: 3, classCount: 3, using: &random)
        VisionTestHelpers.checkEveryParameterLearns(small, input: testTensor([3, 3, 32, 32]), labels: [2, 0, 1])
    }

    @Test("training mode uses batch statistics and updates running ones; evaluation mode does neither")
    func trainAndEvalModes() {
        var random = RandomGenerator(seed: 3)
        let model = ResNet.cifar(depth: 20, inputChannels: 1, classCount: 10, width: 4, using: &random)
        let batch = testTensor([3, 1, 12, 12], seed: 5)
        let first = batch.sliced(alongAxis: 0, from: 0, count: 1)

        model.train()
        let runningBefore = model.bn1.runningMean.value.scalars
        let trainBatch = withoutGradients { model(batch) }
        let trainSingle = withoutGradients { model(Tensor.concatenate([first, first * 2], alongAxis: 0)) }
        #expect(model.bn1.runningMean.value.scalars != runningBefore)
        // With batch statistics, image 0's output depends on the rest of the batch.
        #expect(trainBatch.sliced(alongAxis: 0, from: 0, count: 1).scalars
                != trainSingle.sliced(alongAxis: 0, from: 0, count: 1).scalars)

        model.eval()
        #expect(!model.isTraining && !model.stages[2][1].bn2.isTraining)
        let state = model.stateDictionary()
        let evalBatch = withoutGradients { model(batch) }
        let evalSingle = withoutGradients { model(first) }
        expectClose(evalBatch.sliced(alongAxis: 0, from: 0, count: 1), evalSingle, relativeTolerance: 1e-5, absoluteTolerance: 1e-5)
        for (name, value) in model.stateDictionary() { #expect(value.scalars == state[name]?.scalars, "\(name) changed in eval mode") }
        #expect(evalBatch.scalars != trainBatch.scalars)
    }

    @Test("ResNet groups: names, sizes and couplings")
    func groups() throws {
        var random = RandomGenerator(seed: 4)
        let model = ResNet.cifar(depth: 20, inputChannels: 3, classCount: 10, using: &random)
        let groups = model.prunableGroups
        #expect(groups.map(\.name) == [
            "layer1.0.inner", "layer1.1.inner", "layer1.2.inner", "layer2.0.inner", "conv1.output",
            "layer2.1.inner", "layer2.2.inner", "layer3.0.inner", "layer2.0.output",
            "layer3.1.inner", "layer3.2.inner", "layer3.0.output",
        ])
        let inner = try model.prunableGroup(named: "layer1.0.inner")
        #expect(inner.size == 16)
        #expect(inner.slices.map(\.parameter) == [
            "layer1.0.conv1.weight", "layer1.0.bn1.weight", "layer1.0.bn1.bias", "layer1.0.bn1.running_mean",
            "layer1.0.bn1.running_var", "layer1.0.conv2.weight",
        ])
        #expect(inner.inputSlices.map(\.axis) == [1])
        let stage3 = try model.prunableGroup(named: "layer3.0.output")
        #expect(stage3.size == 64)
        #expect(stage3.inputSlices.map(\.parameter) == ["layer3.1.conv1.weight", "layer3.2.conv1.weight", "fc.weight"])
    }

    @Test("pruning changes the parameter count as computed by hand")
    func prunedParameterCounts() throws {
        var random = RandomGenerator(seed: 5)
        let model = ResNet.cifar(depth: 20, inputChannels: 3, classCount: 10, using: &random)
        // layer1.0.inner keeping 10 of 16: conv1 rows 6·16·9 = 864, bn1 2·6 = 12, conv2 columns
        // 16·6·9 = 864.
        try model.pruneGroup("layer1.0.inner", keeping: Array(0..<10))
        #expect(model.parameterCount == 272_474 - 1_740)
        #expect(model.stages[0][0].conv1.weight.shape == [10, 16, 3, 3])
        #expect(model.stages[0][0].conv2.weight.shape == [16, 10, 3, 3])
        #expect(model.stages[0][0].bn1.runningVariance.shape == [10])
        // layer3.0.output keeping 60 of 64: projection rows 4·32 = 128 + BN 8; conv2 rows of three
        // blocks 3·4·64·9 = 6,912 + BN 24; conv1 columns of blocks 1 and 2: 2·64·4·9 = 4,608; fc
        // columns 4·10 = 40.
        try model.pruneGroup("layer3.0.output", keeping: Array(4..<64))
        #expect(model.parameterCount == 272_474 - 1_740 - 11_720)
        #expect(model.fc.weight.shape == [10, 60])
        #expect(withoutGradients { model(testTensor([1, 3, 8, 8])) }.shape == [1, 10])
    }

    @Test("pruned ResNets compute what the zeroed dense ones compute")
    func pruningMatchesZeroing() throws {
        try VisionTestHelpers.checkPruningMatchesZeroing(
            build: {
                var random = RandomGenerator(seed: 6)
                return ResNet.cifar(depth: 20, inputChannels: 1, classCount: 5, width: 4, using: &random)
            },
            input: testTensor([2, 1, 10, 10], seed: 7))
        try VisionTestHelpers.checkPruningMatchesZeroing(
            build: {
                var random = RandomGenerator(seed: 8)
                return ResNet.small(blocksPerStage: [2, 1, 1], widths: [4, 6, 8], inputChannels: 3, classCount: 4, using: &random)
            },
            input: testTensor([2, 3, 20, 20], seed: 9))
    }

    @Test("invalid pruning requests throw and change nothing")
    func pruningErrors() {
        var random = RandomGenerator(seed: 10)
        let model = ResNet.cifar(depth: 20, inputChannels: 1, classCount: 10, width: 4, using: &random)
        let count = model.parameterCount
        #expect(throws: ChannelPruningError.self) { try model.pruneGroup("layer9.0.inner", keeping: [0]) }
        #expect(throws: ChannelPruningError.emptySelection(group: "layer1.0.inner")) {
            try model.pruneGroup("layer1.0.inner", keeping: [])
        }
        #expect(throws: ChannelPruningError.indexOutOfRange(group: "layer1.0.inner", index: 4, size: 4)) {
            try model.pruneGroup("layer1.0.inner", keeping: [0, 4])
        }
        #expect(throws: ChannelPruningError.repeatedIndex(group: "layer1.0.inner", index: 1)) {
            try model.pruneGroup("layer1.0.inner", keeping: [1, 0, 1])
        }
        #expect(model.parameterCount == count)
        let error = ChannelPruningError.unknownGroup("x", available: ["a", "b"])
        #expect(error.description.contains("a, b"))
    }
}
