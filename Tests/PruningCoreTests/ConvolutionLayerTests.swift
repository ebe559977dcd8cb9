import PruningCore
import PruningTestSupport
import Testing

@Suite struct ConvolutionLayerTests {
    @Test("Conv2d has PyTorch names, shapes and default init bounds")
    func conv2dLayer() throws {
        var random = RandomGenerator(seed: 1)
        let layer = Conv2d(inChannels: 8, outChannels: 6, kernelSize: 3, padding: 1, groups: 2, using: &random)
        let names = layer.namedParameters().map(\.name)
        #expect(names == ["weight", "bias"])
        #expect(layer.weight.shape == [6, 4, 3, 3])
        #expect(layer.bias?.shape == [6])
        #expect(layer.inputChannels == 8 && layer.outputChannels == 6 && layer.inputChannelsPerGroup == 4)
        #expect(layer.kernelSize == (3, 3) && !layer.isDepthwise)
        // fanIn = 4·3·3 = 36, bound 1/6.
        let bound: Float = 1.0 / 6.0
        let weights = layer.weight.value.scalars + (layer.bias?.value.scalars ?? [])
        #expect(weights.allSatisfy { abs($0) <= bound })
        #expect(weights.contains { abs($0) > 0.8 * bound })
        let x = testTensor([2, 8, 5, 5], seed: 2)
        let y = layer(x)
        #expect(y.shape == [2, 6, 5, 5])
        #expect(layer.outputSize(height: 5, width: 5) == (5, 5))
        let direct = Tensor.conv2d(x, layer.weight.value, bias: layer.bias?.value, padding: 1, groups: 2)
        #expect(y.scalars == direct.scalars)
    }

    @Test("Conv2d without bias, depthwise, rectangular kernel, loads by name")
    func conv2dVariants() throws {
        var random = RandomGenerator(seed: 3)
        let depthwise = Conv2d(
            inChannels: 4, outChannels: 4, kernelSize: (3, 1), stride: (2, 1), padding: (1, 0), groups: 4, bias: false,
            using: &random)
        #expect(depthwise.bias == nil && depthwise.isDepthwise)
        #expect(depthwise.namedParameters().map(\.name) == ["weight"])
        #expect(depthwise(testTensor([1, 4, 6, 5], seed: 4)).shape == [1, 4, 3, 5])
        let weight = testTensor([4, 1, 3, 1], seed: 5)
        try depthwise.load(["weight": weight])
        #expect(depthwise.weight.value.scalars == weight.scalars)
        #expect(throws: ModuleError.self) { try depthwise.load(["weight": testTensor([4, 1, 3, 3], seed: 6)]) }
        let given = Conv2d(weight: testTensor([5, 2, 1, 1], seed: 7), bias: testTensor([5], seed: 8))
        #expect(given.inputChannels == 2 && given.outputChannels == 5)
    }

    @Test("Conv2d trains: parameter gradients through valueAndGradient match the tensor-level ones")
    func conv2dGradients() {
        var random = RandomGenerator(seed: 9)
        let layer = Conv2d(inChannels: 2, outChannels: 3, kernelSize: 3, stride: 2, padding: 1, using: &random)
        let x = testTensor([2, 2, 5, 5], seed: 10)
        let (_, gradients) = valueAndGradient(of: layer) { layer(x).squared().mean() }
        let w = layer.weight.value.requiringGradient()
        let b = layer.bias!.value.requiringGradient()
        let loss = Tensor.conv2d(x, w, bias: b, stride: 2, padding: 1).squared().mean()
        let expected = loss.gradients(withRespectTo: [w, b])
        expectClose(gradients[layer.weight]!, expected[0])
        expectClose(gradients[layer.bias!]!, expected[1])
    }

    @Test("ConvTranspose2d has PyTorch names, shapes and init bounds, and upsamples")
    func convTransposeLayer() {
        var random = RandomGenerator(seed: 11)
        let layer = ConvTranspose2d(
            inChannels: 4, outChannels: 6, kernelSize: 3, stride: 2, padding: 1, outputPadding: 1, groups: 2,
            using: &random)
        #expect(layer.namedParameters().map(\.name) == ["weight", "bias"])
        #expect(layer.weight.shape == [4, 3, 3, 3])
        #expect(layer.inputChannels == 4 && layer.outputChannels == 6)
        // fanIn = weight.shape[1]·3·3 = 27.
        let bound = 1 / Float(27).squareRoot()
        #expect((layer.weight.value.scalars + layer.bias!.value.scalars).allSatisfy { abs($0) <= bound })
        let x = testTensor([2, 4, 5, 5], seed: 12)
        let y = layer(x)
        #expect(y.shape == [2, 6, 10, 10])
        #expect(layer.outputSize(height: 5, width: 5) == (10, 10))
        let expected = naiveConvTranspose2d(
            x, layer.weight.value, bias: layer.bias?.value, stride: (2, 2), padding: (1, 1), outputPadding: (1, 1),
            dilation: (1, 1), groups: 2)
        expectClose(y, expected, relativeTolerance: 1e-4, absoluteTolerance: 1e-5)
    }

    @Test("pooling and upsampling layers wrap the tensor operations")
    func poolingLayers() {
        let x = testTensor([2, 3, 8, 8], seed: 13)
        let model = Sequential([
            MaxPool2d(kernelSize: 3, stride: 1, padding: 1), AvgPool2d(kernelSize: 2), Upsample(scaleFactor: 2),
            AdaptiveAvgPool2d(outputSize: (3, 2)),
        ])
        #expect(model.namedParameters().isEmpty)
        let expected = x.maxPool2d(kernel: 3, stride: 1, padding: 1).avgPool2d(kernel: 2).upsampleNearest2d(scale: 2)
            .adaptiveAvgPool2d(outputSize: (3, 2))
        #expect(model(x).scalars == expected.scalars)
        let excluding = AvgPool2d(kernelSize: (3, 3), stride: (2, 2), padding: (1, 1), countIncludingPadding: false)
        #expect(excluding(x).scalars == x.avgPool2d(kernel: 3, stride: 2, padding: 1, countIncludingPadding: false).scalars)
        #expect(MaxPool2d(kernelSize: (2, 4)).stride == (2, 4))
    }
}
