import PruningCore

extension VisionTransformer: ChannelPrunable {
    /// Per block `N`, in order:
    ///
    /// - `blocks.N.attn.heads`: the attention heads. Head `h` owns rows
    ///   `h·d ..< (h+1)·d` of each of the query, key and value parts of `attn.qkv` (weight and
    ///   bias; `d` the head dimension) and the same columns of `attn.proj`.
    /// - `blocks.N.mlp.hidden`: the MLP hidden units — `mlp.fc1` rows and bias, `mlp.fc2`
    ///   columns.
    ///
    /// The token width is not offered: it couples every LayerNorm, whose statistics would
    /// change with it.
    public var prunableGroups: [PrunableGroup] {
        var groups: [PrunableGroup] = []
        for (index, block) in blocks.enumerated() {
            let prefix = "blocks.\(index)"
            let attention = block.attention
            let d = attention.headDimension
            let inner = attention.headCount * d
            var headSlices: [ParameterSlice] = []
            for part in 0..<3 {
                headSlices.append(ParameterSlice("\(prefix).attn.qkv.weight", axis: 0, offset: part * inner, blockSize: d, role: .output))
                headSlices.append(ParameterSlice("\(prefix).attn.qkv.bias", axis: 0, offset: part * inner, blockSize: d, role: .output))
            }
            headSlices.append(ParameterSlice("\(prefix).attn.proj.weight", axis: 1, blockSize: d, role: .input))
            groups.append(PrunableGroup(name: "\(prefix).attn.heads", size: attention.headCount, slices: headSlices))
            groups.append(PrunableGroup(
                name: "\(prefix).mlp.hidden", size: block.mlp.hiddenCount,
                slices: GroupSlices.outputs(of: "\(prefix).mlp.fc1", bias: true) + GroupSlices.inputs(of: "\(prefix).mlp.fc2")))
        }
        return groups
    }
}
