import PruningCore

extension ResNet: ChannelPrunable {
    /// The channel groups, in the order they appear in the network:
    ///
    /// - `layerS.B.inner` for every block: the channels between its two convolutions —
    ///   `conv1` output rows, `bn1` entries, `conv2` input columns.
    /// - `<opener>.output` for every chain of channels joined by residual additions: the stem
    ///   (`conv1.output`) or a projecting block (`layer2.0.output`) opens a chain, and every
    ///   later block with an identity shortcut adds into it. A chain couples the opener's output
    ///   rows and BatchNorm, every block's `conv2` rows and `bn2`, the input columns of every
    ///   block that reads it (`conv1` and `downsample.0`), and finally `fc` input columns.
    ///
    /// For ResNet-20: `layer1.{0,1,2}.inner` (16 each), `conv1.output` (16: the stem and
    /// `layer1`), `layer2.*.inner` (32), `layer2.0.output` (32), `layer3.*.inner` (64),
    /// `layer3.0.output` (64).
    public var prunableGroups: [PrunableGroup] {
        var groups: [PrunableGroup] = []
        var chain = ResidualSpace(
            name: "conv1.output", size: conv1.outputChannels,
            slices: GroupSlices.outputs(of: "conv1", bias: conv1.bias != nil) + GroupSlices.batchNorm("bn1"))
        for (stageIndex, stage) in stages.enumerated() {
            for (blockIndex, block) in stage.enumerated() {
                let prefix = "layer\(stageIndex + 1).\(blockIndex)"
                groups.append(PrunableGroup(
                    name: "\(prefix).inner", size: block.innerChannels,
                    slices: GroupSlices.outputs(of: "\(prefix).conv1", bias: block.conv1.bias != nil)
                        + GroupSlices.batchNorm("\(prefix).bn1") + GroupSlices.inputs(of: "\(prefix).conv2")))
                chain.slices += GroupSlices.inputs(of: "\(prefix).conv1")
                if let downsample = block.downsample {
                    chain.slices += GroupSlices.inputs(of: "\(prefix).downsample.0")
                    groups.append(chain.group)
                    chain = ResidualSpace(
                        name: "\(prefix).output", size: block.conv2.outputChannels,
                        slices: GroupSlices.outputs(of: "\(prefix).downsample.0", bias: downsample.convolution.bias != nil)
                            + GroupSlices.batchNorm("\(prefix).downsample.1"))
                }
                chain.slices += GroupSlices.outputs(of: "\(prefix).conv2", bias: block.conv2.bias != nil)
                    + GroupSlices.batchNorm("\(prefix).bn2")
            }
        }
        chain.slices += GroupSlices.inputs(of: "fc")
        groups.append(chain.group)
        return groups
    }
}
