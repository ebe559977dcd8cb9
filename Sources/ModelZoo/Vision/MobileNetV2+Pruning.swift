import PruningCore

extension MobileNetV2: ChannelPrunable {
    /// The channel groups, in network order:
    ///
    /// - `features.N.expanded` for every block with expansion: the expanded channels — the
    ///   expansion convolution's output rows and norm, the depthwise filters and norm, the
    ///   projection's input columns.
    /// - `features.N.output` for every chain of channels joined by residual additions, opened by
    ///   the stem (`features.0.output`) or by a block without residual connection: the output
    ///   rows and norm of every block projecting into it, the input columns of every expansion
    ///   reading it. A block without expansion filters its input channel by channel, so its
    ///   depthwise filters, norm and projection columns join the chain it reads (the first
    ///   block: `features.0.output` covers the stem and that block's depthwise layer).
    /// - `features.18.output`: the last convolution's rows and norm and the classifier's input
    ///   columns.
    public var prunableGroups: [PrunableGroup] {
        var groups: [PrunableGroup] = []
        var chain = ResidualSpace(
            name: "features.0.output", size: stem.convolution.outputChannels,
            slices: GroupSlices.outputs(of: "features.0.0", bias: false) + GroupSlices.batchNorm("features.0.1"))
        for (offset, block) in blocks.enumerated() {
            let index = offset + 1
            let prefix = "features.\(index).conv"
            let projectionIndex: Int
            if block.expansion != nil {
                chain.slices += GroupSlices.inputs(of: "\(prefix).0.0")
                groups.append(PrunableGroup(
                    name: "features.\(index).expanded", size: block.hiddenChannels,
                    slices: GroupSlices.outputs(of: "\(prefix).0.0", bias: false) + GroupSlices.batchNorm("\(prefix).0.1")
                        + GroupSlices.outputs(of: "\(prefix).1.0", bias: false) + GroupSlices.batchNorm("\(prefix).1.1")
                        + GroupSlices.inputs(of: "\(prefix).2")))
                projectionIndex = 2
            } else {
                chain.slices += GroupSlices.outputs(of: "\(prefix).0.0", bias: false) + GroupSlices.batchNorm("\(prefix).0.1")
                    + GroupSlices.inputs(of: "\(prefix).1")
                projectionIndex = 1
            }
            if !block.usesResidual {
                groups.append(chain.group)
                chain = ResidualSpace(name: "features.\(index).output", size: block.projection.outputChannels)
            }
            chain.slices += GroupSlices.outputs(of: "\(prefix).\(projectionIndex)", bias: false)
                + GroupSlices.batchNorm("\(prefix).\(projectionIndex + 1)")
        }
        let last = blocks.count + 1
        chain.slices += GroupSlices.inputs(of: "features.\(last).0")
        groups.append(chain.group)
        groups.append(PrunableGroup(
            name: "features.\(last).output", size: head.convolution.outputChannels,
            slices: GroupSlices.outputs(of: "features.\(last).0", bias: false) + GroupSlices.batchNorm("features.\(last).1")
                + GroupSlices.inputs(of: "classifier.1")))
        return groups
    }

    /// Keeps the channels at `indices` of the group `name`, then sets each depthwise
    /// convolution's group count to its new channel count.
    ///
    /// - Throws: ``ChannelPruningError``; nothing changes when it throws.
    public func pruneGroup(_ name: String, keeping indices: [Int]) throws {
        try shrinkParameters(of: prunableGroup(named: name), keeping: indices)
        for block in blocks { block.depthwise.groups = block.depthwise.outputChannels }
    }
}
