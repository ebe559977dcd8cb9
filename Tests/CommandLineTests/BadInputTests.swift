import Foundation
import Testing

/// Every executable, handed the inputs users get wrong — missing, empty, non-UTF-8 or binary
/// files, a directory where a file belongs and a file where a directory belongs, numbers out of
/// range — stops quickly with a non-zero status and a message naming the flag or the path, and
/// never prints NaN or infinity as a result.
@Suite(.serialized) struct BadInputTests {
    /// Scratch inputs shared by the cases.
    struct Inputs {
        let folder: URL
        var missing: String { folder.appendingPathComponent("absent.gguf").path }
        var empty: String { folder.appendingPathComponent("empty.txt").path }
        var binary: String { folder.appendingPathComponent("binary.txt").path }
        var blank: String { folder.appendingPathComponent("blank.txt").path }
        var garbage: String { folder.appendingPathComponent("garbage.gguf").path }
        var directory: String { folder.appendingPathComponent("a-directory").path }
        var regularFile: String { folder.appendingPathComponent("regular-file").path }
        var underFile: String { folder.appendingPathComponent("regular-file/inside").path }

        init() throws {
            folder = FileManager.default.temporaryDirectory.appendingPathComponent("bad-inputs-\(UUID().uuidString)")
            let manager = FileManager.default
            try manager.createDirectory(atPath: folder.appendingPathComponent("a-directory").path, withIntermediateDirectories: true)
            try Data().write(to: URL(fileURLWithPath: empty))
            try Data([0x66, 0x6F, 0xFF, 0xFE, 0x80, 0x0A]).write(to: URL(fileURLWithPath: binary))
            try Data("  \n\t\n".utf8).write(to: URL(fileURLWithPath: blank))
            try Data("not a model file at all, just some words".utf8).write(to: URL(fileURLWithPath: garbage))
            try Data("x".utf8).write(to: URL(fileURLWithPath: regularFile))
        }
    }

    /// One bad invocation and what its message must name.
    struct Case: CustomStringConvertible, Sendable {
        var executable: String
        var arguments: [String]
        var mentions: String
        var environment: [String: String] = [:]
        var description: String { "\(executable) \(arguments.joined(separator: " "))" }
    }

    static let inputs: Inputs = try! Inputs()

