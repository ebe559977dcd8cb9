import Foundation
import ModelZoo
import PruningCore

extension LowRankLlamaModel {
    /// The weights file inside a saved model directory.
    public static let weightsFileName = "model.safetensors"
    /// The architecture file (``LowRankLlamaArchitecture`` as JSON) inside a saved model
    /// directory.
    public static let architectureFileName = "low_rank_config.json"
    /// The safetensors `__metadata__` key holding the architecture JSON, so that the weights
    /// file describes itself.
    public static let architectureMetadataKey = "low_rank_llama_architecture"

    /// The model's structure: its configuration and, per block, the head counts and each
    /// projection's shape and rank.
    public var architecture: LowRankLlamaArchitecture { LowRankLlamaArchitecture(of: self) }

    /// Saves the model to `directory` (created if needed): `model.safetensors` holding every
    /// parameter as F32 under its dotted name from ``namedParameters()`` (for example
    /// `model.layers.0.self_attn.q_proj.input_factor`), with the ``architecture`` JSON in its
    /// metadata under ``architectureMetadataKey``, and the same JSON in
    /// `low_rank_config.json`. Both files are written completely before either replaces its
    /// predecessor, so a failed save leaves the previous model intact.
    ///
    /// - Throws: `FormatError.writeFailed(file:reason:)` or a file-system error.
    public func save(toDirectory directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let json = try architecture.jsonData()
        let transaction = FileTransaction()
        try transaction.writeSafeTensors(
            stateDictionary(), metadata: ["format": "pt", Self.architectureMetadataKey: String(decoding: json, as: UTF8.self)],
            to: directory.appendingPathComponent(Self.weightsFileName))
        try transaction.write(json, to: directory.appendingPathComponent(Self.architectureFileName))
        try transaction.commit()
    }

    /// Loads a model saved by ``save(toDirectory:)``.
    ///
    /// `url` is a saved model directory or its safetensors file. The architecture comes from
    /// the file's metadata when present (it was written with the weights), else from
    /// `low_rank_config.json` beside the weights file. The model is rebuilt with exactly that
    /// structure and every parameter is read strictly: each must be in the file with the
    /// described shape, and the file may hold no other tensor. Tensors of any safetensors float
    /// type are converted to `Float`.
    ///
    /// - Throws: `FormatError` for a missing or damaged weights file and for a missing tensor
    ///   (`tensorNotFound`); ``LowRankModelFileError`` for a missing, malformed or inconsistent
    ///   architecture description, a tensor of the wrong shape, or an unexpected tensor.
    public static func load(from url: URL) throws -> LowRankLlamaModel {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw FormatError.fileNotFound(file: url.path)
        }
        let weightsURL = isDirectory.boolValue ? url.appendingPathComponent(weightsFileName) : url
        let file = try SafeTensorsFile(contentsOf: weightsURL)
        let architecture: LowRankLlamaArchitecture
        if let json = file.metadata[architectureMetadataKey] {
            architecture = try LowRankLlamaArchitecture.decode(Data(json.utf8), source: file.path + " (metadata)")
        } else {
            let descriptionURL = weightsURL.deletingLastPathComponent().appendingPathComponent(architectureFileName)
            guard let data = try? Data(contentsOf: descriptionURL) else {
                throw LowRankModelFileError.missingDescription(file: file.path, descriptionFile: descriptionURL.path)
            }
            architecture = try LowRankLlamaArchitecture.decode(data, source: descriptionURL.path)
        }
        var read = Set<String>()
        func tensor(_ name: String, _ shape: [Int]) throws -> Tensor {
            guard let found = file.shape(of: name) else { throw FormatError.tensorNotFound(file: file.path, tensor: name) }
            guard found == shape else {
                throw LowRankModelFileError.shapeMismatch(file: file.path, tensor: name, expected: shape, found: found)
            }
            read.insert(name)
            return try file.tensor(named: name)
        }
        let model = try LowRankLlamaModel(architecture: architecture, reading: tensor)
        precondition(
            Set(model.namedParameters().map(\.0)) == read,
            "LowRankLlamaModel.load: the names read differ from the model's parameter names")
        if let extra = file.names.sorted().first(where: { !read.contains($0) }) {
            throw LowRankModelFileError.unexpectedTensor(file: file.path, tensor: extra)
        }
        return model
    }

    /// A model of `architecture` (already validated) whose parameters come from
    /// `tensor(name, shape)`, called once per parameter with its state-dictionary name.
    private convenience init(
        architecture: LowRankLlamaArchitecture, reading tensor: (String, [Int]) throws -> Tensor
    ) throws {
        let configuration = architecture.configuration
        let (hidden, epsilon) = (configuration.hiddenSize, configuration.rmsNormEpsilon)
        func norm(_ name: String) throws -> RMSNorm {
            let norm = RMSNorm(featureCount: hidden, epsilon: epsilon)
            norm.weight.value = try tensor(name + ".weight", [hidden])
            return norm
        }
        let layers = try architecture.layers.enumerated().map { index, layer in
            let prefix = "model.layers.\(index)."
            let p = try LowRankLlamaArchitecture.projectionNames.map { name -> LowRankLinear in
                let projection = layer.projections[name]!
                let (rows, columns) = (projection.outputCount, projection.inputCount)
                guard let rank = projection.rank else {
                    return LowRankLinear(weight: try tensor(prefix + name + ".weight", [rows, columns]))
                }
                return LowRankLinear(
                    outputFactor: try tensor(prefix + name + ".output_factor", [rows, rank]),
                    inputFactor: try tensor(prefix + name + ".input_factor", [rank, columns]))
            }
            return LowRankLlamaLayer(
                query: p[0], key: p[1], value: p[2], output: p[3], gate: p[4], up: p[5], down: p[6],
                inputNorm: try norm(prefix + "input_layernorm"), postAttentionNorm: try norm(prefix + "post_attention_layernorm"),
                headCount: layer.headCount, keyValueHeadCount: layer.keyValueHeadCount)
        }
        let vocabulary = configuration.vocabularySize
        self.init(
            configuration: configuration, embedding: Embedding(weight: try tensor("model.embed_tokens.weight", [vocabulary, hidden])),
            layers: layers, finalNorm: try norm("model.norm"),
            languageModelHead: configuration.tiedEmbeddings
                ? nil : Linear(weight: try tensor("lm_head.weight", [vocabulary, hidden])))
    }
}
