import ModelZoo
import PruningCore

/// The baselines and their training recipes.
enum Baseline: String, CaseIterable {
    /// ResNet-20 (CIFAR layout, 16–32–64 channels) on 28×28 grayscale.
    case resnet20
    /// ResNet-56 (CIFAR layout, nine blocks per stage).
    case resnet56
    /// MobileNetV2 with the 8-fold reduction for small images and the width multiplier of
    /// `--mobilenet-width`.
    case mobilenetv2
    /// A ViT with 4×4 patches (49 patch tokens plus the class token).
    case vit
    /// The text-conditioned diffusion U-Net (prompts from the class and its attributes).
    case diffusion
}

/// The optimizer settings of one run.
struct Recipe {
    /// The peak learning rate.
    var learningRate: Float
    /// The weight decay (coupled L2 for SGD, decoupled for AdamW).
    var weightDecay: Float
    /// The fraction of all steps spent in linear warm-up before the cosine decay.
    var warmupFraction: Double
    /// The largest global gradient norm (nil: no clipping).
    var gradientClip: Float?

    /// SGD with momentum 0.9, weight decay 5e-4, cosine decay from 0.1 (He et al., 2016); the
    /// recipe of the convolutional baselines.
    static let resnet = Recipe(learningRate: 0.1, weightDecay: 5e-4, warmupFraction: 0, gradientClip: nil)
    /// AdamW with weight decay 0.05, 10% linear warm-up then cosine, gradient norm clipped at 1.
    static let vit = Recipe(learningRate: 1e-3, weightDecay: 0.05, warmupFraction: 0.1, gradientClip: 1)
}

/// Optimizer steps for a model: one optimizer, or AdamW with decay only on matrices and filters.
struct OptimizerSetup {
    /// Optimizers with the parameters each updates.
    let groups: [(optimizer: any Optimizer, parameters: [Parameter])]

    /// SGD with momentum 0.9 and coupled weight decay on every parameter.
    static func sgd(_ model: some Module, recipe: Recipe) -> OptimizerSetup {
        let sgd = SGD(learningRate: recipe.learningRate, momentum: 0.9, weightDecay: recipe.weightDecay)
        return OptimizerSetup(groups: [(sgd, model.trainableParameters())])
    }

    /// AdamW with decoupled decay on weights of rank ≥ 2 only (not on biases, norms, the class
    /// token or the position embeddings), as in the ViT and DeiT recipes.
    static func adamW(_ model: some Module, recipe: Recipe) -> OptimizerSetup {
        var decayed: [Parameter] = [], plain: [Parameter] = []
        for (name, parameter) in model.namedParameters() where parameter.isTrainable {
            if parameter.shape.count >= 2 && name != "pos_embed" && name != "cls_token" {
                decayed.append(parameter)
            } else {
                plain.append(parameter)
            }
        }
        return OptimizerSetup(groups: [
            (Adam.adamW(learningRate: recipe.learningRate, weightDecay: recipe.weightDecay), decayed),
            (Adam.adamW(learningRate: recipe.learningRate, weightDecay: 0), plain),
        ])
    }

    /// Sets every optimizer's learning rate.
    func setLearningRate(_ rate: Float) { for group in groups { group.optimizer.learningRate = rate } }

    /// One step of every optimizer.
    func update(along gradients: Gradients) {
        for group in groups { group.optimizer.update(group.parameters, along: gradients) }
    }
}
