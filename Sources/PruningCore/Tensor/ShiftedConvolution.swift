/// Stride-1 ungrouped convolution as one GEMM per kernel tap on a zero-padded copy of the
/// input, with no columns matrix (an "implicit im2col").
///
/// Each input plane is copied into a zero-bordered plane of `Hp × Wp` (`Hp = H + 2·padH`,
/// `Wp = W + 2·padW`) followed by one spare row, so that planes are `S = (Hp + 1)·Wp` apart. On
/// that layout, tap `(kh, kw)` reads, for every output position `(oh, ow)`, the element
/// `oh·Wp + ow + kh·Wp + kw` of each plane: the input seen by the tap is the padded buffer
/// shifted by `kh·Wp + kw`, i.e. a `[C, Ho·Wp]` matrix with leading dimension `S` — no copy. The
/// output is computed on a grid of `Ho × Wp` positions, of which the last `Wp − Wo` columns of
/// each row are not outputs and are dropped (or, for gradients, held at zero). So
///
///     Y_grid[O, Ho·Wp] = Σ_taps  W_tap[O, C] × X_padded(shifted by the tap)[C, Ho·Wp]
///
/// with `W_tap = weight[:, :, kh, kw]` packed once per call. The spare row keeps every shifted
/// view of plane `c` inside its own `S` elements, so the input-gradient GEMMs, which accumulate
/// into the shifted views, never write the same element twice in one call.
///
/// Against im2col + one GEMM this trades the 9× columns copy (for 3×3) for GEMMs with `K = C`
/// instead of `9·C` and `(Wp − Wo)/Wp` wasted columns. Measured single-threaded on
/// ResNet-style layers (batch 128; `core-benchmarks conv`): faster from 8 input channels on;
/// below that (a network's first layer) the columns matrix is small and im2col stays.
enum ShiftedConvolution {
    /// Whether `g` is computed this way: stride 1, dilation 1, one group, a kernel larger than
    /// 1×1 and at least ``minimumInputChannels`` input channels.
    static func applies(to g: ConvolutionGeometry) -> Bool {
        g.groups == 1 && g.strideHeight == 1 && g.strideWidth == 1 && g.dilationHeight == 1 && g.dilationWidth == 1
            && g.kernelArea > 1 && g.inChannels >= minimumInputChannels
            && g.outHeight == g.inHeight + 2 * g.paddingHeight - g.kernelHeight + 1
            && g.outWidth == g.inWidth + 2 * g.paddingWidth - g.kernelWidth + 1
    }

    /// The fewest input channels for which the tap GEMMs beat im2col.
    static let minimumInputChannels = 8

    /// The padded layout of one geometry.
    struct Layout {
        /// Padded plane height and width.
        let paddedHeight: Int, paddedWidth: Int
        /// Elements from one padded plane to the next (`(Hp + 1)·Wp`).
        let planeStride: Int
        /// Grid positions per output plane (`Ho·Wp`).
        let gridCount: Int

        init(_ g: ConvolutionGeometry) {
            paddedHeight = g.inHeight + 2 * g.paddingHeight
            paddedWidth = g.inWidth + 2 * g.paddingWidth
            planeStride = (paddedHeight + 1) * paddedWidth
            gridCount = g.outHeight * paddedWidth
        }

        /// The offset of tap `t` (row-major over the kernel) in a padded plane.
        func offset(ofTap t: Int, _ g: ConvolutionGeometry) -> Int {
            (t / g.kernelWidth) * paddedWidth + t % g.kernelWidth
        }
    }

    /// `weight[O, C, kH, kW]` rearranged to `[kH·kW, O, C]`.
    static func packedWeights(_ g: ConvolutionGeometry, _ weight: UnsafePointer<Float>) -> UnsafeMutablePointer<Float> {
        let (taps, channels, outputs) = (g.kernelArea, g.inChannels, g.outChannels)
        let packed = UnsafeMutablePointer<Float>.allocate(capacity: taps * outputs * channels)
        for o in 0..<outputs {
            for c in 0..<channels {
                let source = weight + (o * channels + c) * taps
                for t in 0..<taps { packed[(t * outputs + o) * channels + c] = source[t] }
            }
        }
        return packed
    }

