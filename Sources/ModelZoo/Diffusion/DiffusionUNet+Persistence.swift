import Foundation
import PruningCore

extension DiffusionUNet {
    /// What is written next to a saved network's weights: the unpruned configuration and the
    /// shape pruning left.
    public struct SavedArchitecture: Sendable, Codable, Equatable {
        /// The unpruned configuration (checked against the vision limits as it decodes).
        public var configuration: Configuration
        /// The pruned shape.
        public var shape: Shape

        /// A record.
        public init(configuration: Configuration, shape: Shape) {
            self.configuration = configuration
            self.shape = shape
        }

        private enum CodingKeys: String, CodingKey { case configuration, shape }

        /// Decodes a record, checking the shape against the configuration
        /// (``Shape/validate(against:)``).
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            configuration = try container.decode(Configuration.self, forKey: .configuration)
            shape = try container.decode(Shape.self, forKey: .shape)
            do { try shape.validate(against: configuration) } catch {
                throw DecodingError.dataCorruptedError(forKey: .shape, in: container, debugDescription: error.description)
            }
        }
    }

    /// The weights file inside a saved folder.
    public static let weightsFileName = "model.safetensors"
    /// The architecture file inside a saved folder.
    public static let architectureFileName = "architecture.json"

    /// Saves the network to `directory` (`model.safetensors`, `architecture.json`); both files
    /// are complete before either replaces its predecessor.
    public func save(toDirectory directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let transaction = FileTransaction()
        try transaction.writeSafeTensors(stateDictionary(), metadata: ["model": "diffusion-unet"], to: directory.appendingPathComponent(Self.weightsFileName))
        try transaction.write(encoder.encode(SavedArchitecture(configuration: configuration, shape: shape)),
                              to: directory.appendingPathComponent(Self.architectureFileName))
        try transaction.commit()
    }

    /// Loads a network saved by ``save(toDirectory:)``, in evaluation mode: builds the configuration,
    /// narrows it to the saved shape and loads the weights strictly.
    ///
    /// - Throws: `FormatError` for a missing or malformed architecture file;
    ///   ``DiffusionModelFileError`` for a shape that does not fit its configuration;
    ///   `ModuleError` for weights that do not fit.
    public static func load(fromDirectory directory: URL) throws -> DiffusionUNet {
        let record = try JSONFile.decode(SavedArchitecture.self, from: directory.appendingPathComponent(architectureFileName))
        var random = RandomGenerator(seed: 0)
        let model = try DiffusionUNet(configuration: record.configuration, shape: record.shape, using: &random)
        try model.load(from: directory.appendingPathComponent(weightsFileName), strict: true)
        model.eval()
        return model
    }
}
