import PruningCore

/// The paired task "edges → image" on Fashion-MNIST, the small-scale counterpart of pix2pix's
/// edges→shoes: the input is the binary edge map of a garment, the target the garment itself.
///
/// Each 28×28 image (pixels in [0, 1]) is padded with black to `side × side` (default 32, so
/// that a 3-level U-Net divides it evenly); the edge map marks the pixels whose Sobel gradient
/// magnitude exceeds ``threshold``. Both are mapped to [−1, 1] (edges 1, background −1), and
/// every pair keeps the image's class for the evaluation.
public enum FashionMNISTEdges {
    /// The Sobel magnitude above which a pixel is an edge (pixels in [0, 1]; the gradient of a
    /// unit step is 4).
    public static let threshold: Float = 1

    /// The pairs of `dataSet` (Fashion-MNIST, pixels in [0, 1], one channel), padded to `side`.
    ///
    /// - Precondition: `side` is at least the images' size.
    public static func pairs(from dataSet: ImageClassificationDataSet, side: Int = 32) -> PairedImages {
        precondition(dataSet.channels == 1 && side >= dataSet.height && side >= dataSet.width,
                     "FashionMNISTEdges: needs one-channel images no larger than \(side)")
        let (h, w, n) = (dataSet.height, dataSet.width, dataSet.count)
        let top = (side - h) / 2, left = (side - w) / 2
        let source = dataSet.images.scalars
        var inputs = [Float](repeating: -1, count: n * side * side)
        var targets = inputs
        for image in 0..<n {
            let base = image * h * w
            func pixel(_ y: Int, _ x: Int) -> Float {
                guard y >= 0 && y < h && x >= 0 && x < w else { return 0 }
                return source[base + y * w + x]
            }
            let out = image * side * side
            for y in 0..<h {
                for x in 0..<w {
                    let gx = (pixel(y - 1, x + 1) + 2 * pixel(y, x + 1) + pixel(y + 1, x + 1))
                        - (pixel(y - 1, x - 1) + 2 * pixel(y, x - 1) + pixel(y + 1, x - 1))
                    let gy = (pixel(y + 1, x - 1) + 2 * pixel(y + 1, x) + pixel(y + 1, x + 1))
                        - (pixel(y - 1, x - 1) + 2 * pixel(y - 1, x) + pixel(y - 1, x + 1))
                    let position = out + (y + top) * side + (x + left)
                    inputs[position] = (gx * gx + gy * gy).squareRoot() > threshold ? 1 : -1
                    targets[position] = 2 * pixel(y, x) - 1
                }
            }
        }
        return PairedImages(
            inputs: Tensor(shape: [n, 1, side, side], scalars: inputs),
            targets: Tensor(shape: [n, 1, side, side], scalars: targets), labels: dataSet.labels)
    }

    /// Images in [−1, 1] padded to `side` back to the classifier's input: the centre
    /// `height × width` crop, rescaled to [0, 1] (then normalize as the classifier expects).
    public static func classifierInput(_ images: Tensor, height: Int = 28, width: Int = 28) -> Tensor {
        let top = (images.shape[2] - height) / 2, left = (images.shape[3] - width) / 2
        let crop = images.sliced(alongAxis: 2, from: top, count: height).sliced(alongAxis: 3, from: left, count: width)
        return ((crop + 1) * 0.5).clamped(min: 0, max: 1)
    }
}
