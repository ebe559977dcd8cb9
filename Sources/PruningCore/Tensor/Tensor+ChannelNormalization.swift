extension Tensor {
    /// Group normalization of a `[batch, channels, ...]` tensor, for example
    /// `[batch, channels, height, width]` (Wu & He, 2018, "Group Normalization").
    ///
    /// The channels are split into `groups` consecutive groups; each group of each sample is
    /// normalized with its own mean and biased variance, then scaled and shifted per channel:
    /// `y = (x − mean) / √(variance + ε) · weight[c] + bias[c]`. One fused kernel computes the
    /// output and one the gradients of the input, the weight and the bias.
    ///
    /// - Parameters:
    ///   - groups: the number of groups; it must divide the channel count.
    ///   - weight: the per-channel scale `[channels]`, or `nil` for none.
    ///   - bias: the per-channel shift `[channels]`, or `nil` for none.
    ///   - epsilon: added to the variance for stability.
    /// - Returns: a tensor shaped like this one.
    public func groupNorm(groups: Int, weight: Tensor? = nil, bias: Tensor? = nil, epsilon: Float = 1e-5) -> Tensor {
        precondition(rank >= 2, "groupNorm: input must be [batch, channels, ...], got \(shape)")
        precondition(groups > 0 && shape[1] % groups == 0, "groupNorm: \(groups) groups do not divide the \(shape[1]) channels of \(shape)")
        checkChannelAffine(weight: weight, bias: bias, operation: "groupNorm")
        let grouping = ChannelGrouping(shape: shape, channelsPerGroup: shape[1] / groups)
        return groupNormalized(grouping, weight: weight, bias: bias, epsilon: epsilon, relu: false).output
    }

    /// Batch normalization with the statistics of this batch (training mode; Ioffe & Szegedy,
    /// 2015, "Batch Normalization").
    ///
    /// The input is `[batch, channels]` or `[batch, channels, ...]` such as
    /// `[batch, channels, height, width]`; each channel is normalized with its mean and biased
    /// variance over the batch and all spatial positions, then scaled and shifted:
    /// `y = (x − mean[c]) / √(variance[c] + ε) · weight[c] + bias[c]`. The gradient flows
    /// through the batch statistics (one fused kernel each way).
    ///
    /// - Parameters:
    ///   - weight: the per-channel scale `[channels]`, or `nil` for none.
    ///   - bias: the per-channel shift `[channels]`, or `nil` for none.
    ///   - epsilon: added to the variance for stability.
    ///   - relu: whether a ReLU follows; it is applied in the same pass, and its gradient mask
    ///     (the output's positive entries) is applied inside the normalization's backward pass.
    /// - Returns: the normalized `output`, shaped like this tensor, and the batch `mean` and
    ///   biased `variance`, each `[channels]`, without gradient (for running statistics; the
    ///   unbiased variance is `variance · m / (m − 1)` with `m` values per channel).
    public func batchNorm(
        weight: Tensor? = nil, bias: Tensor? = nil, epsilon: Float = 1e-5, relu: Bool = false
    ) -> (output: Tensor, mean: Tensor, variance: Tensor) {
        precondition(rank >= 2, "batchNorm: input must be [batch, channels, ...], got \(shape)")
        checkChannelAffine(weight: weight, bias: bias, operation: "batchNorm")
        let grouping = ChannelGrouping(shape: shape, channelsPerGroup: nil)
        precondition(grouping.groupSize > 1, "batchNorm: training needs more than one value per channel, input is \(shape)")
        let (output, statistics) = groupNormalized(grouping, weight: weight, bias: bias, epsilon: epsilon, relu: relu)
        let channels = shape[1]
        let mean = Tensor(shape: [channels]) { o in for c in 0..<channels { o[c] = statistics[3 * c] } }
        let variance = Tensor(shape: [channels]) { o in for c in 0..<channels { o[c] = statistics[3 * c + 1] } }
        return (output, mean, variance)
    }

    /// Batch normalization with given statistics (evaluation mode):
    /// `y = (x − mean[c]) / √(variance[c] + ε) · weight[c] + bias[c]` for an input
    /// `[batch, channels, ...]`.
    ///
    /// Differentiable with respect to the input, the weight, the bias and the statistics.
    ///
    /// - Parameters:
    ///   - mean: the per-channel mean `[channels]` (usually the running mean).
    ///   - variance: the per-channel variance `[channels]` (usually the running variance).
    ///   - weight: the per-channel scale `[channels]`, or `nil` for none.
    ///   - bias: the per-channel shift `[channels]`, or `nil` for none.
    ///   - epsilon: added to the variance for stability.
    public func batchNorm(
        mean: Tensor, variance: Tensor, weight: Tensor? = nil, bias: Tensor? = nil, epsilon: Float = 1e-5
    ) -> Tensor {
        precondition(rank >= 2, "batchNorm: input must be [batch, channels, ...], got \(shape)")
        checkChannelAffine(weight: weight, bias: bias, operation: "batchNorm")
        let channels = shape[1]
        precondition(mean.shape == [channels] && variance.shape == [channels],
                     "batchNorm: mean \(mean.shape) and variance \(variance.shape) should be [\(channels)] for input \(shape)")
        let grouping = ChannelGrouping(shape: shape, channelsPerGroup: nil)
        let spatial = grouping.spatial
        // Per-channel reciprocal standard deviation, scale and shift.
        var rstd = [Float](repeating: 0, count: channels)
        var scale = [Float](repeating: 0, count: channels)
        var shift = [Float](repeating: 0, count: channels)
        for c in 0..<channels {
            rstd[c] = 1 / (variance.storage.pointer[c] + epsilon).squareRoot()
            scale[c] = rstd[c] * (weight.map { $0.storage.pointer[c] } ?? 1)
            shift[c] = (bias.map { $0.storage.pointer[c] } ?? 0) - mean.storage.pointer[c] * scale[c]
        }
        let x = UnsafePointer(storage.pointer)
        let affine = SIMDKernels.active.affine!
        let out = Tensor(shape: shape) { o in
            let op = o.baseAddress!
            for n in 0..<grouping.batch {
                for c in 0..<channels {
                    let base = (n * channels + c) * spatial
                    affine(x + base, op + base, spatial, scale[c], shift[c], 0)
                }
            }
        }
        let input = self
        var inputs = [self, mean, variance]
        if let weight { inputs.append(weight) }
        if let bias { inputs.append(bias) }
        return Tensor.recorded(out, inputs: inputs) { gradient in
            let g = UnsafePointer(gradient.storage.pointer)
            let dx = Tensor(shape: input.shape) { o in
                for n in 0..<grouping.batch {
                    for c in 0..<channels {
                        let base = (n * channels + c) * spatial
                        let a = scale[c]
                        for s in 0..<spatial { o[base + s] = g[base + s] * a }
                    }
                }
            }
            // Per channel: Σg and Σg·(x − mean).
            var sumG = [Double](repeating: 0, count: channels)
            var sumGX = [Double](repeating: 0, count: channels)
            for n in 0..<grouping.batch {
                for c in 0..<channels {
                    let base = (n * channels + c) * spatial
                    let m = mean.storage.pointer[c]
                    var a: Float = 0
                    var b: Float = 0
                    for s in 0..<spatial {
                        a += g[base + s]
                        b += g[base + s] * (x[base + s] - m)
                    }
                    sumG[c] += Double(a)
                    sumGX[c] += Double(b)
                }
            }
            let w = (0..<channels).map { c in weight.map { $0.storage.pointer[c] } ?? 1 }
            var result: [Tensor?] = [
                dx,
                Tensor((0..<channels).map { Float(-sumG[$0]) * scale[$0] }),
                Tensor((0..<channels).map { c in Float(sumGX[c]) * w[c] * -0.5 * rstd[c] * rstd[c] * rstd[c] }),
            ]
            if weight != nil { result.append(Tensor((0..<channels).map { Float(sumGX[$0]) * rstd[$0] })) }
            if bias != nil { result.append(Tensor(sumG.map { Float($0) })) }
            return result
        }
    }

    /// Checks that `weight` and `bias`, when given, are `[channels]` for this input.
    private func checkChannelAffine(weight: Tensor?, bias: Tensor?, operation: String) {
        let channels = [shape[1]]
        if let weight { precondition(weight.shape == channels, "\(operation): weight \(weight.shape) should be \(channels) for input \(shape)") }
        if let bias { precondition(bias.shape == channels, "\(operation): bias \(bias.shape) should be \(channels) for input \(shape)") }
    }

    /// Normalizes each group of `grouping` with its own statistics and applies the per-channel
    /// affine map; returns the output (recorded for differentiation) and, per group, the mean,
    /// the biased variance and the reciprocal standard deviation.
    ///
    /// Two passes over the data: one for the statistics (each segment's sum and squared
    /// deviations from its own mean, merged across segments in double precision with Chan's
    /// formula), one for `x·scale + shift`; both run the vectorized kernels of ``KernelLevel``.
    private func groupNormalized(
        _ grouping: ChannelGrouping, weight: Tensor?, bias: Tensor?, epsilon: Float, relu: Bool
    ) -> (output: Tensor, statistics: [Float]) {
        let x = UnsafePointer(storage.pointer)
        let w = weight.map { UnsafePointer($0.storage.pointer) }
        let b = bias.map { UnsafePointer($0.storage.pointer) }
        let spatial = grouping.spatial
        let kernels = SIMDKernels.active
        let (moments, affine) = (kernels.moments!, kernels.affine!)
        var statistics = [Float](repeating: 0, count: 3 * grouping.groupCount)
        let grain = Swift.max(1, 16384 / Swift.max(grouping.groupSize, 1))
        let out = statistics.withUnsafeMutableBufferPointer { stats in
            let sp = stats.baseAddress!
            return Tensor(shape: shape) { o in
                let op = o.baseAddress!
                Kernels.parallelFor(grouping.groupCount, minimumPerThread: grain) { range in
                    for group in range {
                        var (count, mean, squares) = (0.0, 0.0, 0.0)
                        for k in 0..<grouping.segmentsPerGroup {
                            let base = grouping.segment(k, ofGroup: group).base
                            var (segmentSum, segmentSquares) = (0.0, 0.0)
                            moments(x + base, spatial, &segmentSum, &segmentSquares)
                            let n = Double(spatial)
                            let segmentMean = segmentSum / n
                            let merged = count + n
                            let delta = segmentMean - mean
                            mean += delta * n / merged
                            squares += segmentSquares + delta * delta * count * n / merged
                            count = merged
                        }
                        let variance = Float(Swift.max(0, squares / Swift.max(count, 1)))
                        let groupMean = Float(mean)
                        let rstd = 1 / (variance + epsilon).squareRoot()
                        sp[3 * group] = groupMean
                        sp[3 * group + 1] = variance
                        sp[3 * group + 2] = rstd
                        for k in 0..<grouping.segmentsPerGroup {
                            let (base, channel) = grouping.segment(k, ofGroup: group)
                            let scale = rstd * (w?[channel] ?? 1)
                            let shift = (b?[channel] ?? 0) - groupMean * scale
                            affine(x + base, op + base, spatial, scale, shift, relu ? 1 : 0)
                        }
                    }
                }
            }
        }
        let input = self
        let saved = statistics
        var inputs = [self]
        if let weight { inputs.append(weight) }
        if let bias { inputs.append(bias) }
        let recorded = Tensor.recorded(out, inputs: inputs) { gradient in
            let (dx, dw, db) = Tensor.groupNormalizedGradients(
                grouping, input: input, gradient: gradient, statistics: saved, weight: weight,
                needsAffine: weight?.node != nil || bias?.node != nil, mask: relu ? out : nil)
            var result: [Tensor?] = [dx]
            if weight != nil { result.append(dw) }
            if bias != nil { result.append(db) }
            return result
        }
        return (recorded, statistics)
    }

    /// The gradients of ``groupNormalized(_:weight:bias:epsilon:)``.
    ///
    /// With `x̂ = (x − μ)·r` and `d = g·weight[c]`, the input gradient within a group of `m`
    /// values is `r · (d − Σd/m − x̂ · Σ(d·x̂)/m)`; the weight gradient of a channel sums `g·x̂`
    /// and the bias gradient sums `g` over its values. One pass collects `Σg` and `Σg·(x − μ)`
    /// per segment (which give both the group sums and the per-channel affine gradients), a
    /// second writes the input gradient. With a `mask` (the output of a fused ReLU), `g` counts
    /// only where the mask is positive.
    private static func groupNormalizedGradients(
        _ grouping: ChannelGrouping, input: Tensor, gradient: Tensor, statistics: [Float],
        weight: Tensor?, needsAffine: Bool, mask: Tensor?
    ) -> (Tensor, Tensor?, Tensor?) {
        let x = UnsafePointer(input.storage.pointer)
        let g = UnsafePointer(gradient.storage.pointer)
        let m = mask.map { UnsafePointer($0.storage.pointer) }
        let w = weight.map { UnsafePointer($0.storage.pointer) }
        let spatial = grouping.spatial
        let size = Float(grouping.groupSize)
        let kernels = SIMDKernels.active
        let (gradientSums, combine) = (kernels.gradientSums!, kernels.combine!)
        let segments = grouping.groupCount * grouping.segmentsPerGroup
        // Per segment: Σg and Σg·(x − μ) (times rstd once the group is known: Σg·x̂).
        var segmentSums = [Double](repeating: 0, count: 2 * segments)
        let dx = statistics.withUnsafeBufferPointer { stats in
            segmentSums.withUnsafeMutableBufferPointer { sums in
                let sp = stats.baseAddress!
                let ss = sums.baseAddress!
                return Tensor(shape: input.shape) { o in
                    let op = o.baseAddress!
                    Kernels.parallelFor(grouping.groupCount, minimumPerThread: Swift.max(1, 8192 / Swift.max(grouping.groupSize, 1))) { range in
                        for group in range {
                            let mean = sp[3 * group]
                            let rstd = sp[3 * group + 2]
                            var sumD: Double = 0
                            var sumDX: Double = 0
                            for k in 0..<grouping.segmentsPerGroup {
                                let (base, channel) = grouping.segment(k, ofGroup: group)
                                let scale = Double(w?[channel] ?? 1)
                                var (sumG, sumGX) = (0.0, 0.0)
                                gradientSums(g + base, m.map { $0 + base }, x + base, spatial, mean, &sumG, &sumGX)
                                let index = 2 * (group * grouping.segmentsPerGroup + k)
                                ss[index] = sumG
                                ss[index + 1] = sumGX * Double(rstd)
                                sumD += scale * sumG
                                sumDX += scale * sumGX
                            }
                            let meanD = Float(sumD) / size
                            let meanDX = Float(sumDX) * rstd / size
                            for k in 0..<grouping.segmentsPerGroup {
                                let (base, channel) = grouping.segment(k, ofGroup: group)
                                let scale = w?[channel] ?? 1
                                combine(g + base, m.map { $0 + base }, x + base, op + base, spatial,
                                        rstd * scale, -rstd * rstd * meanDX, mean, -rstd * meanD)
                            }
                        }
                    }
                }
            }
        }
        guard needsAffine else { return (dx, nil, nil) }
        let channels = grouping.channels
        var sumGX = [Double](repeating: 0, count: channels)
        var sumG = [Double](repeating: 0, count: channels)
        for group in 0..<grouping.groupCount {
            for k in 0..<grouping.segmentsPerGroup {
                let channel = grouping.segment(k, ofGroup: group).channel
                let index = 2 * (group * grouping.segmentsPerGroup + k)
                sumG[channel] += segmentSums[index]
                sumGX[channel] += segmentSums[index + 1]
            }
        }
        return (dx, Tensor(sumGX.map { Float($0) }), Tensor(sumG.map { Float($0) }))
    }
}

