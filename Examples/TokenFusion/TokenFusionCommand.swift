import ArgumentParser

/// Token merging (ToMe), Token Fusion (ToFu) and token pruning (EViT) on all-MiniLM-L6-v2
/// sentence embeddings (`minilm`, the default) and on the Fashion-MNIST ViT (`vit`).
@main
struct TokenFusionCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token-fusion",
        abstract: "Token merging (ToMe), Token Fusion (ToFu) and token pruning (EViT) on all-MiniLM-L6-v2 and a Fashion-MNIST ViT.",
        discussion: """
            `token-fusion minilm` (the default, so `token-fusion --probe` runs it) compares the \
            sentence embeddings of all-MiniLM-L6-v2; `token-fusion vit` measures the top-1 accuracy \
            and throughput of the Fashion-MNIST ViT trained by `train-baselines --model vit`.
            """,
        subcommands: [MiniLMCommand.self, ViTCommand.self],
        defaultSubcommand: MiniLMCommand.self)
}
