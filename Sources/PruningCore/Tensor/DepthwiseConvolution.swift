/// Direct loops for depthwise convolution (one input channel per group, `groups > 1`).
///
/// Output channel `co` reads input channel `co / multiplier`, where `multiplier` is
/// `outChannels / groups`, through its own `[kernelHeight, kernelWidth]` filter. A GEMM per
/// group would have a single inner row, so these loops sweep each kernel tap over whole output
/// rows instead; stride-1 convolutions sweep each tap over a whole zero-padded plane (see
/// `DepthwiseConvolution+Padded.swift`).
enum DepthwiseConvolution {
    /// Splits the `batch · outChannels` planes over the available cores when there is enough work.
    static func forEachPlane(_ g: ConvolutionGeometry, _ body: (Range<Int>) -> Void) {
        let work = Swift.max(1, g.outArea * g.kernelArea)
        Kernels.parallelFor(g.batch * g.outChannels, minimumPerThread: Swift.max(1, (1 << 16) / work), body)
    }

    /// Calls `body(offsetH, offsetW, rows, columns, tap)` for every kernel tap, with the output
    /// rows and columns whose input position lies inside the image.
    @inline(__always)
    private static func forEachTap(
        _ g: ConvolutionGeometry, _ taps: KernelTaps, _ body: (Int, Int, Range<Int>, Range<Int>, Int) -> Void
    ) {
        for kh in 0..<g.kernelHeight where !taps.rows[kh].isEmpty {
            for kw in 0..<g.kernelWidth where !taps.columns[kw].isEmpty {
                body(taps.rowOffsets[kh], taps.columnOffsets[kw], taps.rows[kh], taps.columns[kw], kh * g.kernelWidth + kw)
            }
        }
    }

    /// `output = depthwiseConv(input, weight) + bias` (overwrites `output`).
    static func forward(
        _ g: ConvolutionGeometry, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>
    ) {
        if let padded = PaddedPlanes(g) {
            paddedForward(g, padded, input: input, weight: weight, bias: bias, output: output)
            return
        }
        let (multiplier, outW, inW, strideW) = (g.outPerGroup, g.outWidth, g.inWidth, g.strideWidth)
        let taps = KernelTaps(g)
        forEachPlane(g) { planes in
            for plane in planes {
                let (image, channel) = plane.quotientAndRemainder(dividingBy: g.outChannels)
                let y = output + plane * g.outArea
                y.update(repeating: bias?[channel] ?? 0, count: g.outArea)
                let x = input + (image * g.inChannels + channel / multiplier) * g.inArea
                let filter = weight + channel * g.kernelArea
                forEachTap(g, taps) { offsetH, offsetW, rows, columns, tap in
                    let w = filter[tap]
                    for oh in rows {
                        let base = (oh * g.strideHeight + offsetH) * inW + offsetW
                        let dst = y + oh * outW
                        if strideW == 1 {
                            let src = x + (base + columns.lowerBound)
                            let run = dst + columns.lowerBound
                            for i in 0..<columns.count { run[i] += w * src[i] }
                        } else {
                            for ow in columns { dst[ow] += w * x[base + ow * strideW] }
                        }
                    }
                }
            }
        }
    }

    /// Writes the input gradient `[batch, inChannels, inHeight, inWidth]` into `inputGradient`.
    static func inputGradient(
        _ g: ConvolutionGeometry, outputGradient: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        into inputGradient: UnsafeMutablePointer<Float>
    ) {
        if let padded = PaddedPlanes(g) {
            paddedInputGradient(g, padded, outputGradient: outputGradient, weight: weight, into: inputGradient)
            return
        }
        inputGradient.update(repeating: 0, count: g.inputCount)
        let (multiplier, outW, inW, strideW) = (g.outPerGroup, g.outWidth, g.inWidth, g.strideWidth)
        let taps = KernelTaps(g)
        // Output channels of one input channel write the same plane: iterate over input planes.
        let work = Swift.max(1, g.outArea * g.kernelArea * multiplier)
        Kernels.parallelFor(g.batch * g.inChannels, minimumPerThread: Swift.max(1, (1 << 16) / work)) { planes in
            for plane in planes {
                let (image, inChannel) = plane.quotientAndRemainder(dividingBy: g.inChannels)
                let dx = inputGradient + plane * g.inArea
                for channel in inChannel * multiplier..<(inChannel + 1) * multiplier {
                    let dy = outputGradient + (image * g.outChannels + channel) * g.outArea
                    let filter = weight + channel * g.kernelArea
                    forEachTap(g, taps) { offsetH, offsetW, rows, columns, tap in
                        let w = filter[tap]
                        for oh in rows {
                            let base = (oh * g.strideHeight + offsetH) * inW + offsetW
                            let src = dy + oh * outW
                            if strideW == 1 {
                                let dst = dx + (base + columns.lowerBound)
                                let run = src + columns.lowerBound
                                for i in 0..<columns.count { dst[i] += w * run[i] }
                            } else {
                                for ow in columns { dx[base + ow * strideW] += w * src[ow] }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Writes the weight gradient `[outChannels, 1, kernelHeight, kernelWidth]` into
    /// `weightGradient`.
    static func weightGradient(
        _ g: ConvolutionGeometry, input: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
        into weightGradient: UnsafeMutablePointer<Float>
    ) {
        if let padded = PaddedPlanes(g) {
            paddedWeightGradient(g, padded, input: input, outputGradient: outputGradient, into: weightGradient)
            return
        }
        weightGradient.update(repeating: 0, count: g.weightCount)
        let (multiplier, outW, inW, strideW) = (g.outPerGroup, g.outWidth, g.inWidth, g.strideWidth)
        let taps = KernelTaps(g)
        let work = Swift.max(1, g.batch * g.outArea * g.kernelArea)
        Kernels.parallelFor(g.outChannels, minimumPerThread: Swift.max(1, (1 << 16) / work)) { channels in
            for channel in channels {
                let filter = weightGradient + channel * g.kernelArea
                for image in 0..<g.batch {
                    let dy = outputGradient + (image * g.outChannels + channel) * g.outArea
                    let x = input + (image * g.inChannels + channel / multiplier) * g.inArea
                    forEachTap(g, taps) { offsetH, offsetW, rows, columns, tap in
                        var total: Float = 0
                        for oh in rows {
                            let base = (oh * g.strideHeight + offsetH) * inW + offsetW
                            let src = dy + oh * outW
                            if strideW == 1 {
                                let xs = x + (base + columns.lowerBound)
                                let run = src + columns.lowerBound
                                total += dot(xs, run, count: columns.count)
                            } else {
                                for ow in columns { total += x[base + ow * strideW] * src[ow] }
                            }
                        }
                        filter[tap] += total
                    }
                }
            }
        }
    }
}
