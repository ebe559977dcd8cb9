import Foundation
import PruningCore

/// The trained image-to-image models committed with the package: the pix2pix teachers
/// (generator and discriminator) of the two paired tasks and the segmenter that scores the
/// label-map task, so that GAN compression starts from trained networks. `gan-compression
/// --train-teachers` regenerates them; every file's SHA-256 is recorded in
/// `Checkpoints/translation-manifest.json` and checked at every load.
///
/// | name | networks | task |
/// |---|---|---|
/// | `pix2pix-fashion-edges` | ``UNetGenerator`` 1 → 1, ``PatchDiscriminator`` on 2 channels | ``FashionMNISTEdges`` |
/// | `pix2pix-label-maps` | ``UNetGenerator`` 5 → 1, ``PatchDiscriminator`` on 6 channels | ``SyntheticLabelMaps`` |
/// | `label-map-segmenter` | ``UNetGenerator`` 1 → 5 scores | image → label map |
public enum ShippedTranslationModels {
    /// A paired task with a shipped teacher.
    public enum Task: String, CaseIterable, Sendable, Codable {
        /// Fashion-MNIST edges → garment.
        case fashionEdges = "pix2pix-fashion-edges"
        /// Synthetic label map → scene.
        case labelMaps = "pix2pix-label-maps"
    }

    /// The training summary of a teacher or of the segmenter.
    public struct Summary: Sendable, Codable, Equatable {
        /// The generator's (or segmenter's) architecture.
        public var generator: UNetGenerator.Configuration
        /// The discriminator's architecture (nil for the segmenter).
        public var discriminator: PatchDiscriminator.Configuration?
        /// How it was trained.
        public var recipe: String
        /// What it measured on held-out pairs (mean L1, mIoU, …).
        public var metrics: [String: Double]

        /// A summary.
        public init(generator: UNetGenerator.Configuration, discriminator: PatchDiscriminator.Configuration?, recipe: String, metrics: [String: Double]) {
            self.generator = generator
            self.discriminator = discriminator
            self.recipe = recipe
            self.metrics = metrics
        }
    }

    /// One file and its checksum.
    public struct ManifestEntry: Sendable, Codable, Equatable {
        /// The file name inside the folder.
        public var file: String
        /// Its SHA-256, 64 lowercase hexadecimal digits.
        public var sha256: String

        /// An entry.
        public init(file: String, sha256: String) {
            self.file = file
            self.sha256 = sha256
        }
    }

    /// The manifest's file name.
    public static let manifestName = "translation-manifest.json"
    /// The segmenter's name.
    public static let segmenterName = "label-map-segmenter"

    /// A shipped (or `directory`'s) teacher in evaluation mode, with its summary.
    ///
    /// - Throws: ``ShippedCheckpointError`` for a missing file or a checksum mismatch;
    ///   `FormatError` for a malformed summary; `ModuleError` for weights that do not fit.
    public static func teacher(_ task: Task, from directory: URL? = nil) throws -> (generator: UNetGenerator, discriminator: PatchDiscriminator, summary: Summary) {
        let folder = try resolved(directory)
        let summary = try JSONFile.decode(Summary.self, from: folder.appendingPathComponent("\(task.rawValue).json"))
        guard let discriminatorConfiguration = summary.discriminator else {
            throw ShippedCheckpointError.invalidManifest(reason: "\(task.rawValue).json: the discriminator's architecture is missing")
        }
        var random = RandomGenerator(seed: 0)
        let generator = UNetGenerator(configuration: summary.generator, using: &random)
        let discriminator = PatchDiscriminator(configuration: discriminatorConfiguration, using: &random)
        try generator.load(from: try verified("\(task.rawValue)-generator.safetensors", in: folder), strict: true)
        try discriminator.load(from: try verified("\(task.rawValue)-discriminator.safetensors", in: folder), strict: true)
        generator.eval()
        discriminator.eval()
        return (generator, discriminator, summary)
    }

    /// The shipped (or `directory`'s) label-map segmenter in evaluation mode, with its summary.
    ///
    /// - Throws: as ``teacher(_:from:)``.
    public static func segmenter(from directory: URL? = nil) throws -> (model: UNetGenerator, summary: Summary) {
        let folder = try resolved(directory)
        let summary = try JSONFile.decode(Summary.self, from: folder.appendingPathComponent("\(segmenterName).json"))
        var random = RandomGenerator(seed: 0)
        let model = UNetGenerator(configuration: summary.generator, using: &random)
        try model.load(from: try verified("\(segmenterName).safetensors", in: folder), strict: true)
        model.eval()
        return (model, summary)
    }

    /// Writes models into `directory` with their summaries and a manifest of checksums: every
    /// weights and summary file is staged before any replaces its predecessor, and the manifest
    /// (merged with the folder's existing one) is replaced last. `models` maps a base name (a task's raw
    /// value or ``segmenterName``) to its networks and summary.
    public static func write(
        _ models: [(name: String, generator: UNetGenerator, discriminator: PatchDiscriminator?, summary: Summary)], to directory: URL
    ) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let transaction = FileTransaction()
        var written: [String] = []
        for model in models {
            var files: [(String, [String: Tensor])] = []
            if let discriminator = model.discriminator {
                files = [("\(model.name)-generator.safetensors", model.generator.stateDictionary()),
                         ("\(model.name)-discriminator.safetensors", discriminator.stateDictionary())]
            } else {
                files = [("\(model.name).safetensors", model.generator.stateDictionary())]
            }
            for (file, tensors) in files {
                try transaction.writeSafeTensors(tensors, to: directory.appendingPathComponent(file))
                written.append(file)
            }
            try transaction.write(try encoder.encode(model.summary), to: directory.appendingPathComponent("\(model.name).json"))
        }
        try transaction.commit()
        // The manifest is replaced last, once every file it lists is in place.
        let entries = try written.map { ManifestEntry(file: $0, sha256: try SHA256.hexDigest(ofFile: directory.appendingPathComponent($0))) }
        let manifestURL = directory.appendingPathComponent(manifestName)
        var merged = (try? JSONDecoder().decode([ManifestEntry].self, from: Data(contentsOf: manifestURL))) ?? []
        merged.removeAll { entry in entries.contains { $0.file == entry.file } }
        merged += entries
        try AtomicFile.write(try encoder.encode(merged.sorted { $0.file < $1.file }), to: manifestURL)
    }

    private static func resolved(_ directory: URL?) throws -> URL {
        if let directory { return directory }
        guard let shipped = ShippedCheckpoints.directory else { throw ShippedCheckpointError.missingFile("Checkpoints") }
        return shipped
    }

    /// The URL of `file` in `folder` after checking it against the folder's manifest.
    private static func verified(_ file: String, in folder: URL) throws -> URL {
        try GenerativeManifest.verified(file, in: folder, manifest: manifestName)
    }
}
