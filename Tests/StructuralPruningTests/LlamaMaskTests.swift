import Foundation
import ModelZoo
import PruningCore
import PruningTestSupport
import StructuralPruning
import Testing

@Suite("LLaMA block masks, parameter cost and export")
struct LlamaMaskTests {
    func widths(_ gates: LlamaBlockGates) -> GateSetLike { GateSetLike(widths: gates.gates.gates.map(\.width)) }

    @Test("All-ones masks reproduce the dense model, in the masked forward and in the export")
    func onesReproduceDense() throws {
        let model = try tinyModel()
        let gates = try LlamaBlockGates(configuration: model.configuration)
        let ones = gates.gates.gates.map { Tensor.ones([$0.width]) }
        let tokens = randomSequences(count: 2, length: 9)
        let dense = withoutGradients { model.logits(for: tokens) }
        let masked = withoutGradients { model.logits(for: tokens, hook: gates.hook(masks: ones)) }
        expectClose(masked, dense, relativeTolerance: 0, absoluteTolerance: 0)
        let exported = try LlamaMaskExport.prunedModel(model, masks: ones)
        #expect(exported.configuration.isDense)
        expectClose(withoutGradients { exported.logits(for: tokens) }, dense, relativeTolerance: 0, absoluteTolerance: 0)
    }

    @Test("The index-select / index-add model equals the hard-masked dense model (within 1e-5)")
    func exportEqualsMasked() throws {
        let model = try tinyModel()
        let gates = try LlamaBlockGates(configuration: model.configuration)
        let tokens = randomSequences(count: 2, length: 11, seed: 4)
        for seed in 1...3 as ClosedRange<UInt64> {
            let masks = randomHardMasks(widths(gates), keep: 0.6, seed: seed)
            let masked = withoutGradients { model.logits(for: tokens, hook: gates.hook(masks: masks)) }
            let exported = try LlamaMaskExport.prunedModel(model, masks: masks)
            let difference = maximumDifference(withoutGradients { exported.logits(for: tokens) }, masked)
            #expect(difference < 1e-5, "seed \(seed): \(difference)")
            #expect(exported.configuration.layers[0].attentionInputIndices == GateSet.keptIndices(masks[0]))
        }
    }

    @Test("The grouped-query parameter formula equals the count of the materialized model's tensors")
    func formulaMatchesTensors() throws {
        let model = try tinyModel()
        let gates = try LlamaBlockGates(configuration: model.configuration)
        let cost = LlamaParameterCost(gates)
        #expect(Int(cost.fullCost) == LlamaMaskExport.blockParameterCount(of: model))
        // Dense SmolLM2 geometry: 884,736 attention + 2,654,208 MLP weights per block.
        let smol = try LlamaBlockGates(configuration: .smolLM2_135M)
        #expect(LlamaParameterCost(smol).fullCost == 30 * (884_736 + 2_654_208))
        for seed in 5...8 as ClosedRange<UInt64> {
            let masks = randomHardMasks(widths(gates), keep: 0.5, seed: seed)
            let exported = try LlamaMaskExport.prunedModel(model, masks: masks)
            let counted = LlamaMaskExport.blockParameterCount(of: exported)
            #expect(cost.count(hardMasks: masks) == counted)
            #expect(Int(cost.cost(masks).scalars[0].rounded()) == counted)
        }
    }

    @Test("The parameter cost passes gradients to the masks: ∂P/∂|m4| = 2|m3| + |m5|")
    func costGradient() throws {
        let model = try tinyModel(tinyConfiguration(layers: 1))
        let gates = try LlamaBlockGates(configuration: model.configuration)
        let cost = LlamaParameterCost(gates)
        let masks = randomHardMasks(widths(gates), keep: 0.5, seed: 2).map { $0.requiringGradient() }
        let gradients = cost.cost(masks).gradients(withRespectTo: masks)
        let n = masks.map { $0.scalars.reduce(0, +) }
        #expect(gradients[3].scalars.allSatisfy { $0 == 2 * n[2] + n[4] })
        #expect(gradients[0].scalars.allSatisfy { $0 == Float(4 * 6 + 2 * 2 * 6) })
        #expect(gradients[1].scalars.allSatisfy { $0 == Float(4 * 6) })
    }

    @Test("A saved pruned model reloads with identical outputs; bad index lists are rejected at load, naming layer and list")
    func saveReloadAndRejectBadLists() throws {
        let model = try tinyModel()
        let gates = try LlamaBlockGates(configuration: model.configuration)
        let exported = try LlamaMaskExport.prunedModel(model, masks: randomHardMasks(widths(gates), keep: 0.5, seed: 9))
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("disp-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try exported.save(toDirectory: folder)
        let reloaded = try LlamaModel.load(from: folder)
        let tokens = randomSequences(count: 1, length: 8)
        expectClose(withoutGradients { reloaded.logits(for: tokens) }, withoutGradients { exported.logits(for: tokens) },
                    relativeTolerance: 0, absoluteTolerance: 0)

        for (list, bad) in [("attention_input_indices", [0, 0, 3]), ("mlp_output_indices", [1, 99])] {
            var configuration = exported.configuration
            if list == "attention_input_indices" { configuration.layers[1].attentionInputIndices = bad } else { configuration.layers[1].mlpOutputIndices = bad }
            let broken = folder.appendingPathComponent("broken-\(list)")
            try FileManager.default.createDirectory(at: broken, withIntermediateDirectories: true)
            try SafeTensors.write(exported.stateDictionary(), to: broken.appendingPathComponent(LlamaModel.weightsFileName))
            try configuration.write(to: broken.appendingPathComponent(LlamaModel.configurationFileName))
            do {
                _ = try LlamaModel.load(from: broken)
                Issue.record("\(list) \(bad) was accepted")
            } catch let error as LlamaConfigurationError {
                #expect("\(error)".contains("layers[1].\(list)"), "\(error)")
            }
        }
    }

    @Test("Bad input: empty structures, mismatched masks and already-pruned models are typed errors")
    func badInput() throws {
        let model = try tinyModel()
        let gates = try LlamaBlockGates(configuration: model.configuration)
        var masks = gates.gates.gates.map { Tensor.ones([$0.width]) }
        masks[7] = Tensor.zeros([masks[7].count])
        #expect(throws: StructuralPruningError.emptyStructure(gate: "layers.1.s3")) {
            try LlamaMaskExport.prunedModel(model, masks: masks)
        }
        #expect(throws: StructuralPruningError.maskShapeMismatch(gate: "(gate count)", expected: 10, actual: 9)) {
            try LlamaMaskExport.prunedModel(model, masks: Array(masks.prefix(9)))
        }
        let pruned = try LlamaMaskExport.prunedModel(model, masks: randomHardMasks(widths(gates), keep: 0.5, seed: 1))
        #expect(throws: StructuralPruningError.modelAlreadyPruned(layer: 0, field: "residual index lists")) {
            try DISPLLMPruner(model: pruned, configuration: DISPLLMConfiguration(keptFraction: 0.5))
        }
    }
}
