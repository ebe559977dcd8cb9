import Foundation
import PruningCore
import PruningTestSupport
import Testing

@Suite struct ElementwiseGradientTests {
    @Test("binary ops with broadcasting", arguments: [
        ([3, 4], [3, 4]), ([3, 4], [4]), ([2, 3, 4], [3, 1]), ([1, 4], [3, 1]), ([3, 4], []),
    ])
    func binary(shapes: ([Int], [Int])) {
        let a = testTensor(shapes.0, seed: 1)
        let b = testTensor(shapes.1, lower: 0.5, upper: 2, seed: 2)
        checkGradients(of: { $0[0] + $0[1] }, at: [a, b])
        checkGradients(of: { $0[0] - $0[1] }, at: [a, b])
        checkGradients(of: { $0[0] * $0[1] }, at: [a, b])
        checkGradients(of: { $0[0] / $0[1] }, at: [a, b])
    }

    @Test("maximum and minimum away from ties")
    func extremes() {
        let a = Tensor(shape: [1, 4], scalars: [0.1, 0.9, -0.5, 0.3])
        let b = Tensor(shape: [3, 1], scalars: [0.5, -0.2, 0.7])
        checkGradients(of: { Tensor.maximum($0[0], $0[1]) }, at: [a, b])
        checkGradients(of: { Tensor.minimum($0[0], $0[1]) }, at: [a, b])
        #expect(Tensor.maximum(a, b).scalars == [0.5, 0.9, 0.5, 0.5, 0.1, 0.9, -0.2, 0.3, 0.7, 0.9, 0.7, 0.7])
    }

    @Test("power with tensor exponent")
    func power() {
        let a = testTensor([3, 2], lower: 0.5, upper: 2, seed: 3)
        let b = testTensor([2], lower: -1, upper: 2, seed: 4)
        checkGradients(of: { Tensor.pow($0[0], $0[1]) }, at: [a, b])
    }

    @Test("unary functions")
    func unary() {
        let x = testTensor([2, 5], lower: -2, upper: 2, seed: 5)
        let positive = testTensor([2, 5], lower: 0.3, upper: 2, seed: 6)
        checkGradients(of: { $0[0].exp() }, at: [x])
        checkGradients(of: { $0[0].log() }, at: [positive])
        checkGradients(of: { $0[0].sqrt() }, at: [positive])
        checkGradients(of: { $0[0].rsqrt() }, at: [positive])
        checkGradients(of: { $0[0].tanh() }, at: [x])
        checkGradients(of: { $0[0].sigmoid() }, at: [x])
        checkGradients(of: { $0[0].silu() }, at: [x])
        checkGradients(of: { $0[0].softplus() }, at: [x])
        checkGradients(of: { $0[0].gelu() }, at: [x])
        checkGradients(of: { $0[0].gelu(approximate: true) }, at: [x])
        checkGradients(of: { $0[0].abs() }, at: [positive])
        checkGradients(of: { -$0[0] }, at: [x])
        checkGradients(of: { $0[0].pow(3) }, at: [positive])
        checkGradients(of: { $0[0].clamped(min: -0.5, max: 0.5) }, at: [x])
        checkGradients(of: { $0[0].leakyReLU(negativeSlope: 0.1) }, at: [x])
        checkGradients(of: { $0[0].relu() }, at: [x])
    }

    @Test("where and masked fill")
    func selection() {
        let a = testTensor([3, 4], seed: 7)
        let b = testTensor([4], seed: 8)
        let condition = Tensor(shape: [3, 1], scalars: [1, 0, 1])
        checkGradients(of: { Tensor.where(condition, $0[0], $0[1]) }, at: [a, b])
        let mask = Tensor(shape: [1, 4], scalars: [0, 1, 0, 1])
        checkGradients(of: { $0[0].maskedFill(mask, with: 3) }, at: [a])
        let filled = a.maskedFill(mask, with: -.infinity)
        #expect(filled[0, 1] == -.infinity)
        #expect(filled[0, 0] == a[0, 0])
    }
}

