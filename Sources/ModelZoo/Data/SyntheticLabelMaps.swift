import Foundation
import PruningCore

/// The paired task "label map → image", a miniature of pix2pix's Cityscapes labels→photo:
/// random scenes of axis-aligned rectangles, discs and bars drawn over a background, each of
/// the five classes rendered with its own texture, so that a segmenter trained on real pairs
/// can read the classes back from a generated image (the FCN-score protocol, mIoU).
///
/// | class | shape | texture (pixels in [−1, 1]) |
/// |---|---|---|
/// | 0 background | everything else | dark, fine noise around −0.8 |
/// | 1 block | rectangles | horizontal stripes of period 4 (0.6 / −0.2) |
/// | 2 disc | discs | 2×2 checkerboard (0.9 / 0.1) |
/// | 3 bar | thin vertical bars | flat bright 0.9 with a vertical gradient |
/// | 4 patch | small squares | flat mid grey 0.1 |
///
/// Every scene draws, in this order, 1–2 blocks, 1–2 discs, 0–2 bars and 0–2 patches of
/// random size and place (later shapes cover earlier ones), then adds Gaussian noise of
/// standard deviation 0.05. Scenes depend only on the seed and their index.
public enum SyntheticLabelMaps {
    /// The number of classes.
    public static let classCount = 5
    /// The class names.
    public static let classNames = ["background", "block", "disc", "bar", "patch"]

    /// `count` scenes of `side × side` from `seed`: inputs one-hot `[count, 5, side, side]`
    /// (1 for the pixel's class, −1 elsewhere), targets `[count, 1, side, side]`, the label maps,
    /// and labels −1.
    public static func pairs(count: Int, side: Int = 32, seed: UInt64) -> PairedImages {
        precondition(count > 0 && side >= 16, "SyntheticLabelMaps: needs count > 0 and side ≥ 16")
        let pixels = side * side
        var maps = [Int](repeating: 0, count: count * pixels)
        var images = [Float](repeating: 0, count: count * pixels)
        for scene in 0..<count {
            var random = RandomGenerator(seed: seed &* 0x9E37_79B9_7F4A_7C15 &+ UInt64(scene))
            var map = [Int](repeating: 0, count: pixels)
            func uniform(_ range: ClosedRange<Int>) -> Int {
                range.lowerBound + Int(random.nextUniformDouble() * Double(range.count)) % range.count
            }
            func rectangle(_ label: Int, height: ClosedRange<Int>, width: ClosedRange<Int>) {
                let h = uniform(height), w = uniform(width)
                let y0 = uniform(0...(side - h)), x0 = uniform(0...(side - w))
                for y in y0..<(y0 + h) { for x in x0..<(x0 + w) { map[y * side + x] = label } }
            }
            for _ in 0..<uniform(1...2) { rectangle(1, height: (side / 4)...(side / 2), width: (side / 4)...(side / 2)) }
            for _ in 0..<uniform(1...2) {
                let radius = uniform((side / 8)...(side / 4))
                let cy = uniform(radius...(side - 1 - radius)), cx = uniform(radius...(side - 1 - radius))
                for y in 0..<side {
                    for x in 0..<side where (y - cy) * (y - cy) + (x - cx) * (x - cx) <= radius * radius { map[y * side + x] = 2 }
                }
            }
            for _ in 0..<uniform(0...2) { rectangle(3, height: (side / 2)...(3 * side / 4), width: 2...3) }
            for _ in 0..<uniform(0...2) { rectangle(4, height: 3...5, width: 3...5) }
            for y in 0..<side {
                for x in 0..<side {
                    let label = map[y * side + x]
                    let value: Float
                    switch label {
                    case 1: value = (y / 2) % 2 == 0 ? 0.6 : -0.2
                    case 2: value = ((y / 2) + (x / 2)) % 2 == 0 ? 0.9 : 0.1
                    case 3: value = 0.9 - 0.6 * Float(y) / Float(side)
                    case 4: value = 0.1
                    default: value = -0.8
                    }
                    let noise = Float(random.nextNormal()) * (label == 0 ? 0.08 : 0.05)
                    images[scene * pixels + y * side + x] = Swift.max(-1, Swift.min(1, value + noise))
                }
            }
            maps.replaceSubrange((scene * pixels)..<((scene + 1) * pixels), with: map)
        }
        return PairedImages(
            inputs: oneHot(maps, count: count, side: side),
            targets: Tensor(shape: [count, 1, side, side], scalars: images),
            labels: Array(repeating: -1, count: count), labelMaps: maps, labelMapClassCount: classCount)
    }

    /// Label maps (`count · side · side` classes) as one-hot inputs in {−1, 1}.
    public static func oneHot(_ maps: [Int], count: Int, side: Int) -> Tensor {
        let pixels = side * side
        var values = [Float](repeating: -1, count: count * classCount * pixels)
        for scene in 0..<count {
            for p in 0..<pixels {
                values[(scene * classCount + maps[scene * pixels + p]) * pixels + p] = 1
            }
        }
        return Tensor(shape: [count, classCount, side, side], scalars: values)
    }
}
