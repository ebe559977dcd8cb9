import PruningCore
import PruningTestSupport
import Testing

/// Forward cases covering strides, padding, dilation, groups (including depthwise with and
/// without a channel multiplier), non-square kernels, 1×1 convolutions, batches split over
/// several GEMMs (10×10 outputs: three images per GEMM, batch 8; 15×15 outputs: two per GEMM,
/// batch 7), one GEMM per image (32×32), stride-1 "same-width" layers whose taps are copied
/// as contiguous blocks, and stride-1 layers of 8+ input channels computed tap by tap.
let convolutionForwardCases: [ConvolutionCase] = [
    ConvolutionCase(),
    ConvolutionCase(stride: (2, 2), padding: (1, 1)),
    ConvolutionCase(height: 7, width: 7, padding: (2, 2), dilation: (2, 2), hasBias: false),
    ConvolutionCase(inChannels: 4, outChannels: 6, padding: (1, 1), groups: 2),
    ConvolutionCase(inChannels: 4, outChannels: 4, padding: (1, 1), groups: 4),
    ConvolutionCase(inChannels: 3, outChannels: 6, stride: (2, 2), padding: (1, 1), groups: 3, hasBias: false),
    ConvolutionCase(
        inChannels: 3, outChannels: 3, height: 7, width: 6, kernel: (3, 2), stride: (2, 1), padding: (2, 1),
        dilation: (2, 2), groups: 3),
    ConvolutionCase(height: 7, width: 5, kernel: (2, 3), stride: (2, 1), padding: (1, 0), dilation: (1, 2)),
    ConvolutionCase(batch: 3, kernel: (1, 1), hasBias: false),
    ConvolutionCase(kernel: (1, 1), stride: (2, 2)),
    ConvolutionCase(height: 4, width: 4, kernel: (1, 1), padding: (1, 1)),
    ConvolutionCase(batch: 1, height: 2, width: 3, padding: (1, 1)),
    ConvolutionCase(inChannels: 4, outChannels: 4, height: 5, width: 5, padding: (2, 2), dilation: (2, 2), groups: 2),
    ConvolutionCase(
        inChannels: 2, outChannels: 6, height: 7, width: 6, kernel: (3, 2), padding: (2, 1), dilation: (2, 1), groups: 2),
    ConvolutionCase(batch: 3, inChannels: 3, outChannels: 3, height: 5, width: 7, groups: 3),
    ConvolutionCase(batch: 7, inChannels: 3, outChannels: 5, height: 17, width: 17),
    ConvolutionCase(batch: 8, inChannels: 3, outChannels: 5, height: 12, width: 12, padding: (0, 0)),
    ConvolutionCase(height: 5, width: 6, kernel: (2, 3), padding: (1, 1)),
    ConvolutionCase(height: 6, width: 5, padding: (0, 1), hasBias: false),
    ConvolutionCase(batch: 2, inChannels: 2, outChannels: 3, height: 32, width: 32, padding: (1, 1)),
    // Stride 1, one group, 8+ input channels: one GEMM per tap on padded planes (including no
    // padding, where a tap's shifted view reaches the plane's spare row, and rectangular kernels).
    ConvolutionCase(batch: 3, inChannels: 8, outChannels: 5, height: 7, width: 6, padding: (1, 1)),
    ConvolutionCase(batch: 2, inChannels: 9, outChannels: 4, height: 6, width: 5, kernel: (3, 2), padding: (0, 1)),
    ConvolutionCase(batch: 2, inChannels: 8, outChannels: 8, height: 5, width: 5, padding: (0, 0), hasBias: false),
    ConvolutionCase(batch: 1, inChannels: 12, outChannels: 3, height: 4, width: 4, kernel: (5, 5), padding: (2, 2)),
]

