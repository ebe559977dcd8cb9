import ArgumentParser
import ExampleSupport
import Foundation
import ModelZoo
import PruningCore

extension Baseline: ExpressibleByArgument {}

/// Trains the baseline classifiers that the pruning examples start from: ResNet-20, ResNet-56,
/// MobileNetV2 and a small ViT on Fashion-MNIST, with random-crop and flip augmentation, and saves safetensors
/// checkpoints with a JSON summary.
@main
struct TrainBaselines: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train-baselines",
        abstract: "Train ResNet-20, ResNet-56, MobileNetV2 or a small ViT on Fashion-MNIST and save a checkpoint.",
        discussion: """
            Reads the idx files from $PRUNING_DATA_DIR/fashion-mnist (default: ../shared/data \
            relative to the current directory). ResNets and MobileNetV2: SGD, momentum 0.9, weight decay 5e-4, \
            cosine decay from 0.1. ViT (patch 4, 49 tokens + class token): AdamW, weight decay \
            0.05 on weights only, 10% linear warm-up then cosine from 1e-3, gradient norm clipped \
            at 1. All: random 28×28 crops of the image padded by 2, horizontal flips. Writes \
            <output>/<model>-fashion-mnist.safetensors and .json after every epoch. --model diffusion trains the \
            text-conditioned diffusion U-Net instead (v-prediction, min-SNR-5, cosine schedule, AdamW 1e-3 with \
            warm-up) on prompts built from each image's class and attributes and encoded by all-MiniLM-L6-v2, \
            saving every 1,000 updates and writing a grid of DDIM samples at the end.
            """)

    @Option(help: "resnet20, resnet56, mobilenetv2, vit or diffusion.")
    var model: Baseline = .resnet20

    @Option(help: "Training epochs (default: 15 for the CNNs, 30 for vit).")
    var epochs: Int?

    @Option(help: "Mini-batch size.")
    var batchSize: Int = 128

    @Option(help: "Peak learning rate (default: 0.1 for the CNNs, 1e-3 for vit).")
    var learningRate: Float?

    @Option(help: "Weight decay (default: 5e-4 for the CNNs, 0.05 for vit).")
    var weightDecay: Float?

    @Option(help: "Fraction of all steps in linear learning-rate warm-up (default: 0.1 for vit and resnet56, 0 otherwise).")
    var warmupFraction: Double?

    @Option(help: "Threads for BLAS and elementwise loops.")
    var threads: Int = 2

    @Option(help: "Folder for the checkpoint and its JSON summary.")
    var output: String = "checkpoints"

    @Option(help: "Use only the first N training images (quick runs).")
    var trainLimit: Int?

    @Option(help: "Evaluate on only the first N test images.")
    var testLimit: Int?

    @Option(help: "Random seed (initialization, shuffling, augmentation).")
    var seed: UInt64 = 0

    @Option(help: "Print a progress line every N batches (0: only per epoch).")
    var logInterval: Int = 100

    @Option(help: "MobileNetV2 width multiplier.")
    var mobilenetWidth: Float = 0.5

    @Option(help: "ViT token width.")
    var vitWidth: Int = 96

    @Option(help: "ViT blocks.")
    var vitDepth: Int = 6

    @Option(help: "ViT attention heads.")
    var vitHeads: Int = 4

    @Option(help: "Updates of the diffusion model (--model diffusion).")
    var diffusionSteps: Int = 5000

    @Option(help: "Images per update of the diffusion model (--model diffusion).")
    var diffusionBatchSize: Int = 64

    @Flag(help: "Train without crop and flip augmentation.")
    var noAugmentation = false

    mutating func validate() throws {
        try InputPaths.checkOutputDirectory(output, flag: "--output")
        guard batchSize > 0, threads > 0, (epochs ?? 1) > 0, (trainLimit ?? 1) > 0, (testLimit ?? 1) > 0 else {
            throw ValidationError("--batch-size, --threads, --epochs, --train-limit and --test-limit must be positive")
        }
        guard (0..<1).contains(warmupFraction ?? 0) else { throw ValidationError("--warmup-fraction must lie in [0, 1)") }
        guard diffusionSteps > 0, diffusionBatchSize > 0 else { throw ValidationError("--diffusion-steps and --diffusion-batch-size must be positive") }
        guard mobilenetWidth > 0 else { throw ValidationError("--mobilenet-width must be positive") }
        guard vitWidth % vitHeads == 0 else { throw ValidationError("--vit-width must be a multiple of --vit-heads") }
    }

    mutating func run() throws {
        BLAS.relaunchWithFasterKernelsIfNeeded()
        BLAS.setThreadCount(threads)
        ThreadPolicy.maximumThreads = threads

        var training = try FashionMNIST.load(split: .train)
        var test = try FashionMNIST.load(split: .test)
        if let trainLimit { training = training.prefix(trainLimit) }
        if model == .diffusion {
            try DiffusionTeacherRun(training: training, steps: diffusionSteps, batchSize: diffusionBatchSize,
                                    learningRate: learningRate ?? 1e-3, logInterval: logInterval, output: URL(fileURLWithPath: output),
                                    seed: seed).run()
            return
        }
        if let testLimit { test = test.prefix(testLimit) }
        let normalization = FashionMNIST.normalization
        test = test.normalized(by: normalization)

        var random = RandomGenerator(seed: seed)
        let baseRecipe = model == .vit ? Recipe.vit : Recipe.resnet
        var recipe = baseRecipe
        recipe.learningRate = learningRate ?? baseRecipe.learningRate
        recipe.weightDecay = weightDecay ?? baseRecipe.weightDecay
        // Deep ResNets stall at chance for hundreds of steps when they start at lr 0.1 (He et al.
        // warm up ResNet-110 at 0.01); a short linear warm-up avoids it.
        recipe.warmupFraction = warmupFraction ?? (model == .resnet56 ? 0.1 : baseRecipe.warmupFraction)
        let epochCount = epochs ?? (model == .vit ? 30 : 15)
        let augmentation = noAugmentation
            ? ImageAugmentation() : ImageAugmentation(cropPadding: 2, fillValue: 0, flipProbability: 0.5)

        let run = TrainingRun(
            name: model.rawValue, training: training, test: test, normalization: normalization,
            augmentation: augmentation, recipe: recipe, epochs: epochCount, batchSize: batchSize,
            logInterval: logInterval, output: URL(fileURLWithPath: output), seed: seed)
        report("Fashion-MNIST: \(training.count) training and \(test.count) test images; OpenBLAS kernels: \(BLAS.coreName), threads: \(threads)")
        switch model {
        case .resnet20, .resnet56:
            let network = ResNet.cifar(depth: model == .resnet20 ? 20 : 56, inputChannels: 1, classCount: 10, using: &random)
            try run.train(network, architecture: network.configuration, optimizer: .sgd(network, recipe: recipe), using: &random)
        case .mobilenetv2:
            let network = MobileNetV2(widthMultiplier: mobilenetWidth, inputChannels: 1, classCount: 10, using: &random)
            try run.train(network, architecture: network.configuration, optimizer: .sgd(network, recipe: recipe), using: &random)
        case .vit:
            let network = VisionTransformer(
                imageSize: 28, patchSize: 4, inputChannels: 1, classCount: 10, width: vitWidth, depth: vitDepth,
                heads: vitHeads, mlpRatio: 2, using: &random)
            try run.train(network, architecture: network.configuration, optimizer: .adamW(network, recipe: recipe), using: &random)
        case .diffusion:
            break
        }
    }
}
