import PruningCore
import PruningTestSupport

/// The hyper-parameters of one convolution test case.
struct ConvolutionCase: Sendable, CustomStringConvertible {
    var batch = 2
    var inChannels = 3
    var outChannels = 4
    var height = 6
    var width = 6
    var kernel = (3, 3)
    var stride = (1, 1)
    var padding = (0, 0)
    var dilation = (1, 1)
    var groups = 1
    var hasBias = true

    var description: String {
        "N\(batch) \(inChannels)→\(outChannels) \(height)×\(width) k\(kernel) s\(stride) p\(padding) d\(dilation) g\(groups)\(hasBias ? " bias" : "")"
    }

    var inputShape: [Int] { [batch, inChannels, height, width] }
    var weightShape: [Int] { [outChannels, inChannels / groups, kernel.0, kernel.1] }
    var outHeight: Int { (height + 2 * padding.0 - dilation.0 * (kernel.0 - 1) - 1) / stride.0 + 1 }
    var outWidth: Int { (width + 2 * padding.1 - dilation.1 * (kernel.1 - 1) - 1) / stride.1 + 1 }
    var outputShape: [Int] { [batch, outChannels, outHeight, outWidth] }

    /// Input, weight and (optional) bias with fixed seeds.
    func tensors(seed: UInt64 = 1) -> (input: Tensor, weight: Tensor, bias: Tensor?) {
        (testTensor(inputShape, seed: seed), testTensor(weightShape, seed: seed + 1),
         hasBias ? testTensor([outChannels], seed: seed + 2) : nil)
    }

    /// `Tensor.conv2d` with these hyper-parameters.
    func convolve(_ input: Tensor, _ weight: Tensor, _ bias: Tensor?) -> Tensor {
        Tensor.conv2d(input, weight, bias: bias, stride: stride, padding: padding, dilation: dilation, groups: groups)
    }

    /// The input position tap `(kh, kw)` of output `(oh, ow)` reads.
    func source(_ oh: Int, _ ow: Int, _ kh: Int, _ kw: Int) -> (Int, Int) {
        (oh * stride.0 - padding.0 + kh * dilation.0, ow * stride.1 - padding.1 + kw * dilation.1)
    }

