import Foundation
import PruningCore

/// A ResNet-style 3×3 convolution (batch 32, 64→64 channels, 32×32, padding 1): forward and
/// forward + backward GFLOP/s, against PyTorch.
struct ConvolutionBenchmark {
    let samples: Int
    let threads: Int
    let torch: TorchReference

    func run() {
        var random = RandomGenerator(seed: 0)
        let layer = Conv2d(inChannels: 64, outChannels: 64, kernelSize: 3, padding: 1, using: &random)
        let x = Tensor.randomNormal([32, 64, 32, 32], using: &random)
        let forward = Timing.measure(samples: samples) { _ = withoutGradients { layer(x) } }
        let training = Timing.measure(samples: samples) {
            let input = x.requiringGradient()
            let (_, gradients) = valueAndGradient(of: layer) { layer(input).sum() }
            _ = gradients
        }
        // 2·N·Cout·H·W·Cin·k² multiply-adds forward; backward computes two more products of the
        // same size (input and weight gradients).
        let flops = 2.0 * 32 * 64 * 32 * 32 * 64 * 9
        print("## conv2d 3×3, batch 32, 64→64, 32×32, padding 1\n")
        print("| | forward ms (best) | forward GFLOP/s | fwd+bwd ms (best) | fwd+bwd GFLOP/s |")
        print("|---|---:|---:|---:|---:|")
        print("| ours | \(format(forward.best * 1000)) | \(format(flops / forward.best / 1e9, 1)) | \(format(training.best * 1000)) | \(format(3 * flops / training.best / 1e9, 1)) |")
        if let reference = torch.measure("conv", threads: threads, extra: ["--samples", "\(samples)"]),
            let best = reference["best"], let trainBest = reference["train_best"]
        {
            print("| PyTorch | \(format(best * 1000)) | \(format(flops / best / 1e9, 1)) | \(format(trainBest * 1000)) | \(format(3 * flops / trainBest / 1e9, 1)) |")
            print("| ratio ours / PyTorch (time) | \(format(forward.best / best, 3)) | | \(format(training.best / trainBest, 3)) | |")
        }
    }
}
