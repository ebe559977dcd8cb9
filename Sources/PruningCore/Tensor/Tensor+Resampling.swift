extension Tensor {
    /// Adaptive 2-D average pooling (PyTorch's `adaptive_avg_pool2d`): averages
    /// `[batch, channels, height, width]` into `[batch, channels, outHeight, outWidth]`,
    /// differentiable.
    ///
    /// Output row `i` averages input rows `⌊i·height/outHeight⌋ ..< ⌈(i+1)·height/outHeight⌉`
    /// (likewise for columns), so windows may overlap when the sizes do not divide. An output
    /// size of `(1, 1)` is global average pooling.
    ///
    /// - Parameter outputSize: `(outHeight, outWidth)`, each at least 1.
    public func adaptiveAvgPool2d(outputSize: (Int, Int)) -> Tensor {
        precondition(rank == 4, "adaptiveAvgPool2d: input must be [batch, channels, height, width], got \(shape)")
        precondition(
            outputSize.0 >= 1 && outputSize.1 >= 1, "adaptiveAvgPool2d: output size \(outputSize) must be at least 1")
        let (inHeight, inWidth) = (shape[2], shape[3])
        let (outHeight, outWidth) = outputSize
        func bins(_ input: Int, _ output: Int) -> [Range<Int>] {
            (0..<output).map { i in (i * input / output)..<(((i + 1) * input + output - 1) / output) }
        }
        let rowBins = bins(inHeight, outHeight)
        let columnBins = bins(inWidth, outWidth)
        let planes = shape[0] * shape[1]
        let (inArea, outArea) = (inHeight * inWidth, outHeight * outWidth)
        let source = storage.pointer
        let output = Tensor(shape: [shape[0], shape[1], outHeight, outWidth]) { out in
            let perPlane = Swift.max(1, inArea + outArea)
            Kernels.parallelFor(planes, minimumPerThread: Swift.max(1, (1 << 16) / perPlane)) { range in
                for plane in range {
                    let x = source + plane * inArea
                    let y = out.baseAddress! + plane * outArea
                    for (oh, rows) in rowBins.enumerated() {
                        for (ow, columns) in columnBins.enumerated() {
                            var total: Float = 0
                            for ih in rows {
                                for iw in columns { total += x[ih * inWidth + iw] }
                            }
                            y[oh * outWidth + ow] = rows.isEmpty || columns.isEmpty
                                ? 0 : total / Float(rows.count * columns.count)
                        }
                    }
                }
            }
        }
        let inputShape = shape
        return Tensor.recorded(output, inputs: [self]) { gradient in
            var result = Tensor.zeros(inputShape)
            result.withUnsafeMutableBufferPointer { dx in
                gradient.withUnsafeBufferPointer { dy in
                    for plane in 0..<planes {
                        let x = dx.baseAddress! + plane * inArea
                        let y = dy.baseAddress! + plane * outArea
                        for (oh, rows) in rowBins.enumerated() {
                            for (ow, columns) in columnBins.enumerated() where !rows.isEmpty && !columns.isEmpty {
                                let share = y[oh * outWidth + ow] / Float(rows.count * columns.count)
                                for ih in rows {
                                    for iw in columns { x[ih * inWidth + iw] += share }
                                }
                            }
                        }
                    }
                }
            }
            return [result]
        }
    }

    /// ``adaptiveAvgPool2d(outputSize:)`` to a square `outputSize × outputSize`.
    public func adaptiveAvgPool2d(outputSize: Int) -> Tensor {
        adaptiveAvgPool2d(outputSize: (outputSize, outputSize))
    }

    /// Nearest-neighbour upsampling of `[batch, channels, height, width]` by integer factors,
    /// to `[batch, channels, height·scaleH, width·scaleW]`, differentiable (the gradient of each
    /// input element is the sum over its `scaleH × scaleW` block).
    ///
    /// Output `(oh, ow)` copies input `(⌊oh/scaleH⌋, ⌊ow/scaleW⌋)`, as PyTorch's `nearest` mode.
    ///
    /// - Parameter scale: `(scaleH, scaleW)`, each at least 1.
    public func upsampleNearest2d(scale: (Int, Int)) -> Tensor {
        precondition(rank == 4, "upsampleNearest2d: input must be [batch, channels, height, width], got \(shape)")
        precondition(scale.0 >= 1 && scale.1 >= 1, "upsampleNearest2d: scale \(scale) must be at least 1")
        let (inHeight, inWidth) = (shape[2], shape[3])
        let (outHeight, outWidth) = (inHeight * scale.0, inWidth * scale.1)
        let planes = shape[0] * shape[1]
        let (inArea, outArea) = (inHeight * inWidth, outHeight * outWidth)
        let source = storage.pointer
        let output = Tensor(shape: [shape[0], shape[1], outHeight, outWidth]) { out in
            Kernels.parallelFor(planes, minimumPerThread: Swift.max(1, (1 << 16) / Swift.max(1, outArea))) { range in
                for plane in range {
                    let x = source + plane * inArea
                    let y = out.baseAddress! + plane * outArea
                    for ih in 0..<inHeight {
                        let first = y + ih * scale.0 * outWidth
                        let row = x + ih * inWidth
                        for iw in 0..<inWidth {
                            (first + iw * scale.1).update(repeating: row[iw], count: scale.1)
                        }
                        for copy in 1..<scale.0 { (first + copy * outWidth).update(from: first, count: outWidth) }
                    }
                }
            }
        }
        let inputShape = shape
        return Tensor.recorded(output, inputs: [self]) { gradient in
            let result = Tensor(shape: inputShape) { dx in
                gradient.withUnsafeBufferPointer { dy in
                    for plane in 0..<planes {
                        let x = dx.baseAddress! + plane * inArea
                        let y = dy.baseAddress! + plane * outArea
                        x.update(repeating: 0, count: inArea)
                        for oh in 0..<outHeight {
                            let row = x + (oh / scale.0) * inWidth
                            let src = y + oh * outWidth
                            for ow in 0..<outWidth { row[ow / scale.1] += src[ow] }
                        }
                    }
                }
            }
            return [result]
        }
    }

    /// ``upsampleNearest2d(scale:)`` by the same factor along height and width.
    public func upsampleNearest2d(scale: Int) -> Tensor {
        upsampleNearest2d(scale: (scale, scale))
    }
}
