import PruningCore

/// Segmentation agreement as in the Cityscapes benchmark and pix2pix's FCN-score: a confusion
/// matrix accumulated over every pixel of every image, then per class
/// `IoU_c = TP_c / (TP_c + FP_c + FN_c)`, their mean over the classes that occur in the truth
/// or the prediction (mIoU), and pixel accuracy.
public struct SegmentationScore: Sendable, Equatable, Codable {
    /// The intersection over union of every class (nil for a class absent from both).
    public var classIoU: [Double?]
    /// The mean of the defined ``classIoU`` values.
    public var meanIoU: Double
    /// The fraction of pixels whose predicted class is right.
    public var pixelAccuracy: Double

    /// The score of `predicted` against `truth` (one class in `0..<classCount` per pixel).
    ///
    /// - Throws: ``SegmentationScoreError`` when the lists differ in length, are empty, or hold
    ///   a class outside `0..<classCount`.
    public init(predicted: [Int], truth: [Int], classCount: Int) throws(SegmentationScoreError) {
        guard predicted.count == truth.count, !truth.isEmpty else {
            throw .lengthMismatch(predicted: predicted.count, truth: truth.count)
        }
        guard classCount > 0 else { throw .classOutOfRange(class: 0, classCount: classCount) }
        var confusion = [Int](repeating: 0, count: classCount * classCount)
        for (p, t) in zip(predicted, truth) {
            guard (0..<classCount).contains(p) else { throw .classOutOfRange(class: p, classCount: classCount) }
            guard (0..<classCount).contains(t) else { throw .classOutOfRange(class: t, classCount: classCount) }
            confusion[t * classCount + p] += 1
        }
        var ious: [Double?] = []
        var correct = 0
        for c in 0..<classCount {
            let tp = confusion[c * classCount + c]
            correct += tp
            let truthTotal = (0..<classCount).reduce(0) { $0 + confusion[c * classCount + $1] }
            let predictedTotal = (0..<classCount).reduce(0) { $0 + confusion[$1 * classCount + c] }
            let union = truthTotal + predictedTotal - tp
            ious.append(union > 0 ? Double(tp) / Double(union) : nil)
        }
        let defined = ious.compactMap { $0 }
        classIoU = ious
        meanIoU = defined.reduce(0, +) / Double(Swift.max(defined.count, 1))
        pixelAccuracy = Double(correct) / Double(truth.count)
    }
}

extension SegmentationScore {
    /// The arg-max class of every pixel of per-class scores `[n, k, H, W]`, `n · H · W` classes
    /// row-major (what a segmenter predicts).
    public static func classes(ofScores scores: Tensor) -> [Int] {
        precondition(scores.rank == 4, "SegmentationScore: scores \(scores.shape) must be [n, classes, H, W]")
        let (n, k, h, w) = (scores.shape[0], scores.shape[1], scores.shape[2], scores.shape[3])
        let values = scores.scalars
        var result = [Int](repeating: 0, count: n * h * w)
        for image in 0..<n {
            for p in 0..<(h * w) {
                var best = 0
                for c in 1..<k where values[(image * k + c) * h * w + p] > values[(image * k + best) * h * w + p] { best = c }
                result[image * h * w + p] = best
            }
        }
        return result
    }
}

/// Why a segmentation score cannot be computed.
public enum SegmentationScoreError: Error, Equatable, CustomStringConvertible {
    /// The predicted and true lists differ in length, or are empty.
    case lengthMismatch(predicted: Int, truth: Int)
    /// A class index outside `0..<classCount`.
    case classOutOfRange(class: Int, classCount: Int)

    /// A sentence naming the problem.
    public var description: String {
        switch self {
        case .lengthMismatch(let predicted, let truth):
            "segmentation score: \(predicted) predicted pixels for \(truth) true pixels (both must be equal and non-zero)"
        case .classOutOfRange(let value, let classCount):
            "segmentation score: class \(value) is outside 0..<\(classCount)"
        }
    }
}
