import PruningCore

/// Builders for the parameter slices of common layers, used by the models' group descriptions.
enum GroupSlices {
    /// The output rows of a convolution or linear layer named `name` (its `weight` along axis 0
    /// and, when present, its `bias`).
    static func outputs(of name: String, bias: Bool) -> [ParameterSlice] {
        var slices = [ParameterSlice("\(name).weight", axis: 0, role: .output)]
        if bias { slices.append(ParameterSlice("\(name).bias", axis: 0, role: .output)) }
        return slices
    }

    /// The input columns of a convolution or linear layer named `name` (its `weight` along
    /// axis 1).
    static func inputs(of name: String) -> [ParameterSlice] {
        [ParameterSlice("\(name).weight", axis: 1, role: .input)]
    }

    /// The per-channel entries of a BatchNorm layer named `name`: `weight`, `bias` and the
    /// `running_mean` and `running_var` buffers.
    static func batchNorm(_ name: String) -> [ParameterSlice] {
        ["weight", "bias", "running_mean", "running_var"].map {
            ParameterSlice("\(name).\($0)", axis: 0, role: .output)
        }
    }
}

/// Channel groups joined by residual additions: the channels written by every producer in a
/// chain of residual blocks form one group with the channels read by every consumer.
struct ResidualSpace {
    /// The group name.
    var name: String
    /// The channel count.
    var size: Int
    /// The slices collected so far.
    var slices: [ParameterSlice] = []

    /// The finished group.
    var group: PrunableGroup { PrunableGroup(name: name, size: size, slices: slices) }
}
