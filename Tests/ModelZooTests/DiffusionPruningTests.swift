import Foundation
import ModelZoo
import PruningCore
import Testing

@Suite("Diffusion U-Net pruning and persistence; the RBF MMD")
struct DiffusionPruningTests {
    private func network() -> DiffusionUNet {
        var random = RandomGenerator(seed: 1)
        return DiffusionUNet(configuration: .init(widths: [8, 16, 16], conditionSize: 6, embeddingSize: 12, groupSize: 4, heads: 2), using: &random)
    }

    @Test("A pruned U-Net (groups, a removed branch, a head) saves, reloads with its shape and computes the same")
    func saveAndReload() throws {
        let model = network()
        try model.prune(keptGroups: [[1], [0, 3], [], [2, 3], [0, 1, 2, 3], [0]], keptHeads: [1])
        #expect(model.shape == DiffusionUNet.Shape(innerChannels: [4, 8, 0, 8, 16, 4], heads: 1))
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("diffusion-save-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try model.save(toDirectory: folder)
        let reloaded = try DiffusionUNet.load(fromDirectory: folder)
        #expect(reloaded.shape == model.shape)
        var random = RandomGenerator(seed: 2)
        let x = Tensor.randomNormal([2, 1, 28, 28], using: &random)
        let prompt = Tensor.randomNormal([2, 6], using: &random)
        model.eval()
        let difference = withoutGradients { (model(x, steps: [3, 300], condition: prompt) - reloaded(x, steps: [3, 300], condition: prompt)).abs().max().scalars[0] }
        #expect(difference == 0)
        #expect(reloaded.multiplyAccumulates() < network().multiplyAccumulates())
    }

    @Test("Bad shapes are rejected naming the field")
    func badShapes() throws {
        let model = network()
        #expect(throws: DiffusionModelFileError.invalidShape(field: "keptHeads", reason: "[] are not distinct heads of 0..<2")) {
            try model.prune(keptGroups: Array(repeating: [0], count: 6), keptHeads: [])
        }
        #expect(throws: DiffusionModelFileError.self) { try model.prune(keptGroups: [[0, 0], [0], [0], [0], [0], [0]], keptHeads: [0]) }
        #expect(model.shape == DiffusionUNet.Shape(unpruned: model.configuration), "a rejected prune changes nothing")
        var random = RandomGenerator(seed: 0)
        let bad = DiffusionUNet.Shape(innerChannels: [8, 16, 16, 16, 16, 6], heads: 2)
        #expect(throws: DiffusionModelFileError.self) { try DiffusionUNet(configuration: model.configuration, shape: bad, using: &random) }
        // A saved folder whose architecture asks for more channels than the configuration has.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("diffusion-bad-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try model.save(toDirectory: folder)
        let url = folder.appendingPathComponent(DiffusionUNet.architectureFileName)
        var record = try JSONDecoder().decode(DiffusionUNet.SavedArchitecture.self, from: Data(contentsOf: url))
        record.shape.innerChannels[3] = 20
        try JSONEncoder().encode(record).write(to: url)
        #expect { try DiffusionUNet.load(fromDirectory: folder) } throws: { error in "\(error)".contains("innerChannels[3] (mid.1)") }
    }

    @Test("RBF MMD: zero for one sample, the hand value on two points, larger for a shifted sample")
    func rbfMMD() {
        let x = Tensor(shape: [2, 1], scalars: [0, 1])
        #expect(abs(RBFMaximumMeanDiscrepancy.between(x, x, bandwidth: 1).value) < 1e-12)
        // x = {0}, y = {1}, σ = 1: 1000 · (1 + 1 − 2e^{−1/2}).
        let single = RBFMaximumMeanDiscrepancy.between(Tensor(shape: [1, 1], scalars: [0]), Tensor(shape: [1, 1], scalars: [1]), bandwidth: 1)
        #expect(abs(single.value - 1000 * (2 - 2 * exp(-0.5))) < 1e-6)
        var random = RandomGenerator(seed: 3)
        let a = Tensor.randomNormal([200, 4], using: &random), b = Tensor.randomNormal([200, 4], using: &random)
        let near = RBFMaximumMeanDiscrepancy.between(a, b)
        let far = RBFMaximumMeanDiscrepancy.between(a, b + 1)
        #expect(near.value < far.value)
        #expect(near.bandwidth > 1 && near.bandwidth < 5, "median distance of 4-D normals ≈ 2√2: \(near.bandwidth)")
    }
}
