import Foundation
import PruningCore

extension DiffusionUNet {
    /// What pruning left of a ``DiffusionUNet``: the inner channels of every residual block
    /// (``blocks`` order; 0 where the residual branch is removed) and the attention heads.
    public struct Shape: Sendable, Codable, Equatable {
        /// Inner channels per residual block, 0 for a removed branch.
        public var innerChannels: [Int]
        /// The attention heads.
        public var heads: Int

        /// A shape.
        public init(innerChannels: [Int], heads: Int) {
            self.innerChannels = innerChannels
            self.heads = heads
        }

        /// The unpruned shape of `configuration`.
        public init(unpruned configuration: Configuration) {
            let (w0, w1, w2) = (configuration.widths[0], configuration.widths[1], configuration.widths[2])
            innerChannels = [w0, w1, w2, w2, w1, w0]
            heads = configuration.heads
        }

        /// Checks the shape against `configuration`: six blocks, each 0 or a positive multiple
        /// of the group size up to the block's unpruned width, and `1...configuration.heads` heads.
        ///
        /// - Throws: ``DiffusionModelFileError/invalidShape(field:reason:)``.
        public func validate(against configuration: Configuration) throws(DiffusionModelFileError) {
            let full = Shape(unpruned: configuration)
            guard innerChannels.count == full.innerChannels.count else {
                throw .invalidShape(field: "innerChannels", reason: "\(innerChannels.count) entries for \(full.innerChannels.count) residual blocks")
            }
            for (index, (kept, width)) in zip(innerChannels, full.innerChannels).enumerated()
            where !(kept >= 0 && kept <= width && kept % configuration.groupSize == 0) {
                throw .invalidShape(field: "innerChannels[\(index)] (\(DiffusionUNet.blockNames[index]))",
                                    reason: "\(kept) is not 0 or a multiple of \(configuration.groupSize) up to \(width)")
            }
            guard heads >= 1 && heads <= configuration.heads else {
                throw .invalidShape(field: "heads", reason: "\(heads) is outside 1...\(configuration.heads)")
            }
        }
    }

    /// The current shape.
    public var shape: Shape { Shape(innerChannels: blocks.map(\.innerChannels), heads: attention.headCount) }

    /// A network of `configuration` narrowed to `shape` (each block keeps its first groups,
    /// the attention its first heads) — the skeleton that ``load(fromDirectory:)`` fills with weights.
    ///
    /// - Throws: ``DiffusionModelFileError/invalidShape(field:reason:)`` for a shape that does
    ///   not fit the configuration.
    public convenience init(configuration: Configuration, shape: Shape, using generator: inout RandomGenerator) throws(DiffusionModelFileError) {
        try shape.validate(against: configuration)
        self.init(configuration: configuration, using: &generator)
        try prune(
            keptGroups: zip(blocks, shape.innerChannels).map { block, kept in Array(0..<(kept / block.groupSize)) },
            keptHeads: Array(0..<shape.heads))
    }

    /// Removes what hard masks drop: each block keeps the inner GroupNorm groups at
    /// `keptGroups[b]` (an empty list removes the block's residual branch, as a depth gate of 0
    /// does) and the attention keeps the heads at `keptHeads`.
    ///
    /// - Throws: ``DiffusionModelFileError/invalidShape(field:reason:)`` for a list per block
    ///   that is missing, repeats or leaves a current group, or for an empty or invalid head list.
    public func prune(keptGroups: [[Int]], keptHeads: [Int]) throws(DiffusionModelFileError) {
        guard keptGroups.count == blocks.count else {
            throw .invalidShape(field: "keptGroups", reason: "\(keptGroups.count) lists for \(blocks.count) residual blocks")
        }
        for (index, (block, groups)) in zip(blocks, keptGroups).enumerated() {
            let current = block.innerChannels / block.groupSize
            guard Set(groups).count == groups.count, groups.allSatisfy({ $0 >= 0 && $0 < current }) else {
                throw .invalidShape(field: "keptGroups[\(index)]", reason: "\(groups) are not distinct groups of 0..<\(current)")
            }
        }
        let heads = attention.headCount
        guard !keptHeads.isEmpty, Set(keptHeads).count == keptHeads.count, keptHeads.allSatisfy({ $0 >= 0 && $0 < heads }) else {
            throw .invalidShape(field: "keptHeads", reason: "\(keptHeads) are not distinct heads of 0..<\(heads)")
        }
        for (block, groups) in zip(blocks, keptGroups) where block.hasBranch {
            if groups.isEmpty { block.removeBranch() } else if groups.count < block.innerChannels / block.groupSize { block.keepGroups(groups) }
        }
        if keptHeads.count < heads { attention.keepHeads(keptHeads) }
    }

    /// The MAC count of a forward pass split by what pruning can change: MACs are
    /// `fixed + Σ_b perInnerChannel[b] · inner_b + perHead · heads`, since no block's input or
    /// output width changes when its inner channels, branch or heads go.
    public struct CostTerms: Sendable, Equatable {
        /// MACs nothing prunes: stem, step and prompt projections, downsampling, 1×1 shortcuts,
        /// output convolution.
        public var fixed: Int
        /// Per residual block: the MACs of one inner channel (`conv1` row, two FiLM rows,
        /// `conv2` column).
        public var perInnerChannel: [Int]
        /// The MACs of one attention head.
        public var perHead: Int

        /// The MACs of a network with `shape`.
        public func multiplyAccumulates(_ shape: Shape) -> Int {
            fixed + zip(perInnerChannel, shape.innerChannels).reduce(0) { $0 + $1.0 * $1.1 } + perHead * shape.heads
        }
    }

    /// The cost terms on `height × width` images: every convolution and linear map (the step
    /// and prompt projections once per image) and the attention's score and value products;
    /// normalizations and element-wise work are not counted.
    public func costTerms(height: Int = 28, width: Int = 28) -> CostTerms {
        let pixels = [height * width, (height / 2) * (width / 2), (height / 4) * (width / 4)]
        let levels = [0, 1, 2, 2, 1, 0]
        let c = configuration.imageChannels
        let (w0, w1, w2) = (configuration.widths[0], configuration.widths[1], configuration.widths[2])
        var fixed = 9 * c * w0 * pixels[0] + 9 * w0 * c * pixels[0]
        fixed += time1.inputCount * time1.outputCount + time2.inputCount * time2.outputCount + condition.inputCount * condition.outputCount
        fixed += 9 * w0 * w1 * pixels[1] + 9 * w1 * w2 * pixels[2]
        var perChannel: [Int] = []
        for (block, level) in zip(blocks, levels) {
            perChannel.append(9 * block.inputChannels * pixels[level] + 2 * configuration.embeddingSize + 9 * block.outputChannels * pixels[level])
            if block.skip != nil { fixed += block.inputChannels * block.outputChannels * pixels[level] }
        }
        let tokens = pixels[2], d = attention.headDimension
        let perHead = tokens * w2 * 3 * d + 2 * tokens * tokens * d + tokens * d * w2
        return CostTerms(fixed: fixed, perInnerChannel: perChannel, perHead: perHead)
    }

    /// Multiply-accumulates of one forward pass on `height × width` images at the current shape
    /// (see ``costTerms(height:width:)``).
    public func multiplyAccumulates(height: Int = 28, width: Int = 28) -> Int {
        costTerms(height: height, width: width).multiplyAccumulates(shape)
    }
}
