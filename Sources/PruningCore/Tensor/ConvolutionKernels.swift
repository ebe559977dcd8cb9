/// The numerical kernels of 2-D convolution on raw NCHW buffers: forward, input gradient and
/// weight gradient, through im2col + `sgemm` (or direct loops for depthwise convolutions).
///
/// Transposed convolution reuses them: its forward pass is the input gradient of the adjoint
/// convolution (``backward(_:input:weight:outputGradient:inputGradient:weightGradient:)``) and
/// its input gradient is ``forward(_:input:weight:bias:output:)``.
///
/// Batching: images are unfolded side by side into one columns matrix `[rows, images · outArea]`
/// until a GEMM has at least ``targetColumns`` (256) columns. Feature maps of 16×16 and larger
/// therefore use one GEMM per image, written straight into the output; 8×8 maps use 4 images
/// per GEMM, 4×4 maps 16 and 2×2 maps 64, at the price of one copy of the output block. Measured
/// single-threaded on ResNet-style 3×3 layers (batch 128): per-image GEMMs and 256-column
/// batches are equally fast for 16→16 at 32×32 and within noise of each other for 64→64 at 8×8
/// (4 images per GEMM slightly ahead in the backward pass); for 4×4 and 2×2 maps batching is
/// 1.3× and 3× faster; batches of 1024 or more columns were slower at 8×8 and 32×32.
///
/// The backward pass recomputes the columns instead of keeping them from the forward pass: they
/// are `kernelHeight · kernelWidth` times the size of the input (9× for 3×3, hundreds of MB for a
/// network at batch 128), while unfolding costs about 10% of a 64-channel layer's GEMM time.
/// A per-output-channel affine map and optional ReLU applied to a convolution's output as it
/// is produced (an evaluation-mode BatchNorm folded into the convolution).
struct ChannelEpilogue {
    /// `[outChannels]` multipliers.
    let scale: UnsafePointer<Float>
    /// `[outChannels]` offsets.
    let shift: UnsafePointer<Float>
    /// Whether a ReLU follows.
    let relu: Bool
}

enum ConvolutionKernels {
    /// The smallest number of GEMM columns (output positions) worth batching images for.
    static let targetColumns = 256
    /// The largest columns workspace, in elements (16 MB), unless one image needs more.
    static let workspaceLimit = 1 << 22

    /// The number of images unfolded into one columns matrix.
    static func imagesPerProduct(_ g: ConvolutionGeometry) -> Int {
        if g.isPointwise || g.outArea == 0 { return 1 }
        let wanted = (targetColumns + g.outArea - 1) / g.outArea
        let affordable = Swift.max(1, workspaceLimit / Swift.max(1, g.columnRows * g.outArea))
        return Swift.max(1, Swift.min(g.batch, wanted, affordable))
    }

