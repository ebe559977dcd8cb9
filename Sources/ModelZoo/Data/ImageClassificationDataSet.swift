import PruningCore

/// Labelled images held in memory: an `images` tensor `[count, channels, height, width]` and
/// one class index per image.
///
/// A value type: subsets, splits and normalized copies are new data sets.
///
/// ```swift
/// let train = try FashionMNIST.load(split: .train)
/// var random = RandomGenerator(seed: 0)
/// let (training, validation) = train.split(validationFraction: 0.1, using: &random)
/// for batch in training.batches(size: 128, shuffle: true, using: &random) {
///     // batch.images [128, 1, 28, 28], batch.labels [128]
/// }
/// ```
public struct ImageClassificationDataSet: Sendable {
    /// The images `[count, channels, height, width]`.
    public let images: Tensor
    /// The class index of each image, in `0..<classCount`.
    public let labels: [Int]
    /// The number of classes.
    public let classCount: Int

    /// A data set of `images` `[count, channels, height, width]` and their `labels`.
    ///
    /// - Parameters:
    ///   - images: the images `[count, channels, height, width]`.
    ///   - labels: one class index per image.
    ///   - classCount: the number of classes; by default one more than the largest label.
    /// - Precondition: the image tensor has rank 4, one label per image, labels in range.
    public init(images: Tensor, labels: [Int], classCount: Int? = nil) {
        precondition(images.rank == 4, "ImageClassificationDataSet: images \(images.shape) should be [count, channels, height, width]")
        precondition(images.shape[0] == labels.count,
                     "ImageClassificationDataSet: \(images.shape[0]) images but \(labels.count) labels")
        let classes = classCount ?? ((labels.max() ?? -1) + 1)
        precondition(labels.allSatisfy { $0 >= 0 && $0 < classes },
                     "ImageClassificationDataSet: labels must lie in 0..<\(classes)")
        self.images = images
        self.labels = labels
        self.classCount = classes
    }

    /// The number of images.
    public var count: Int { labels.count }
    /// The image channels.
    public var channels: Int { images.shape[1] }
    /// The image height.
    public var height: Int { images.shape[2] }
    /// The image width.
    public var width: Int { images.shape[3] }

    /// The images at `indices`, in that order.
    public func subset(_ indices: [Int]) -> ImageClassificationDataSet {
        ImageClassificationDataSet(
            images: images.indexSelect(indices, alongAxis: 0), labels: indices.map { labels[$0] }, classCount: classCount)
    }

    /// The first `count` images (all of them when `count` exceeds the size).
    public func prefix(_ count: Int) -> ImageClassificationDataSet {
        count >= self.count ? self : subset(Array(0..<max(0, count)))
    }

    /// A random split into a training part and a validation part holding
    /// `round(count · validationFraction)` images, each part in the random order drawn.
    ///
    /// - Precondition: `validationFraction` is in `[0, 1]`.
    public func split(
        validationFraction: Double, using generator: inout RandomGenerator
    ) -> (training: ImageClassificationDataSet, validation: ImageClassificationDataSet) {
        precondition(validationFraction >= 0 && validationFraction <= 1,
                     "split: validation fraction \(validationFraction) is outside [0, 1]")
        let order = generator.permutation(count)
        let validationCount = Int((Double(count) * validationFraction).rounded())
        return (subset(Array(order[validationCount...])), subset(Array(order[..<validationCount])))
    }

    /// The per-channel mean and standard deviation (population) over all images and pixels, as
    /// a normalization. A constant channel gets deviation 1, so normalizing only centers it.
    public func channelStatistics() -> ImageNormalization {
        let (n, c) = (count, channels)
        let plane = height * width
        var mean = [Float](repeating: 0, count: c)
        var deviation = [Float](repeating: 0, count: c)
        images.withUnsafeBufferPointer { pixels in
            for channel in 0..<c {
                var sum = 0.0, squares = 0.0
                for image in 0..<n {
                    let start = (image * c + channel) * plane
                    var partial: Float = 0, partialSquares: Float = 0
                    for i in start..<(start + plane) {
                        partial += pixels[i]
                        partialSquares += pixels[i] * pixels[i]
                    }
                    sum += Double(partial)
                    squares += Double(partialSquares)
                }
                let values = Double(max(1, n * plane))
                let m = sum / values
                mean[channel] = Float(m)
                let standardDeviation = Float(max(0, squares / values - m * m).squareRoot())
                deviation[channel] = standardDeviation > 0 ? standardDeviation : 1
            }
        }
        return ImageNormalization(mean: mean, standardDeviation: deviation)
    }

    /// The data set with `normalization` applied to every image.
    public func normalized(by normalization: ImageNormalization) -> ImageClassificationDataSet {
        ImageClassificationDataSet(images: normalization(images), labels: labels, classCount: classCount)
    }
}