    /// Copies image `[C, H, W]` into the interior of the padded planes (borders stay as they are:
    /// zero, from allocation).
    static func pad(_ g: ConvolutionGeometry, _ layout: Layout, image: UnsafePointer<Float>, into padded: UnsafeMutablePointer<Float>) {
        let copyRuns = SIMDKernels.active.copyRuns!
        for c in 0..<g.inChannels {
            let plane = padded + c * layout.planeStride + g.paddingHeight * layout.paddedWidth + g.paddingWidth
            copyRuns(image + c * g.inArea, g.inWidth, plane, layout.paddedWidth, g.inHeight, g.inWidth)
        }
    }

    /// A zero-filled buffer of `count` elements.
    static func zeroed(_ count: Int) -> UnsafeMutablePointer<Float> {
        let buffer = UnsafeMutablePointer<Float>.allocate(capacity: Swift.max(count, 1))
        buffer.initialize(repeating: 0, count: Swift.max(count, 1))
        return buffer
    }

    /// The forward pass: `output = conv2d(input, weight) + bias`, then the epilogue if any.
    ///
    /// Images are split over the ``ThreadPolicy`` threads (each with its own padded planes and
    /// grid); the tap GEMMs are small enough that BLAS runs each on the calling thread.
    static func forward(
        _ g: ConvolutionGeometry, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>, epilogue: ChannelEpilogue?
    ) {
        let layout = Layout(g)
        let packed = packedWeights(g, weight)
        defer { packed.deallocate() }
        let affineRuns = SIMDKernels.active.affineRuns!
        let (outputs, channels) = (g.outChannels, g.inChannels)
        Kernels.parallelFor(g.batch, minimumPerThread: 1) { images in
            let padded = zeroed(channels * layout.planeStride)
            let grid = UnsafeMutablePointer<Float>.allocate(capacity: outputs * layout.gridCount)
            defer { padded.deallocate(); grid.deallocate() }
            for image in images {
                pad(g, layout, image: input + image * channels * g.inArea, into: padded)
                for t in 0..<g.kernelArea {
                    BLAS.sgemm(
                        transposeA: false, transposeB: false, m: outputs, n: layout.gridCount, k: channels,
                        a: packed + t * outputs * channels, lda: channels,
                        b: padded + layout.offset(ofTap: t, g), ldb: layout.planeStride,
                        beta: t == 0 ? 0 : 1, c: grid, ldc: layout.gridCount)
                }
                let y = output + image * outputs * g.outArea
                for o in 0..<outputs {
                    var (scale, shift, relu): (Float, Float, Int32) = (1, bias?[o] ?? 0, 0)
                    if let epilogue {
                        scale = epilogue.scale[o]
                        shift = epilogue.shift[o] + scale * shift
                        relu = epilogue.relu ? 1 : 0
                    }
                    affineRuns(grid + o * layout.gridCount, layout.paddedWidth, y + o * g.outArea, g.outWidth,
                               g.outHeight, g.outWidth, scale, shift, relu)
                }
            }
        }
    }