    /// `output = conv2d(input, weight) + bias` (overwrites `output`), then, with an `epilogue`,
    /// `output = epilogue.scale[c] · output + epilogue.shift[c]` per output channel `c` and a
    /// ReLU if it asks for one — applied to each image's output planes right after their GEMM,
    /// while they are still in cache.
    static func forward(
        _ g: ConvolutionGeometry, input: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        bias: UnsafePointer<Float>?, output: UnsafeMutablePointer<Float>, epilogue: ChannelEpilogue? = nil
    ) {
        if g.outputCount == 0 { return }
        let affine = SIMDKernels.active.affine!
        if g.isDepthwise {
            DepthwiseConvolution.forward(g, input: input, weight: weight, bias: bias, output: output)
            if let epilogue {
                for image in 0..<g.batch {
                    for channel in 0..<g.outChannels {
                        let plane = output + (image * g.outChannels + channel) * g.outArea
                        affine(plane, plane, g.outArea, epilogue.scale[channel], epilogue.shift[channel], epilogue.relu ? 1 : 0)
                    }
                }
            }
            return
        }
        if ShiftedConvolution.applies(to: g) {
            ShiftedConvolution.forward(g, input: input, weight: weight, bias: bias, output: output, epilogue: epilogue)
            return
        }
        let (rows, area, outPerGroup) = (g.columnRows, g.outArea, g.outPerGroup)
        let chunk = imagesPerProduct(g)
        let taps = KernelTaps(g)
        let columns = g.isPointwise ? nil : UnsafeMutablePointer<Float>.allocate(capacity: rows * chunk * area)
        let staging = chunk > 1 ? UnsafeMutablePointer<Float>.allocate(capacity: outPerGroup * chunk * area) : nil
        defer { columns?.deallocate(); staging?.deallocate() }

        for first in stride(from: 0, to: g.batch, by: chunk) {
            let count = Swift.min(chunk, g.batch - first)
            let ld = count * area
            for group in 0..<g.groups {
                let groupWeight = weight + group * outPerGroup * rows
                let groupBias = bias.map { $0 + group * outPerGroup }
                let source: UnsafePointer<Float>
                if let columns {
                    for image in 0..<count {
                        let x = input + ((first + image) * g.inChannels + group * g.inPerGroup) * g.inArea
                        Im2Col.unfold(g, taps: taps, image: x, into: columns + image * area, leadingDimension: ld)
                    }
                    source = UnsafePointer(columns)
                } else {
                    source = input + (first * g.inChannels + group * g.inPerGroup) * g.inArea
                }
                if let staging {
                    BLAS.sgemm(
                        transposeA: false, transposeB: false, m: outPerGroup, n: ld, k: rows,
                        a: groupWeight, lda: rows, b: source, ldb: ld, c: staging, ldc: ld)
                    for image in 0..<count {
                        let y = output + ((first + image) * g.outChannels + group * outPerGroup) * area
                        for channel in 0..<outPerGroup {
                            let src = staging + channel * ld + image * area
                            let b = groupBias?[channel] ?? 0
                            if let epilogue {
                                let c = group * outPerGroup + channel
                                let scale = epilogue.scale[c]
                                affine(src, y + channel * area, area, scale, epilogue.shift[c] + scale * b, epilogue.relu ? 1 : 0)
                            } else {
                                affine(src, y + channel * area, area, 1, b, 0)
                            }
                        }
                    }
                } else {
                    let y = output + (first * g.outChannels + group * outPerGroup) * area
                    if let groupBias {
                        for channel in 0..<outPerGroup {
                            (y + channel * area).update(repeating: groupBias[channel], count: area)
                        }
                    }
                    BLAS.sgemm(
                        transposeA: false, transposeB: false, m: outPerGroup, n: area, k: rows,
                        a: groupWeight, lda: rows, b: source, ldb: g.isPointwise ? g.inArea : ld,
                        beta: groupBias == nil ? 0 : 1, c: y, ldc: area)
                    if let epilogue {
                        for channel in 0..<outPerGroup {
                            let c = group * outPerGroup + channel
                            let plane = y + channel * area
                            affine(plane, plane, area, epilogue.scale[c], epilogue.shift[c], epilogue.relu ? 1 : 0)
                        }
                    }
                }
            }
        }
    }

