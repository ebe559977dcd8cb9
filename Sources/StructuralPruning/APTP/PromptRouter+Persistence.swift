import Foundation
import ModelZoo
import PruningCore

extension PromptRouter {
    /// What is written next to a saved router's weights.
    public struct SavedLayout: Sendable, Codable, Equatable {
        /// The unpruned U-Net's configuration (the gate layout follows from it).
        public var network: DiffusionUNet.Configuration
        /// The depth order.
        public var depthOrder: [Int]
        /// The number of codes.
        public var codeCount: Int

        private enum CodingKeys: String, CodingKey { case network, depthOrder, codeCount }

        /// Decodes a layout, checking that the depth order is a permutation of the six residual
        /// blocks and that the code count is between 1 and the gate vector's length.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            network = try container.decode(DiffusionUNet.Configuration.self, forKey: .network)
            depthOrder = try container.decode([Int].self, forKey: .depthOrder)
            codeCount = try container.decode(Int.self, forKey: .codeCount)
            guard depthOrder.sorted() == Array(0..<DiffusionUNet.blockNames.count) else {
                throw DecodingError.dataCorruptedError(forKey: .depthOrder, in: container, debugDescription: "\(depthOrder) is not a permutation of the 6 residual blocks")
            }
            let w = network.widths
            let size = [w[0], w[1], w[2], w[2], w[1], w[0]].reduce(0) { $0 + $1 / network.groupSize } + network.heads + DiffusionUNet.blockNames.count
            guard codeCount >= 1 && codeCount <= size else {
                throw DecodingError.dataCorruptedError(forKey: .codeCount, in: container, debugDescription: "\(codeCount) is outside 1...\(size)")
            }
        }

        /// A layout.
        public init(network: DiffusionUNet.Configuration, depthOrder: [Int], codeCount: Int) {
            self.network = network
            self.depthOrder = depthOrder
            self.codeCount = codeCount
        }
    }

    /// The weights file inside a saved folder.
    public static let weightsFileName = "router.safetensors"
    /// The layout file inside a saved folder.
    public static let layoutFileName = "router.json"

    /// Saves the router for the U-Net of `configuration` to `directory` (`router.safetensors`,
    /// `router.json`); both files are complete before either replaces its predecessor.
    public func save(toDirectory directory: URL, network configuration: DiffusionUNet.Configuration) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let transaction = FileTransaction()
        try transaction.writeSafeTensors(stateDictionary(), metadata: ["model": "aptp-router"], to: directory.appendingPathComponent(Self.weightsFileName))
        try transaction.write(encoder.encode(SavedLayout(network: configuration, depthOrder: space.depthOrder, codeCount: codebook.count)),
                              to: directory.appendingPathComponent(Self.layoutFileName))
        try transaction.commit()
    }

    /// Loads a router saved by ``save(toDirectory:network:)``; it routes exactly as the saved one.
    ///
    /// - Throws: `FormatError` for a missing or malformed layout file;
    ///   ``StructuralPruningError`` for a depth order or code count that does not fit the
    ///   network; `ModuleError` for weights that do not fit.
    public static func load(fromDirectory directory: URL) throws -> PromptRouter {
        let layout = try JSONFile.decode(SavedLayout.self, from: directory.appendingPathComponent(layoutFileName))
        var random = RandomGenerator(seed: 0)
        let space = try DiffusionArchitectureSpace(network: DiffusionUNet(configuration: layout.network, using: &random), depthOrder: layout.depthOrder)
        let router = try PromptRouter(space: space, codeCount: layout.codeCount, conditionSize: layout.network.conditionSize, using: &random)
        try router.load(from: directory.appendingPathComponent(weightsFileName), strict: true)
        return router
    }
}
