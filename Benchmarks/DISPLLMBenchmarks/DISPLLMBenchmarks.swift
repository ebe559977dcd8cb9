import ArgumentParser
import ExampleSupport
import Foundation
import ModelZoo
import PruningCore
import StructuralPruning

/// Times DISP-LLM's hypernetwork training step on SmolLM2-135M and splits it into the forward
/// pass through the masked blocks, the LM head with the cross-entropy, backpropagation and the
/// optimizer update, against a plain no-gradient forward pass of the same window measured in the
/// same run (the step's floor).
@main
struct DISPLLMBenchmarks: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "displlm-benchmarks",
        abstract: "DISP-LLM training-step time, its breakdown and the memory peak on SmolLM2-135M.")

    @Option(help: "A GGUF model file (default: SmolLM2-135M).")
    var model: String?

    @Option(help: "Tokens per training window.")
    var sequenceLength: Int = 256

    @Option(help: "Timed steps (after one warm-up step).")
    var steps: Int = 5

    @Option(help: "Threads for BLAS and the elementwise loops.")
    var threads: Int = 2

    @Option(help: "Controller: hypernetwork or free-logits.")
    var controller: String = "hypernetwork"

    mutating func validate() throws {
        if let model { try InputPaths.checkReadable(model, flag: "--model", kind: .fileOrDirectory) }
        guard sequenceLength >= 2, steps > 0, threads > 0 else { throw ValidationError("lengths and counts must be positive") }
        guard ["hypernetwork", "free-logits"].contains(controller) else {
            throw ValidationError("--controller: '\(controller)' is not hypernetwork or free-logits")
        }
    }

    mutating func run() throws {
        BLAS.relaunchWithFasterKernelsIfNeeded()
        BLAS.setThreadCount(threads)
        ThreadPolicy.maximumThreads = threads
        let file = try GGUFFile(contentsOf: try model.map { URL(fileURLWithPath: $0) } ?? ModelFiles.smolLM2())
        let tokenizer = try ByteLevelBPETokenizer(gguf: file)
        let dense = try LlamaModel(gguf: file)
        dense.eval()
        let ids = tokenizer.encode(try WikiText2Evaluation.text(split: .validation), addingBOS: false, parsingSpecialTokens: false)
        let window = Array(ids.prefix(sequenceLength))
        guard window.count == sequenceLength else { throw ValidationError("the validation text is shorter than --sequence-length") }

        var settings = DISPLLMConfiguration(keptFraction: 0.5)
        settings.sequenceLength = sequenceLength
        if controller == "free-logits" { settings.controller = .freeLogits }
        let pruner = try DISPLLMPruner(model: dense, configuration: settings)
        let memoryBefore = ProcessMemory.currentResidentBytes ?? 0

        let clock = ContinuousClock()
        func inferenceSeconds() -> Double {
            withoutGradients {
                let start = clock.now
                let hidden = dense.hiddenStates(for: [Array(window.dropLast())])
                _ = dense.logits(fromHiddenStates: hidden)
                return (clock.now - start) / .seconds(1)
            }
        }
        _ = try pruner.step(batch: [window])
        _ = inferenceSeconds()
        var records: [DISPLLMStep] = []
        var inference: [Double] = []
        for _ in 0..<steps {
            records.append(try pruner.step(batch: [window]))
            inference.append(inferenceSeconds())
        }
        func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
        let total = median(records.map(\.seconds))
        let floor = median(inference)
        let cpu = processorName()
        print("DISP-LLM step on SmolLM2-135M, window \(sequenceLength), \(controller), \(threads) thread(s), kernels \(KernelLevel.active), \(cpu)")
        print("median of \(steps) steps after one warm-up:")
        let rows: [(String, Double)] = [
            ("controller + masks + forward through the blocks", median(records.map(\.forwardSeconds))),
            ("LM head + cross-entropy (forward)", median(records.map(\.headSeconds))),
            ("backward (head, frozen blocks, controller)", median(records.map(\.backwardSeconds))),
            ("AdamW update of the controller", median(records.map(\.updateSeconds))),
        ]
        print("| part | seconds | share |")
        print("|---|---|---|")
        for (name, seconds) in rows {
            print(String(format: "| %@ | %.3f | %.0f %% |", name, seconds, 100 * seconds / total))
        }
        print(String(format: "| whole step | %.3f | 100 %% |", total))
        print(String(format: "| no-gradient forward of the same window (reference) | %.3f | step = %.2f× it |", floor, total / floor))
        print(String(format: "controller parameters: %d; resident memory %.2f GiB before the steps, peak %.2f GiB",
                     pruner.controller.parameterCount, Double(memoryBefore) / 1_073_741_824,
                     Double(ProcessMemory.peakResidentBytes) / 1_073_741_824))
    }
}
