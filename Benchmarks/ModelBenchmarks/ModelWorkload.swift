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
    /// `torch_models.py`'s answer: `best`, `median` and `cpu` seconds, the same for other
    /// variants as `<name>_best` etc., and cross-check figures.
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
        let unit = "\(workload.unit)/s"
        print("## \(name): \(workload.title)\n")
        print("Throughput from the best and median wall-clock runs and from the least CPU time of a run; ratios are ours / PyTorch in time (above 1: we are slower).\n")
        print("| threads | | \(unit) (best) | \(unit) (median) | \(unit) (CPU time) | ratio (best) | ratio (median) | ratio (CPU time) |")
        print("|---:|---|---:|---:|---:|---:|---:|---:|")
        for m in measurements {
            print("| \(m.threads) | ours | \(throughput(m.ours.best)) | \(throughput(m.ours.median)) | \(throughput(m.ours.cpuBest)) | | | |")
            guard let reference = m.reference else { continue }
            for variant in Self.variants(of: reference) {
                guard let best = reference[variant.prefix + "best"], let median = reference[variant.prefix + "median"],
                    let cpu = reference[variant.prefix + "cpu"]
                else { continue }
                let label = variant.label.isEmpty ? "PyTorch" : "PyTorch (\(variant.label))"
                print("| \(m.threads) | \(label) | \(throughput(best)) | \(throughput(median)) | \(throughput(cpu)) | \(format(m.ours.best / best)) | \(format(m.ours.median / median)) | \(format(m.ours.cpuBest / cpu)) |")
            }
        }
        if let reference = measurements.compactMap(\.reference).first {
            let timings = Self.variants(of: reference).flatMap { v in ["best", "median", "cpu"].map { v.prefix + $0 } }
            let checks = reference.keys.sorted().filter { !timings.contains($0) && $0 != "torchThreads" }
            if !checks.isEmpty {
                print("\ncross-check: " + checks.map { "\($0) = \(String(format: "%.4g", reference[$0]!))" }.joined(separator: ", "))
            }
        }
        print("")
        fflush(nil)  // each table appears as soon as it is measured, also when output goes to a file
    }

    /// The timed variants in a reference answer: the main one (`best`, `median`, `cpu`; empty
    /// label) first, then each `<label>_best`, `<label>_median`, `<label>_cpu`.
    static func variants(of reference: [String: Double]) -> [(label: String, prefix: String)] {
        var result: [(label: String, prefix: String)] = [("", "")]
        for key in reference.keys.sorted() where key.hasSuffix("_best") {
            let label = String(key.dropLast("_best".count))
            result.append((label, label + "_"))
        }
        return result
    }
}
