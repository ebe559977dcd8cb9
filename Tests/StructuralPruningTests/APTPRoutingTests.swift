import Foundation
import PruningCore
import PruningTestSupport
import StructuralPruning
import Testing

@Suite("APTP routing: Sinkhorn transport and the architecture contrastive loss")
struct APTPRoutingTests {
    @Test("Sinkhorn: every prompt's row sums to 1, codes share the batch equally, and a batch that prefers one code is spread over all")
    func sinkhorn() throws {
        var random = RandomGenerator(seed: 3)
        let similarities = Tensor.randomUniform([8, 4], lower: -1, upper: 1, using: &random)
        let plan = try SinkhornRouting(epsilon: 0.5, iterations: 50).plan(similarities)
        for row in plan { #expect(abs(row.reduce(0, +) - 1) < 1e-9) }
        for code in 0..<4 {
            let usage: Double = plan.map { $0[code] }.reduce(0, +)
            #expect(abs(usage - 2) < 1e-3, "code \(code): \(usage)")
        }
        // Every prompt is closest to code 0, by a small margin: nearest-code routing collapses,
        // the transport plan (APTP's 3 rounds) uses every code.
        var values = [Float](repeating: 0.9, count: 32)
        for prompt in 0..<8 {
            values[prompt * 4] = 0.95
            values[prompt * 4 + 1 + prompt % 3] += Float(prompt) * 0.001
        }
        let skewed = Tensor(shape: [8, 4], scalars: values)
        #expect(Set(SinkhornRouting.nearest(skewed)) == [0])
        #expect(Set(try SinkhornRouting().assign(skewed)).count == 4)
        #expect(SinkhornRouting.nearest(similarities) == SinkhornRouting.nearest(similarities))
        #expect(throws: StructuralPruningError.self) { try SinkhornRouting(epsilon: 0) }
    }

    @Test("Contrastive loss: the value on a hand case and gradients against finite differences")
    func contrastive() throws {
        // Two prompts and two architectures, each pair orthogonal: both similarity matrices are
        // the identity, so A = P = softmax([1/τ, 0]) row-wise.
        let loss = try ArchitectureContrastiveLoss(architectureTemperature: 0.5, promptTemperature: 0.5)
        let eye = Tensor(shape: [2, 2], scalars: [1, 0, 0, 1])
        let p = exp(2.0) / (exp(2.0) + 1)
        let bce = -(p * log(p) + (1 - p) * log(1 - p))
        #expect(abs(Double(loss(architectures: eye, prompts: eye).scalars[0]) - bce) < 1e-5)
        // Aligned architectures cost less than architectures that swap the prompts' structure.
        let prompts = Tensor(shape: [3, 2], scalars: [1, 0, 0.9, 0.1, 0, 1])
        let aligned = Tensor(shape: [3, 2], scalars: [1, 0, 0.9, 0.1, 0, 1])
        let swapped = Tensor(shape: [3, 2], scalars: [1, 0, 0, 1, 0.9, 0.1])
        #expect(loss(architectures: aligned, prompts: prompts).scalars[0] < loss(architectures: swapped, prompts: prompts).scalars[0])
        var random = RandomGenerator(seed: 4)
        let architectures = Tensor.randomNormal([3, 4], using: &random)
        checkGradients(of: { loss(architectures: $0[0], prompts: prompts) }, at: [architectures], step: 1e-2)
    }
}