/// Small cases for finite-difference gradient checks.
let convolutionGradientCases: [ConvolutionCase] = [
    ConvolutionCase(inChannels: 2, outChannels: 3, height: 5, width: 5, padding: (1, 1)),
    ConvolutionCase(batch: 1, inChannels: 8, outChannels: 2, height: 4, width: 3, kernel: (3, 2), padding: (1, 0)),
    ConvolutionCase(
        inChannels: 4, outChannels: 4, height: 5, width: 5, kernel: (2, 3), stride: (2, 1), padding: (1, 0),
        dilation: (1, 2), groups: 2),
    ConvolutionCase(inChannels: 3, outChannels: 6, height: 5, width: 5, stride: (2, 2), padding: (1, 1), groups: 3),
    ConvolutionCase(inChannels: 3, outChannels: 2, height: 3, width: 3, kernel: (1, 1)),
    ConvolutionCase(inChannels: 2, outChannels: 4, height: 4, width: 5, padding: (1, 2), dilation: (1, 2), groups: 2),
    ConvolutionCase(batch: 1, inChannels: 2, outChannels: 2, height: 4, width: 4, padding: (2, 2), dilation: (2, 2), hasBias: false),
]

@Suite struct ConvolutionTests {
    @Test("conv2d forward matches the seven-loop definition", arguments: convolutionForwardCases)
    func forward(_ c: ConvolutionCase) {
        let (x, w, b) = c.tensors()
        let y = c.convolve(x, w, b)
        #expect(y.shape == c.outputShape)
        expectClose(y, c.naiveForward(x, w, b), relativeTolerance: 1e-4, absoluteTolerance: 1e-5, "\(c)")
    }

    @Test("conv2d backward matches the definition of its input, weight and bias gradients",
          arguments: convolutionForwardCases)
    func backward(_ c: ConvolutionCase) {
        let (x, w, b) = c.tensors(seed: 11)
        let dy = testTensor(c.outputShape, seed: 21)
        let leaves = [x.requiringGradient(), w.requiringGradient(), b?.requiringGradient()].compactMap { $0 }
        let y = c.convolve(leaves[0], leaves[1], b == nil ? nil : leaves[2])
        let gradients = y.gradients(withRespectTo: leaves, seed: dy)
        let expected = c.naiveBackward(x, w, outputGradient: dy)
        expectClose(gradients[0], expected.input, relativeTolerance: 1e-4, absoluteTolerance: 1e-5, "input \(c)")
        expectClose(gradients[1], expected.weight, relativeTolerance: 1e-4, absoluteTolerance: 1e-4, "weight \(c)")
        if b != nil {
            let biasExpected = dy.sum(alongAxes: [0, 2, 3])
            expectClose(gradients[2], biasExpected, relativeTolerance: 1e-4, absoluteTolerance: 1e-4, "bias \(c)")
        }
    }

    @Test("conv2d gradients agree with finite differences", arguments: convolutionGradientCases)
    func gradientCheck(_ c: ConvolutionCase) {
        let (x, w, b) = c.tensors(seed: 31)
        if let b {
            checkGradients(of: { c.convolve($0[0], $0[1], $0[2]) }, at: [x, w, b])
        } else {
            checkGradients(of: { c.convolve($0[0], $0[1], nil) }, at: [x, w])
        }
    }

    @Test("Int overloads equal the pair forms")
    func scalarOverloads() {
        let x = testTensor([1, 2, 6, 6], seed: 3)
        let w = testTensor([4, 1, 3, 3], seed: 4)
        let a = Tensor.conv2d(x, w, stride: 2, padding: 1, dilation: 1, groups: 2)
        let b = Tensor.conv2d(x, w, stride: (2, 2), padding: (1, 1), dilation: (1, 1), groups: 2)
        #expect(a.scalars == b.scalars)
        #expect(Tensor.conv2d(x, testTensor([3, 2, 3, 3], seed: 5)).shape == [1, 3, 4, 4])
    }

    @Test("convTranspose2d is the adjoint of conv2d: ⟨conv(x), y⟩ = ⟨x, convT(y)⟩",
          arguments: convolutionForwardCases)
    func adjoint(_ c: ConvolutionCase) {
        let (x, w, _) = c.tensors(seed: 41)
        let y = testTensor(c.outputShape, seed: 42)
        // The output padding that makes convT(y) as large as x.
        let full = (
            (c.outHeight - 1) * c.stride.0 - 2 * c.padding.0 + c.dilation.0 * (c.kernel.0 - 1) + 1,
            (c.outWidth - 1) * c.stride.1 - 2 * c.padding.1 + c.dilation.1 * (c.kernel.1 - 1) + 1)
        let transposed = Tensor.convTranspose2d(
            y, w, stride: c.stride, padding: c.padding, outputPadding: (c.height - full.0, c.width - full.1),
            dilation: c.dilation, groups: c.groups)
        #expect(transposed.shape == x.shape)
        let left = innerProduct(c.convolve(x, w, nil), y)
        let right = innerProduct(x, transposed)
        #expect(abs(left - right) <= 1e-4 * max(1, abs(left)), "\(left) vs \(right) for \(c)")
    }

