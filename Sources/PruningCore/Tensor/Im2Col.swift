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
    ///   - taps: the valid ranges of `g`'s kernel taps.
    ///   - image: the group's first input channel, `[inPerGroup, inHeight, inWidth]` contiguous.
    ///   - columns: the block's first entry; rows are `ld` apart.
    static func unfold(
        _ g: ConvolutionGeometry, taps: KernelTaps, image: UnsafePointer<Float>,
        into columns: UnsafeMutablePointer<Float>, leadingDimension ld: Int
    ) {
        let (outH, outW, inW) = (g.outHeight, g.outWidth, g.inWidth)
        let (strideH, strideW) = (g.strideHeight, g.strideWidth)
        // Stride 1 with "same" width: output rows oh and oh+1 read input rows ih and ih+1, so a
        // tap's rows form one contiguous run of the input.
        let contiguous = strideH == 1 && strideW == 1 && inW == outW
        var row = columns
        for c in 0..<g.inPerGroup {
            let plane = image + c * g.inArea
            for kh in 0..<g.kernelHeight {
                let (offsetH, top, bottom) = (taps.rowOffsets[kh], taps.rows[kh].lowerBound, taps.rows[kh].upperBound)
                for kw in 0..<g.kernelWidth {
                    defer { row += ld }
                    let (offsetW, lower, upper) = (
                        taps.columnOffsets[kw], taps.columns[kw].lowerBound, taps.columns[kw].upperBound)
                    if top >= bottom || lower >= upper {
                        row.update(repeating: 0, count: g.outArea)
                        continue
                    }
                    if top > 0 { row.update(repeating: 0, count: top * outW) }
                    if bottom < outH { (row + bottom * outW).update(repeating: 0, count: (outH - bottom) * outW) }
                    if contiguous {
                        // One block copy of rows top..<bottom, clipped to the plane; the entries
                        // clipped or read from a neighbouring row are exactly the padding columns,
                        // cleared below.
                        let start = (top + offsetH) * inW + offsetW
                        let skipped = Swift.max(0, -start)
                        let end = Swift.min((bottom - top) * outW, g.inArea - start)
                        if skipped < end {
                            (row + top * outW + skipped).update(from: plane + (start + skipped), count: end - skipped)
                        }
                        if lower > 0 || upper < outW {
                            for oh in top..<bottom {
                                let dst = row + oh * outW
                                for ow in 0..<lower { dst[ow] = 0 }
                                for ow in upper..<outW { dst[ow] = 0 }
                            }
                        }
                        continue
                    }
                    for oh in top..<bottom {
                        let dst = row + oh * outW
                        // Index of the input element read at ow = 0 (may lie in the padding).
                        let base = (oh * strideH + offsetH) * inW + offsetW
                        for ow in 0..<lower { dst[ow] = 0 }
                        if strideW == 1 {
                            let src = plane + (base + lower)
                            let run = dst + lower
                            for i in 0..<(upper - lower) { run[i] = src[i] }
                        } else {
                            for ow in lower..<upper { dst[ow] = plane[base + ow * strideW] }
                        }
                        for ow in upper..<outW { dst[ow] = 0 }
                    }
                }
            }
        }
    }

    /// Adds a columns block back into one image and one group (the adjoint of ``unfold``):
    /// each entry is added to the input element it was read from; padding entries are dropped
    /// (and may be overwritten with zeros: the block is scratch space).
    ///
    /// - Parameters:
    ///   - taps: the valid ranges of `g`'s kernel taps.
    ///   - columns: the block's first entry; rows are `ld` apart.
    ///   - image: the group's first input channel, `[inPerGroup, inHeight, inWidth]`, accumulated into.
    static func fold(
        _ g: ConvolutionGeometry, taps: KernelTaps, columns: UnsafeMutablePointer<Float>, leadingDimension ld: Int,
        into image: UnsafeMutablePointer<Float>
    ) {
        let (outW, inW) = (g.outWidth, g.inWidth)
        let (strideH, strideW) = (g.strideHeight, g.strideWidth)
        // As in `unfold`: with stride 1 and "same" width a tap's valid entries form one
        // contiguous run of the input once its padding columns are cleared (they then add zero
        // to the neighbouring row's elements they alias), so each tap is one vectorized add.
        let contiguous = strideH == 1 && strideW == 1 && inW == outW
        let accumulate = SIMDKernels.active.accumulate!
        var row = columns
        for c in 0..<g.inPerGroup {
            let plane = image + c * g.inArea
            for kh in 0..<g.kernelHeight {
                let (offsetH, rows) = (taps.rowOffsets[kh], taps.rows[kh])
                for kw in 0..<g.kernelWidth {
                    defer { row += ld }
                    let (offsetW, lower, upper) = (
                        taps.columnOffsets[kw], taps.columns[kw].lowerBound, taps.columns[kw].upperBound)
                    if lower >= upper { continue }
                    if contiguous {
                        let (top, bottom) = (rows.lowerBound, rows.upperBound)
                        if top >= bottom { continue }
                        if lower > 0 || upper < outW {
                            for oh in top..<bottom {
                                let entries = row + oh * outW
                                for ow in 0..<lower { entries[ow] = 0 }
                                for ow in upper..<outW { entries[ow] = 0 }
                            }
                        }
                        let start = (top + offsetH) * inW + offsetW
                        let skipped = Swift.max(0, -start)
                        let end = Swift.min((bottom - top) * outW, g.inArea - start)
                        if skipped < end {
                            accumulate(plane + (start + skipped), row + top * outW + skipped, end - skipped)
                        }
                        continue
                    }
                    for oh in rows {
                        let src = row + oh * outW
                        let base = (oh * strideH + offsetH) * inW + offsetW
                        if strideW == 1 {
                            let dst = plane + (base + lower)
                            let run = src + lower
                            for i in 0..<(upper - lower) { dst[i] += run[i] }
                        } else {
                            for ow in lower..<upper { plane[base + ow * strideW] += src[ow] }
                        }
                    }
                }
            }
        }
    }
}

/// Which output rows and columns each kernel tap reads inside the input (the rest reads
/// padding), computed once per convolution call rather than once per channel and image.
struct KernelTaps {
    /// For kernel row `kh`: `kh·dilationH − padH`, the input row read by output row 0.
    let rowOffsets: [Int]
    /// For kernel row `kh`: the output rows whose input row lies inside the image.
    let rows: [Range<Int>]
    /// For kernel column `kw`: `kw·dilationW − padW`, the input column read by output column 0.
    let columnOffsets: [Int]
    /// For kernel column `kw`: the output columns whose input column lies inside the image.
    let columns: [Range<Int>]

    init(_ g: ConvolutionGeometry) {
        rowOffsets = (0..<g.kernelHeight).map { $0 * g.dilationHeight - g.paddingHeight }
        columnOffsets = (0..<g.kernelWidth).map { $0 * g.dilationWidth - g.paddingWidth }
        rows = rowOffsets.map {
            ConvolutionGeometry.validOutputRange(offset: $0, stride: g.strideHeight, inSize: g.inHeight, outSize: g.outHeight)
        }
        columns = columnOffsets.map {
            ConvolutionGeometry.validOutputRange(offset: $0, stride: g.strideWidth, inSize: g.inWidth, outSize: g.outWidth)
        }
    }
}
