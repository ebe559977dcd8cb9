import Foundation
import PruningCore

/// One training step (forward, backward, Adam) of a reference workload, against PyTorch.
struct TrainingStepBenchmark {
    let workload: String
    let samples: Int
    let threads: Int
    let torch: TorchReference

    func run() {
        guard let work = Workloads.named(workload) else { return }
        let optimizer = Adam(learningRate: 1e-3)
        let count = workload == "gpt" ? max(3, samples / 2) : samples
        let ours = Timing.measure(samples: count, warmup: workload == "gpt" ? 1 : 2) { work.step(optimizer) }
        print("## \(workload) training step (forward + backward + Adam), ms\n")
        print("| | best | median |")
        print("|---|---:|---:|")
        print("| ours | \(format(ours.best * 1000)) | \(format(ours.median * 1000)) |")
        if let reference = torch.measure(workload, threads: threads, extra: ["--samples", "\(count)"]),
            let best = reference["best"], let median = reference["median"]
        {
            print("| PyTorch | \(format(best * 1000)) | \(format(median * 1000)) |")
            print("| ratio ours / PyTorch | \(format(ours.best / best, 3)) | \(format(ours.median / median, 3)) |")
        }
    }
}
