import Foundation
import PruningCore
import PruningTestSupport
import Testing

/// Reference results of `torch.nn.GRU` and `torch.nn.LSTM` (two layers, bidirectional,
/// batch-first), written by `Fixtures/make_recurrent_fixture.py`.
private struct RecurrentFixture: Decodable {
    struct Array: Decodable {
        let shape: [Int]
        let values: [Float]
        var tensor: Tensor { Tensor(shape: shape, scalars: values) }
    }

    struct Config: Decodable {
        let inputSize: Int, hiddenSize: Int, layers: Int
        enum CodingKeys: String, CodingKey {
            case inputSize = "input_size", hiddenSize = "hidden_size", layers
        }
    }

    struct Case: Decodable {
        let config: Config
        let parameters: [String: Array]
        let input: Array
        let initialHidden: Array
        let initialCell: Array?
        let output: Array
        let finalHidden: Array
        let finalCell: Array?
        let outputZeroState: Array
        let finalHiddenZeroState: Array
        let finalCellZeroState: Array?
        let parameterGradients: [String: Array]
        let inputGradient: Array
        let initialHiddenGradient: Array
        let initialCellGradient: Array?

        enum CodingKeys: String, CodingKey {
            case config, parameters, input, output
            case initialHidden = "initial_hidden", initialCell = "initial_cell"
            case finalHidden = "final_hidden", finalCell = "final_cell"
            case outputZeroState = "output_zero_state", finalHiddenZeroState = "final_hidden_zero_state"
            case finalCellZeroState = "final_cell_zero_state", parameterGradients = "parameter_gradients"
            case inputGradient = "input_gradient", initialHiddenGradient = "initial_hidden_gradient"
            case initialCellGradient = "initial_cell_gradient"
        }
    }

    let gru: Case
    let lstm: Case

    static func load() throws -> RecurrentFixture {
        let url = try #require(Bundle.module.url(forResource: "recurrent_fixture", withExtension: "json", subdirectory: "Fixtures"))
        return try JSONDecoder().decode(RecurrentFixture.self, from: Data(contentsOf: url))
    }
}

/// Makes every parameter of `module` and each of `extra` a differentiation leaf, evaluates
/// `loss`, and returns the gradients of the parameters by name and of `extra` in order.
private func gradients(
    of module: some Module, extra: [Tensor], _ loss: ([Tensor]) -> Tensor
) -> (parameters: [String: Tensor], extra: [Tensor]) {
    let named = module.namedParameters()
    for (_, p) in named { p.value = p.value.requiringGradient() }
    defer { for (_, p) in named { p.value = p.value.detached() } }
    let leaves = extra.map { $0.requiringGradient() }
    let all = loss(leaves).gradients(withRespectTo: named.map(\.parameter.value) + leaves)
    var byName: [String: Tensor] = [:]
    for (k, (name, _)) in named.enumerated() { byName[name] = all[k] }
    return (byName, Swift.Array(all[named.count...]))
}

@Suite struct RecurrentTorchFixtureTests {
    // Outputs agree to 1e-5; gradients, sums over many steps, to 1e-4.
    static let outputTolerance: Float = 1e-5
    static let gradientTolerance: Float = 1e-4

