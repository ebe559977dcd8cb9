import Foundation
import ModelZoo
import PruningCore
import PruningTestSupport
import StructuralPruning
import Testing

/// A small U-Net (8/16/16 channels, groups of 4, 2 heads) so the tests stay fast.
private func smallNetwork(seed: UInt64 = 1) -> DiffusionUNet {
    var random = RandomGenerator(seed: seed)
    let network = DiffusionUNet(configuration: .init(widths: [8, 16, 16], conditionSize: 6, embeddingSize: 12, groupSize: 4, heads: 2), using: &random)
    network.eval()
    return network
}

private func largestDifference(_ a: Tensor, _ b: Tensor) -> Float { (a - b).abs().max().scalars[0] }

@Suite("APTP: the architecture space, costs, router, experts and the pruning stage")
struct APTPTests {
    @Test("Depth gates are nested along the depth order, every block and the attention keep at least one entry")
    func nestedDepthAndNonEmptyWidth() throws {
        let network = smallNetwork()
        let space = try DiffusionArchitectureSpace(network: network)
        #expect(space.size == 2 + 4 + 4 + 4 + 4 + 2 + 2 + 6)
        var random = RandomGenerator(seed: 5)
        let logits = Tensor.randomNormal([64, space.size], using: &random) * 4 - 3
        for (hard, sample) in [(true, space.hardGates(logits)), (false, space.relaxedGates(logits, using: &random))] {
            let parts = space.gates.split(sample)
            for row in 0..<64 {
                let depth = parts[space.blockCount + 1].scalars[(row * 6)..<((row + 1) * 6)].map { $0 >= 0.5 }
                let ordered = space.depthOrder.map { depth[$0] }
                #expect(ordered[0], "the first block of the order is always kept")
                // Noise-free gates: once a block of the order is dropped, every later one is too
                // (relaxed samples draw each entry's noise independently, so only their keep
                // probabilities are nested).
                if hard, let first = ordered.firstIndex(of: false) { #expect(ordered[first...].allSatisfy { !$0 }, "row \(row): \(ordered)") }
                for gate in 0...space.blockCount {
                    let width = space.gates.gates[gate].width
                    #expect(parts[gate].scalars[(row * width)..<((row + 1) * width)].contains { $0 >= 0.5 }, "row \(row), gate \(gate)")
                }
            }
        }
        // Very negative logits still keep one group per block, one head and the first block.
        let architecture = space.architecture(ofHardGates: space.hardGates(Tensor.full([1, space.size], -50)))
        #expect(architecture.shape.heads == 1)
        #expect(architecture.shape.innerChannels[space.depthOrder[0]] == 4)
        #expect(throws: StructuralPruningError.self) { try DiffusionArchitectureSpace(network: network, depthOrder: [0, 1, 2, 3, 4, 4]) }
    }

    @Test("Each expert's export computes what the gated U-Net computes with that code, and its MACs are the cost model's")
    func exportEqualsGatedNetwork() throws {
        let network = smallNetwork()
        let space = try DiffusionArchitectureSpace(network: network)
        let cost = DiffusionCostModel(network: network, space: space)
        var random = RandomGenerator(seed: 9)
        let router = try PromptRouter(space: space, codeCount: 3, conditionSize: 6, using: &random)
        // Codes that prune groups, heads and (code 2) the two middle blocks' branches.
        router.codebook.codes.value = Tensor.randomNormal([3, space.size], using: &random) * 3 - 2
        let x = Tensor.randomNormal([2, 1, 28, 28], using: &random)
        let prompt = Tensor.randomNormal([2, 6], using: &random)
        var sawRemovedBranch = false
        for code in 0..<3 {
            let gates = router.codeGates().sliced(alongAxis: 0, from: code, count: 1)
            let expert = try PromptRoutedPruning.pruned(network, gates: gates, space: space)
            let batchGates = Tensor.concatenate([gates, gates], alongAxis: 0)
            let gated = withoutGradients { network(x, steps: [40, 700], condition: prompt, masks: space.masks(batchGates)) }
            let exported = withoutGradients { expert(x, steps: [40, 700], condition: prompt) }
            #expect(largestDifference(gated, exported) < 1e-4, "code \(code)")
            #expect(expert.multiplyAccumulates() == cost.multiplyAccumulates(hardGates: gates))
            let ratio = Double(cost.ratios(gates).scalars[0])
            #expect(abs(ratio * Double(cost.fullMACs) - Double(expert.multiplyAccumulates())) < 1e-3 * Double(cost.fullMACs))
            #expect(expert.parameterCount < network.parameterCount)
            sawRemovedBranch = sawRemovedBranch || expert.shape.innerChannels.contains(0)
        }
        #expect(sawRemovedBranch, "the codes should remove at least one branch")
        #expect(cost.fullMACs == network.multiplyAccumulates())
    }

    @Test("The unpruned MAC count matches a hand count of the small U-Net")
    func handCountedMACs() {
        let network = smallNetwork()
        let (p0, p1, p2) = (784, 196, 49)
        var macs = 9 * 1 * 8 * p0 * 2                                  // stem, output
        macs += 64 * 12 + 12 * 12 + 6 * 12                             // step MLP, prompt projection
        macs += 9 * 8 * 16 * p1 + 9 * 16 * 16 * p2                      // downsampling
        func block(_ c: Int, _ k: Int, _ o: Int, _ p: Int) -> Int { 9 * c * k * p + 12 * 2 * k + 9 * k * o * p + (c == o ? 0 : c * o * p) }
        macs += block(8, 8, 8, p0) + block(16, 16, 16, p1) + block(16, 16, 16, p2) + block(16, 16, 16, p2)
        macs += block(32, 16, 16, p1) + block(24, 8, 8, p0)
        macs += p2 * 16 * 48 + 2 * p2 * p2 * 16 + p2 * 16 * 16          // attention: qkv, scores and values, projection
        #expect(network.multiplyAccumulates() == macs)
    }

    @Test("The cost ratio and the architecture normalization match finite differences")
    func gradients() throws {
        let network = smallNetwork()
        let space = try DiffusionArchitectureSpace(network: network)
        let cost = DiffusionCostModel(network: network, space: space)
        let gates = testTensor([3, space.size], lower: 0.1, upper: 0.9, seed: 4)
        checkGradients(of: { cost.ratios($0[0]) }, at: [gates], step: 1e-2)
        checkGradients(of: { space.normalized($0[0]) }, at: [gates], step: 1e-2)
        // The relaxed sample with fixed noise (a fresh generator of one seed per evaluation).
        let logits = testTensor([2, space.size], lower: -2, upper: 2, seed: 6)
        checkGradients(of: { logits in
            var random = RandomGenerator(seed: 11)
            return space.relaxedGates(logits[0] * 0.1, using: &random)
        }, at: [logits], step: 1e-2, relativeTolerance: 5e-2, absoluteTolerance: 5e-3)
    }

    @Test("Inference routing is deterministic and row-wise: a batch routes as its rows do, twice the same")
    func routingDeterminism() throws {
        let network = smallNetwork()
        let space = try DiffusionArchitectureSpace(network: network)
        var random = RandomGenerator(seed: 2)
        let router = try PromptRouter(space: space, codeCount: 4, conditionSize: 6, using: &random)
        router.codebook.codes.value = Tensor.randomNormal([4, space.size], using: &random) * 3 - 1
        for head in router.predictor.heads { head.weight.value = Tensor.randomNormal(head.weight.shape, using: &random) * 2 }
        let prompts = Tensor.randomNormal([16, 6], using: &random)
        let routes = try router.route(prompts)
        #expect(try router.route(prompts) == routes)
        for row in 0..<16 { #expect(try router.route(prompts.sliced(alongAxis: 0, from: row, count: 1)) == [routes[row]]) }
        #expect(Set(routes).count > 1, "random codes and predictor should use more than one code: \(routes)")
        #expect(throws: StructuralPruningError.self) { try router.route(Tensor.zeros([2, 5])) }
        // A saved and reloaded router routes the same.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("aptp-router-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try router.save(toDirectory: folder, network: network.configuration)
        #expect(try PromptRouter.load(fromDirectory: folder).route(prompts) == routes)
    }

    @Test("The pruning stage: the warm-up leaves the codes alone, routed updates train them towards the MAC target with every code used")
    func pruningStage() throws {
        let network = smallNetwork()
        var random = RandomGenerator(seed: 8)
        let images = Tensor.randomUniform([32, 1, 28, 28], lower: -1, upper: 1, using: &random)
        let conditions = Tensor.randomNormal([32, 6], using: &random)
        var configuration = APTPConfiguration()
        configuration.steps = 40
        configuration.warmupSteps = 5
        configuration.batchSize = 16
        configuration.learningRate = 0.1
        configuration.learningRateWarmup = 1
        let stage = try PromptRoutedPruning(network: network, schedule: NoiseSchedule(kind: .cosine, steps: 100), images: images,
                                            conditions: conditions, configuration: configuration)
        let initialCodes = stage.router.codebook.codes.value
        let weights = network.stateDictionary()
        for _ in 0..<5 { #expect(!stage.step().routed) }
        #expect(largestDifference(stage.router.codebook.codes.value, initialCodes) == 0)
        let records = stage.run()
        #expect(records.allSatisfy { $0.routed })
        #expect(largestDifference(stage.router.codebook.codes.value, initialCodes) > 0.5)
        #expect(records.last!.meanRatio < 0.8, "MAC ratio \(records.last!.meanRatio)")
        // Optimal transport spreads the routed batches over the four codes.
        let usage = (0..<4).map { code in records.reduce(0) { $0 + $1.codeUsage[code] } }
        #expect(usage.allSatisfy { $0 > 0 }, "\(usage)")
        let largest = records.map { Double($0.codeUsage.max()!) / 16 }.reduce(0, +) / Double(records.count)
        #expect(largest < 0.6, "mean largest share \(largest)")
        // The U-Net's weights are frozen.
        for (name, value) in network.stateDictionary() { #expect(largestDifference(value, weights[name]!) == 0, "\(name)") }
        var bad = configuration
        bad.warmupSteps = 40
        #expect(throws: StructuralPruningError.self) { try PromptRoutedPruning(network: network, schedule: NoiseSchedule(), images: images, conditions: conditions, configuration: bad) }
        #expect(throws: StructuralPruningError.self) {
            try PromptRoutedPruning(network: network, schedule: NoiseSchedule(), images: images, conditions: Tensor.zeros([32, 5]), configuration: configuration)
        }
    }

    @Test("Magnitude pruning keeps the largest-norm groups and heads within the MAC budget")
    func magnitudeBaseline() throws {
        let network = smallNetwork()
        let space = try DiffusionArchitectureSpace(network: network)
        let cost = DiffusionCostModel(network: network, space: space)
        let gates = try DiffusionMagnitudePruning.gates(for: network, keptFraction: 0.6, cost: cost)
        let macs = cost.multiplyAccumulates(hardGates: gates)
        #expect(Double(macs) <= 0.6 * Double(cost.fullMACs))
        #expect(Double(macs) > 0.4 * Double(cost.fullMACs))
        let parts = space.gates.split(gates)
        let block = network.blocks[1]
        let norms = block.conv1.weight.value.reshaped(to: [16, -1]).abs().sum(alongAxis: 1).scalars
        let groupNorms = (0..<4).map { g in norms[(4 * g)..<(4 * g + 4)].reduce(0, +) }
        let kept = parts[1].scalars
        for a in 0..<4 where kept[a] == 1 { for b in 0..<4 where kept[b] == 0 { #expect(groupNorms[a] >= groupNorms[b]) } }
        #expect(parts[space.blockCount + 1].scalars.allSatisfy { $0 == 1 }, "magnitude pruning removes no branch")
        #expect(throws: StructuralPruningError.self) { try DiffusionMagnitudePruning.gates(for: network, keptFraction: 0.01, cost: cost) }
    }

    @Test("Expert fine-tuning lowers its distillation loss and keeps the expert's shape")
    func fineTuning() throws {
        let network = smallNetwork()
        let space = try DiffusionArchitectureSpace(network: network)
        let gates = try DiffusionMagnitudePruning.gates(for: network, keptFraction: 0.6, cost: DiffusionCostModel(network: network, space: space))
        let expert = try PromptRoutedPruning.pruned(network, gates: gates, space: space)
        let shape = expert.shape
        var random = RandomGenerator(seed: 3)
        let images = Tensor.randomUniform([16, 1, 28, 28], lower: -1, upper: 1, using: &random)
        let conditions = Tensor.randomNormal([16, 6], using: &random)
        var recipe = ExpertFineTuning(steps: 30)
        recipe.batchSize = 8
        recipe.learningRate = 3e-3
        recipe.warmupSteps = 1
        let losses = try recipe.train(expert, teacher: network, schedule: NoiseSchedule(kind: .cosine, steps: 100), images: images, conditions: conditions)
        let head = losses.prefix(5).reduce(0, +) / 5, tail = losses.suffix(5).reduce(0, +) / 5
        #expect(tail < head, "loss \(head) → \(tail)")
        #expect(expert.shape == shape)
    }

    @Test("Shared-budget fine-tuning: each expert gets its share of the updates on its own prompts; the same as training it alone")
    func sharedFineTuning() throws {
        let network = smallNetwork()
        let space = try DiffusionArchitectureSpace(network: network)
        let cost = DiffusionCostModel(network: network, space: space)
        func expert() throws -> DiffusionUNet {
            try PromptRoutedPruning.pruned(network, gates: try DiffusionMagnitudePruning.gates(for: network, keptFraction: 0.6, cost: cost), space: space)
        }
        let experts = [try expert(), try expert(), try expert()]
        var random = RandomGenerator(seed: 4)
        let images = Tensor.randomUniform([8, 1, 28, 28], lower: -1, upper: 1, using: &random)
        let conditions = Tensor.randomNormal([8, 6], using: &random)
        let assignment = [0, 0, 0, 0, 0, 0, 1, 1]   // expert 2 has no prompts
        let schedule = NoiseSchedule(kind: .cosine, steps: 100)
        var recipe = ExpertFineTuning(steps: 0)
        recipe.batchSize = 4
        recipe.seed = 7
        var calls: [(Int, Int, Int)] = []
        try recipe.train(experts: experts, assignment: assignment, totalSteps: 8, teacher: network, schedule: schedule,
                         images: images, conditions: conditions) { code, prompts, steps, losses in
            calls.append((code, prompts, steps))
            #expect(losses.count == steps)
        }
        #expect(calls.map(\.0) == [0, 1] && calls.map(\.1) == [6, 2] && calls.map(\.2) == [6, 2])
        // Expert 1 equals a copy trained alone on its two prompts with seed 7 + 1; expert 2 is untouched.
        let alone = try expert()
        var single = recipe
        single.steps = 2
        single.seed = 8
        try single.train(alone, teacher: network, schedule: schedule, images: images.sliced(alongAxis: 0, from: 6, count: 2),
                         conditions: conditions.sliced(alongAxis: 0, from: 6, count: 2))
        let probe = images.sliced(alongAxis: 0, from: 0, count: 2), condition = conditions.sliced(alongAxis: 0, from: 0, count: 2)
        [experts[1], experts[2], alone].forEach { $0.eval() }
        let outputs = withoutGradients { [experts[1], experts[2], alone, try! expert()].map { $0(probe, steps: [40, 40], condition: condition) } }
        #expect(largestDifference(outputs[0], outputs[2]) < 1e-6)
        #expect(largestDifference(outputs[1], outputs[3]) == 0)
        #expect(throws: StructuralPruningError.self) {
            try recipe.train(experts: experts, assignment: [0, 3], totalSteps: 2, teacher: network, schedule: schedule, images: images, conditions: conditions)
        }
    }
}
