/// Shape and naming rules shared by the ``GRU`` and ``LSTM`` stacks.
enum RecurrentLayout {
    /// PyTorch's parameter-name suffix for a layer and direction: `_l0`, `_l0_reverse`, ….
    static func suffix(layer: Int, direction: Int) -> String {
        "_l\(layer)" + (direction == 1 ? "_reverse" : "")
    }

    /// The parameters of every cell, named `weight_ih_l0`, `weight_hh_l0`, `bias_ih_l0`,
    /// `bias_hh_l0`, `weight_ih_l0_reverse`, … in PyTorch's order.
    static func namedParameters(_ cells: [[any Module]]) -> [(String, Parameter)] {
        var result: [(String, Parameter)] = []
        for (layer, directions) in cells.enumerated() {
            for (direction, cell) in directions.enumerated() {
                let suffix = suffix(layer: layer, direction: direction)
                for (name, parameter) in cell.ownParameters { result.append((name + suffix, parameter)) }
            }
        }
        return result
    }

    /// `input` as `[batch, length, features]`, checking its feature count.
    static func batchMajor(_ input: Tensor, batchFirst: Bool, features: Int, module: String) -> Tensor {
        precondition(
            input.rank == 3 && input.shape[2] == features,
            "\(module): input \(input.shape) must be \(batchFirst ? "[batch, length" : "[length, batch"), \(features)]")
        precondition(input.shape[0] > 0 && input.shape[1] > 0, "\(module): input \(input.shape) is empty")
        return batchFirst ? input : input.permuted([1, 0, 2])
    }

    /// The initial state of layer/direction `index` from a stacked state
    /// `[layers · directions, batch, hidden]`, or zeros.
    static func initialState(_ stacked: Tensor?, index: Int, batch: Int, hidden: Int) -> Tensor {
        guard let stacked else { return Tensor.zeros([batch, hidden]) }
        return stacked.sliced(alongAxis: 0, from: index, count: 1).reshaped(to: [batch, hidden])
    }

    /// Checks a stacked state's shape.
    static func checkState(_ state: Tensor?, count: Int, batch: Int, hidden: Int, module: String) {
        if let state {
            precondition(
                state.shape == [count, batch, hidden],
                "\(module): initial state \(state.shape) must be [layers · directions = \(count), batch = \(batch), hidden = \(hidden)]")
        }
    }
}
