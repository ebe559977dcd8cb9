import Foundation
import PruningCore

/// Trained models committed with the package, so that every example and method runs on a
/// trained network without hours of training first. Each file's SHA-256 is recorded in
/// `Checkpoints/manifest.json` and checked at every load; `train-baselines` regenerates them.
///
/// | name | model | recipe | test accuracy |
/// |---|---|---|---|
/// | `resnet20-fashion-mnist` | ``ResNet/cifar(depth:inputChannels:classCount:width:using:)`` depth 20, 1×28×28 | see `Documentation/ModelZoo.md` | in the manifest |
/// | `resnet56-fashion-mnist` | the same, depth 56 | see `Documentation/ModelZoo.md` | in the manifest |
/// | `mobilenetv2-fashion-mnist` | ``MobileNetV2`` (small-input strides; width multiplier in its summary) | see `Documentation/ModelZoo.md` | in the manifest |
/// | `vit-fashion-mnist` | ``VisionTransformer`` (4×4 patches, width 96, depth 6, 4 heads, MLP ratio 2) | see `Documentation/ModelZoo.md` | in the manifest |
///
/// Each model is rebuilt from the architecture recorded in its training summary and loaded
/// strictly (every tensor present, none extra, every shape equal).
///
/// ```swift
/// let resnet = try ShippedCheckpoints.resnet20FashionMNIST()   // eval mode, checksum verified
/// ```
public enum ShippedCheckpoints {
    /// The shipped models.
    public enum Name: String, CaseIterable, Sendable {
        /// ResNet-20 (16/32/64 channels) trained on Fashion-MNIST.
        case resnet20FashionMNIST = "resnet20-fashion-mnist"
        /// ResNet-56 (16/32/64 channels, nine blocks per stage) trained on Fashion-MNIST.
        case resnet56FashionMNIST = "resnet56-fashion-mnist"
        /// MobileNetV2 (8-fold reduction for small images) trained on Fashion-MNIST.
        case mobileNetV2FashionMNIST = "mobilenetv2-fashion-mnist"
        /// The small Vision Transformer (49 patch tokens and a class token) trained on Fashion-MNIST.
        case visionTransformerFashionMNIST = "vit-fashion-mnist"
    }

    /// One manifest entry.
    public struct Entry: Codable, Sendable, Equatable {
        /// The checkpoint's name.
        public var name: String
        /// The weights file (safetensors) inside the checkpoints folder.
        public var weights: String
        /// The SHA-256 of the weights file, 64 lowercase hexadecimal digits.
        public var sha256: String
        /// The training summary (JSON written by `train-baselines`) inside the folder.
        public var summary: String
        /// Top-1 accuracy on the 10,000 Fashion-MNIST test images.
        public var testAccuracy: Double
        /// How it was trained.
        public var recipe: String
    }

    /// The folder of shipped checkpoints (a resource of this module).
    public static var directory: URL? { Bundle.module.url(forResource: "Checkpoints", withExtension: nil) }

    /// Every manifest entry.
    ///
    /// - Throws: ``ShippedCheckpointError/missingFile(_:)`` or
    ///   ``ShippedCheckpointError/invalidManifest(reason:)``.
    public static func entries() throws -> [Entry] {
        guard let directory else { throw ShippedCheckpointError.missingFile("Checkpoints") }
        let url = directory.appendingPathComponent("manifest.json")
        guard let data = FileManager.default.contents(atPath: url.path) else { throw ShippedCheckpointError.missingFile(url.path) }
        do {
            return try JSONDecoder().decode([Entry].self, from: data)
        } catch {
            throw ShippedCheckpointError.invalidManifest(reason: "\(error)")
        }
    }

    /// The manifest entry of `name`.
    ///
    /// - Throws: ``ShippedCheckpointError/missingFile(_:)`` when the manifest has no such entry.
    public static func entry(_ name: Name) throws -> Entry {
        guard let entry = try entries().first(where: { $0.name == name.rawValue }) else {
            throw ShippedCheckpointError.missingFile("\(name.rawValue) (not in the manifest)")
        }
        return entry
    }

    /// The verified weights file of `name`.
    ///
    /// - Throws: ``ShippedCheckpointError`` for a missing entry or file, or a checksum that
    ///   differs from the manifest's.
    public static func weightsURL(_ name: Name) throws -> URL {
        let entry = try entry(name)
        guard let directory else { throw ShippedCheckpointError.missingFile("Checkpoints") }
        let url = directory.appendingPathComponent(entry.weights)
        try verify(url, sha256: entry.sha256)
        return url
    }

