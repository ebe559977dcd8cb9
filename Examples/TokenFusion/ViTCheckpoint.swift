import Foundation
import ModelZoo
import PruningCore

/// A problem with the ViT checkpoint files, naming the file.
enum ViTCheckpointError: Error, CustomStringConvertible {
    /// The weights or their JSON summary do not exist.
    case missingFile(path: String)
    /// The JSON summary could not be read or decoded.
    case unreadableSummary(path: String, reason: String)
    /// The weights do not fit the architecture of the summary.
    case unloadableWeights(path: String, reason: String)

    /// The command that writes the checkpoint.
    static let trainingCommand = "swift run -c release train-baselines --model vit --output checkpoints"

    var description: String {
        switch self {
        case .missingFile(let path):
            "no ViT checkpoint file at \(path): train the Fashion-MNIST ViT with `\(Self.trainingCommand)`, which writes vit-fashion-mnist.safetensors and vit-fashion-mnist.json after every epoch"
        case .unreadableSummary(let path, let reason):
            "cannot read the ViT checkpoint summary \(path): \(reason) (it is the JSON that `\(Self.trainingCommand)` writes next to the weights)"
        case .unloadableWeights(let path, let reason):
            "cannot load the ViT weights \(path) with the architecture of its JSON summary: \(reason)"
        }
    }
}

/// The Fashion-MNIST ViT written by `train-baselines --model vit`: `<name>.safetensors` with the
/// weights and `<name>.json`, whose `architecture` is the ``VisionTransformer/Configuration``
/// and `normalization` the image normalization it was trained with.
struct ViTCheckpoint {
    /// The fields of the JSON summary used here.
    struct Summary: Decodable {
        var architecture: VisionTransformer.Configuration
        var normalization: ImageNormalization
        var epochsCompleted: Int?
        var epochsPlanned: Int?
        var testAccuracy: Double?
    }

    /// The weights file.
    let weights: URL
    /// The JSON summary next to it.
    let summary: Summary

    /// The JSON summary belonging to `weights`: the same path with the extension `.json`.
    static func summaryURL(for weights: URL) -> URL {
        weights.deletingPathExtension().appendingPathExtension("json")
    }

    /// Reads the summary of the checkpoint at `weights`.
    ///
    /// - Throws: ``ViTCheckpointError`` naming the missing or unreadable file.
    init(weights: URL) throws {
        let summaryFile = Self.summaryURL(for: weights)
        for file in [weights, summaryFile] where !FileManager.default.fileExists(atPath: file.path) {
            throw ViTCheckpointError.missingFile(path: file.path)
        }
        do {
            summary = try JSONDecoder().decode(Summary.self, from: Data(contentsOf: summaryFile))
        } catch {
            throw ViTCheckpointError.unreadableSummary(path: summaryFile.path, reason: "\(error)")
        }
        self.weights = weights
    }

    /// A fresh model with the checkpoint's weights, in evaluation mode.
    ///
    /// - Throws: ``ViTCheckpointError/unloadableWeights(path:reason:)``.
    func makeModel() throws -> VisionTransformer {
        var random = RandomGenerator(seed: 0)
        let model = VisionTransformer(configuration: summary.architecture, using: &random)
        do {
            try model.load(from: weights)
        } catch {
            throw ViTCheckpointError.unloadableWeights(path: weights.path, reason: "\(error)")
        }
        model.eval()
        return model
    }

    /// "epoch 3 of 15, test accuracy 84.12 %" from the summary (what it knows).
    var trainingNote: String {
        var parts: [String] = []
        if let done = summary.epochsCompleted {
            parts.append("epoch \(done)" + (summary.epochsPlanned.map { " of \($0)" } ?? ""))
        }
        if let accuracy = summary.testAccuracy { parts.append(String(format: "test accuracy %.2f %%", 100 * accuracy)) }
        return parts.joined(separator: ", ")
    }
}
