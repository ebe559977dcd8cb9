import PruningCore
import PruningTestSupport
import Testing

@Suite struct PoolingTests {
    /// (kernel, stride, padding) triples for the windowed pools.
    static let windows: [((Int, Int), (Int, Int), (Int, Int))] = [
        ((2, 2), (2, 2), (0, 0)), ((3, 3), (2, 2), (1, 1)), ((3, 2), (1, 2), (1, 0)), ((2, 3), (3, 1), (1, 1)),
    ]

    @Test("maxPool2d matches a loop reference and routes gradients to the arg-max", arguments: 0..<windows.count)
    func maxPool(_ index: Int) {
        let (kernel, stride, padding) = Self.windows[index]
        let x = distinctTensor([2, 3, 7, 6], seed: UInt64(index + 1))
        let y = x.maxPool2d(kernel: kernel, stride: stride, padding: padding)
        let values = x.scalars
        let outShape = [2, 3, (7 + 2 * padding.0 - kernel.0) / stride.0 + 1, (6 + 2 * padding.1 - kernel.1) / stride.1 + 1]
        let expected = referenceMap(outShape) { n, c, oh, ow in
            var best = -Float.infinity
            for kh in 0..<kernel.0 {
                for kw in 0..<kernel.1 {
                    let (ih, iw) = (oh * stride.0 - padding.0 + kh, ow * stride.1 - padding.1 + kw)
                    if ih >= 0, ih < 7, iw >= 0, iw < 6 { best = max(best, values[((n * 3 + c) * 7 + ih) * 6 + iw]) }
                }
            }
            return best
        }
        #expect(y.shape == outShape)
        #expect(y.scalars == expected.scalars)
        checkGradients(of: { $0[0].maxPool2d(kernel: kernel, stride: stride, padding: padding) }, at: [x])
    }

    @Test("maxPool2d padding is −∞ and the default stride is the kernel")
    func maxPoolPadding() {
        let x = Tensor(shape: [1, 1, 2, 2], scalars: [-4, -3, -2, -1])
        #expect(x.maxPool2d(kernel: 2, stride: 1, padding: 1).scalars == [-4, -3, -3, -2, -1, -1, -2, -1, -1])
        let y = testTensor([1, 2, 4, 6], seed: 9).maxPool2d(kernel: 2)
        #expect(y.shape == [1, 2, 2, 3])
    }

    @Test("avgPool2d matches a loop reference, with and without padding in the divisor",
          arguments: 0..<windows.count, [true, false])
    func avgPool(_ index: Int, countIncludingPadding: Bool) {
        let (kernel, stride, padding) = Self.windows[index]
        let x = testTensor([2, 2, 6, 7], seed: UInt64(index + 20))
        let y = x.avgPool2d(kernel: kernel, stride: stride, padding: padding, countIncludingPadding: countIncludingPadding)
        let values = x.scalars
        let outShape = [2, 2, (6 + 2 * padding.0 - kernel.0) / stride.0 + 1, (7 + 2 * padding.1 - kernel.1) / stride.1 + 1]
        let expected = referenceMap(outShape) { n, c, oh, ow in
            var total: Float = 0
            var inside = 0
            for kh in 0..<kernel.0 {
                for kw in 0..<kernel.1 {
                    let (ih, iw) = (oh * stride.0 - padding.0 + kh, ow * stride.1 - padding.1 + kw)
                    if ih >= 0, ih < 6, iw >= 0, iw < 7 {
                        total += values[((n * 2 + c) * 6 + ih) * 7 + iw]
                        inside += 1
                    }
                }
            }
            return total / Float(countIncludingPadding ? kernel.0 * kernel.1 : inside)
        }
        expectClose(y, expected, relativeTolerance: 1e-5, absoluteTolerance: 1e-6)
        checkGradients(
            of: { $0[0].avgPool2d(kernel: kernel, stride: stride, padding: padding, countIncludingPadding: countIncludingPadding) },
            at: [x])
    }

    @Test("adaptiveAvgPool2d uses PyTorch's floor/ceil bins, including non-divisible sizes",
          arguments: [((7, 7), (3, 3)), ((5, 6), (3, 4)), ((4, 4), (2, 2)), ((3, 2), (5, 4)), ((6, 5), (1, 1))])
    func adaptive(_ sizes: ((Int, Int), (Int, Int))) {
        let ((inH, inW), (outH, outW)) = sizes
        let x = testTensor([2, 2, inH, inW], seed: 33)
        let values = x.scalars
        let y = x.adaptiveAvgPool2d(outputSize: (outH, outW))
        let expected = referenceMap([2, 2, outH, outW]) { n, c, oh, ow in
            let (h0, h1) = (oh * inH / outH, ((oh + 1) * inH + outH - 1) / outH)
            let (w0, w1) = (ow * inW / outW, ((ow + 1) * inW + outW - 1) / outW)
            var total: Float = 0
            for ih in h0..<h1 {
                for iw in w0..<w1 { total += values[((n * 2 + c) * inH + ih) * inW + iw] }
            }
            return total / Float((h1 - h0) * (w1 - w0))
        }
        expectClose(y, expected, relativeTolerance: 1e-5, absoluteTolerance: 1e-6)
        checkGradients(of: { $0[0].adaptiveAvgPool2d(outputSize: (outH, outW)) }, at: [x])
    }

    @Test("adaptiveAvgPool2d 7→3 bins are rows 0..<3, 2..<5, 4..<7")
    func adaptiveBins() {
        let x = Tensor(shape: [1, 1, 7, 1], scalars: [0, 1, 2, 3, 4, 5, 6])
        #expect(x.adaptiveAvgPool2d(outputSize: (3, 1)).scalars == [1, 3, 5])
        let global = testTensor([2, 3, 4, 5], seed: 34)
        expectClose(global.adaptiveAvgPool2d(outputSize: 1), global.mean(alongAxes: [2, 3], keepingDimensions: true))
    }

    @Test("upsampleNearest2d repeats each pixel and sums gradients over its block")
    func upsample() {
        let x = Tensor(shape: [1, 1, 2, 2], scalars: [1, 2, 3, 4])
        #expect(x.upsampleNearest2d(scale: (2, 3)).scalars == [
            1, 1, 1, 2, 2, 2,
            1, 1, 1, 2, 2, 2,
            3, 3, 3, 4, 4, 4,
            3, 3, 3, 4, 4, 4,
        ])
        let y = testTensor([2, 3, 3, 2], seed: 35)
        #expect(y.upsampleNearest2d(scale: 2).shape == [2, 3, 6, 4])
        checkGradients(of: { $0[0].upsampleNearest2d(scale: (2, 3)) }, at: [y])
    }
}
