import Foundation
import PruningCore
import PruningTestSupport
import Testing

private func sigmoid(_ x: Double) -> Double { 1 / (1 + Foundation.exp(-x)) }

/// `W x + b` for row-major `W` `[rows, columns]`, in double precision.
private func affine(_ w: Tensor, _ x: [Double], _ b: Tensor?) -> [Double] {
    let (rows, columns) = (w.shape[0], w.shape[1])
    let ws = w.scalars
    let bs = b?.scalars
    return (0..<rows).map { r in
        var s = Double(bs?[r] ?? 0)
        for c in 0..<columns { s += Double(ws[r * columns + c]) * x[c] }
        return s
    }
}

/// One GRU step for one batch row, by the textbook formula.
private func referenceGRU(_ cell: GRUCell, x: [Double], h: [Double]) -> [Double] {
    let n = cell.hiddenSize
    let gi = affine(cell.inputWeight.value, x, cell.inputBias?.value)
    let gh = affine(cell.hiddenWeight.value, h, cell.hiddenBias?.value)
    return (0..<n).map { j in
        let r = sigmoid(gi[j] + gh[j])
        let z = sigmoid(gi[n + j] + gh[n + j])
        let candidate = Foundation.tanh(gi[2 * n + j] + r * gh[2 * n + j])
        return (1 - z) * candidate + z * h[j]
    }
}

/// One LSTM step for one batch row, by the textbook formula.
private func referenceLSTM(_ cell: LSTMCell, x: [Double], h: [Double], c: [Double]) -> (h: [Double], c: [Double]) {
    let n = cell.hiddenSize
    let gi = affine(cell.inputWeight.value, x, cell.inputBias?.value)
    let gh = affine(cell.hiddenWeight.value, h, cell.hiddenBias?.value)
    var hNext = [Double](repeating: 0, count: n)
    var cNext = [Double](repeating: 0, count: n)
    for j in 0..<n {
        let i = sigmoid(gi[j] + gh[j])
        let f = sigmoid(gi[n + j] + gh[n + j])
        let g = Foundation.tanh(gi[2 * n + j] + gh[2 * n + j])
        let o = sigmoid(gi[3 * n + j] + gh[3 * n + j])
        cNext[j] = f * c[j] + i * g
        hNext[j] = o * Foundation.tanh(cNext[j])
    }
    return (hNext, cNext)
}

/// Row `b` of a `[batch, features]` tensor, in double precision.
private func row(_ t: Tensor, _ b: Int) -> [Double] {
    let width = t.shape[1]
    return t.scalars[(b * width)..<((b + 1) * width)].map(Double.init)
}

private func tensor(_ rows: [[Double]]) -> Tensor {
    Tensor(shape: [rows.count, rows[0].count], scalars: rows.flatMap { $0.map(Float.init) })
}

@Suite struct RecurrentCellTests {
    @Test("GRU cell matches the formula over three steps", arguments: [true, false])
    func gruCell(bias: Bool) {
        var random = RandomGenerator(seed: 1)
        let cell = GRUCell(inputSize: 3, hiddenSize: 4, bias: bias, using: &random)
        #expect(cell.namedParameters().map(\.name) == (bias ? ["weight_ih", "weight_hh", "bias_ih", "bias_hh"] : ["weight_ih", "weight_hh"]))
        var h = testTensor([2, 4], seed: 2)
        var expected = (0..<2).map { row(h, $0) }
        for t in 0..<3 {
            let x = testTensor([2, 3], lower: -2, upper: 2, seed: 10 + UInt64(t))
            h = cell(x, state: h)
            expected = (0..<2).map { referenceGRU(cell, x: row(x, $0), h: expected[$0]) }
            expectClose(h, tensor(expected), relativeTolerance: 1e-5, absoluteTolerance: 1e-6, "step \(t)")
        }
        // A missing state means zeros.
        let x = testTensor([2, 3], seed: 3)
        expectClose(cell(x), cell(x, state: Tensor.zeros([2, 4])))
    }

