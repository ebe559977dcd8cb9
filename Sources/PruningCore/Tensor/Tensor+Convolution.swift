extension Tensor {
    /// The 2-D cross-correlation of `input` with `weight` (PyTorch's `conv2d`), differentiable
    /// with respect to the input, the weight and the bias.
    ///
    /// Output position `(oh, ow)` of output channel `o` in group `g = o / (outChannels/groups)` is
    /// `bias[o] + Σ_{c, kh, kw} weight[o, c, kh, kw] · input[n, g·(inChannels/groups) + c,
    /// oh·strideH − padH + kh·dilationH, ow·strideW − padW + kw·dilationW]`, with zeros outside the
    /// input. Computed per group through im2col and `sgemm` (a 1×1, stride-1, unpadded
    /// convolution multiplies the input directly); depthwise convolutions (`groups == inChannels`)
    /// use direct loops.
    ///
    /// Shapes: input `[batch, inChannels, height, width]`, weight
    /// `[outChannels, inChannels/groups, kernelHeight, kernelWidth]`, bias `[outChannels]`, result
    /// `[batch, outChannels, outHeight, outWidth]` with
    /// `outHeight = ⌊(height + 2·padH − dilationH·(kernelHeight − 1) − 1) / strideH⌋ + 1`
    /// (likewise for the width).
    ///
    /// - Parameters:
    ///   - input: the images `[batch, inChannels, height, width]`.
    ///   - weight: the filters `[outChannels, inChannels / groups, kernelHeight, kernelWidth]`.
    ///   - bias: an optional `[outChannels]` added to every output position.
    ///   - stride: the step between output positions, `(height, width)`, each at least 1.
    ///   - padding: implicit zeros added on both sides, `(height, width)`.
    ///   - dilation: the spacing between kernel taps, `(height, width)`, each at least 1.
    ///   - groups: the number of independent channel groups; divides both channel counts.
    /// - Precondition: the shapes agree as above and the output is not empty.
    @_disfavoredOverload
    public static func conv2d(
        _ input: Tensor, _ weight: Tensor, bias: Tensor? = nil,
        stride: (Int, Int) = (1, 1), padding: (Int, Int) = (0, 0), dilation: (Int, Int) = (1, 1),
        groups: Int = 1
    ) -> Tensor {
        let g = conv2dGeometry(input, weight, bias: bias, stride: stride, padding: padding, dilation: dilation, groups: groups)
        let outChannels = g.outChannels
        let output = Tensor(shape: g.outputShape) { out in
            ConvolutionKernels.forward(
                g, input: input.storage.pointer, weight: weight.storage.pointer,
                bias: bias.map { UnsafePointer($0.storage.pointer) }, output: out.baseAddress!)
        }
        let inputs = bias.map { [input, weight, $0] } ?? [input, weight]
        let (needInput, needWeight) = (input.node != nil, weight.node != nil)
        return recorded(output, inputs: inputs) { gradient in
            var gradInput: Tensor? = nil
            var gradWeight: Tensor? = nil
            if needInput || needWeight {
                gradInput = needInput ? Tensor(shape: g.inputShape) { _ in } : nil
                gradWeight = needWeight ? Tensor(shape: weight.shape) { _ in } : nil
                ConvolutionKernels.backward(
                    g, input: input.storage.pointer, weight: weight.storage.pointer,
                    outputGradient: gradient.storage.pointer,
                    inputGradient: gradInput?.storage.pointer, weightGradient: gradWeight?.storage.pointer)
            }
            guard let bias else { return [gradInput, gradWeight] }
            let gradBias = bias.node == nil ? nil : Tensor(shape: [outChannels]) { sums in
                ConvolutionKernels.channelSums(
                    of: gradient.storage.pointer, batch: g.batch, channels: outChannels, area: g.outArea,
                    into: sums.baseAddress!)
            }
            return [gradInput, gradWeight, gradBias]
        }
    }

    /// Checks the operands of ``conv2d(_:_:bias:stride:padding:dilation:groups:)`` and returns
    /// the geometry of the convolution.
    static func conv2dGeometry(
        _ input: Tensor, _ weight: Tensor, bias: Tensor?,
        stride: (Int, Int), padding: (Int, Int), dilation: (Int, Int), groups: Int
    ) -> ConvolutionGeometry {
        precondition(input.rank == 4, "conv2d: input must be [batch, channels, height, width], got \(input.shape)")
        precondition(weight.rank == 4, "conv2d: weight must be [outChannels, inChannels/groups, kH, kW], got \(weight.shape)")
        checkHyperparameters("conv2d", stride: stride, padding: padding, dilation: dilation, groups: groups)
        let (inChannels, outChannels) = (input.shape[1], weight.shape[0])
        precondition(
            inChannels % groups == 0 && outChannels % groups == 0 && weight.shape[1] * groups == inChannels,
            "conv2d: input \(input.shape) and weight \(weight.shape) do not match with groups = \(groups)")
        if let bias {
            precondition(bias.shape == [outChannels], "conv2d: bias shape \(bias.shape) should be [\(outChannels)]")
        }
        let outHeight = ConvolutionGeometry.convolvedSize(
            input: input.shape[2], kernel: weight.shape[2], stride: stride.0, padding: padding.0, dilation: dilation.0)
        let outWidth = ConvolutionGeometry.convolvedSize(
            input: input.shape[3], kernel: weight.shape[3], stride: stride.1, padding: padding.1, dilation: dilation.1)
        precondition(
            outHeight > 0 && outWidth > 0,
            "conv2d: kernel \(weight.shape[2])×\(weight.shape[3]) (dilation \(dilation), padding \(padding)) does not fit input \(input.shape)")
        return ConvolutionGeometry(
            batch: input.shape[0], inChannels: inChannels, inHeight: input.shape[2], inWidth: input.shape[3],
            outChannels: outChannels, outHeight: outHeight, outWidth: outWidth,
            kernelHeight: weight.shape[2], kernelWidth: weight.shape[3], strideHeight: stride.0, strideWidth: stride.1,
            paddingHeight: padding.0, paddingWidth: padding.1, dilationHeight: dilation.0, dilationWidth: dilation.1,
            groups: groups)

    }

    /// The convolution followed by a per-channel affine map and an optional ReLU applied as each
    /// image's output is produced, without recording anything for differentiation (the
    /// inference path of ``Conv2d/callAsFunction(_:normalizedBy:relu:)``).
    static func conv2dInference(
        _ input: Tensor, _ weight: Tensor, stride: (Int, Int), padding: (Int, Int), dilation: (Int, Int),
        groups: Int, scale: [Float], shift: [Float], relu: Bool
    ) -> Tensor {
        let g = conv2dGeometry(input, weight, bias: nil, stride: stride, padding: padding, dilation: dilation, groups: groups)
        precondition(scale.count == g.outChannels && shift.count == g.outChannels,
                     "conv2d: \(scale.count) scales and \(shift.count) shifts for \(g.outChannels) output channels")
        return scale.withUnsafeBufferPointer { scales in
            shift.withUnsafeBufferPointer { shifts in
                Tensor(shape: g.outputShape) { out in
                    ConvolutionKernels.forward(
                        g, input: input.storage.pointer, weight: weight.storage.pointer, bias: nil,
                        output: out.baseAddress!,
                        epilogue: ChannelEpilogue(scale: scales.baseAddress!, shift: shifts.baseAddress!, relu: relu))
                }
            }
        }
    }

    /// ``conv2d(_:_:bias:stride:padding:dilation:groups:)`` with the same stride, padding and
    /// dilation along height and width.
    public static func conv2d(
        _ input: Tensor, _ weight: Tensor, bias: Tensor? = nil,
        stride: Int = 1, padding: Int = 0, dilation: Int = 1, groups: Int = 1
    ) -> Tensor {
        conv2d(
            input, weight, bias: bias, stride: (stride, stride), padding: (padding, padding),
            dilation: (dilation, dilation), groups: groups)
    }

    /// The 2-D transposed convolution (PyTorch's `conv_transpose2d`): the gradient of
    /// `conv2d(_:_:bias:stride:padding:dilation:groups:)` with respect to its input, applied
    /// to `input`, plus a bias. Differentiable with respect to the input, the weight and the bias.
    ///
    /// Each input element `input[n, c, ih, iw]` adds `input · weight[c, o, kh, kw]` to output
    /// position `(ih·strideH − padH + kh·dilationH, iw·strideW − padW + kw·dilationW)` of output
    /// channel `g·(outChannels/groups) + o`, where `g` is the group of `c`. Computed as a GEMM
    /// followed by col2im.
    ///
    /// Shapes: input `[batch, inChannels, height, width]`, weight
    /// `[inChannels, outChannels/groups, kernelHeight, kernelWidth]`, bias `[outChannels]`, result
    /// `[batch, outChannels, outHeight, outWidth]` with
    /// `outHeight = (height − 1)·strideH − 2·padH + dilationH·(kernelHeight − 1) + outputPadH + 1`.
    ///
    /// - Parameters:
    ///   - dilation: the spacing between kernel taps, `(height, width)`, each at least 1.
    ///   - groups: the number of independent channel groups; divides both channel counts.
    ///   - input: the images `[batch, inChannels, height, width]`.
    ///   - weight: the filters `[inChannels, outChannels / groups, kernelHeight, kernelWidth]`.
    ///   - bias: an optional `[outChannels]` added to every output position.
    ///   - stride: the upsampling step, `(height, width)`, each at least 1.
    ///   - padding: rows and columns removed from both sides of the full result.
    ///   - outputPadding: rows and columns added at the bottom and right only, to pick among the
    ///     input sizes a strided convolution maps to the same size; each must be smaller than the
    ///     stride or the dilation along that axis.
    /// - Precondition: the shapes agree as above and the output is not empty.
    @_disfavoredOverload
    public static func convTranspose2d(
        _ input: Tensor, _ weight: Tensor, bias: Tensor? = nil,
        stride: (Int, Int) = (1, 1), padding: (Int, Int) = (0, 0), outputPadding: (Int, Int) = (0, 0),
        dilation: (Int, Int) = (1, 1), groups: Int = 1
    ) -> Tensor {
        precondition(input.rank == 4, "convTranspose2d: input must be [batch, channels, height, width], got \(input.shape)")
        precondition(weight.rank == 4, "convTranspose2d: weight must be [inChannels, outChannels/groups, kH, kW], got \(weight.shape)")
        checkHyperparameters("convTranspose2d", stride: stride, padding: padding, dilation: dilation, groups: groups)
        precondition(
            outputPadding.0 >= 0 && outputPadding.1 >= 0
                && (outputPadding.0 < stride.0 || outputPadding.0 < dilation.0)
                && (outputPadding.1 < stride.1 || outputPadding.1 < dilation.1),
            "convTranspose2d: output padding \(outputPadding) must be smaller than the stride \(stride) or the dilation \(dilation)")
        let inChannels = input.shape[1]
        precondition(
            weight.shape[0] == inChannels && inChannels % groups == 0,
            "convTranspose2d: input \(input.shape) and weight \(weight.shape) do not match with groups = \(groups)")
        let outChannels = weight.shape[1] * groups
        if let bias {
            precondition(bias.shape == [outChannels], "convTranspose2d: bias shape \(bias.shape) should be [\(outChannels)]")
        }
        let outHeight = ConvolutionGeometry.transposedSize(
            input: input.shape[2], kernel: weight.shape[2], stride: stride.0, padding: padding.0,
            outputPadding: outputPadding.0, dilation: dilation.0)
        let outWidth = ConvolutionGeometry.transposedSize(
            input: input.shape[3], kernel: weight.shape[3], stride: stride.1, padding: padding.1,
            outputPadding: outputPadding.1, dilation: dilation.1)
        precondition(
            outHeight > 0 && outWidth > 0,
            "convTranspose2d: padding \(padding) leaves no output for input \(input.shape) and weight \(weight.shape)")
        // The convolution this operation is the input-gradient of: its input is our output.
        let g = ConvolutionGeometry(
            batch: input.shape[0], inChannels: outChannels, inHeight: outHeight, inWidth: outWidth,
            outChannels: inChannels, outHeight: input.shape[2], outWidth: input.shape[3],
            kernelHeight: weight.shape[2], kernelWidth: weight.shape[3], strideHeight: stride.0, strideWidth: stride.1,
            paddingHeight: padding.0, paddingWidth: padding.1, dilationHeight: dilation.0, dilationWidth: dilation.1,
            groups: groups)

        let output = Tensor(shape: g.inputShape) { out in
            ConvolutionKernels.backward(
                g, input: nil, weight: weight.storage.pointer, outputGradient: input.storage.pointer,
                inputGradient: out.baseAddress!, weightGradient: nil)
            if let bias {
                ConvolutionKernels.addChannelBias(
                    bias.storage.pointer, to: out.baseAddress!, batch: g.batch, channels: outChannels, area: g.inArea)
            }
        }
        let inputs = bias.map { [input, weight, $0] } ?? [input, weight]
        let (needInput, needWeight) = (input.node != nil, weight.node != nil)
        return recorded(output, inputs: inputs) { gradient in
            // The input gradient is the convolution of the output gradient.
            let gradInput = !needInput ? nil : Tensor(shape: input.shape) { dx in
                ConvolutionKernels.forward(
                    g, input: gradient.storage.pointer, weight: weight.storage.pointer, bias: nil,
                    output: dx.baseAddress!)
            }
            let gradWeight = !needWeight ? nil : Tensor(shape: weight.shape) { dw in
                ConvolutionKernels.backward(
                    g, input: gradient.storage.pointer, weight: nil, outputGradient: input.storage.pointer,
                    inputGradient: nil, weightGradient: dw.baseAddress!)
            }
            guard let bias else { return [gradInput, gradWeight] }
            let gradBias = bias.node == nil ? nil : Tensor(shape: [outChannels]) { sums in
                ConvolutionKernels.channelSums(
                    of: gradient.storage.pointer, batch: g.batch, channels: outChannels, area: g.inArea,
                    into: sums.baseAddress!)
            }
            return [gradInput, gradWeight, gradBias]
        }
    }

    /// ``convTranspose2d(_:_:bias:stride:padding:outputPadding:dilation:groups:)`` with the same
    /// stride, padding, output padding and dilation along height and width.
    public static func convTranspose2d(
        _ input: Tensor, _ weight: Tensor, bias: Tensor? = nil,
        stride: Int = 1, padding: Int = 0, outputPadding: Int = 0, dilation: Int = 1, groups: Int = 1
    ) -> Tensor {
        convTranspose2d(
            input, weight, bias: bias, stride: (stride, stride), padding: (padding, padding),
            outputPadding: (outputPadding, outputPadding), dilation: (dilation, dilation), groups: groups)
    }

    private static func checkHyperparameters(
        _ operation: String, stride: (Int, Int), padding: (Int, Int), dilation: (Int, Int), groups: Int
    ) {
        precondition(stride.0 >= 1 && stride.1 >= 1, "\(operation): stride \(stride) must be at least 1")
        precondition(padding.0 >= 0 && padding.1 >= 0, "\(operation): padding \(padding) must not be negative")
        precondition(dilation.0 >= 1 && dilation.1 >= 1, "\(operation): dilation \(dilation) must be at least 1")
        precondition(groups >= 1, "\(operation): groups = \(groups) must be at least 1")
    }
}
