import ArgumentParser
import ExampleSupport
import Foundation
import ModelZoo
import PruningCore

/// Evaluates a language model's perplexity on a text file.
@main
struct PerplexityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "perplexity",
        abstract: "Perplexity of a LLaMA-architecture model (GGUF file or saved directory) on a text.",
        discussion: """
            The text is tokenized whole (WikiText-2 raw files are first joined as the evaluation \
            protocol does: lines with their newlines, blank lines empty, joined by two newlines; \
            see Documentation/Perplexity.md). The first --tokens tokens are cut into non-overlapping \
            windows of --window tokens. Each window is scored on its own, with no context carried \
            over from the previous one; its first token has no context and is not scored, unless \
            --bos is given, in which case a BOS token is prepended to every window and all of the \
            window's tokens are scored. Perplexity is exp of the mean negative log-likelihood over \
            the scored tokens.
            """)

    @Option(help: "A GGUF model file or a directory saved by LlamaModel.save (default: SmolLM2-135M).")
    var model: String?

    @Option(help: "The text file (default: WikiText-2 test from the data folder).")
    var text: String?

    @Option(help: "How many tokens of the text to evaluate (0 for all).")
    var tokens: Int = 16_384

    @Option(help: "Window length in tokens.")
    var window: Int = 512

    @Flag(help: "Prepend a BOS token to every window and score all of its tokens.")
    var bos = false

    @Option(help: "Threads for BLAS and the elementwise loops.")
    var threads: Int = 2

    mutating func validate() throws {
        if let model { try InputPaths.checkReadable(model, flag: "--model", kind: .fileOrDirectory) }
        if let text { try InputPaths.checkText(text, flag: "--text") }
        guard window >= 2 else { throw ValidationError("--window \(window): must be at least 2") }
        guard tokens >= 0 else { throw ValidationError("--tokens \(tokens): must be 0 (all) or positive") }
        guard threads >= 1 else { throw ValidationError("--threads \(threads): must be at least 1") }
    }

    mutating func run() throws {
        BLAS.relaunchWithFasterKernelsIfNeeded()
        BLAS.setThreadCount(threads)
        ThreadPolicy.maximumThreads = threads

        let start = Date()
        let modelURL = try model.map { URL(fileURLWithPath: $0) } ?? ModelFiles.smolLM2()
        let (llama, tokenizer) = try Self.load(modelURL)
        print("model: \(modelURL.lastPathComponent), \(llama.parameterCount) parameters, loaded in \(String(format: "%.1f", Date().timeIntervalSince(start))) s")

        let raw: String
        let textName: String
        if let text {
            raw = try TextCorpus(contentsOf: URL(fileURLWithPath: text)).text
            textName = text
        } else {
            raw = try TextCorpus(contentsOf: DataFiles.file("wikitext-2-raw/wiki.test.raw")).text
            textName = "WikiText-2 test"
        }
        let joined = textName.hasSuffix(".raw") || text == nil ? WikiText2Evaluation.joined(raw) : raw
        var ids = tokenizer.encode(joined, addingBOS: false, parsingSpecialTokens: false)
        let available = ids.count
        if tokens > 0 { ids = Array(ids.prefix(tokens)) }
        print("text: \(textName), \(available) tokens; evaluating \(ids.count) in windows of \(window)\(bos ? " with BOS" : "")")
        // Without BOS a window's first token is context only, so at least two tokens are needed.
        guard ids.count >= (bos ? 1 : 2) else {
            throw ValidationError("\(textName): \(ids.count) token(s) to evaluate; perplexity needs at least \(bos ? 1 : 2) (the text is empty or --tokens is too small)")
        }
        let result = llama.perplexity(of: ids, windowLength: window, prependBOS: bos)
        guard result.perplexity.isFinite, result.tokenCount > 0 else {
            throw ValidationError("\(textName): the model's perplexity is not finite (mean NLL \(result.meanNegativeLogLikelihood) over \(result.tokenCount) tokens); the model file may hold NaN or infinite weights")
        }
        print(String(format: "perplexity %.3f  (mean NLL %.4f over %d scored tokens, %.0f tokens/s)",
                     result.perplexity, result.meanNegativeLogLikelihood, result.tokenCount, result.tokensPerSecond))
    }

    static func load(_ url: URL) throws -> (LlamaModel, ByteLevelBPETokenizer) {
        let file = try GGUFFile(contentsOf: url.pathExtension == "gguf" ? url : ModelFiles.smolLM2())
        let tokenizer = try ByteLevelBPETokenizer(gguf: file)
        let model = url.pathExtension == "gguf" ? try LlamaModel(gguf: file) : try LlamaModel.load(from: url)
        model.eval()
        return (model, tokenizer)
    }
}
