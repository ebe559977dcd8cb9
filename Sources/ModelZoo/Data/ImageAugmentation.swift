import PruningCore

/// Random training-time transformations of image batches `[batch, channels, height, width]`:
/// a random crop from a zero-padded image and a random horizontal flip, drawn independently
/// per image from a seeded generator (torchvision's `RandomCrop(size, padding)` and
/// `RandomHorizontalFlip()`).
///
/// ```swift
/// let augmentation = ImageAugmentation(cropPadding: 2, flipProbability: 0.5)
/// let augmented = augmentation(batch.images, using: &random)
/// ```
public struct ImageAugmentation: Sendable, Equatable {
    /// The padding on each side before cropping back to the original size (0: no crop).
    public var cropPadding: Int
    /// The value of the padded pixels.
    public var fillValue: Float
    /// The probability of mirroring an image left to right.
    public var flipProbability: Double

    /// An augmentation with the given crop padding, padding value and flip probability.
    public init(cropPadding: Int = 0, fillValue: Float = 0, flipProbability: Double = 0) {
        precondition(cropPadding >= 0, "ImageAugmentation: crop padding \(cropPadding) must not be negative")
        precondition(flipProbability >= 0 && flipProbability <= 1,
                     "ImageAugmentation: flip probability \(flipProbability) is outside [0, 1]")
        self.cropPadding = cropPadding
        self.fillValue = fillValue
        self.flipProbability = flipProbability
    }

    /// `images` with a random crop offset and flip per image. Per image, in order, the
    /// generator draws the vertical offset, the horizontal offset (each in `0...2·padding`,
    /// only when padding is positive) and the flip decision (only when the probability is
    /// positive).
    public func callAsFunction(_ images: Tensor, using generator: inout RandomGenerator) -> Tensor {
        precondition(images.rank == 4, "ImageAugmentation: images \(images.shape) should be [batch, channels, height, width]")
        let count = images.shape[0]
        var offsets: [(Int, Int)] = []
        var flips: [Bool] = []
        offsets.reserveCapacity(count)
        flips.reserveCapacity(count)
        for _ in 0..<count {
            if cropPadding > 0 {
                let dy = generator.nextInt(below: 2 * cropPadding + 1) - cropPadding
                let dx = generator.nextInt(below: 2 * cropPadding + 1) - cropPadding
                offsets.append((dy, dx))
            } else {
                offsets.append((0, 0))
            }
            flips.append(flipProbability > 0 && generator.nextUniformDouble() < flipProbability)
        }
        return images.shiftedAndFlipped(offsets: offsets, flips: flips, fillValue: fillValue)
    }
}

extension Tensor {
    /// Each image of a batch `[batch, channels, height, width]` mirrored left to right.
    public func flippedHorizontally() -> Tensor {
        precondition(rank == 4, "flippedHorizontally: \(shape) should be [batch, channels, height, width]")
        return shiftedAndFlipped(offsets: Array(repeating: (0, 0), count: shape[0]),
                                 flips: Array(repeating: true, count: shape[0]), fillValue: 0)
    }

    /// Each image of a batch `[batch, channels, height, width]` cropped, same size, from the
    /// image padded with `fillValue`: output pixel `(y, x)` of image `b` is input pixel
    /// `(y + offsets[b].0, x + offsets[b].1)` (or `fillValue` outside the image), then the image
    /// is mirrored left to right when `flips[b]`. Offsets in `−padding...padding` give
    /// torchvision's `RandomCrop(padding:)`.
    public func shiftedAndFlipped(offsets: [(Int, Int)], flips: [Bool], fillValue: Float) -> Tensor {
        precondition(rank == 4 && offsets.count == shape[0] && flips.count == shape[0],
                     "shiftedAndFlipped: \(offsets.count) offsets and \(flips.count) flips for images \(shape)")
        let (channels, height, width) = (shape[1], shape[2], shape[3])
        return withUnsafeBufferPointer { source in
            Tensor(shape: shape) { out in
                for image in 0..<shape[0] {
                    let (dy, dx) = offsets[image]
                    let flip = flips[image]
                    // Source columns x + dx that fall inside the image.
                    let firstColumn = Swift.max(0, -dx), endColumn = Swift.min(width, width - dx)
                    for channel in 0..<channels {
                        let plane = (image * channels + channel) * height * width
                        for y in 0..<height {
                            let row = plane + y * width
                            let sourceY = y + dy
                            guard sourceY >= 0 && sourceY < height && firstColumn < endColumn else {
                                for x in 0..<width { out[row + x] = fillValue }
                                continue
                            }
                            let sourceRow = plane + sourceY * width
                            for x in 0..<width {
                                let value = x >= firstColumn && x < endColumn ? source[sourceRow + x + dx] : fillValue
                                out[row + (flip ? width - 1 - x : x)] = value
                            }
                        }
                    }
                }
            }
        }
    }
}
