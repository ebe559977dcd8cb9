import Foundation
import PruningCore

/// A model, a fixed batch and its loss: one training step is forward, backward and an update.
struct Workload {
    let model: any Module
    let loss: () -> Tensor

    func step(_ optimizer: any Optimizer) {
        let (_, gradients) = valueAndGradient(of: model, loss)
        optimizer.update(model, along: gradients)
    }
}

/// The reference workloads (the same shapes as `torch_reference.py`).
enum Workloads {
    /// The workload called `name`, if there is one.
    static func named(_ name: String) -> Workload? {
        switch name {
        case "mlp": mlp()
        case "gpt": gpt()
        case "cnn": cnn()
        default: nil
        }
    }

    /// 784-512-512-10 MLP with ReLU, batch 128.
    static func mlp() -> Workload {
        var random = RandomGenerator(seed: 0)
        let model = Sequential([
            Linear(inputCount: 784, outputCount: 512, using: &random), Activation(.relu),
            Linear(inputCount: 512, outputCount: 512, using: &random), Activation(.relu),
            Linear(inputCount: 512, outputCount: 10, using: &random),
        ])
        let x = Tensor.randomNormal([128, 784], using: &random)
        let labels = (0..<128).map { _ in random.nextInt(below: 10) }
        return Workload(model: model) { crossEntropy(logits: model(x), labels: labels) }
    }
}

extension Workloads {
    /// conv3×3(32) ReLU maxpool → conv3×3(64) ReLU maxpool → 3136 → 128 → 10, batch 128 of
    /// 1×28×28 images.
    static func cnn() -> Workload {
        var random = RandomGenerator(seed: 0)
        let model = Sequential([
            Conv2d(inChannels: 1, outChannels: 32, kernelSize: 3, padding: 1, using: &random), Activation(.relu),
            MaxPool2d(kernelSize: 2),
            Conv2d(inChannels: 32, outChannels: 64, kernelSize: 3, padding: 1, using: &random), Activation(.relu),
            MaxPool2d(kernelSize: 2),
            Flatten(),
            Linear(inputCount: 3136, outputCount: 128, using: &random), Activation(.relu),
            Linear(inputCount: 128, outputCount: 10, using: &random),
        ])
        let x = Tensor.randomNormal([128, 1, 28, 28], using: &random)
        let labels = (0..<128).map { _ in random.nextInt(below: 10) }
        return Workload(model: model) { crossEntropy(logits: model(x), labels: labels) }
    }
}
