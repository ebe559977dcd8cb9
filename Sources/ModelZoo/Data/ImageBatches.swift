import PruningCore

/// A mini-batch of images `[batchSize, channels, height, width]` with their labels.
public struct ImageBatch: Sendable {
    /// The images `[batchSize, channels, height, width]`.
    public var images: Tensor
    /// The class index of each image.
    public var labels: [Int]

    /// A batch of `images` and their `labels`.
    public init(images: Tensor, labels: [Int]) {
        self.images = images
        self.labels = labels
    }
}

/// The mini-batches of an ``ImageClassificationDataSet`` in a fixed order, built one at a time
/// as the sequence is iterated (only the current batch is materialized).
public struct ImageBatches: Sequence, Sendable {
    /// The data set.
    public let dataSet: ImageClassificationDataSet
    /// The image indices in visiting order.
    public let order: [Int]
    /// The batch size.
    public let batchSize: Int
    /// Whether a final incomplete batch is skipped.
    public let dropsLast: Bool

    /// The number of batches.
    public var count: Int { dropsLast ? order.count / batchSize : (order.count + batchSize - 1) / batchSize }

    /// Iterates over the batches.
    public struct Iterator: IteratorProtocol {
        private let batches: ImageBatches
        private var start = 0

        init(_ batches: ImageBatches) { self.batches = batches }

        /// The next batch, or nil after the last.
        public mutating func next() -> ImageBatch? {
            let remaining = batches.order.count - start
            guard remaining > 0, remaining >= batches.batchSize || !batches.dropsLast else { return nil }
            let indices = Array(batches.order[start..<(start + Swift.min(batches.batchSize, remaining))])
            start += indices.count
            return ImageBatch(
                images: batches.dataSet.images.indexSelect(indices, alongAxis: 0),
                labels: indices.map { batches.dataSet.labels[$0] })
        }
    }

    /// An iterator from the first batch.
    public func makeIterator() -> Iterator { Iterator(self) }
}

extension ImageClassificationDataSet {
    /// The data set in mini-batches of `size`, in a random order drawn from `generator` when
    /// `shuffle` is true (the same seed gives the same batches), otherwise in storage order.
    ///
    /// - Parameters:
    ///   - size: images per batch.
    ///   - shuffle: whether to visit the images in a random order.
    ///   - generator: the source of the order when shuffling.
    ///   - dropLast: skip the final batch when it has fewer than `size` images.
    /// - Precondition: `size > 0`.
    public func batches(
        size: Int, shuffle: Bool, dropLast: Bool = false, using generator: inout RandomGenerator
    ) -> ImageBatches {
        precondition(size > 0, "batches: size \(size) must be positive")
        let order = shuffle ? generator.permutation(count) : Array(0..<count)
        return ImageBatches(dataSet: self, order: order, batchSize: size, dropsLast: dropLast)
    }

    /// The data set in mini-batches of `size`, in storage order (for evaluation).
    public func batches(size: Int, dropLast: Bool = false) -> ImageBatches {
        precondition(size > 0, "batches: size \(size) must be positive")
        return ImageBatches(dataSet: self, order: Array(0..<count), batchSize: size, dropsLast: dropLast)
    }
}
