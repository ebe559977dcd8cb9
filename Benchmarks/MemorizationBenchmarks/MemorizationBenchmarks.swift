import ArgumentParser
import ExampleSupport
import Foundation
import Memorization
import ModelZoo
import PruningCore

/// Times one soft-prompt training step through the frozen SmolLM2-135M — the dynamic soft
/// prompt's generator (embedding table trained or frozen) and the constant soft prompt —
/// against a no-gradient forward pass of the same batch measured in the same run, and reports the
/// memory peak after each.
@main
struct MemorizationBenchmarks: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "memorization-benchmarks",
        abstract: "Soft-prompt training-step time and memory through the frozen SmolLM2-135M.")

    @Option(help: "A GGUF model file (default: SmolLM2-135M).")
    var model: String?

    @Option(help: "Samples per step.")
    var batchSize: Int = 8

    @Option(help: "Prompt positions.")
    var promptLength: Int = 16

    @Option(help: "Prefix tokens.")
    var prefixLength: Int = 24

    @Option(help: "Suffix tokens.")
    var suffixLength: Int = 24

    @Option(help: "Timed steps per variant (after one warm-up step).")
    var steps: Int = 5

    @Option(help: "Threads for BLAS and the elementwise loops.")
    var threads: Int = 1

    mutating func validate() throws {
        if let model { try InputPaths.checkReadable(model, flag: "--model", kind: .fileOrDirectory) }
        guard batchSize > 0, promptLength > 0, prefixLength >= promptLength, suffixLength > 0, steps > 0, threads > 0 else {
            throw ValidationError("counts and lengths must be positive, and --prefix-length at least --prompt-length")
        }
    }

    mutating func run() throws {
        BLAS.relaunchWithFasterKernelsIfNeeded()
        BLAS.setThreadCount(threads)
        ThreadPolicy.maximumThreads = threads
        let target = try LlamaModel(gguf: GGUFFile(contentsOf: try model.map { URL(fileURLWithPath: $0) } ?? ModelFiles.smolLM2()))
        target.eval()
        target.freeze()
        let samples = try CanarySet.random(
            count: batchSize, prefixLength: prefixLength, suffixLength: suffixLength, pool: Array(1_000..<20_000), repetitions: [1], seed: 0)
        let clock = ContinuousClock()
        func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
        func forwardSeconds() -> Double {
            withoutGradients {
                let start = clock.now
                _ = ExtractionEvaluator.suffixLoss(target, prompt: DynamicHardPrompt(length: promptLength), samples: samples)
                return (clock.now - start) / .seconds(1)
            }
        }
        func stepSeconds(_ prompt: some TrainablePrompt) -> Double {
            let trainable = prompt.trainableParameters()
            let optimizer = Adam(learningRate: 1e-4)
            let start = clock.now
            let (_, gradients) = valueAndGradient(of: trainable) {
                ExtractionEvaluator.suffixLoss(target, prompt: prompt, samples: samples)
            }
            optimizer.update(trainable, along: gradients)
            return (clock.now - start) / .seconds(1)
        }
        let cpu = processorName()
        let tokens = batchSize * (promptLength + prefixLength + suffixLength - 1)
        print("soft-prompt step through SmolLM2-135M: batch \(batchSize) × (prompt \(promptLength) + prefix \(prefixLength) + suffix \(suffixLength)) "
            + "= \(tokens) positions, LM head on the suffix only; \(threads) thread(s), kernels \(KernelLevel.active), \(cpu)")
        print(String(format: "resident memory before the steps %.2f GiB", Double(ProcessMemory.currentResidentBytes ?? 0) / 1_073_741_824))
        print("| step (median of \(steps) after one warm-up) | seconds | × no-gradient forward | trainable parameters | peak resident memory after |")
        print("|---|---|---|---|---|")
        let promptLength = promptLength
        let variants: [(String, () throws -> any TrainablePrompt)] = [
            ("constant soft prompt", { ConstantSoftPrompt(initialTokens: Array(repeating: 504, count: promptLength), target: target) }),
            ("dynamic soft prompt, embedding frozen", {
                try DynamicSoftPromptGenerator(target: target, configuration: .init(length: promptLength, freezesEmbedding: true))
            }),
            ("dynamic soft prompt, embedding trained", {
                try DynamicSoftPromptGenerator(target: target, configuration: .init(length: promptLength))
            }),
        ]
        _ = forwardSeconds()
        for (name, make) in variants {
            let prompt = try make()
            _ = stepSeconds(prompt)
            var step: [Double] = [], forward: [Double] = []
            for _ in 0..<steps {
                step.append(stepSeconds(prompt))
                forward.append(forwardSeconds())
            }
            let count = prompt.trainableParameters().reduce(0) { $0 + $1.value.count }
            print(String(format: "| %@ | %.3f | %.2f× (forward %.3f s) | %.2f M | %.2f GiB |", name, median(step), median(step) / median(forward),
                         median(forward), Double(count) / 1e6, Double(ProcessMemory.peakResidentBytes) / 1_073_741_824))
        }
    }
}