    @Test("torch.nn.GRU outputs, final states and gradients are reproduced")
    func gru() throws {
        let fixture = try RecurrentFixture.load().gru
        var random = RandomGenerator(seed: 1)
        let model = GRU(inputSize: fixture.config.inputSize, hiddenSize: fixture.config.hiddenSize,
                        layerCount: fixture.config.layers, bidirectional: true, using: &random)
        try model.load(fixture.parameters.mapValues(\.tensor), strict: true)

        let (output, final) = model(fixture.input.tensor, initialState: fixture.initialHidden.tensor)
        expectClose(output, fixture.output.tensor, relativeTolerance: Self.outputTolerance, absoluteTolerance: Self.outputTolerance)
        expectClose(final, fixture.finalHidden.tensor, relativeTolerance: Self.outputTolerance, absoluteTolerance: Self.outputTolerance)
        let zero = model(fixture.input.tensor)
        expectClose(zero.output, fixture.outputZeroState.tensor, relativeTolerance: Self.outputTolerance, absoluteTolerance: Self.outputTolerance)
        expectClose(zero.finalState, fixture.finalHiddenZeroState.tensor, relativeTolerance: Self.outputTolerance, absoluteTolerance: Self.outputTolerance)

        let grads = gradients(of: model, extra: [fixture.input.tensor, fixture.initialHidden.tensor]) { leaves in
            let (output, final) = model(leaves[0], initialState: leaves[1])
            return output.squared().sum() + final.squared().sum()
        }
        for (name, expected) in fixture.parameterGradients {
            let actual = try #require(grads.parameters[name])
            expectClose(actual, expected.tensor, relativeTolerance: Self.gradientTolerance, absoluteTolerance: Self.gradientTolerance, name)
        }
        expectClose(grads.extra[0], fixture.inputGradient.tensor, relativeTolerance: Self.gradientTolerance, absoluteTolerance: Self.gradientTolerance)
        expectClose(grads.extra[1], fixture.initialHiddenGradient.tensor, relativeTolerance: Self.gradientTolerance, absoluteTolerance: Self.gradientTolerance)
    }

    @Test("torch.nn.LSTM outputs, final states and gradients are reproduced")
    func lstm() throws {
        let fixture = try RecurrentFixture.load().lstm
        var random = RandomGenerator(seed: 2)
        let model = LSTM(inputSize: fixture.config.inputSize, hiddenSize: fixture.config.hiddenSize,
                         layerCount: fixture.config.layers, bidirectional: true, using: &random)
        try model.load(fixture.parameters.mapValues(\.tensor), strict: true)
        let initialCell = try #require(fixture.initialCell).tensor

        let (output, final) = model(fixture.input.tensor, initialState: LSTMState(hidden: fixture.initialHidden.tensor, cell: initialCell))
        expectClose(output, fixture.output.tensor, relativeTolerance: Self.outputTolerance, absoluteTolerance: Self.outputTolerance)
        expectClose(final.hidden, fixture.finalHidden.tensor, relativeTolerance: Self.outputTolerance, absoluteTolerance: Self.outputTolerance)
        expectClose(final.cell, try #require(fixture.finalCell).tensor, relativeTolerance: Self.outputTolerance, absoluteTolerance: Self.outputTolerance)
        let zero = model(fixture.input.tensor)
        expectClose(zero.output, fixture.outputZeroState.tensor, relativeTolerance: Self.outputTolerance, absoluteTolerance: Self.outputTolerance)
        expectClose(zero.finalState.hidden, fixture.finalHiddenZeroState.tensor, relativeTolerance: Self.outputTolerance, absoluteTolerance: Self.outputTolerance)
        expectClose(zero.finalState.cell, try #require(fixture.finalCellZeroState).tensor, relativeTolerance: Self.outputTolerance, absoluteTolerance: Self.outputTolerance)

        let grads = gradients(of: model, extra: [fixture.input.tensor, fixture.initialHidden.tensor, initialCell]) { leaves in
            let (output, final) = model(leaves[0], initialState: LSTMState(hidden: leaves[1], cell: leaves[2]))
            return output.squared().sum() + final.hidden.squared().sum() + final.cell.squared().sum()
        }
        for (name, expected) in fixture.parameterGradients {
            let actual = try #require(grads.parameters[name])
            expectClose(actual, expected.tensor, relativeTolerance: Self.gradientTolerance, absoluteTolerance: Self.gradientTolerance, name)
        }
        expectClose(grads.extra[0], fixture.inputGradient.tensor, relativeTolerance: Self.gradientTolerance, absoluteTolerance: Self.gradientTolerance)
        expectClose(grads.extra[1], fixture.initialHiddenGradient.tensor, relativeTolerance: Self.gradientTolerance, absoluteTolerance: Self.gradientTolerance)
        expectClose(grads.extra[2], try #require(fixture.initialCellGradient).tensor, relativeTolerance: Self.gradientTolerance, absoluteTolerance: Self.gradientTolerance)
    }
}
