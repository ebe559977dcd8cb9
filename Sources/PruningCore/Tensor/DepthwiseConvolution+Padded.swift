/// Stride-1 depthwise convolution on zero-padded planes.
///
/// With stride 1, the input plane is copied once into a zero-padded buffer of width
/// `Wp = inWidth + 2·padW`, and outputs are computed in the same row pitch `Wp` (the columns past
/// `outWidth` are scratch). Kernel tap `(kh, kw)` is then a single shift by
/// `kh·dilationH·Wp + kw·dilationW` in the flattened planes, so each tap is one long
/// vectorizable loop instead of one short loop per output row, and no bounds are checked.
extension DepthwiseConvolution {
    /// The padded-plane sizes of a stride-1 geometry, or `nil` when the geometry does not fit
    /// (a stride above 1, or an output larger than the padded input allows).
    struct PaddedPlanes {
        /// The row pitch `Wp` of padded input and pitched output planes.
        let pitch: Int
        /// The rows of a padded input plane.
        let paddedHeight: Int
        /// The rows of a pitched output plane.
        let outHeight: Int
        /// Flattened positions `0..<span` of the output in pitch `Wp` cover every output element.
        let span: Int
        /// For each tap `kh·kernelWidth + kw`: its shift in the flattened padded plane.
        let shifts: [Int]

        init?(_ g: ConvolutionGeometry) {
            guard g.strideHeight == 1, g.strideWidth == 1, g.outArea > 0 else { return nil }
            pitch = g.inWidth + 2 * g.paddingWidth
            paddedHeight = g.inHeight + 2 * g.paddingHeight
            guard g.outHeight + g.dilationHeight * (g.kernelHeight - 1) <= paddedHeight,
                  g.outWidth + g.dilationWidth * (g.kernelWidth - 1) <= pitch
            else { return nil }
            outHeight = g.outHeight
            span = (g.outHeight - 1) * pitch + g.outWidth
            var shifts: [Int] = []
            for kh in 0..<g.kernelHeight {
                for kw in 0..<g.kernelWidth { shifts.append(kh * g.dilationHeight * pitch + kw * g.dilationWidth) }
            }
            self.shifts = shifts
        }

        /// Elements of a padded input plane.
        var paddedCount: Int { paddedHeight * pitch }
        /// Elements of a pitched output plane.
        var pitchedOutputCount: Int { outHeight * pitch }

        /// Copies an input plane into `padded`, with zeros around it.
        func pad(_ g: ConvolutionGeometry, _ plane: UnsafePointer<Float>, into padded: UnsafeMutablePointer<Float>) {
            padded.update(repeating: 0, count: paddedCount)
            for ih in 0..<g.inHeight {
                (padded + (ih + g.paddingHeight) * pitch + g.paddingWidth).update(from: plane + ih * g.inWidth, count: g.inWidth)
            }
        }

        /// Copies an output-shaped plane into pitch `Wp`, with zeros in the scratch columns.
        func spread(_ g: ConvolutionGeometry, _ plane: UnsafePointer<Float>, into pitched: UnsafeMutablePointer<Float>) {
            pitched.update(repeating: 0, count: pitchedOutputCount)
            for oh in 0..<g.outHeight {
                (pitched + oh * pitch).update(from: plane + oh * g.outWidth, count: g.outWidth)
            }
        }
    }

    /// Stride-1 forward pass: see ``forward(_:input:weight:bias:output:)``.
    static func paddedForward(
        _ g: ConvolutionGeometry, _ p: PaddedPlanes, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>
    ) {
        forEachPlane(g) { planes in
            let padded = UnsafeMutablePointer<Float>.allocate(capacity: p.paddedCount)
            let pitched = UnsafeMutablePointer<Float>.allocate(capacity: p.pitchedOutputCount)
            defer { padded.deallocate(); pitched.deallocate() }
            for plane in planes {
                let (image, channel) = plane.quotientAndRemainder(dividingBy: g.outChannels)
                p.pad(g, input + (image * g.inChannels + channel / g.outPerGroup) * g.inArea, into: padded)
                pitched.update(repeating: bias?[channel] ?? 0, count: p.span)
                let filter = weight + channel * g.kernelArea
                for (tap, shift) in p.shifts.enumerated() {
                    let w = filter[tap]
                    let source = padded + shift
                    for i in 0..<p.span { pitched[i] += w * source[i] }
                }
                let y = output + plane * g.outArea
                for oh in 0..<g.outHeight {
                    (y + oh * g.outWidth).update(from: pitched + oh * p.pitch, count: g.outWidth)
                }
            }
        }
    }