/// How a `[batch, channels, spatial...]` tensor splits into normalization groups.
///
/// Group normalization (`channelsPerGroup` set) has one group per sample and channel group,
/// made of `channelsPerGroup` contiguous channel segments; batch normalization
/// (`channelsPerGroup` nil) has one group per channel, made of one segment per sample. A
/// segment is the `spatial` contiguous values of one sample and channel.
struct ChannelGrouping {
    let batch: Int
    let channels: Int
    let spatial: Int
    let channelsPerGroup: Int?

    init(shape: [Int], channelsPerGroup: Int?) {
        batch = shape[0]
        channels = shape[1]
        spatial = shape.dropFirst(2).reduce(1, *)
        self.channelsPerGroup = channelsPerGroup
    }

    /// The number of groups.
    var groupCount: Int {
        if let channelsPerGroup { return channelsPerGroup == 0 ? 0 : batch * (channels / channelsPerGroup) }
        return channels
    }

    /// The number of segments in each group.
    var segmentsPerGroup: Int { channelsPerGroup ?? batch }

    /// The number of values in each group.
    var groupSize: Int { segmentsPerGroup * spatial }

    /// The offset of segment `k` of `group` and the channel it belongs to.
    @inline(__always)
    func segment(_ k: Int, ofGroup group: Int) -> (base: Int, channel: Int) {
        if let channelsPerGroup {
            let groupsPerSample = channels / channelsPerGroup
            let channel = (group % groupsPerSample) * channelsPerGroup + k
            return (((group / groupsPerSample) * channels + channel) * spatial, channel)
        }
        return ((k * channels + group) * spatial, group)
    }

    /// The group holding the values of sample `n` and channel `c`.
    @inline(__always)
    func group(batch n: Int, channel c: Int) -> Int {
        if let channelsPerGroup { return n * (channels / channelsPerGroup) + c / channelsPerGroup }
        return c
    }
}