    /// (input shape, weight shape, stride, padding, output padding, dilation, groups, bias).
    static let transposedCases: [([Int], [Int], (Int, Int), (Int, Int), (Int, Int), (Int, Int), Int, Bool)] = [
        ([2, 3, 4, 4], [3, 2, 3, 3], (1, 1), (0, 0), (0, 0), (1, 1), 1, true),
        ([2, 3, 4, 3], [3, 2, 3, 3], (2, 2), (1, 1), (1, 0), (1, 1), 1, true),
        ([1, 4, 3, 4], [4, 3, 2, 3], (2, 1), (0, 1), (1, 0), (2, 1), 2, false),
        ([2, 4, 3, 3], [4, 1, 3, 3], (2, 2), (1, 1), (1, 1), (1, 1), 4, true),
        ([2, 2, 3, 3], [2, 3, 1, 1], (1, 1), (0, 0), (0, 0), (1, 1), 1, true),
        ([1, 2, 3, 3], [2, 2, 3, 3], (1, 1), (0, 0), (1, 1), (2, 2), 1, true),
        ([2, 3, 4, 3], [3, 1, 3, 3], (1, 1), (1, 1), (1, 0), (2, 2), 3, true),
        ([1, 2, 3, 4], [2, 2, 2, 3], (1, 1), (0, 1), (0, 0), (1, 1), 2, false),
    ]

    @Test("convTranspose2d forward matches the scatter definition", arguments: 0..<transposedCases.count)
    func transposedForward(_ index: Int) {
        let (inputShape, weightShape, stride, padding, outputPadding, dilation, groups, hasBias) = Self.transposedCases[index]
        let x = testTensor(inputShape, seed: 51)
        let w = testTensor(weightShape, seed: 52)
        let b = hasBias ? testTensor([weightShape[1] * groups], seed: 53) : nil
        let y = Tensor.convTranspose2d(
            x, w, bias: b, stride: stride, padding: padding, outputPadding: outputPadding, dilation: dilation, groups: groups)
        let expected = naiveConvTranspose2d(
            x, w, bias: b, stride: stride, padding: padding, outputPadding: outputPadding, dilation: dilation, groups: groups)
        expectClose(y, expected, relativeTolerance: 1e-4, absoluteTolerance: 1e-5, "case \(index)")
    }

    @Test("convTranspose2d gradients agree with finite differences", arguments: 0..<transposedCases.count)
    func transposedGradients(_ index: Int) {
        let (inputShape, weightShape, stride, padding, outputPadding, dilation, groups, hasBias) = Self.transposedCases[index]
        let x = testTensor(inputShape, seed: 61)
        let w = testTensor(weightShape, seed: 62)
        let b = testTensor([weightShape[1] * groups], seed: 63)
        func apply(_ t: [Tensor]) -> Tensor {
            Tensor.convTranspose2d(
                t[0], t[1], bias: hasBias ? t[2] : nil, stride: stride, padding: padding, outputPadding: outputPadding,
                dilation: dilation, groups: groups)
        }
        checkGradients(of: apply, at: hasBias ? [x, w, b] : [x, w])
    }

    @Test("convTranspose2d square overload and output size")
    func transposedOverload() {
        let x = testTensor([1, 2, 5, 5], seed: 71)
        let w = testTensor([2, 3, 4, 4], seed: 72)
        let a = Tensor.convTranspose2d(x, w, stride: 2, padding: 1)
        let b = Tensor.convTranspose2d(x, w, stride: (2, 2), padding: (1, 1))
        #expect(a.shape == [1, 3, 10, 10])
        #expect(a.scalars == b.scalars)
    }
}
