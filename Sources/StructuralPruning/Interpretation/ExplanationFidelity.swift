import Foundation
import PruningCore

/// How closely a pruned network's explanations follow the original's — the property
/// interpretation-steered pruning claims to preserve.
///
/// - ``topFractionIoU(_:_:fraction:)``: per image, the intersection over union of the top `k` %
///   pixels of two saliency maps, averaged over images (1: the same pixels).
/// - ``gradientSaliency(of:images:classes:batchSize:)``: a model-agnostic explanation,
///   `|∂ z_y / ∂x|` summed over input channels, so that the fidelity does not only measure the
///   explainer the method was trained against.
/// - ``deletionAndInsertion(of:images:classes:order:steps:baseline:batchSize:)``: the
///   probability of the explained class as the pixels an explanation ranks highest are deleted
///   (set to the baseline) or inserted into a baseline image, step by step (Petsiuk et al.,
///   RISE, 2018); the areas under the curves, normalized to [0, 1]. A pruned network that,
///   under the *original's* ranking, loses confidence as fast as the original relies on the
///   same pixels.
public enum ExplanationFidelity {
    /// The mean over images of `|A ∩ B| / |A ∪ B|` where `A` and `B` are the `fraction` of
    /// pixels with the largest values in `a` and `b` (each `[images, …]`; ties broken by index).
    public static func topFractionIoU(_ a: Tensor, _ b: Tensor, fraction: Double) -> Double {
        precondition(a.shape == b.shape && a.rank >= 2, "topFractionIoU: shapes \(a.shape) and \(b.shape) must match, [images, …]")
        precondition(fraction > 0 && fraction <= 1, "topFractionIoU: fraction \(fraction) must be in (0, 1]")
        let images = a.shape[0], pixels = a.count / max(images, 1)
        let k = max(1, Int((fraction * Double(pixels)).rounded()))
        let (x, y) = (a.scalars, b.scalars)
        var total = 0.0
        for image in 0..<images {
            let first = Set(topIndices(x[image * pixels..<(image + 1) * pixels], k))
            let second = Set(topIndices(y[image * pixels..<(image + 1) * pixels], k))
            let common = first.intersection(second).count
            total += Double(common) / Double(2 * k - common)
        }
        return images > 0 ? total / Double(images) : 0
    }

    /// The indices (relative to the slice) of its `k` largest values, ties to the lower index.
    static func topIndices(_ values: ArraySlice<Float>, _ k: Int) -> [Int] {
        let base = values.startIndex
        return values.indices.sorted { values[$0] != values[$1] ? values[$0] > values[$1] : $0 < $1 }.prefix(k).map { $0 - base }
    }

    /// `|∂ z_y / ∂x|` summed over input channels, `[images, 1, H, W]`, for the logit `z_y` of each
    /// image's class in `classes` (evaluation mode).
    public static func gradientSaliency(of model: some Layer, images: Tensor, classes: [Int], batchSize: Int = 128) -> Tensor {
        precondition(images.rank == 4 && images.shape[0] == classes.count, "gradientSaliency: \(classes.count) classes for images \(images.shape)")
        model.eval()
        var pieces: [Tensor] = []
        for start in stride(from: 0, to: classes.count, by: batchSize) {
            let length = min(batchSize, classes.count - start)
            let input = Parameter(images.sliced(alongAxis: 0, from: start, count: length))
            let picked = Array(classes[start..<start + length])
            let (_, gradients) = valueAndGradient(of: [input]) {
                model(input.value).gathering(alongAxis: 1, indices: picked).sum()
            }
            let gradient = gradients[input] ?? Tensor.zeros(input.shape)
            pieces.append(gradient.abs().sum(alongAxes: [1], keepingDimensions: true))
        }
        return pieces.count == 1 ? pieces[0] : Tensor.concatenate(pieces, alongAxis: 0)
    }

    /// The deletion and insertion curves of `model` on `images` for `classes`, deleting or
    /// inserting pixels (all channels of a pixel together) in the order of `order`
    /// (`[images, 1, H, W]`, highest first) in `steps` equal steps, and the areas under them
    /// (trapezoids over the deleted fraction 0…1).
    public static func deletionAndInsertion(
        of model: some Layer, images: Tensor, classes: [Int], order: Tensor, steps: Int = 16, baseline: Float = 0,
        batchSize: Int = 256
    ) -> (deletion: Double, insertion: Double, deletionCurve: [Double], insertionCurve: [Double]) {
        precondition(images.rank == 4 && order.shape == [images.shape[0], 1, images.shape[2], images.shape[3]] && classes.count == images.shape[0],
                     "deletionAndInsertion: order \(order.shape), images \(images.shape), \(classes.count) classes")
        precondition(steps >= 1, "deletionAndInsertion: steps \(steps) must be ≥ 1")
        model.eval()
        let (count, channels, pixels) = (images.shape[0], images.shape[1], images.shape[2] * images.shape[3])
        let ranks: [[Int]] = (0..<count).map { topIndices(order.scalars[$0 * pixels..<($0 + 1) * pixels], pixels) }
        let source = images.scalars
        var deletion = [Double](repeating: 0, count: steps + 1), insertion = deletion
        for step in 0...steps {
            let removed = Int((Double(step) / Double(steps) * Double(pixels)).rounded())
            var deleted = source, inserted = [Float](repeating: baseline, count: source.count)
            for image in 0..<count {
                for pixel in ranks[image].prefix(removed) {
                    for channel in 0..<channels {
                        let index = (image * channels + channel) * pixels + pixel
                        deleted[index] = baseline
                        inserted[index] = source[index]
                    }
                }
            }
            deletion[step] = meanProbability(model, Tensor(shape: images.shape, scalars: deleted), classes, batchSize)
            insertion[step] = meanProbability(model, Tensor(shape: images.shape, scalars: inserted), classes, batchSize)
        }
        func area(_ curve: [Double]) -> Double {
            var sum = 0.0
            for step in 1...steps { sum += (curve[step - 1] + curve[step]) / 2 }
            return sum / Double(steps)
        }
        return (area(deletion), area(insertion), deletion, insertion)
    }

    static func meanProbability(_ model: some Layer, _ images: Tensor, _ classes: [Int], _ batchSize: Int) -> Double {
        withoutGradients {
            var total = 0.0
            for start in stride(from: 0, to: classes.count, by: batchSize) {
                let length = min(batchSize, classes.count - start)
                let probabilities = model(images.sliced(alongAxis: 0, from: start, count: length)).softmax(alongAxis: 1).scalars
                let width = probabilities.count / length
                for row in 0..<length { total += Double(probabilities[row * width + classes[start + row]]) }
            }
            return classes.isEmpty ? 0 : total / Double(classes.count)
        }
    }
}