    /// Calls `body(n, o, c, oh, ow, kh, kw, inputIndex, weightIndex, outputIndex)` for every
    /// multiply–add of the convolution that reads inside the input (the seven nested loops).
    func forEachProduct(_ body: (_ inputIndex: Int, _ weightIndex: Int, _ outputIndex: Int) -> Void) {
        let (inPerGroup, outPerGroup) = (inChannels / groups, outChannels / groups)
        for n in 0..<batch {
            for o in 0..<outChannels {
                let group = o / outPerGroup
                for oh in 0..<outHeight {
                    for ow in 0..<outWidth {
                        for c in 0..<inPerGroup {
                            for kh in 0..<kernel.0 {
                                for kw in 0..<kernel.1 {
                                    let (ih, iw) = source(oh, ow, kh, kw)
                                    guard ih >= 0, ih < height, iw >= 0, iw < width else { continue }
                                    let channel = group * inPerGroup + c
                                    body(
                                        ((n * inChannels + channel) * height + ih) * width + iw,
                                        ((o * inPerGroup + c) * kernel.0 + kh) * kernel.1 + kw,
                                        ((n * outChannels + o) * outHeight + oh) * outWidth + ow)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// The convolution by the definition, accumulated in double precision.
    func naiveForward(_ input: Tensor, _ weight: Tensor, _ bias: Tensor?) -> Tensor {
        let (x, w) = (input.scalars, weight.scalars)
        var y = [Double](repeating: 0, count: outputShape.reduce(1, *))
        forEachProduct { i, k, o in y[o] += Double(x[i]) * Double(w[k]) }
        if let bias {
            let b = bias.scalars
            let area = outHeight * outWidth
            for i in 0..<y.count { y[i] += Double(b[(i / area) % outChannels]) }
        }
        return Tensor(shape: outputShape, scalars: y.map { Float($0) })
    }

    /// The gradients of `sum(conv(x, w) · outputGradient)` with respect to input and weight, by
    /// the definition. The input gradient is also the naive transposed convolution of
    /// `outputGradient` (with the input's size as output size).
    func naiveBackward(_ input: Tensor, _ weight: Tensor, outputGradient: Tensor) -> (input: Tensor, weight: Tensor) {
        let (x, w, dy) = (input.scalars, weight.scalars, outputGradient.scalars)
        var dx = [Double](repeating: 0, count: x.count)
        var dw = [Double](repeating: 0, count: w.count)
        forEachProduct { i, k, o in
            dx[i] += Double(dy[o]) * Double(w[k])
            dw[k] += Double(dy[o]) * Double(x[i])
        }
        return (Tensor(shape: inputShape, scalars: dx.map { Float($0) }),
                Tensor(shape: weightShape, scalars: dw.map { Float($0) }))
    }
}

/// The sum of the elementwise product of two tensors of the same shape, in double precision.
func innerProduct(_ a: Tensor, _ b: Tensor) -> Double {
    precondition(a.shape == b.shape, "innerProduct: \(a.shape) vs \(b.shape)")
    return zip(a.scalars, b.scalars).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
}

/// Runs `body(n, c, oh, ow)` over an NCHW output and collects its values.
func referenceMap(_ shape: [Int], _ body: (Int, Int, Int, Int) -> Float) -> Tensor {
    var values: [Float] = []
    values.reserveCapacity(shape.reduce(1, *))
    for n in 0..<shape[0] {
        for c in 0..<shape[1] {
            for h in 0..<shape[2] {
                for w in 0..<shape[3] { values.append(body(n, c, h, w)) }
            }
        }
    }
    return Tensor(shape: shape, scalars: values)
}

/// The transposed convolution by its definition (each input element scatters
/// `input · weight[c, o, kh, kw]` into the output), in double precision.
///
/// Shapes: input `[N, Cin, H, W]`, weight `[Cin, Cout/groups, kH, kW]`, result `[N, Cout, Ho, Wo]`
/// with `Ho = (H − 1)·stride − 2·padding + dilation·(kH − 1) + outputPadding + 1`.
func naiveConvTranspose2d(
    _ input: Tensor, _ weight: Tensor, bias: Tensor?, stride: (Int, Int), padding: (Int, Int),
    outputPadding: (Int, Int), dilation: (Int, Int), groups: Int
) -> Tensor {
    let (batch, inChannels, height, width) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
    let (outPerGroup, kH, kW) = (weight.shape[1], weight.shape[2], weight.shape[3])
    let inPerGroup = inChannels / groups
    let outChannels = outPerGroup * groups
    let outHeight = (height - 1) * stride.0 - 2 * padding.0 + dilation.0 * (kH - 1) + outputPadding.0 + 1
    let outWidth = (width - 1) * stride.1 - 2 * padding.1 + dilation.1 * (kW - 1) + outputPadding.1 + 1
    let (x, w) = (input.scalars, weight.scalars)
    var y = [Double](repeating: 0, count: batch * outChannels * outHeight * outWidth)
    for n in 0..<batch {
        for c in 0..<inChannels {
            let group = c / inPerGroup
            for ih in 0..<height {
                for iw in 0..<width {
                    let value = Double(x[((n * inChannels + c) * height + ih) * width + iw])
                    for o in 0..<outPerGroup {
                        for kh in 0..<kH {
                            for kw in 0..<kW {
                                let oh = ih * stride.0 - padding.0 + kh * dilation.0
                                let ow = iw * stride.1 - padding.1 + kw * dilation.1
                                guard oh >= 0, oh < outHeight, ow >= 0, ow < outWidth else { continue }
                                let channel = group * outPerGroup + o
                                y[((n * outChannels + channel) * outHeight + oh) * outWidth + ow] +=
                                    value * Double(w[((c * outPerGroup + o) * kH + kh) * kW + kw])
                            }
                        }
                    }
                }
            }
        }
    }
    if let bias {
        let b = bias.scalars
        let area = outHeight * outWidth
        for i in 0..<y.count { y[i] += Double(b[(i / area) % outChannels]) }
    }
    return Tensor(shape: [batch, outChannels, outHeight, outWidth], scalars: y.map { Float($0) })
}
