import Foundation
import PruningCore

/// A model workload timed here and by `torch_models.py` on the same model and inputs.
///
/// A new workload (the vision models' training steps, for instance) is a type conforming to
/// this protocol, an entry in ``ModelBenchmarks/workloads``, and a function of the same name in
/// `torch_models.py`.
protocol ModelWorkload {
    /// The table heading: model, work and unit.
    var title: String { get }
    /// What one run processes (`tokens`, `sentences`, `images`), for the throughput column.
    var unit: String { get }
    /// How many units one run processes.
    var unitsPerRun: Int { get }
    /// The inputs `torch_models.py` reads, and our outputs for its correctness cross-check;
    /// values that `JSONSerialization` accepts.
    func referenceInput() -> [String: Any]
    /// Runs the workload once.
    func run()
}

/// One thread count's figures for a workload: ours and PyTorch's, in seconds per run.
struct WorkloadMeasurement {
    let threads: Int
    let ours: Timing
    /// `torch_models.py`'s answer: `best`, `median`, other variants' `<name>_best` and
    /// `<name>_median`, and cross-check figures.
    let reference: [String: Double]?
}

/// Times a workload at each thread count, ours and PyTorch interleaved, and prints its table.
struct WorkloadRunner {
    let name: String
    let workload: any ModelWorkload
    let threadCounts: [Int]
    let samples: Int
    let torch: TorchModels

    func run() throws -> [WorkloadMeasurement] {
        // Our first run gives the outputs the reference cross-checks, and warms up.
        let input = workload.referenceInput()
        let measurements = try TorchModels.withInputFile(input, named: name) { file in
            threadCounts.map { threads in
                ModelBenchmarks.useThreads(threads)
                let ours = Timing.measure(samples: samples) { workload.run() }
                let reference = torch.measure(name, threads: threads, samples: samples, input: file)
                return WorkloadMeasurement(threads: threads, ours: ours, reference: reference)
            }
        }
        printTable(measurements)
        return measurements
    }

    private func throughput(_ seconds: Double) -> String {
        format(Double(workload.unitsPerRun) / seconds, 1)
    }

    private func printTable(_ measurements: [WorkloadMeasurement]) {
        print("## \(name): \(workload.title)\n")
        print("| threads | | \(workload.unit)/s (best) | \(workload.unit)/s (median) | time ratio ours / PyTorch (best) | (median) |")
        print("|---:|---|---:|---:|---:|---:|")
        for m in measurements {
            print("| \(m.threads) | ours | \(throughput(m.ours.best)) | \(throughput(m.ours.median)) | | |")
            guard let reference = m.reference else { continue }
            for variant in Self.variants(of: reference) {
                guard let best = reference[variant.best], let median = reference[variant.median] else { continue }
                let label = variant.label.isEmpty ? "PyTorch" : "PyTorch (\(variant.label))"
                print("| \(m.threads) | \(label) | \(throughput(best)) | \(throughput(median)) | \(format(m.ours.best / best, 2)) | \(format(m.ours.median / median, 2)) |")
            }
        }
        if let reference = measurements.compactMap(\.reference).first {
            let checks = reference.keys.sorted().filter { !$0.hasSuffix("best") && !$0.hasSuffix("median") && $0 != "torchThreads" }
            if !checks.isEmpty {
                print("\ncross-check: " + checks.map { "\($0) = \(String(format: "%.4g", reference[$0]!))" }.joined(separator: ", "))
            }
        }
        print("")
    }

    /// The timed variants in a reference answer: the main one (`best`/`median`, empty label)
    /// first, then each `<label>_best`/`<label>_median` pair.
    static func variants(of reference: [String: Double]) -> [(label: String, best: String, median: String)] {
        var result: [(label: String, best: String, median: String)] = [("", "best", "median")]
        for key in reference.keys.sorted() where key.hasSuffix("_best") {
            let label = String(key.dropLast("_best".count))
            result.append((label, key, label + "_median"))
        }
        return result
    }
}
