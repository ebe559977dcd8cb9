extension Tensor {
    /// The sizes of a pooling window sweep over `[batch, channels, height, width]`.
    private struct PoolingWindows {
        var planes: Int
        var inHeight: Int
        var inWidth: Int
        var outHeight: Int
        var outWidth: Int
        var kernel: (Int, Int)
        var stride: (Int, Int)
        var padding: (Int, Int)

        var inArea: Int { inHeight * inWidth }
        var outArea: Int { outHeight * outWidth }

        init(_ operation: String, shape: [Int], kernel: (Int, Int), stride: (Int, Int)?, padding: (Int, Int)) {
            precondition(shape.count == 4, "\(operation): input must be [batch, channels, height, width], got \(shape)")
            let stride = stride ?? kernel
            precondition(kernel.0 >= 1 && kernel.1 >= 1, "\(operation): kernel \(kernel) must be at least 1")
            precondition(stride.0 >= 1 && stride.1 >= 1, "\(operation): stride \(stride) must be at least 1")
            precondition(
                padding.0 >= 0 && padding.1 >= 0 && 2 * padding.0 <= kernel.0 && 2 * padding.1 <= kernel.1,
                "\(operation): padding \(padding) must be between 0 and half the kernel \(kernel)")
            self.planes = shape[0] * shape[1]
            self.inHeight = shape[2]
            self.inWidth = shape[3]
            self.outHeight = ConvolutionGeometry.convolvedSize(
                input: shape[2], kernel: kernel.0, stride: stride.0, padding: padding.0, dilation: 1)
            self.outWidth = ConvolutionGeometry.convolvedSize(
                input: shape[3], kernel: kernel.1, stride: stride.1, padding: padding.1, dilation: 1)
            precondition(
                outHeight > 0 && outWidth > 0, "\(operation): kernel \(kernel) does not fit input \(shape) with padding \(padding)")
            self.kernel = kernel
            self.stride = stride
            self.padding = padding
        }

        /// The window of output `(oh, ow)` clipped to the input, and its extent inside the padded input.
        @inline(__always)
        func window(_ oh: Int, _ ow: Int) -> (rows: Range<Int>, columns: Range<Int>, paddedSize: Int) {
            let top = oh * stride.0 - padding.0
            let left = ow * stride.1 - padding.1
            let bottom = Swift.min(top + kernel.0, inHeight + padding.0)
            let right = Swift.min(left + kernel.1, inWidth + padding.1)
            let rows = Swift.max(top, 0)..<Swift.min(bottom, inHeight)
            let columns = Swift.max(left, 0)..<Swift.min(right, inWidth)
            return (rows, columns, (bottom - top) * (right - left))
        }

        func outputShape(_ shape: [Int]) -> [Int] { [shape[0], shape[1], outHeight, outWidth] }

        /// Runs `body` over ranges of planes, on several cores when the work is large.
        func forEachPlane(_ body: (Range<Int>) -> Void) {
            let work = Swift.max(1, outArea * kernel.0 * kernel.1)
            Kernels.parallelFor(planes, minimumPerThread: Swift.max(1, (1 << 16) / work), body)
        }
    }

    /// 2-D max pooling over `[batch, channels, height, width]`, differentiable: the gradient of
    /// each output goes to the input element that attained the maximum (the first one on ties).
    ///
    /// Padding counts as −∞, so it is never selected. NaN propagates. The result is
    /// `[batch, channels, ⌊(height + 2·padH − kernelH) / strideH⌋ + 1, …]`.
    ///
    /// - Parameters:
    ///   - kernel: the window size `(height, width)`.
    ///   - stride: the step between windows; the kernel size when `nil` (PyTorch's default).
    ///   - padding: implicit −∞ border on both sides, at most half the kernel.
    public func maxPool2d(kernel: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0)) -> Tensor {
        let p = PoolingWindows("maxPool2d", shape: shape, kernel: kernel, stride: stride, padding: padding)
        // The flat index within its input plane of each output's maximum.
        var winners = [Int32](repeating: 0, count: p.planes * p.outArea)
        let source = storage.pointer
        let output = winners.withUnsafeMutableBufferPointer { indices in
            Tensor(shape: p.outputShape(shape)) { out in
                p.forEachPlane { planes in
                    for plane in planes {
                        let x = source + plane * p.inArea
                        let y = out.baseAddress! + plane * p.outArea
                        let winner = indices.baseAddress! + plane * p.outArea
                        for oh in 0..<p.outHeight {
                            for ow in 0..<p.outWidth {
                                let (rows, columns, _) = p.window(oh, ow)
                                var best = -Float.infinity
                                var bestIndex = rows.lowerBound * p.inWidth + columns.lowerBound
                                for ih in rows {
                                    for iw in columns {
                                        let v = x[ih * p.inWidth + iw]
                                        if v > best || v.isNaN {
                                            best = v
                                            bestIndex = ih * p.inWidth + iw
                                            if v.isNaN { break }
                                        }
                                    }
                                    if best.isNaN { break }
                                }
                                y[oh * p.outWidth + ow] = best
                                winner[oh * p.outWidth + ow] = Int32(truncatingIfNeeded: bestIndex)
                            }
                        }
                    }
                }
            }
        }
        let inputShape = shape
        let argmax = winners
        return Tensor.recorded(output, inputs: [self]) { gradient in
            var result = Tensor.zeros(inputShape)
            result.withUnsafeMutableBufferPointer { dx in
                gradient.withUnsafeBufferPointer { dy in
                    for plane in 0..<p.planes {
                        let base = plane * p.inArea
                        for i in plane * p.outArea..<(plane + 1) * p.outArea {
                            dx[base + Int(argmax[i])] += dy[i]
                        }
                    }
                }
            }
            return [result]
        }
    }

    /// ``maxPool2d(kernel:stride:padding:)`` with a square window.
    public func maxPool2d(kernel: Int, stride: Int? = nil, padding: Int = 0) -> Tensor {
        maxPool2d(kernel: (kernel, kernel), stride: stride.map { ($0, $0) }, padding: (padding, padding))
    }

    /// 2-D average pooling over `[batch, channels, height, width]`, differentiable.
    ///
    /// The result is `[batch, channels, ⌊(height + 2·padH − kernelH) / strideH⌋ + 1, …]`.
    ///
    /// - Parameters:
    ///   - kernel: the window size `(height, width)`.
    ///   - stride: the step between windows; the kernel size when `nil` (PyTorch's default).
    ///   - padding: implicit zero border on both sides, at most half the kernel.
    ///   - countIncludingPadding: whether padding elements count in the divisor (PyTorch's
    ///     `count_include_pad`, true by default); when false, each window is divided by the
    ///     number of input elements it covers.
    public func avgPool2d(
        kernel: (Int, Int), stride: (Int, Int)? = nil, padding: (Int, Int) = (0, 0),
        countIncludingPadding: Bool = true
    ) -> Tensor {
        let p = PoolingWindows("avgPool2d", shape: shape, kernel: kernel, stride: stride, padding: padding)
        func divisor(_ window: (rows: Range<Int>, columns: Range<Int>, paddedSize: Int)) -> Float {
            Float(countIncludingPadding ? window.paddedSize : window.rows.count * window.columns.count)
        }
        let source = storage.pointer
        let output = Tensor(shape: p.outputShape(shape)) { out in
            p.forEachPlane { planes in
                for plane in planes {
                    let x = source + plane * p.inArea
                    let y = out.baseAddress! + plane * p.outArea
                    for oh in 0..<p.outHeight {
                        for ow in 0..<p.outWidth {
                            let window = p.window(oh, ow)
                            var total: Float = 0
                            for ih in window.rows {
                                for iw in window.columns { total += x[ih * p.inWidth + iw] }
                            }
                            y[oh * p.outWidth + ow] = total / divisor(window)
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
                    for plane in 0..<p.planes {
                        let x = dx.baseAddress! + plane * p.inArea
                        let y = dy.baseAddress! + plane * p.outArea
                        for oh in 0..<p.outHeight {
                            for ow in 0..<p.outWidth {
                                let window = p.window(oh, ow)
                                let share = y[oh * p.outWidth + ow] / divisor(window)
                                for ih in window.rows {
                                    for iw in window.columns { x[ih * p.inWidth + iw] += share }
                                }
                            }
                        }
                    }
                }
            }
            return [result]
        }
    }

    /// ``avgPool2d(kernel:stride:padding:countIncludingPadding:)`` with a square window.
    public func avgPool2d(
        kernel: Int, stride: Int? = nil, padding: Int = 0, countIncludingPadding: Bool = true
    ) -> Tensor {
        avgPool2d(
            kernel: (kernel, kernel), stride: stride.map { ($0, $0) }, padding: (padding, padding),
            countIncludingPadding: countIncludingPadding)
    }
}
