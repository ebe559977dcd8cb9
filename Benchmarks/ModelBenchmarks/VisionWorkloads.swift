import Foundation
import ModelZoo
import PruningCore

/// The two Fashion-MNIST baselines of `train-baselines`, built with its architecture settings
/// and trained with its optimizers at their peak learning rates.
enum VisionModel: String {
    /// ResNet-20 (CIFAR layout, 16–32–64 channels, projection shortcuts) on 1×28×28 images.
    case resnet20
    /// The ViT with 4×4 patches, width 96, 6 blocks, 4 heads, MLP ratio 2.
    case vit

    /// The model's name in the tables.
    var displayName: String { self == .resnet20 ? "ResNet-20" : "ViT (patch 4, width 96, depth 6, 4 heads, MLP 192)" }

    /// A freshly initialized network in training mode.
    func makeNetwork(seed: UInt64) -> any Layer {
        var random = RandomGenerator(seed: seed)
        switch self {
        case .resnet20:
            return ResNet.cifar(depth: 20, inputChannels: 1, classCount: 10, using: &random)
        case .vit:
            return VisionTransformer(
                imageSize: 28, patchSize: 4, inputChannels: 1, classCount: 10, width: 96, depth: 6, heads: 4,
                mlpRatio: 2, using: &random)
        }
    }

    /// The optimizer recipe's name as `torch_models.py` reads it.
    var optimizerName: String { self == .resnet20 ? "sgd" : "adamw" }

    /// `train-baselines`' optimizers for `network`: SGD (learning rate 0.1, momentum 0.9,
    /// coupled weight decay 5e-4) for ResNet-20; for the ViT, AdamW (1e-3) with decoupled decay
    /// 0.05 on weights of rank ≥ 2 other than `pos_embed` and `cls_token`, none on the rest.
    func optimizers(for network: any Layer) -> [(optimizer: any Optimizer, parameters: [Parameter])] {
        switch self {
        case .resnet20:
            return [(SGD(learningRate: 0.1, momentum: 0.9, weightDecay: 5e-4), network.trainableParameters())]
        case .vit:
            var decayed: [Parameter] = [], plain: [Parameter] = []
            for (name, parameter) in network.namedParameters() where parameter.isTrainable {
                if parameter.shape.count >= 2 && name != "pos_embed" && name != "cls_token" {
                    decayed.append(parameter)
                } else {
                    plain.append(parameter)
                }
            }
            return [
                (Adam.adamW(learningRate: 1e-3, weightDecay: 0.05), decayed),
                (Adam.adamW(learningRate: 1e-3, weightDecay: 0), plain),
            ]
        }
    }

    /// The largest global gradient norm of the recipe (nil: no clipping).
    var gradientClip: Float? { self == .vit ? 1 : nil }
}

/// A Fashion-MNIST-shaped batch: standard-normal images `[count, 1, 28, 28]` (the scale of
/// normalized Fashion-MNIST) and uniform labels in `0..<10`.
func syntheticImageBatch(count: Int, seed: UInt64) -> (images: Tensor, labels: [Int]) {
    var random = RandomGenerator(seed: seed)
    let images = Tensor.randomNormal([count, 1, 28, 28], using: &random)
    let labels = (0..<count).map { _ in random.nextInt(below: 10) }
    return (images, labels)
}

/// Every parameter and buffer of `network` by dotted name, as `{"shape": [...], "values":
/// [...]}` for `torch_models.py` to load into its module of the same architecture.
func exportedWeights(of network: any Layer) -> [String: Any] {
    network.stateDictionary().mapValues { tensor in
        ["shape": tensor.shape, "values": tensor.scalars.map(Double.init)] as [String: Any]
    }
}

/// One training step of a vision baseline on a batch, as `train-baselines` takes it: forward,
/// cross-entropy, backward, gradient clipping (ViT), optimizer step. Data loading, augmentation
/// and the learning-rate schedule are left out.
struct VisionTrainingWorkload: ModelWorkload {
    let model: VisionModel
    let network: any Layer
    let optimizers: [(optimizer: any Optimizer, parameters: [Parameter])]
    let images: Tensor
    let labels: [Int]

    /// A fresh `model` (seed 0) and its optimizers, on a synthetic batch of `batchSize`.
    init(model: VisionModel, batchSize: Int) {
        self.model = model
        network = model.makeNetwork(seed: 0)
        optimizers = model.optimizers(for: network)
        (images, labels) = syntheticImageBatch(count: batchSize, seed: 1)
        print("\(model.rawValue): \(network.parameterCount) parameters")
    }

    var title: String {
        "\(model.displayName) training step on a 1×28×28 batch of \(labels.count) (forward, cross-entropy, backward, \(model == .vit ? "gradient clipping, AdamW" : "SGD momentum") step)"
    }
    var unit: String { "images" }
    var unitsPerRun: Int { labels.count }

    /// The initial weights, the batch, the optimizer, and our losses over the first steps on
    /// that batch, for the reference to repeat from the same weights.
    func referenceInput() -> [String: Any] {
        let weights = exportedWeights(of: network)
        let losses = (0..<3).map { _ in Double(step()) }
        print("\(model.rawValue) training: our losses over 3 steps on the same batch: \(losses.map { format($0, 5) }.joined(separator: ", "))")
        return [
            "model": model.rawValue, "optimizer": model.optimizerName, "parameterCount": network.parameterCount,
            "weights": weights, "images": images.scalars.map(Double.init), "labels": labels, "losses": losses,
        ]
    }

    func run() { _ = step() }

    /// One step; the loss before it.
    private func step() -> Float {
        network.train()
        var (loss, gradients) = valueAndGradient(of: network) {
            crossEntropy(logits: network(images), labels: labels)
        }
        if let clip = model.gradientClip { gradients.clipGlobalNorm(to: clip) }
        for group in optimizers { group.optimizer.update(group.parameters, along: gradients) }
        loss = loss.detached()
        return loss.scalar
    }
}

/// A vision baseline's logits for a batch in evaluation mode (BatchNorm on running statistics),
/// without gradient recording.
struct VisionInferenceWorkload: ModelWorkload {
    let model: VisionModel
    let network: any Layer
    let images: Tensor

    /// A fresh `model` (seed 0) in evaluation mode, on a synthetic batch of `batchSize`.
    init(model: VisionModel, batchSize: Int) {
        self.model = model
        network = model.makeNetwork(seed: 0)
        network.eval()
        images = syntheticImageBatch(count: batchSize, seed: 1).images
    }

    var title: String { "\(model.displayName) inference (evaluation mode, no gradients) on a 1×28×28 batch of \(images.shape[0])" }
    var unit: String { "images" }
    var unitsPerRun: Int { images.shape[0] }

    /// The weights, the batch and our logits for the reference to compare.
    func referenceInput() -> [String: Any] {
        let logits = forward()
        return [
            "model": model.rawValue, "parameterCount": network.parameterCount, "weights": exportedWeights(of: network),
            "images": images.scalars.map(Double.init), "logits": logits.scalars.map(Double.init),
        ]
    }

    func run() { _ = forward() }

    private func forward() -> Tensor { withoutGradients { network(images) } }
}
