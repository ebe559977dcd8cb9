import PruningCore

/// Aligned input/output image pairs for image-to-image translation (pix2pix's paired setting),
/// with what the evaluation needs next to them: the class of every pair (the source image's
/// label) and, for label-map tasks, the per-pixel classes of the input.
///
/// Inputs and targets are `[count, channels, height, width]`, images in [−1, 1] (the range a
/// `tanh` generator produces).
public struct PairedImages: Sendable {
    /// The network inputs.
    public let inputs: Tensor
    /// The images to produce.
    public let targets: Tensor
    /// One class per pair (a Fashion-MNIST label, or −1 where there is none).
    public let labels: [Int]
    /// The per-pixel classes of label-map inputs, `count · height · width` row-major, or nil.
    public let labelMaps: [Int]?
    /// The number of classes of ``labelMaps`` (0 without label maps).
    public let labelMapClassCount: Int

    /// Pairs from their tensors.
    ///
    /// - Precondition: inputs and targets agree in count, height and width; one label per pair;
    ///   label maps, when present, have one class per input pixel.
    public init(inputs: Tensor, targets: Tensor, labels: [Int], labelMaps: [Int]? = nil, labelMapClassCount: Int = 0) {
        precondition(inputs.rank == 4 && targets.rank == 4 && inputs.shape[0] == targets.shape[0]
                     && inputs.shape[2...] == targets.shape[2...] && labels.count == inputs.shape[0],
                     "PairedImages: inputs \(inputs.shape), targets \(targets.shape) and \(labels.count) labels disagree")
        if let labelMaps {
            precondition(labelMaps.count == inputs.shape[0] * inputs.shape[2] * inputs.shape[3],
                         "PairedImages: \(labelMaps.count) label-map pixels for inputs \(inputs.shape)")
        }
        self.inputs = inputs
        self.targets = targets
        self.labels = labels
        self.labelMaps = labelMaps
        self.labelMapClassCount = labelMapClassCount
    }

    /// The number of pairs.
    public var count: Int { labels.count }
    /// The input channels.
    public var inputChannels: Int { inputs.shape[1] }
    /// The output channels.
    public var outputChannels: Int { targets.shape[1] }
    /// The image height.
    public var height: Int { inputs.shape[2] }
    /// The image width.
    public var width: Int { inputs.shape[3] }

    /// The pairs at `indices`, in that order.
    public func subset(_ indices: [Int]) -> PairedImages {
        let pixels = height * width
        return PairedImages(
            inputs: inputs.indexSelect(indices, alongAxis: 0), targets: targets.indexSelect(indices, alongAxis: 0),
            labels: indices.map { labels[$0] },
            labelMaps: labelMaps.map { maps in indices.flatMap { maps[($0 * pixels)..<(($0 + 1) * pixels)] } },
            labelMapClassCount: labelMapClassCount)
    }

    /// The first `count` pairs (all of them when there are fewer).
    public func prefix(_ count: Int) -> PairedImages { subset(Array(0..<Swift.min(count, self.count))) }
}
