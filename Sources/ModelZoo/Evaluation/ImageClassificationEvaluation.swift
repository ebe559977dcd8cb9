import Foundation
import PruningCore

/// Image-classification evaluation shared by every example and the comparison harness: top-1
/// accuracy on a data set and measured throughput, for a layer or for any function from images
/// to logits (a token-merging wrapper, an ensemble).
public enum ImageClassificationEvaluation {
    /// Top-1 accuracy of `model` on `data` in evaluation mode.
    ///
    /// - Parameters:
    ///   - model: the classifier; put in evaluation mode for the measurement and restored after.
    ///   - data: the images (already normalized as the model expects) and labels.
    ///   - batchSize: images per forward pass.
    public static func accuracy(of model: some Layer, on data: ImageClassificationDataSet, batchSize: Int = 256) -> Double {
        let training = model.isTraining
        model.eval()
        defer { if training { model.train() } }
        return accuracy(of: { model($0) }, on: data, batchSize: batchSize)
    }

    /// Top-1 accuracy of `classify` (images `[batch, channels, height, width]` → logits
    /// `[batch, classes]`) on `data`, run without recording gradients.
    ///
    /// - Parameters:
    ///   - classify: the classifier as a function.
    ///   - data: the images and labels.
    ///   - batchSize: images per call.
    public static func accuracy(of classify: (Tensor) -> Tensor, on data: ImageClassificationDataSet, batchSize: Int = 256) -> Double {
        var correct = 0.0
        withoutGradients {
            for batch in data.batches(size: batchSize) {
                correct += PruningCore.accuracy(logits: classify(batch.images), labels: batch.labels) * Double(batch.labels.count)
            }
        }
        return correct / Double(max(data.count, 1))
    }

    /// Images per second of `model` in evaluation mode on batches of `batchSize` copies of
    /// `sample` `[channels, height, width]`, best of `repeats` timed runs after one warm-up
    /// (a timing, not a test).
    ///
    /// - Parameters:
    ///   - model: the classifier; put in evaluation mode for the measurement and restored after.
    ///   - sample: one image.
    ///   - batchSize: images per timed call.
    ///   - repeats: timed calls; the fastest counts.
    public static func imagesPerSecond(of model: some Layer, sample: Tensor, batchSize: Int, repeats: Int = 5) -> Double {
        let training = model.isTraining
        model.eval()
        defer { if training { model.train() } }
        return imagesPerSecond(of: { model($0) }, sample: sample, batchSize: batchSize, repeats: repeats)
    }

    /// Images per second of `classify` on batches of `batchSize` copies of `sample`, best of
    /// `repeats` timed calls after one warm-up, without recording gradients (a timing, not a test).
    ///
    /// - Parameters:
    ///   - classify: the classifier as a function.
    ///   - sample: one image `[channels, height, width]`.
    ///   - batchSize: images per timed call.
    ///   - repeats: timed calls; the fastest counts.
    public static func imagesPerSecond(of classify: (Tensor) -> Tensor, sample: Tensor, batchSize: Int, repeats: Int = 5) -> Double {
        let batch = Tensor.concatenate(Array(repeating: sample.unsqueezed(at: 0), count: batchSize), alongAxis: 0)
        return withoutGradients {
            _ = classify(batch)
            var best = Double.infinity
            for _ in 0..<max(repeats, 1) {
                let start = ContinuousClock.now
                _ = classify(batch)
                best = min(best, (ContinuousClock.now - start) / .seconds(1))
            }
            return Double(batchSize) / best
        }
    }
}