    @Test("LSTM cell matches the formula over three steps", arguments: [true, false])
    func lstmCell(bias: Bool) {
        var random = RandomGenerator(seed: 4)
        let cell = LSTMCell(inputSize: 3, hiddenSize: 4, bias: bias, using: &random)
        var state = LSTMState(hidden: testTensor([2, 4], seed: 5), cell: testTensor([2, 4], seed: 6))
        var expected = (0..<2).map { (h: row(state.hidden, $0), c: row(state.cell, $0)) }
        for t in 0..<3 {
            let x = testTensor([2, 3], lower: -2, upper: 2, seed: 20 + UInt64(t))
            state = cell(x, state: state)
            expected = (0..<2).map { referenceLSTM(cell, x: row(x, $0), h: expected[$0].h, c: expected[$0].c) }
            expectClose(state.hidden, tensor(expected.map(\.h)), relativeTolerance: 1e-5, absoluteTolerance: 1e-6, "hidden, step \(t)")
            expectClose(state.cell, tensor(expected.map(\.c)), relativeTolerance: 1e-5, absoluteTolerance: 1e-6, "cell, step \(t)")
        }
    }

    @Test("PyTorch initialization bound ±1/√hidden")
    func initialization() {
        var random = RandomGenerator(seed: 7)
        let cell = LSTMCell(inputSize: 5, hiddenSize: 16, using: &random)
        for (_, p) in cell.namedParameters() {
            let values = p.value.scalars
            #expect(values.allSatisfy { Swift.abs($0) <= 0.25 })
            #expect(values.contains { Swift.abs($0) > 0.2 })
        }
    }

    @Test("GRU cell gradients through three steps")
    func gruGradients() {
        var random = RandomGenerator(seed: 8)
        let cell = GRUCell(inputSize: 3, hiddenSize: 3, using: &random)
        let parameters = cell.namedParameters().map(\.parameter)
        let xs = testTensor([3, 2, 3], seed: 9)
        let h0 = testTensor([2, 3], seed: 10)
        checkGradients(of: { inputs in
            for (k, p) in parameters.enumerated() { p.value = inputs[2 + k] }
            var h = inputs[1]
            for t in 0..<3 { h = cell(inputs[0].sliced(alongAxis: 0, from: t, count: 1).squeezed(at: 0), state: h) }
            return h
        }, at: [xs, h0] + parameters.map(\.value))
    }

    @Test("LSTM cell gradients through three steps")
    func lstmGradients() {
        var random = RandomGenerator(seed: 11)
        let cell = LSTMCell(inputSize: 3, hiddenSize: 3, using: &random)
        let parameters = cell.namedParameters().map(\.parameter)
        let xs = testTensor([3, 2, 3], seed: 12)
        let h0 = testTensor([2, 3], seed: 13)
        let c0 = testTensor([2, 3], seed: 14)
        checkGradients(of: { inputs in
            for (k, p) in parameters.enumerated() { p.value = inputs[3 + k] }
            var state = LSTMState(hidden: inputs[1], cell: inputs[2])
            for t in 0..<3 { state = cell(inputs[0].sliced(alongAxis: 0, from: t, count: 1).squeezed(at: 0), state: state) }
            return Tensor.concatenate([state.hidden, state.cell], alongAxis: 1)
        }, at: [xs, h0, c0] + parameters.map(\.value))
    }
}

