/// The sizes and hyper-parameters of one 2-D convolution, in NCHW layout.
///
/// Describes `conv2d`: an input `[batch, inChannels, inHeight, inWidth]` and a weight
/// `[outChannels, inChannels/groups, kernelHeight, kernelWidth]` give an output
/// `[batch, outChannels, outHeight, outWidth]`, where output position `(oh, ow)` and kernel tap
/// `(kh, kw)` read input position `(oh·strideH − padH + kh·dilationH, ow·strideW − padW + kw·dilationW)`.
///
/// A transposed convolution is described by the geometry of the convolution it is the adjoint
/// of: its output is that convolution's input. The output size is therefore stored, not derived,
/// so that a transposed convolution's `outputPadding` rows (which no kernel tap reaches) fit.
struct ConvolutionGeometry: Equatable {
    var batch: Int
    var inChannels: Int
    var inHeight: Int
    var inWidth: Int
    var outChannels: Int
    var outHeight: Int
    var outWidth: Int
    var kernelHeight: Int
    var kernelWidth: Int
    var strideHeight: Int
    var strideWidth: Int
    var paddingHeight: Int
    var paddingWidth: Int
    var dilationHeight: Int
    var dilationWidth: Int
    var groups: Int

    /// Input channels seen by one group.
    var inPerGroup: Int { inChannels / groups }
    /// Output channels produced by one group.
    var outPerGroup: Int { outChannels / groups }
    /// `kernelHeight · kernelWidth`.
    var kernelArea: Int { kernelHeight * kernelWidth }
    /// Rows of one group's columns matrix: `inPerGroup · kernelHeight · kernelWidth`.
    var columnRows: Int { inPerGroup * kernelArea }
    /// `inHeight · inWidth`.
    var inArea: Int { inHeight * inWidth }
    /// `outHeight · outWidth`.
    var outArea: Int { outHeight * outWidth }
    /// Elements of the input tensor.
    var inputCount: Int { batch * inChannels * inArea }
    /// Elements of the output tensor.
    var outputCount: Int { batch * outChannels * outArea }
    /// Elements of the weight tensor.
    var weightCount: Int { outChannels * columnRows }
    /// The input shape `[batch, inChannels, inHeight, inWidth]`.
    var inputShape: [Int] { [batch, inChannels, inHeight, inWidth] }
    /// The output shape `[batch, outChannels, outHeight, outWidth]`.
    var outputShape: [Int] { [batch, outChannels, outHeight, outWidth] }

    /// A 1×1, stride-1, unpadded convolution: the input image already is the columns matrix.
    var isPointwise: Bool {
        kernelHeight == 1 && kernelWidth == 1 && strideHeight == 1 && strideWidth == 1
            && paddingHeight == 0 && paddingWidth == 0 && inHeight == outHeight && inWidth == outWidth
    }

    /// One input channel per group (depthwise, possibly with a channel multiplier): computed by
    /// direct loops instead of `groups` GEMMs with a single inner row.
    var isDepthwise: Bool { groups > 1 && inPerGroup == 1 }

    /// The number of multiply–add pairs of the forward pass, times two.
    var floatingPointOperations: Int { 2 * batch * outChannels * outArea * columnRows }

    /// The output extent of a convolution along one axis (PyTorch's formula, floor division).
    static func convolvedSize(input: Int, kernel: Int, stride: Int, padding: Int, dilation: Int) -> Int {
        let span = input + 2 * padding - dilation * (kernel - 1) - 1
        return span < 0 ? 0 : span / stride + 1
    }

    /// The output extent of a transposed convolution along one axis.
    static func transposedSize(
        input: Int, kernel: Int, stride: Int, padding: Int, outputPadding: Int, dilation: Int
    ) -> Int {
        (input - 1) * stride - 2 * padding + dilation * (kernel - 1) + outputPadding + 1
    }

    /// Output positions `o` in `0..<outSize` whose tap at `offset` (`kernelIndex · dilation −
    /// padding`) reads an index `o·stride + offset` inside `0..<inSize`.
    @inline(__always)
    static func validOutputRange(offset: Int, stride: Int, inSize: Int, outSize: Int) -> Range<Int> {
        // o·stride + offset ≥ 0  ⇔  o ≥ ceil(−offset / stride)
        let lower = offset >= 0 ? 0 : (-offset + stride - 1) / stride
        // o·stride + offset ≤ inSize − 1  ⇔  o ≤ floor((inSize − 1 − offset) / stride)
        let last = inSize - 1 - offset
        let upper = last < 0 ? 0 : Swift.min(outSize, last / stride + 1)
        return lower < upper ? lower..<upper : 0..<0
    }
}
