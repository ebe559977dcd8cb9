import PruningCore

/// A per-channel affine normalization `(x − mean[c]) / standardDeviation[c]` of images
/// `[batch, channels, height, width]` (torchvision's `Normalize`).
public struct ImageNormalization: Sendable, Equatable, Codable {
    /// The mean of each channel.
    public var mean: [Float]
    /// The standard deviation of each channel.
    public var standardDeviation: [Float]

    /// A normalization with the given per-channel statistics.
    ///
    /// - Precondition: equal counts; positive standard deviations.
    public init(mean: [Float], standardDeviation: [Float]) {
        precondition(mean.count == standardDeviation.count && standardDeviation.allSatisfy { $0 > 0 },
                     "ImageNormalization: \(mean.count) means and \(standardDeviation.count) positive deviations needed")
        self.mean = mean
        self.standardDeviation = standardDeviation
    }

    /// Normalizes `images` `[batch, channels, height, width]`.
    public func callAsFunction(_ images: Tensor) -> Tensor {
        precondition(images.rank == 4 && images.shape[1] == mean.count,
                     "ImageNormalization: images \(images.shape) should have \(mean.count) channels on axis 1")
        let plane = images.shape[2] * images.shape[3]
        let channels = mean.count
        let scale = standardDeviation.map { 1 / $0 }
        return images.withUnsafeBufferPointer { source in
            Tensor(shape: images.shape) { out in
                for block in 0..<(images.count / max(1, plane)) {
                    let channel = block % channels
                    let (m, s) = (mean[channel], scale[channel])
                    let start = block * plane
                    for i in start..<(start + plane) { out[i] = (source[i] - m) * s }
                }
            }
        }
    }
}
