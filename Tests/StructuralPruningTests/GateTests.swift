import Foundation
import PruningCore
import PruningTestSupport
import StructuralPruning
import Testing

@Suite("Gates and relaxations")
struct GateTests {
    @Test("Gate sets reject empty, non-positive and repeated gates, and split what they concatenate")
    func gateSetValidation() throws {
        #expect(throws: StructuralPruningError.self) { try GateSet([]) }
        #expect(throws: StructuralPruningError.invalidGate(name: "a", reason: "width 0 must be positive")) {
            try GateSet([.init(name: "a", width: 0)])
        }
        #expect(throws: StructuralPruningError.invalidGate(name: "a", reason: "the name is used twice")) {
            try GateSet([.init(name: "a", width: 2), .init(name: "a", width: 3)])
        }
        let gates = try GateSet([.init(name: "a", width: 2), .init(name: "b", width: 3, granularity: .group(size: 2))])
        #expect(gates.totalWidth == 5 && gates.offsets == [0, 2])
        let vector = Tensor([1, 2, 3, 4, 5])
        let parts = gates.split(vector)
        #expect(parts[0].scalars == [1, 2] && parts[1].scalars == [3, 4, 5])
        #expect(gates.concatenated(parts).scalars == vector.scalars)
        #expect(gates.channelMask(Tensor([1, 0, 1]), gate: 1).scalars == [1, 1, 0, 0, 1, 1])
        #expect(throws: StructuralPruningError.maskShapeMismatch(gate: "b", expected: 3, actual: 4)) {
            try gates.validate([Tensor([1, 1]), Tensor([1, 1, 1, 1])])
        }
    }

    @Test("Gumbel-sigmoid: the relaxed mean tends to 1 − exp(−e^(o+b)) as T → 0; hard samples have that mean at T = 0.4")
    func gumbelStatistics() throws {
        let logits = Tensor([-4, -3.5, -3, -2.5, 0])
        let cold = try GumbelSigmoid(temperature: 0.01, offset: 3)
        let n = 20_000
        var random = RandomGenerator(seed: 11)
        var relaxedSum = [Double](repeating: 0, count: 5), hardSum = [Double](repeating: 0, count: 5)
        for _ in 0..<n {
            for (i, v) in cold.relaxed(logits, using: &random).scalars.enumerated() { relaxedSum[i] += Double(v) }
            for (i, v) in GumbelSigmoid.papers.hard(logits, using: &random).scalars.enumerated() { hardSum[i] += Double(v) }
        }
        let expected = cold.keepProbability(logits).scalars
        // Binomial standard error at n = 20,000 is at most 0.0036; allow 4 of them.
        for i in 0..<5 {
            #expect(abs(relaxedSum[i] / Double(n) - Double(expected[i])) < 0.015, "entry \(i)")
            #expect(abs(hardSum[i] / Double(n) - Double(expected[i])) < 0.015, "entry \(i)")
        }
        // The offset starts every gate nearly open.
        #expect(GumbelSigmoid.papers.noiseFree(Tensor([0])).scalars[0] > 0.999)
        #expect(GumbelSigmoid.papers.deterministic(Tensor([-3.1, -2.9])).scalars == [0, 1])
    }

    @Test("Hard concrete: the logistic limit σ(o) as β → 0 and the paper's non-zero probability")
    func hardConcreteStatistics() throws {
        let logits = Tensor([-1.5, 0, 1])
        let sharp = try HardConcrete(temperature: 0.01)
        let gate = try HardConcrete()
        let n = 20_000
        var random = RandomGenerator(seed: 5)
        var above = [Double](repeating: 0, count: 3), nonZero = [Double](repeating: 0, count: 3)
        for _ in 0..<n {
            for (i, v) in sharp.sample(logits, using: &random).scalars.enumerated() where v > 0.5 { above[i] += 1 }
            for (i, v) in gate.sample(logits, using: &random).scalars.enumerated() where v > 0 { nonZero[i] += 1 }
        }
        let sigmoid = logits.sigmoid().scalars, probability = gate.nonZeroProbability(logits).scalars
        for i in 0..<3 {
            #expect(abs(above[i] / Double(n) - Double(sigmoid[i])) < 0.015, "entry \(i)")
            #expect(abs(nonZero[i] / Double(n) - Double(probability[i])) < 0.015, "entry \(i)")
        }
        #expect(throws: StructuralPruningError.self) { try HardConcrete(lower: 0.1) }
    }

    @Test("Straight-through: the hard mask's gradient equals the soft sample's gradient under the same noise")
    func straightThroughGradient() throws {
        let logits = Tensor([-3.2, -2.8, -3.0, 1.0, -4.0])
        let weights = Tensor([0.3, -1.2, 2.0, 0.7, -0.4])
        for relaxation in [GateRelaxation.papers, .sigmoid(temperature: 0.5), .hardConcrete(try HardConcrete())] {
            var a = RandomGenerator(seed: 9), b = RandomGenerator(seed: 9)
            let leafA = logits.requiringGradient(), leafB = logits.requiringGradient()
            let hard = relaxation.hard(leafA, using: &a)
            let soft = relaxation.soft(leafB, using: &b)
            #expect(hard.scalars.allSatisfy { $0 == 0 || $0 == 1 })
            let gHard = (hard * weights).sum().gradients(withRespectTo: [leafA])[0]
            let gSoft = (soft * weights).sum().gradients(withRespectTo: [leafB])[0]
            expectClose(gHard, gSoft, relativeTolerance: 1e-6, absoluteTolerance: 0)
        }
        // The hard threshold differentiates as σ(o).
        let leaf = logits.requiringGradient()
        var random = RandomGenerator(seed: 1)
        let g = (GateRelaxation.hardThreshold.hard(leaf, using: &random) * weights).sum().gradients(withRespectTo: [leaf])[0]
        let s = logits.sigmoid().scalars
        expectClose(g, Tensor(zip(s, weights.scalars).map { $0 * (1 - $0) * $1 }), relativeTolerance: 1e-5)
    }

    @Test("Relaxations reject invalid temperatures")
    func invalidTemperatures() {
        #expect(throws: StructuralPruningError.invalidSetting(field: "temperature", value: 0, expected: "a finite value > 0")) {
            try GumbelSigmoid(temperature: 0)
        }
        #expect(throws: StructuralPruningError.self) { try GumbelSigmoid(offset: .nan) }
    }
}