@Suite struct ReductionGradientTests {
    @Test("sum, mean, variance over axes")
    func sums() {
        let x = testTensor([2, 3, 4], seed: 11)
        checkGradients(of: { $0[0].sum() }, at: [x])
        checkGradients(of: { $0[0].sum(alongAxis: 1) }, at: [x])
        checkGradients(of: { $0[0].sum(alongAxes: [0, 2], keepingDimensions: true) }, at: [x])
        checkGradients(of: { $0[0].mean(alongAxis: -1) }, at: [x])
        checkGradients(of: { $0[0].variance(alongAxes: [1, 2]) }, at: [x])
        checkGradients(of: { $0[0].logSumExp(alongAxis: 1) }, at: [x])
        checkGradients(of: { $0[0].norm(alongAxes: [2]) }, at: [x])
    }

    @Test("max and min route the gradient to the extreme")
    func extremes() {
        let x = Tensor(shape: [2, 3], scalars: [1, 5, 2, 7, -1, 3])
        checkGradients(of: { $0[0].max(alongAxis: 1).values }, at: [x])
        checkGradients(of: { $0[0].min(alongAxis: 0).values }, at: [x])
        #expect(x.max(alongAxis: 1).indices == [1, 0])
        #expect(x.argmin(alongAxis: 1).scalars == [0, 1])
    }

    @Test("softmax and log-softmax")
    func softmax() {
        let x = testTensor([3, 5], lower: -3, upper: 3, seed: 12)
        checkGradients(of: { $0[0].softmax(alongAxis: 1) }, at: [x])
        checkGradients(of: { $0[0].softmax(alongAxis: 0) }, at: [x])
        checkGradients(of: { $0[0].logSoftmax(alongAxis: 1) }, at: [x])
    }

    @Test("softmax stays finite for huge logits and all-masked rows")
    func softmaxStability() {
        let x = Tensor(shape: [2, 3], scalars: [1e30, 1e30, -1e30, -.infinity, -.infinity, -.infinity])
        let y = x.softmax(alongAxis: 1)
        #expect(y.scalars == [0.5, 0.5, 0, 0, 0, 0])
        let l = Tensor(shape: [1, 3], scalars: [1000, 0, -1000]).logSoftmax(alongAxis: 1)
        expectClose(l, Tensor(shape: [1, 3], scalars: [0, -1000, -2000]))
    }
}

@Suite struct MatmulGradientTests {
    @Test("matmul with transposes and batch broadcasting", arguments: [
        ([3, 4], [4, 5], false, false), ([4, 3], [4, 5], true, false), ([3, 4], [5, 4], false, true),
        ([4, 3], [5, 4], true, true), ([2, 3, 4], [4, 5], false, false), ([2, 3, 4], [2, 4, 5], false, false),
        ([2, 1, 3, 4], [3, 5, 4], false, true), ([2, 4, 3], [4, 5], true, false), ([4], [4, 3], false, false),
    ])
    func matmul(arguments: ([Int], [Int], Bool, Bool)) {
        let (sa, sb, ta, tb) = arguments
        let a = testTensor(sa, seed: 21)
        let b = testTensor(sb, seed: 22)
        checkGradients(of: { $0[0].matmul($0[1], transposingSelf: ta, transposingOther: tb) }, at: [a, b])
    }

    @Test("fused linear: values and gradients for input, weight and bias")
    func linear() {
        let x = testTensor([2, 3, 4], seed: 25)
        let w = testTensor([5, 4], seed: 26)
        let b = testTensor([5], seed: 27)
        expectClose(Tensor.linear(x, weight: w, bias: b), x.matmul(w, transposingOther: true) + b)
        checkGradients(of: { Tensor.linear($0[0], weight: $0[1], bias: $0[2]) }, at: [x, w, b])
    }

    @Test("matmul matches a loop reference")
    func matmulValues() {
        let a = testTensor([2, 3, 4], seed: 23)
        let b = testTensor([2, 4, 5], seed: 24)
        let c = a.matmul(b)
        var expected = [Float](repeating: 0, count: 2 * 3 * 5)
        for n in 0..<2 { for i in 0..<3 { for j in 0..<5 {
            var s: Float = 0
            for k in 0..<4 { s += a[n, i, k] * b[n, k, j] }
            expected[(n * 3 + i) * 5 + j] = s
        } } }
        expectClose(c, Tensor(shape: [2, 3, 5], scalars: expected))
    }
}

