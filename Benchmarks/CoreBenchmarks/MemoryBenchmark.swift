import Foundation
import PruningCore

/// Resident memory over many MLP training steps: it must stay flat (no leak through the tape).
struct MemoryBenchmark {
    let steps: Int

    func run() {
        print("## memory: RSS over \(steps) MLP training steps (784-512-512-10, batch 128, Adam)\n")
        TensorMemory.emptyCache()  // start from what this workload needs, not earlier ones
        let workload = Workloads.mlp()
        let optimizer = Adam(learningRate: 1e-3)
        var readings: [(Int, Int)] = []
        for step in 1...steps {
            workload.step(optimizer)
            if step == 10 || step % max(steps / 5, 1) == 0 { readings.append((step, residentBytes())) }
        }
        print("| step | RSS (MiB) |")
        print("|---:|---:|")
        for (step, bytes) in readings { print("| \(step) | \(format(Double(bytes) / 1_048_576, 1)) |") }
        if let first = readings.first, let last = readings.last {
            print("\ngrowth from step \(first.0) to \(last.0): \(format(Double(last.1 - first.1) / 1_048_576, 2)) MiB (recycled buffers: \(format(Double(TensorMemory.cachedBytes) / 1_048_576, 1)) MiB)")
        }
    }
}
