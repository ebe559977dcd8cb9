import Foundation

/// Every reader and loader of the package as a fuzz target, with valid seed inputs built by the
/// package's own writers (or by hand where other writers' layouts matter).
package enum FuzzTargets {
    /// The names of every target, in report order.
    package static let names = [
        "safetensors", "gguf", "npy", "idx", "idx.gz", "vocab.txt", "bert-config", "llama-config", "llama-directory",
        "low-rank-directory", "pruned-cnn-directory", "translation-teachers", "diffusion-teacher", "diffusion-expert", "aptp-router", "prompt-checkpoint", "displlm-checkpoint", "text",
    ]

    /// The target named `name`.
    package static func target(named name: String) throws -> FuzzTarget? {
        switch name {
        case "safetensors": try safeTensors()
        case "gguf": try gguf()
        case "npy": try numPy()
        case "idx": try idx(compressed: false)
        case "idx.gz": try idx(compressed: true)
        case "vocab.txt": wordPieceVocabulary()
        case "bert-config": try bertConfiguration()
        case "llama-config": try llamaConfiguration()
        case "llama-directory": try llamaDirectory()
        case "low-rank-directory": try lowRankDirectory()
        case "pruned-cnn-directory": try prunedCNNDirectory()
        case "translation-teachers": try translationTeachers()
        case "diffusion-teacher": try diffusionTeacher()
        case "diffusion-expert": try diffusionExpert()
        case "aptp-router": try aptpRouter()
        case "prompt-checkpoint": try promptCheckpoint()
        case "displlm-checkpoint": try dispLLMCheckpoint()
        case "text": text()
        default: nil
        }
    }
}