@Suite struct RecurrentStackTests {
    @Test("parameter names follow PyTorch")
    func names() {
        var random = RandomGenerator(seed: 1)
        let gru = GRU(inputSize: 3, hiddenSize: 4, layerCount: 2, bidirectional: true, using: &random)
        let expected = ["_l0", "_l0_reverse", "_l1", "_l1_reverse"].flatMap { suffix in
            ["weight_ih", "weight_hh", "bias_ih", "bias_hh"].map { $0 + suffix }
        }
        #expect(gru.namedParameters().map(\.name) == expected)
        #expect(gru.stateDictionary()["weight_ih_l1"]?.shape == [12, 8])
        let lstm = LSTM(inputSize: 3, hiddenSize: 4, layerCount: 2, bidirectional: true, bias: false, using: &random)
        #expect(lstm.namedParameters().map(\.name) == ["weight_ih_l0", "weight_hh_l0", "weight_ih_l0_reverse", "weight_hh_l0_reverse",
                                                      "weight_ih_l1", "weight_hh_l1", "weight_ih_l1_reverse", "weight_hh_l1_reverse"])
        #expect(lstm.stateDictionary()["weight_hh_l1_reverse"]?.shape == [16, 4])
    }

    @Test("bidirectional GRU: shapes, and each direction equals its cell run over the sequence")
    func bidirectionalGRU() {
        var random = RandomGenerator(seed: 2)
        let gru = GRU(inputSize: 3, hiddenSize: 4, bidirectional: true, using: &random)
        let (batch, length) = (2, 5)
        let x = testTensor([batch, length, 3], seed: 3)
        let (output, final) = gru(x)
        #expect(output.shape == [batch, length, 8])
        #expect(final.shape == [2, batch, 4])
        func step(_ t: Int) -> Tensor { x.sliced(alongAxis: 1, from: t, count: 1).squeezed(at: 1) }

        var forward = Tensor.zeros([batch, 4])
        for t in 0..<length {
            forward = gru.cells[0][0](step(t), state: forward)
            expectClose(output.sliced(alongAxis: 1, from: t, count: 1).sliced(alongAxis: 2, from: 0, count: 4).squeezed(at: 1),
                        forward, relativeTolerance: 1e-5, absoluteTolerance: 1e-6, "forward t=\(t)")
        }
        var backward = Tensor.zeros([batch, 4])
        for t in (0..<length).reversed() { backward = gru.cells[0][1](step(t), state: backward) }
        // The reverse direction's output at t = 0 has seen the whole reversed sequence.
        expectClose(output.sliced(alongAxis: 1, from: 0, count: 1).sliced(alongAxis: 2, from: 4, count: 4).squeezed(at: 1),
                    backward, relativeTolerance: 1e-5, absoluteTolerance: 1e-6)
        expectClose(final, Tensor.stack([forward, backward]), relativeTolerance: 1e-5, absoluteTolerance: 1e-6)
    }

    @Test("bidirectional LSTM: the reverse direction at t = 0 equals the reverse cell over the reversed sequence")
    func bidirectionalLSTM() {
        var random = RandomGenerator(seed: 4)
        let lstm = LSTM(inputSize: 3, hiddenSize: 4, layerCount: 2, bidirectional: true, using: &random)
        let (batch, length) = (2, 4)
        let x = testTensor([batch, length, 3], seed: 5)
        let (output, final) = lstm(x)
        #expect(output.shape == [batch, length, 8])
        #expect(final.hidden.shape == [4, batch, 4] && final.cell.shape == [4, batch, 4])

        // Layer 0, reverse direction, run by hand.
        var state = LSTMState(hidden: Tensor.zeros([batch, 4]), cell: Tensor.zeros([batch, 4]))
        var layer0: [Tensor] = Array(repeating: Tensor.zeros([batch, 4]), count: length)
        for t in (0..<length).reversed() {
            state = lstm.cells[0][1](x.sliced(alongAxis: 1, from: t, count: 1).squeezed(at: 1), state: state)
            layer0[t] = state.hidden
        }
        expectClose(final.hidden.sliced(alongAxis: 0, from: 1, count: 1).squeezed(at: 0), layer0[0], relativeTolerance: 1e-5, absoluteTolerance: 1e-6)
        expectClose(final.cell.sliced(alongAxis: 0, from: 1, count: 1).squeezed(at: 0), state.cell, relativeTolerance: 1e-5, absoluteTolerance: 1e-6)

        // Layer 1 reads both directions of layer 0; check its reverse direction at t = 0.
        var forwardState = LSTMState(hidden: Tensor.zeros([batch, 4]), cell: Tensor.zeros([batch, 4]))
        var layer0Forward: [Tensor] = []
        for t in 0..<length {
            forwardState = lstm.cells[0][0](x.sliced(alongAxis: 1, from: t, count: 1).squeezed(at: 1), state: forwardState)
            layer0Forward.append(forwardState.hidden)
        }
        var top = LSTMState(hidden: Tensor.zeros([batch, 4]), cell: Tensor.zeros([batch, 4]))
        for t in (0..<length).reversed() {
            top = lstm.cells[1][1](Tensor.concatenate([layer0Forward[t], layer0[t]], alongAxis: 1), state: top)
        }
        expectClose(output.sliced(alongAxis: 1, from: 0, count: 1).sliced(alongAxis: 2, from: 4, count: 4).squeezed(at: 1),
                    top.hidden, relativeTolerance: 1e-5, absoluteTolerance: 1e-6)
    }

    @Test("sequence-first layout gives the transposed result")
    func sequenceFirst() throws {
        var random = RandomGenerator(seed: 6)
        let batchFirst = GRU(inputSize: 3, hiddenSize: 2, layerCount: 2, bidirectional: true, using: &random)
        let sequenceFirst = GRU(inputSize: 3, hiddenSize: 2, layerCount: 2, bidirectional: true, batchFirst: false, using: &random)
        try sequenceFirst.load(batchFirst.stateDictionary())
        let x = testTensor([2, 4, 3], seed: 7)
        let a = batchFirst(x)
        let b = sequenceFirst(x.permuted([1, 0, 2]))
        expectClose(b.output, a.output.permuted([1, 0, 2]))
        expectClose(b.finalState, a.finalState)
    }

    @Test("GRU stack gradients through three steps", arguments: [true, false])
    func gruStackGradients(bidirectional: Bool) {
        var random = RandomGenerator(seed: 8)
        let gru = GRU(inputSize: 2, hiddenSize: 3, layerCount: 2, bidirectional: bidirectional, using: &random)
        let parameters = gru.namedParameters().map(\.parameter)
        let x = testTensor([2, 3, 2], seed: 9)
        let h0 = testTensor([bidirectional ? 4 : 2, 2, 3], seed: 10)
        checkGradients(of: { inputs in
            for (k, p) in parameters.enumerated() { p.value = inputs[2 + k] }
            let (output, final) = gru(inputs[0], initialState: inputs[1])
            return Tensor.concatenate([output.flattened(), final.flattened()])
        }, at: [x, h0] + parameters.map(\.value))
    }

    @Test("LSTM stack gradients through three steps", arguments: [true, false])
    func lstmStackGradients(bidirectional: Bool) {
        var random = RandomGenerator(seed: 11)
        let lstm = LSTM(inputSize: 2, hiddenSize: 3, layerCount: 2, bidirectional: bidirectional, using: &random)
        let parameters = lstm.namedParameters().map(\.parameter)
        let x = testTensor([2, 3, 2], seed: 12)
        let states = bidirectional ? 4 : 2
        let h0 = testTensor([states, 2, 3], seed: 13)
        let c0 = testTensor([states, 2, 3], seed: 14)
        checkGradients(of: { inputs in
            for (k, p) in parameters.enumerated() { p.value = inputs[3 + k] }
            let (output, final) = lstm(inputs[0], initialState: LSTMState(hidden: inputs[1], cell: inputs[2]))
            return Tensor.concatenate([output.flattened(), final.hidden.flattened(), final.cell.flattened()])
        }, at: [x, h0, c0] + parameters.map(\.value))
    }
}
