import Foundation
import PruningCore

/// What ``FashionMNISTImageScorer`` measures of a set of generated images.
public struct GeneratedImageScores: Codable, Sendable, Equatable {
    /// Fréchet distance between the classifier features of the generated and the real images
    /// (the FID stand-in: the shipped ResNet-20's pooled features in place of Inception's).
    public var frechetDistance: Double
    /// The unbiased KID on the same features (20 subsets of up to 500 rows, seed 0).
    public var kernelInceptionDistance: Double
    /// The fraction of generated images the classifier assigns to their intended class.
    public var accuracy: Double
    /// The classifier's mean probability of the intended class.
    public var classProbability: Double
}

/// Features and class scores of generated Fashion-MNIST-like images from a Fashion-MNIST
/// classifier (by default the shipped ResNet-20): the feature extractor of the FD / KID and
/// class-adherence measures of the GAN-compression and APTP tables and of the comparison harness.
///
/// Images are `[n, 1, H, W]` in [−1, 1] (what the generators output) with `H, W ≥ 28`; larger
/// images are centre-cropped to 28 × 28 (the padded pix2pix outputs), then rescaled to [0, 1]
/// and normalized with ``FashionMNIST/normalization``.
///
/// ```swift
/// let scorer = try FashionMNISTImageScorer.shipped()
/// let real = scorer.classify(realImages).features
/// let scores = try scorer.scores(of: generated, realFeatures: real, labels: intendedClasses)
/// ```
public struct FashionMNISTImageScorer {
    /// The classifier whose pooled features and logits are read.
    public let classifier: ResNet

    /// A scorer reading `classifier` (in evaluation mode).
    ///
    /// - Parameter classifier: a ResNet trained on normalized Fashion-MNIST.
    public init(classifier: ResNet) {
        classifier.eval()
        self.classifier = classifier
    }

    /// The scorer with the shipped Fashion-MNIST ResNet-20.
    ///
    /// - Throws: ``ShippedCheckpointError`` when the checkpoint is missing or altered.
    public static func shipped() throws -> FashionMNISTImageScorer {
        FashionMNISTImageScorer(classifier: try ShippedCheckpoints.resnet20FashionMNIST())
    }

    /// The pooled features `[n, featureWidth]` and logits `[n, 10]` of `images`, in chunks of
    /// 256, without recording gradients.
    ///
    /// - Parameter images: `[n, 1, H, W]` in [−1, 1], `H, W ≥ 28`.
    public func classify(_ images: Tensor) -> (features: Tensor, logits: Tensor) {
        withoutGradients {
            var features: [Tensor] = [], logits: [Tensor] = []
            var start = 0
            while start < images.shape[0] {
                let count = min(256, images.shape[0] - start)
                let input = FashionMNIST.normalization(FashionMNISTEdges.classifierInput(images.sliced(alongAxis: 0, from: start, count: count)))
                let pooled = classifier.features(input)
                features.append(pooled)
                logits.append(classifier.fc(pooled))
                start += count
            }
            return (Tensor.concatenate(features, alongAxis: 0), Tensor.concatenate(logits, alongAxis: 0))
        }
    }

    /// FD, KID, accuracy and class probability of `generated` against real images' features.
    ///
    /// - Parameters:
    ///   - generated: `[n, 1, H, W]` in [−1, 1], `n ≥ 2`.
    ///   - realFeatures: ``classify(_:)``'s features of the real images (at least two rows).
    ///   - labels: the intended class of each generated image.
    /// - Throws: ``FrechetDistance``'s linear-algebra errors.
    public func scores(of generated: Tensor, realFeatures: Tensor, labels: [Int]) throws -> GeneratedImageScores {
        let (features, logits) = classify(generated)
        let probabilities = logits.softmax(alongAxis: 1).scalars
        let classes = logits.shape[1]
        let probability = labels.enumerated().reduce(0.0) { $0 + Double(probabilities[$1.offset * classes + $1.element]) } / Double(max(labels.count, 1))
        return GeneratedImageScores(
            frechetDistance: try FrechetDistance.between(features, realFeatures),
            kernelInceptionDistance: KernelInceptionDistance.between(features, realFeatures, subsetSize: 500, subsetCount: 20, seed: 0),
            accuracy: PruningCore.accuracy(logits: logits, labels: labels),
            classProbability: probability)
    }
}