@Suite struct ShapeGradientTests {
    @Test("permute, slice, concat, stack, pad, index ops")
    func shapes() {
        let x = testTensor([2, 3, 4], seed: 31)
        let y = testTensor([2, 2, 4], seed: 32)
        checkGradients(of: { $0[0].permuted([2, 0, 1]) }, at: [x])
        checkGradients(of: { $0[0].transposed() }, at: [x])
        checkGradients(of: { $0[0].sliced(alongAxis: 1, 1..<3) }, at: [x])
        checkGradients(of: { Tensor.concatenate([$0[0], $0[1]], alongAxis: 1) }, at: [x, y])
        checkGradients(of: { Tensor.stack([$0[0], $0[0] * 2], alongAxis: 3) }, at: [x])
        checkGradients(of: { $0[0].padded([(0, 0), (1, 2)], value: 5) }, at: [x])
        checkGradients(of: { $0[0].indexSelect([2, 0, 2], alongAxis: 1) }, at: [x])
        checkGradients(of: { $0[0].gathering(alongAxis: 2, indices: [0, 3, 1, 1, 2, 0]) }, at: [x])
        checkGradients(of: { $0[0].indexAdding($0[1], at: [1, 1], alongAxis: 1) }, at: [x, y])
        checkGradients(of: { $0[0].reshaped(to: [4, -1]).expanded(to: [2, 4, 6]) }, at: [x])
        checkGradients(of: { $0[0].split(sizes: [1, 2], alongAxis: 1)[1] }, at: [x])
    }

    @Test("permute matches index arithmetic")
    func permuteValues() {
        let x = testTensor([2, 3, 4], seed: 33)
        let p = x.permuted([1, 2, 0])
        #expect(p.shape == [3, 4, 2])
        for i in 0..<2 { for j in 0..<3 { for k in 0..<4 { #expect(p[j, k, i] == x[i, j, k]) } } }
    }
}

@Suite struct BackpropagationTests {
    @Test("a tensor used twice accumulates both paths")
    func reuse() {
        let x = Tensor([1, 2, 3]).requiringGradient()
        let y = (x * x + x).sum()
        let g = y.gradients(withRespectTo: [x])[0]
        #expect(g.scalars == [3, 5, 7])
    }

    @Test("detach and no-gradient scope stop recording")
    func detach() {
        let x = Tensor([1, 2]).requiringGradient()
        #expect(!(x.detached() * 2).requiresGradient)
        #expect(!withoutGradients { x * 2 }.requiresGradient)
        #expect((x * 2).requiresGradient)
    }

    @Test("straight-through: value of one, gradient of the other")
    func straightThrough() {
        let x = Tensor([0.2, 0.7]).requiringGradient()
        let hard = (x .> 0.5)
        let y = hard.straightThrough(x * 3)
        #expect(y.scalars == [0, 1])
        #expect((y.sum()).gradients(withRespectTo: [x])[0].scalars == [3, 3])
    }

    @Test("a deep chain does not overflow the stack")
    func deepChain() {
        let x = Tensor([1]).requiringGradient()
        var y = x
        for _ in 0..<20_000 { y = y * 1.0001 }
        let g = y.sum().gradients(withRespectTo: [x])[0].scalar
        #expect(Swift.abs(g - Float(pow(1.0001, 20_000.0))) < 1e-2)
    }

    @Test("a graph far deeper than the stack allows for nested releases is freed")
    func deepGraphRelease() {
        // 300,000 nested releases would need tens of megabytes of stack on a secondary thread.
        var y = Tensor([1]).requiringGradient()
        for _ in 0..<300_000 { y = y + 1 }
        #expect(y.scalars == [300_001])
        y = Tensor([0])
        #expect(y.scalars == [0])
    }
}