    static var cases: [Case] {
        let i = inputs
        var cases: [Case] = []
        func add(_ executable: String, _ arguments: [String], mentions: String, environment: [String: String] = [:]) {
            cases.append(Case(executable: executable, arguments: arguments, mentions: mentions, environment: environment))
        }
        // Model inputs of the LLM commands.
        for executable in ["perplexity", "modegpt", "disp-llm", "memorization", "displlm-benchmarks", "memorization-benchmarks"] {
            add(executable, ["--model", i.missing], mentions: i.missing)
            add(executable, ["--model", i.empty], mentions: i.empty)
            add(executable, ["--model", i.garbage], mentions: i.garbage)
            add(executable, ["--model", i.directory], mentions: i.directory)
            add(executable, ["--threads", "0"], mentions: "--threads")
        }
        // Text inputs.
        for text in [i.missing, i.empty, i.binary, i.blank, i.directory] {
            add("perplexity", ["--text", text], mentions: text)
        }
        add("perplexity", ["--tokens", "-3"], mentions: "--tokens")
        add("perplexity", ["--window", "1"], mentions: "--window")
        add("perplexity", ["--tokens", "1", "--window", "abc"], mentions: "--window")
        // Output folders that are files, or lie under a file.
        for executable in ["modegpt", "disp-llm", "memorization", "bgpo", "auto-train-once", "interpretation-pruning", "rlal", "train-baselines", "gan-compression", "aptp"] {
            add(executable, ["--output", i.regularFile], mentions: i.regularFile)
            add(executable, ["--output", i.underFile], mentions: i.underFile)
        }
        add("memorization", ["--work", i.regularFile], mentions: i.regularFile)
        add("disp-llm", ["--checkpoints", i.regularFile], mentions: i.regularFile)
        add("interpretation-pruning", ["--checkpoints", i.regularFile], mentions: i.regularFile)
        add("token-fusion", ["minilm", "--output", i.regularFile], mentions: i.regularFile)
        add("token-fusion", ["vit", "--output", i.underFile], mentions: i.underFile)
        add("token-fusion", ["vit", "--checkpoint", i.directory], mentions: i.directory)
        // The ViT checkpoint is a weights file with a JSON summary beside it; the error names the missing summary.
        add("token-fusion", ["vit", "--checkpoint", i.garbage], mentions: i.folder.appendingPathComponent("garbage").path)
        add("fashion-mnist", ["--save", i.directory], mentions: i.directory)
        add("fashion-mnist", ["--save", i.underFile], mentions: i.underFile)
        // Saved base models of the CNN methods.
        for executable in ["auto-train-once", "interpretation-pruning", "rlal"] {
            add(executable, ["--base", i.missing], mentions: i.missing)
            add(executable, ["--base", i.regularFile], mentions: i.regularFile)
            add(executable, ["--base", i.directory], mentions: i.directory)
        }
        // Numbers out of range.
        add("modegpt", ["--ratios", "1.5"], mentions: "--ratios")
        add("modegpt", ["--ratios", "-0.2"], mentions: "--ratios")
        add("disp-llm", ["--ratios", "1"], mentions: "--ratios")
        add("disp-llm", ["--steps", "-1"], mentions: "--steps")
        add("memorization", ["--canaries", "0"], mentions: "--canaries")
        add("memorization", ["--prefix-length", "0"], mentions: "--prefix-length")
        add("memorization", ["--learning-rate", "nan"], mentions: "--learning-rate")
        add("auto-train-once", ["--ratios", "0"], mentions: "--ratios")
        add("interpretation-pruning", ["--ratios", "1.2"], mentions: "--ratios")
        add("rlal", ["--ratios", "2"], mentions: "--ratios")
        add("train-baselines", ["--model", "diffusion", "--diffusion-steps", "0"], mentions: "--diffusion-steps")
        add("gan-compression", ["--kept", "1"], mentions: "--kept")
        add("aptp", ["--kept", "0"], mentions: "--kept")
        add("aptp", ["--methods", "aptp-k4,bk-sdm"], mentions: "bk-sdm")
        add("aptp", ["--warmup-steps", "600"], mentions: "--warmup-steps")
        add("aptp", ["--teacher", i.missing], mentions: i.missing)
        add("aptp", ["--teacher", i.directory], mentions: i.directory)
        add("gan-compression", ["--tasks", "horses"], mentions: "horses")
        add("gan-compression", ["--methods", "mggc,cyclegan"], mentions: "cyclegan")
        add("gan-compression", ["--teachers", i.missing], mentions: i.missing)
        add("gan-compression", ["--teachers", i.regularFile], mentions: i.regularFile)
        add("gan-compression", ["--teachers", i.directory, "--tasks", "labels"], mentions: i.directory)
        add("gan-compression", ["--train-teachers", "--teacher-output", i.regularFile], mentions: i.regularFile)
        add("compare", ["llm", "--ratio", "1.5"], mentions: "--ratio")
        add("compare", ["llm", "--methods", "modegpt,sparsegpt"], mentions: "sparsegpt")
        add("compare", ["llm", "--steps", "0"], mentions: "--steps")
        add("compare", ["vision", "--methods", "ato,snip"], mentions: "snip")
        add("compare", ["vision", "--kept-fraction", "0"], mentions: "--kept-fraction")
        add("compare", ["gan", "--kept-fraction", "1"], mentions: "--kept-fraction")
        add("compare", ["diffusion", "--methods", "bk-sdm"], mentions: "bk-sdm")
        add("compare", ["all", "--threads", "0"], mentions: "--threads")
        add("compare", ["all", "--output", i.regularFile], mentions: i.regularFile)
        add("compare", ["vision", "--quick"], mentions: i.missing, environment: ["PRUNING_DATA_DIR": i.missing, "PRUNING_MODELS_DIR": i.missing])
        add("bgpo", ["--seeds", "0"], mentions: "--seeds")
        add("bgpo", ["--environments", "NotAnEnvironment"], mentions: "NotAnEnvironment")
        add("fashion-mnist", ["--epochs", "0"], mentions: "--epochs")
        add("fashion-mnist", ["--learning-rate", "-1"], mentions: "--learning-rate")
        add("train-baselines", ["--batch-size", "0"], mentions: "--batch-size")
        add("token-fusion", ["minilm", "--passages", "0"], mentions: "--passages")
        add("core-benchmarks", ["--threads", "0"], mentions: "--threads")
        add("model-benchmarks", ["--threads", "0"], mentions: "--threads")
        add("environment-benchmarks", ["--steps", "0"], mentions: "--steps")
        add("fuzz-readers", ["--inputs", "0"], mentions: "--inputs")
        add("fuzz-readers", ["--formats", "zip"], mentions: "zip")
        // A data folder that does not exist.
        for executable in ["perplexity", "fashion-mnist", "auto-train-once", "gan-compression"] {
            add(executable, [], mentions: i.missing, environment: ["PRUNING_DATA_DIR": i.missing, "PRUNING_MODELS_DIR": i.missing])
        }
        return cases
    }

    @Test("a bad input stops the command with a message naming it", arguments: cases)
    func badInput(_ badCase: Case) throws {
        let run = try CommandRunner.run(badCase.executable, badCase.arguments, environment: badCase.environment, timeout: 60)
        #expect(!run.timedOut, "\(badCase): still running after 60 s")
        #expect(run.status != 0, "\(badCase): exit status 0\n\(run.combined.suffix(600))")
        #expect(run.combined.contains(badCase.mentions), "\(badCase): the message does not name '\(badCase.mentions)':\n\(run.combined.suffix(600))")
        #expect(!Self.printsNonFinite(run.output), "\(badCase): prints NaN or infinity:\n\(run.output.suffix(600))")
    }

    /// Whether `text` shows a NaN or infinity as a printed number.
    static func printsNonFinite(_ text: String) -> Bool {
        let words = text.lowercased().split(whereSeparator: { !$0.isLetter && $0 != "-" })
        return words.contains { ["nan", "-nan", "inf", "-inf", "infinity"].contains($0) }
    }
}
