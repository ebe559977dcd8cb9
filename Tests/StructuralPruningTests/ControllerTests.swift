import PruningCore
import PruningTestSupport
import StructuralPruning
import Testing

@Suite("Controllers")
struct ControllerTests {
    func gates() throws -> GateSet {
        try GateSet([.init(name: "a", width: 3), .init(name: "b", width: 5), .init(name: "c", width: 2)])
    }

    @Test("The BiGRU hypernetwork's gradients match finite differences (head and GRU weights)")
    func hypernetworkGradients() throws {
        var random = RandomGenerator(seed: 3)
        let settings = HyperStructure.Settings(codeSize: 4, hiddenSize: 3, codes: .normal, activation: .gelu)
        let network = try HyperStructure(gates: try gates(), settings: settings, using: &random)
        let parameters = network.namedParameters().filter { !$0.parameter.isBuffer }
        let picked = parameters.filter { ["heads.1.weight", "gru.weight_ih_l0", "gru.weight_hh_l0_reverse", "norm.weight"].contains($0.name) }
        #expect(picked.count == 4)
        checkGradients(of: { values in
            let saved = picked.map { $0.parameter.value }
            for (entry, value) in zip(picked, values) { entry.parameter.value = value }
            defer { for (entry, value) in zip(picked, saved) { entry.parameter.value = value } }
            return Tensor.concatenate(network.logits(), alongAxis: 0)
        }, at: picked.map { $0.parameter.value }, step: 1e-2, relativeTolerance: 3e-2, absoluteTolerance: 3e-3)
    }

    @Test("Hypernetwork shapes, orthogonal codes and names; codes are a buffer")
    func hypernetworkShapes() throws {
        var random = RandomGenerator(seed: 1)
        let network = try HyperStructure(gates: try gates(), settings: .channelPruning, using: &random)
        #expect(network.logits().map(\.shape) == [[3], [5], [2]])
        let codes = network.codes.value.reshaped(to: [3, 64])
        let gram = codes.matmul(codes, transposingOther: true)
        expectClose(gram, Tensor.eye(3), relativeTolerance: 0, absoluteTolerance: 1e-4)
        #expect(network.codes.isBuffer && !network.trainableParameters().contains { $0 === network.codes })
        #expect(network.namedParameters().map(\.name).contains("heads.2.weight"))
        #expect(throws: StructuralPruningError.self) {
            try HyperStructure(gates: try gates(), settings: .init(codeSize: 0, hiddenSize: 3, codes: .normal, activation: .relu), using: &random)
        }
    }

    @Test("Free logits and the conditional controller give one vector per gate; bad conditions throw")
    func otherControllers() throws {
        var random = RandomGenerator(seed: 2)
        let free = FreeLogits(gates: try gates(), initialValue: 0.5, using: &random)
        #expect(free.logits().map(\.scalars) == [[0.5, 0.5, 0.5], [0.5, 0.5, 0.5, 0.5, 0.5], [0.5, 0.5]])
        let conditional = try ConditionalController(gates: try gates(), conditionSize: 4, using: &random)
        let out = try conditional.logits(condition: Tensor.zeros([2, 4]))
        #expect(out.map(\.shape) == [[2, 3], [2, 5], [2, 2]])
        #expect(throws: StructuralPruningError.conditionShapeMismatch(expected: 4, actual: [2, 3])) {
            try conditional.logits(condition: Tensor.zeros([2, 3]))
        }
    }
}
