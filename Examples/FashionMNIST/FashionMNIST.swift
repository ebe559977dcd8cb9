import ArgumentParser
import ExampleSupport
import Foundation
import PruningCore

/// Trains a small classifier on Fashion-MNIST with the tensor core and reports test accuracy
/// and training speed.
@main
struct FashionMNISTDemo: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fashion-mnist",
        abstract: "Train a small network on Fashion-MNIST and print its test accuracy and speed.",
        discussion: """
            Reads the idx files from $PRUNING_DATA_DIR/fashion-mnist (default: ../shared/data \
            relative to the current directory). Models: mlp (784-256-128-10) or cnn (two 3×3 \
            conv + max-pool blocks, then 128 hidden units).
            """)

    @Option(help: "mlp or cnn.")
    var model: String = "mlp"

    @Option(help: "Training epochs.")
    var epochs: Int = 3

    @Option(help: "Mini-batch size.")
    var batchSize: Int = 128

    @Option(help: "Adam learning rate.")
    var learningRate: Float = 1e-3

    @Option(help: "Random seed (initialization and shuffling).")
    var seed: UInt64 = 0

    @Option(help: "Threads for BLAS and elementwise loops.")
    var threads: Int = 2

    @Option(help: "Write the trained weights to this safetensors file.")
    var save: String?

    mutating func validate() throws {
        if let save { try InputPaths.checkOutputFile(save, flag: "--save") }
        guard model == "mlp" || model == "cnn" else { throw ValidationError("--model '\(model)': expected mlp or cnn") }
        try CountChecks.atLeast([("--epochs", epochs, 1), ("--batch-size", batchSize, 1), ("--threads", threads, 1)])
        try CountChecks.positive(Double(learningRate), flag: "--learning-rate")
    }

    mutating func run() throws {
        BLAS.relaunchWithFasterKernelsIfNeeded()
        BLAS.setThreadCount(threads)
        ThreadPolicy.maximumThreads = threads
        guard ["mlp", "cnn"].contains(model) else { throw ValidationError("--model must be mlp or cnn") }

        let data = try FashionMNIST.load()
        print("Fashion-MNIST: \(data.trainLabels.count) training and \(data.testLabels.count) test images")
        var random = RandomGenerator(seed: seed)
        let network = model == "mlp" ? Classifiers.mlp(using: &random) : Classifiers.cnn(using: &random)
        print("model: \(model), \(network.parameterCount) parameters; OpenBLAS kernels: \(BLAS.coreName), threads: \(threads)")
        let optimizer = Adam(learningRate: learningRate)
        let schedule = CosineSchedule(initialRate: learningRate, totalSteps: epochs * (data.trainLabels.count / batchSize))
        var step = 0
        for epoch in 1...epochs {
            network.train()
            let order = random.permutation(data.trainLabels.count)
            let start = Date()
            var lossSum: Double = 0
            var batches = 0
            for first in stride(from: 0, to: order.count - batchSize + 1, by: batchSize) {
                let indices = Array(order[first..<(first + batchSize)])
                let images = data.trainImages.indexSelect(indices, alongAxis: 0)
                let labels = indices.map { data.trainLabels[$0] }
                optimizer.learningRate = schedule.learningRate(at: step)
                let (loss, gradients) = valueAndGradient(of: network) {
                    crossEntropy(logits: network(model == "mlp" ? images.flattened(from: 1) : images), labels: labels)
                }
                optimizer.update(network, along: gradients)
                lossSum += Double(loss.scalar)
                batches += 1
                step += 1
            }
            let seconds = Date().timeIntervalSince(start)
            let accuracy = evaluate(network, data.testImages, data.testLabels)
            print(String(format: "epoch %d: loss %.4f, test accuracy %.2f%%, %.1f s, %.0f images/s",
                         epoch, lossSum / Double(batches), accuracy * 100, seconds, Double(batches * batchSize) / seconds))
        }
        if let save {
            try network.save(to: URL(fileURLWithPath: save), metadata: ["model": model])
            print("saved \(save)")
        }
    }

    private func evaluate(_ network: Sequential, _ images: Tensor, _ labels: [Int]) -> Double {
        network.eval()
        var correct = 0.0
        withoutGradients {
            for first in stride(from: 0, to: labels.count, by: 1000) {
                let count = min(1000, labels.count - first)
                let batch = images.sliced(alongAxis: 0, from: first, count: count)
                let logits = network(model == "mlp" ? batch.flattened(from: 1) : batch)
                correct += accuracy(logits: logits, labels: Array(labels[first..<(first + count)])) * Double(count)
            }
        }
        return correct / Double(labels.count)
    }
}