    /// Stride-1 input gradient (overwrites `inputGradient`).
    static func paddedInputGradient(
        _ g: ConvolutionGeometry, _ p: PaddedPlanes, outputGradient: UnsafePointer<Float>,
        weight: UnsafePointer<Float>, into inputGradient: UnsafeMutablePointer<Float>
    ) {
        let multiplier = g.outPerGroup
        let work = Swift.max(1, g.outArea * g.kernelArea * multiplier)
        Kernels.parallelFor(g.batch * g.inChannels, minimumPerThread: Swift.max(1, (1 << 16) / work)) { planes in
            let padded = UnsafeMutablePointer<Float>.allocate(capacity: p.paddedCount)
            let pitched = UnsafeMutablePointer<Float>.allocate(capacity: p.pitchedOutputCount)
            defer { padded.deallocate(); pitched.deallocate() }
            for plane in planes {
                let (image, inChannel) = plane.quotientAndRemainder(dividingBy: g.inChannels)
                padded.update(repeating: 0, count: p.paddedCount)
                for channel in inChannel * multiplier..<(inChannel + 1) * multiplier {
                    p.spread(g, outputGradient + (image * g.outChannels + channel) * g.outArea, into: pitched)
                    let filter = weight + channel * g.kernelArea
                    for (tap, shift) in p.shifts.enumerated() {
                        let w = filter[tap]
                        let destination = padded + shift
                        for i in 0..<p.span { destination[i] += w * pitched[i] }
                    }
                }
                let dx = inputGradient + plane * g.inArea
                for ih in 0..<g.inHeight {
                    (dx + ih * g.inWidth).update(
                        from: padded + (ih + g.paddingHeight) * p.pitch + g.paddingWidth, count: g.inWidth)
                }
            }
        }
    }

    /// Stride-1 weight gradient (overwrites `weightGradient`).
    static func paddedWeightGradient(
        _ g: ConvolutionGeometry, _ p: PaddedPlanes, input: UnsafePointer<Float>,
        outputGradient: UnsafePointer<Float>, into weightGradient: UnsafeMutablePointer<Float>
    ) {
        let work = Swift.max(1, g.batch * g.outArea * g.kernelArea)
        Kernels.parallelFor(g.outChannels, minimumPerThread: Swift.max(1, (1 << 16) / work)) { channels in
            let padded = UnsafeMutablePointer<Float>.allocate(capacity: p.paddedCount)
            let pitched = UnsafeMutablePointer<Float>.allocate(capacity: p.pitchedOutputCount)
            defer { padded.deallocate(); pitched.deallocate() }
            for channel in channels {
                let filter = weightGradient + channel * g.kernelArea
                filter.update(repeating: 0, count: g.kernelArea)
                for image in 0..<g.batch {
                    p.pad(g, input + (image * g.inChannels + channel / g.outPerGroup) * g.inArea, into: padded)
                    p.spread(g, outputGradient + (image * g.outChannels + channel) * g.outArea, into: pitched)
                    for (tap, shift) in p.shifts.enumerated() {
                        filter[tap] += dot(pitched, padded + shift, count: p.span)
                    }
                }
            }
        }
    }

    /// `Σ a[i]·b[i]` over `count` elements, with sixteen independent partial sums so that the
    /// loop vectorizes (a single running sum would serialize on the addition latency).
    @inline(__always)
    static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, count: Int) -> Float {
        var partial = SIMD16<Float>()
        let vectors = count / 16
        let (rawA, rawB) = (UnsafeRawPointer(a), UnsafeRawPointer(b))
        for v in 0..<vectors {
            let offset = v * 16 * MemoryLayout<Float>.stride
            partial += rawA.loadUnaligned(fromByteOffset: offset, as: SIMD16<Float>.self)
                * rawB.loadUnaligned(fromByteOffset: offset, as: SIMD16<Float>.self)
        }
        var total = partial.sum()
        for i in vectors * 16..<count { total += a[i] * b[i] }
        return total
    }
}