    /// The gradients of conv2d with respect to its input (`inputGradient`, overwritten) and its
    /// weight (`weightGradient`, overwritten), given the gradient of its output. Either
    /// destination may be `nil`; `input` is needed only for the weight gradient.
    static func backward(
        _ g: ConvolutionGeometry, input: UnsafePointer<Float>?, weight: UnsafePointer<Float>?,
        outputGradient: UnsafePointer<Float>,
        inputGradient: UnsafeMutablePointer<Float>?, weightGradient: UnsafeMutablePointer<Float>?
    ) {
        precondition(inputGradient == nil || weight != nil, "conv2d backward: the input gradient needs the weight")
        precondition(weightGradient == nil || input != nil, "conv2d backward: the weight gradient needs the input")
        if g.outputCount > 0 && g.isDepthwise {
            if let inputGradient, let weight {
                DepthwiseConvolution.inputGradient(
                    g, outputGradient: outputGradient, weight: weight, into: inputGradient)
            }
            if let weightGradient, let input {
                DepthwiseConvolution.weightGradient(
                    g, input: input, outputGradient: outputGradient, into: weightGradient)
            }
            return
        }
        if g.outputCount > 0 && (inputGradient != nil || weightGradient != nil) && ShiftedConvolution.applies(to: g) {
            ShiftedConvolution.backward(
                g, input: input, weight: weight, outputGradient: outputGradient,
                inputGradient: inputGradient, weightGradient: weightGradient)
            return
        }
        if let inputGradient { inputGradient.update(repeating: 0, count: g.inputCount) }
        if let weightGradient { weightGradient.update(repeating: 0, count: g.weightCount) }
        if g.outputCount == 0 || (inputGradient == nil && weightGradient == nil) { return }
        let (rows, area, outPerGroup) = (g.columnRows, g.outArea, g.outPerGroup)
        let chunk = imagesPerProduct(g)
        let taps = KernelTaps(g)
        let columns = g.isPointwise ? nil : UnsafeMutablePointer<Float>.allocate(capacity: rows * chunk * area)
        let staging = chunk > 1 ? UnsafeMutablePointer<Float>.allocate(capacity: outPerGroup * chunk * area) : nil
        defer { columns?.deallocate(); staging?.deallocate() }

        for first in stride(from: 0, to: g.batch, by: chunk) {
            let count = Swift.min(chunk, g.batch - first)
            let ld = count * area
            for group in 0..<g.groups {
                let groupOffset = (first * g.inChannels + group * g.inPerGroup) * g.inArea
                // The output gradient of this block as a [outPerGroup, ld] matrix.
                let dy: UnsafePointer<Float>
                let dyOffset = (first * g.outChannels + group * outPerGroup) * area
                if let staging {
                    for image in 0..<count {
                        let src = outputGradient + dyOffset + image * g.outChannels * area
                        for channel in 0..<outPerGroup {
                            (staging + channel * ld + image * area).update(from: src + channel * area, count: area)
                        }
                    }
                    dy = UnsafePointer(staging)
                } else {
                    dy = outputGradient + dyOffset
                }
                if let weightGradient, let input {
                    // dW_g += dY × columnsᵀ
                    let source: UnsafePointer<Float>
                    if let columns {
                        for image in 0..<count {
                            let x = input + groupOffset + image * g.inChannels * g.inArea
                            Im2Col.unfold(g, taps: taps, image: x, into: columns + image * area, leadingDimension: ld)
                        }
                        source = UnsafePointer(columns)
                    } else {
                        source = input + groupOffset
                    }
                    BLAS.sgemm(
                        transposeA: false, transposeB: true, m: outPerGroup, n: rows, k: ld,
                        a: dy, lda: ld, b: source, ldb: ld, beta: 1,
                        c: weightGradient + group * outPerGroup * rows, ldc: rows)
                }
                if let inputGradient, let weight {
                    // dX = col2im(W_gᵀ × dY)
                    let groupWeight = weight + group * outPerGroup * rows
                    if let columns {
                        BLAS.sgemm(
                            transposeA: true, transposeB: false, m: rows, n: ld, k: outPerGroup,
                            a: groupWeight, lda: rows, b: dy, ldb: ld, c: columns, ldc: ld)
                        for image in 0..<count {
                            let dx = inputGradient + groupOffset + image * g.inChannels * g.inArea
                            Im2Col.fold(g, taps: taps, columns: columns + image * area, leadingDimension: ld, into: dx)
                        }
                    } else {
                        BLAS.sgemm(
                            transposeA: true, transposeB: false, m: rows, n: area, k: outPerGroup,
                            a: groupWeight, lda: rows, b: dy, ldb: area,
                            c: inputGradient + groupOffset, ldc: g.inArea)
                    }
                }
            }
        }
    }

    /// The sum of each channel of an NCHW buffer `[batch, channels, area]` over batch and
    /// positions (the gradient of a per-channel bias); overwrites `sums` (`[channels]`).
    static func channelSums(
        of buffer: UnsafePointer<Float>, batch: Int, channels: Int, area: Int,
        into sums: UnsafeMutablePointer<Float>
    ) {
        for channel in 0..<channels {
            var total: Double = 0
            for image in 0..<batch {
                let plane = buffer + (image * channels + channel) * area
                var partial: Float = 0
                for i in 0..<area { partial += plane[i] }
                total += Double(partial)
            }
            sums[channel] = Float(total)
        }
    }

    /// Adds `bias[c]` to every element of channel `c` of an NCHW buffer `[batch, channels, area]`.
    static func addChannelBias(
        _ bias: UnsafePointer<Float>, to buffer: UnsafeMutablePointer<Float>, batch: Int, channels: Int, area: Int
    ) {
        for image in 0..<batch {
            for channel in 0..<channels {
                let plane = buffer + (image * channels + channel) * area
                let b = bias[channel]
                for i in 0..<area { plane[i] += b }
            }
        }
    }
}