    /// The `architecture` field of `name`'s training summary, decoded as `Architecture`.
    ///
    /// - Throws: ``ShippedCheckpointError/missingFile(_:)`` or
    ///   ``ShippedCheckpointError/invalidManifest(reason:)`` naming the summary file.
    public static func architecture<Architecture: Decodable>(_ name: Name, as type: Architecture.Type) throws -> Architecture {
        let entry = try entry(name)
        guard let directory else { throw ShippedCheckpointError.missingFile("Checkpoints") }
        let url = directory.appendingPathComponent(entry.summary)
        guard let data = FileManager.default.contents(atPath: url.path) else { throw ShippedCheckpointError.missingFile(url.path) }
        do {
            return try JSONDecoder().decode(ArchitectureField<Architecture>.self, from: data).architecture
        } catch {
            throw ShippedCheckpointError.invalidManifest(reason: "\(entry.summary): architecture: \(error)")
        }
    }

    /// Throws unless the file at `url` has the SHA-256 `expected`.
    ///
    /// - Throws: ``ShippedCheckpointError/missingFile(_:)`` or
    ///   ``ShippedCheckpointError/checksumMismatch(file:expected:actual:)``.
    public static func verify(_ url: URL, sha256 expected: String) throws {
        guard FileManager.default.fileExists(atPath: url.path) else { throw ShippedCheckpointError.missingFile(url.path) }
        let actual = try SHA256.hexDigest(ofFile: url)
        guard actual == expected.lowercased() else {
            throw ShippedCheckpointError.checksumMismatch(file: url.lastPathComponent, expected: expected, actual: actual)
        }
    }

    /// The shipped ResNet-20 for Fashion-MNIST (inputs normalized with
    /// ``FashionMNIST/normalization``), in evaluation mode.
    public static func resnet20FashionMNIST() throws -> ResNet { try resnet(.resnet20FashionMNIST) }

    /// The shipped ResNet-56 for Fashion-MNIST (inputs normalized with
    /// ``FashionMNIST/normalization``), in evaluation mode.
    public static func resnet56FashionMNIST() throws -> ResNet { try resnet(.resnet56FashionMNIST) }

    /// The shipped MobileNetV2 for Fashion-MNIST (inputs normalized with
    /// ``FashionMNIST/normalization``), in evaluation mode.
    public static func mobileNetV2FashionMNIST() throws -> MobileNetV2 {
        let url = try weightsURL(.mobileNetV2FashionMNIST)
        var random = RandomGenerator(seed: 0)
        let model = MobileNetV2(configuration: try architecture(.mobileNetV2FashionMNIST, as: MobileNetV2.Configuration.self), using: &random)
        try model.load(from: url, strict: true)
        model.eval()
        return model
    }

    /// The shipped Vision Transformer for Fashion-MNIST (inputs normalized with
    /// ``FashionMNIST/normalization``), in evaluation mode.
    public static func visionTransformerFashionMNIST() throws -> VisionTransformer {
        let url = try weightsURL(.visionTransformerFashionMNIST)
        var random = RandomGenerator(seed: 0)
        let model = VisionTransformer(
            configuration: try architecture(.visionTransformerFashionMNIST, as: VisionTransformer.Configuration.self), using: &random)
        try model.load(from: url, strict: true)
        model.eval()
        return model
    }

    /// A shipped ResNet rebuilt from its summary's architecture.
    private static func resnet(_ name: Name) throws -> ResNet {
        let url = try weightsURL(name)
        var random = RandomGenerator(seed: 0)
        let model = ResNet(configuration: try architecture(name, as: ResNet.Configuration.self), using: &random)
        try model.load(from: url, strict: true)
        model.eval()
        return model
    }
}

/// The one field of a training summary that rebuilding a model needs.
private struct ArchitectureField<Architecture: Decodable>: Decodable {
    var architecture: Architecture
}

/// Why a shipped checkpoint could not be used.
public enum ShippedCheckpointError: Error, Equatable, CustomStringConvertible {
    /// A file or manifest entry is missing.
    case missingFile(String)
    /// The manifest is not valid JSON of the expected shape.
    case invalidManifest(reason: String)
    /// A file's checksum differs from the manifest's.
    case checksumMismatch(file: String, expected: String, actual: String)

    /// A sentence naming the file and the problem.
    public var description: String {
        switch self {
        case .missingFile(let file): "shipped checkpoint: \(file) is missing"
        case .invalidManifest(let reason): "shipped checkpoints: Checkpoints/manifest.json is invalid: \(reason)"
        case .checksumMismatch(let file, let expected, let actual):
            "shipped checkpoint \(file): SHA-256 \(actual) differs from the manifest's \(expected); the file is corrupt or was replaced"
        }
    }
}