    /// The input gradient (overwritten) and the weight gradient (overwritten), either optional.
    ///
    /// Images are split over the ``ThreadPolicy`` threads; each thread sums the weight gradient
    /// of its images in its own buffer, and the buffers are added in a fixed order at the end,
    /// so the result does not depend on timing.
    static func backward(
        _ g: ConvolutionGeometry, input: UnsafePointer<Float>?, weight: UnsafePointer<Float>?,
        outputGradient: UnsafePointer<Float>,
        inputGradient: UnsafeMutablePointer<Float>?, weightGradient: UnsafeMutablePointer<Float>?
    ) {
        let layout = Layout(g)
        let (outputs, channels, taps) = (g.outChannels, g.inChannels, g.kernelArea)
        let packed = weight.map { packedWeights(g, $0) }
        defer { packed?.deallocate() }
        let threads = Swift.max(1, Swift.min(ThreadPolicy.maximumThreads, g.batch))
        let perThread = (g.batch + threads - 1) / threads
        let packedSize = taps * outputs * channels
        // One weight-gradient buffer per chunk of images, `[taps, O, C]` each.
        let packedGradients = weightGradient != nil ? zeroed(threads * packedSize) : nil
        defer { packedGradients?.deallocate() }
        let copyRuns = SIMDKernels.active.copyRuns!
        Kernels.parallelFor(threads, minimumPerThread: 1) { chunks in
            for chunk in chunks {
                let images = (chunk * perThread)..<Swift.min(g.batch, (chunk + 1) * perThread)
                // The output gradient on the grid; the columns past the output width stay zero.
                let gridGradient = zeroed(outputs * layout.gridCount)
                let padded = weightGradient != nil ? zeroed(channels * layout.planeStride) : nil
                let paddedGradient = inputGradient != nil
                    ? UnsafeMutablePointer<Float>.allocate(capacity: channels * layout.planeStride) : nil
                defer { gridGradient.deallocate(); padded?.deallocate(); paddedGradient?.deallocate() }
                let packedGradient = packedGradients.map { $0 + chunk * packedSize }
                for image in images {
                    let dy = outputGradient + image * outputs * g.outArea
                    for o in 0..<outputs {
                        copyRuns(dy + o * g.outArea, g.outWidth, gridGradient + o * layout.gridCount, layout.paddedWidth,
                                 g.outHeight, g.outWidth)
                    }
                    if let padded, let packedGradient, let input {
                        // dW_tap[O, C] += dY_grid[O, Ho·Wp] × X_shifted[C, Ho·Wp]ᵀ
                        pad(g, layout, image: input + image * channels * g.inArea, into: padded)
                        for t in 0..<taps {
                            BLAS.sgemm(
                                transposeA: false, transposeB: true, m: outputs, n: channels, k: layout.gridCount,
                                a: gridGradient, lda: layout.gridCount,
                                b: padded + layout.offset(ofTap: t, g), ldb: layout.planeStride,
                                beta: 1, c: packedGradient + t * outputs * channels, ldc: channels)
                        }
                    }
                    if let paddedGradient, let packed, let inputGradient {
                        // dX_shifted[C, Ho·Wp] += W_tap[O, C]ᵀ × dY_grid[O, Ho·Wp], then the interior.
                        paddedGradient.update(repeating: 0, count: channels * layout.planeStride)
                        for t in 0..<taps {
                            BLAS.sgemm(
                                transposeA: true, transposeB: false, m: channels, n: layout.gridCount, k: outputs,
                                a: packed + t * outputs * channels, lda: channels,
                                b: gridGradient, ldb: layout.gridCount,
                                beta: 1, c: paddedGradient + layout.offset(ofTap: t, g), ldc: layout.planeStride)
                        }
                        let dx = inputGradient + image * channels * g.inArea
                        for c in 0..<channels {
                            let plane = paddedGradient + c * layout.planeStride + g.paddingHeight * layout.paddedWidth + g.paddingWidth
                            copyRuns(plane, layout.paddedWidth, dx + c * g.inArea, g.inWidth, g.inHeight, g.inWidth)
                        }
                    }
                }
            }
        }
        if let weightGradient, let packedGradients {
            let accumulate = SIMDKernels.active.accumulate!
            for chunk in 1..<threads { accumulate(packedGradients, packedGradients + chunk * packedSize, packedSize) }
            for o in 0..<outputs {
                for c in 0..<channels {
                    let destination = weightGradient + (o * channels + c) * taps
                    for t in 0..<taps { destination[t] = packedGradients[(t * outputs + o) * channels + c] }
                }
            }
        }
    }
}
