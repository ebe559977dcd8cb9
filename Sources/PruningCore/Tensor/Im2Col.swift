/// The im2col / col2im transforms that turn a convolution into a matrix product.
///
/// For one image and one group, the columns matrix has `inPerGroup · kernelHeight · kernelWidth`
/// rows, one per (input channel, kernel tap), ordered like the weight's trailing dimensions, and
/// `outHeight · outWidth` columns, one per output position. Entry `(c·kH·kW + kh·kW + kw, oh·outW + ow)`
/// is the input element that tap reads for that output position, or zero in the padding. The
/// convolution of the group is then `W_g [outPerGroup, rows] × columns [rows, outArea]`
/// (Chellapilla, Puri & Simard, "High Performance Convolutional Neural Networks for Document
/// Processing", 2006).
///
/// A columns matrix may hold several images side by side: its leading dimension `ld` is then a
/// multiple of `outArea`, and each image's block starts `outArea` columns after the previous one.
enum Im2Col {
    /// Writes the columns of one image and one group (every entry of the `rows × outArea` block).
    ///
    /// - Parameters:
    ///   - image: the group's first input channel, `[inPerGroup, inHeight, inWidth]` contiguous.
    ///   - columns: the block's first entry; rows are `ld` apart.
    static func unfold(
        _ g: ConvolutionGeometry, image: UnsafePointer<Float>,
        into columns: UnsafeMutablePointer<Float>, leadingDimension ld: Int
    ) {
        let (outH, outW, inW) = (g.outHeight, g.outWidth, g.inWidth)
        let (strideH, strideW) = (g.strideHeight, g.strideWidth)
        for c in 0..<g.inPerGroup {
            let plane = image + c * g.inArea
            for kh in 0..<g.kernelHeight {
                let offsetH = kh * g.dilationHeight - g.paddingHeight
                let rowsInside = ConvolutionGeometry.validOutputRange(
                    offset: offsetH, stride: strideH, inSize: g.inHeight, outSize: outH)
                for kw in 0..<g.kernelWidth {
                    let offsetW = kw * g.dilationWidth - g.paddingWidth
                    let inside = ConvolutionGeometry.validOutputRange(
                        offset: offsetW, stride: strideW, inSize: inW, outSize: outW)
                    let row = columns + ((c * g.kernelHeight + kh) * g.kernelWidth + kw) * ld
                    let (lower, upper) = (inside.lowerBound, inside.upperBound)
                    for oh in 0..<outH {
                        let dst = row + oh * outW
                        guard rowsInside.contains(oh), lower < upper else {
                            dst.update(repeating: 0, count: outW)
                            continue
                        }
                        // Index of the input element read at ow = 0 (may lie in the padding).
                        let base = (oh * strideH + offsetH) * inW + offsetW
                        if lower > 0 { dst.update(repeating: 0, count: lower) }
                        if strideW == 1 {
                            (dst + lower).update(from: plane + (base + lower), count: upper - lower)
                        } else {
                            for ow in lower..<upper { dst[ow] = plane[base + ow * strideW] }
                        }
                        if upper < outW { (dst + upper).update(repeating: 0, count: outW - upper) }
                    }
                }
            }
        }
    }

    /// Adds a columns block back into one image and one group (the adjoint of ``unfold``):
    /// each entry is added to the input element it was read from; padding entries are dropped.
    ///
    /// - Parameters:
    ///   - columns: the block's first entry; rows are `ld` apart.
    ///   - image: the group's first input channel, `[inPerGroup, inHeight, inWidth]`, accumulated into.
    static func fold(
        _ g: ConvolutionGeometry, columns: UnsafePointer<Float>, leadingDimension ld: Int,
        into image: UnsafeMutablePointer<Float>
    ) {
        let (outH, outW, inW) = (g.outHeight, g.outWidth, g.inWidth)
        let (strideH, strideW) = (g.strideHeight, g.strideWidth)
        for c in 0..<g.inPerGroup {
            let plane = image + c * g.inArea
            for kh in 0..<g.kernelHeight {
                let offsetH = kh * g.dilationHeight - g.paddingHeight
                let rowsInside = ConvolutionGeometry.validOutputRange(
                    offset: offsetH, stride: strideH, inSize: g.inHeight, outSize: outH)
                for kw in 0..<g.kernelWidth {
                    let offsetW = kw * g.dilationWidth - g.paddingWidth
                    let inside = ConvolutionGeometry.validOutputRange(
                        offset: offsetW, stride: strideW, inSize: inW, outSize: outW)
                    if inside.isEmpty { continue }
                    let row = columns + ((c * g.kernelHeight + kh) * g.kernelWidth + kw) * ld
                    for oh in rowsInside {
                        let src = row + oh * outW
                        let base = (oh * strideH + offsetH) * inW + offsetW
                        if strideW == 1 {
                            let dst = plane + (base + inside.lowerBound)
                            let run = src + inside.lowerBound
                            for i in 0..<inside.count { dst[i] += run[i] }
                        } else {
                            for ow in inside { plane[base + ow * strideW] += src[ow] }
                        }
                    }
                }
            }
        }
    }
}
