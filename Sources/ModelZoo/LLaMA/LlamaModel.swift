import PruningCore

/// A LLaMA-architecture causal language model (Hugging Face's `LlamaForCausalLM`), dense or
/// pruned layer by layer, built from PruningCore layers.
///
/// Parameters are named as in Hugging Face checkpoints — `model.embed_tokens.weight`,
/// `model.layers.N.self_attn.{q,k,v,o}_proj.weight`, `model.layers.N.mlp.{gate,up,down}_proj.weight`,
/// `model.layers.N.{input,post_attention}_layernorm.weight`, `model.norm.weight`, and
/// `lm_head.weight` when the embeddings are not tied — so ``LlamaModel/save(toDirectory:)`` writes files
/// Hugging Face tools can read. Every layer may have its own widths (see
/// ``LlamaLayerConfiguration``).
///
/// ```swift
/// // `tensors`: [String: Tensor] by GGUF name, dequantized, row-major [out, in].
/// let model = try LlamaModel(configuration: .smolLM2_135M, weights: tensors)
/// let logits = model.logits(for: [[1, 504, 3458]])          // [1, 3, 49152]
/// let reply = model.generate(from: prompt, maxNewTokens: 32)
/// try model.convertingRopePairing(to: .halves).save(toDirectory: folder)  // Hugging Face layout
/// ```
public final class LlamaModel: Module {
    /// The model's shape, including every layer's overrides.
    public let configuration: LlamaConfiguration
    /// `model.embed_tokens`, `[vocab, hidden]`; also the LM head when the embeddings are tied.
    public let embedding: Embedding
    /// `model.layers`.
    public let layers: [LlamaDecoderLayer]
    /// `model.norm`, applied before the LM head.
    public let finalNorm: RMSNorm
    /// `lm_head`, `[vocab, hidden]`, when the embeddings are not tied.
    public let languageModelHead: Linear?
    /// Whether the module is in training mode (no effect: the model has no dropout).
    public var isTraining = true
    /// The `model` child, which holds the embedding, the layers and the final norm.
    private let backbone: LlamaBackbone

    /// A model holding `weights`, named in `naming`, shaped as `configuration` says.
    ///
    /// For weights read from a GGUF file (`naming: .gguf`) the configuration's pairing must be
    /// ``LlamaConfiguration/RopePairing/interleaved`` (see ``LlamaTensorNaming``). Tensors are
    /// shared, not copied.
    ///
    /// - Parameters:
    ///   - configuration: the shape, checked with ``LlamaConfiguration/validate()``.
    ///   - weights: row-major tensors (`[out, in]` for matrices) by name.
    ///   - naming: the naming of `weights`.
    /// - Throws: ``LlamaConfigurationError`` for an invalid configuration;
    ///   ``LlamaWeightsError`` naming a missing, unexpected or mis-shaped tensor, or one holding
    ///   NaN or infinity.
    public init(
        configuration: LlamaConfiguration, weights: [String: Tensor], naming: LlamaTensorNaming = .gguf
    ) throws {
        try configuration.validate()
        let expected = configuration.parameterShapes()
        var values: [String: Tensor] = [:]
        for (name, shape) in expected {
            let given = naming.name(forHuggingFaceName: name) ?? name
            guard let tensor = weights[given] else { throw LlamaWeightsError.missingTensor(name: given) }
            guard tensor.shape == shape else {
                throw LlamaWeightsError.shapeMismatch(name: given, expected: shape, found: tensor.shape)
            }
            if let index = tensor.firstNonFiniteIndex { throw LlamaWeightsError.nonFiniteValue(name: given, index: index) }
            values[name] = tensor
        }
        let known = Set(expected.map { naming.name(forHuggingFaceName: $0.name) ?? $0.name })
        if let extra = weights.keys.sorted().first(where: { !known.contains($0) }) {
            throw LlamaWeightsError.unexpectedTensor(name: extra)
        }

        self.configuration = configuration
        embedding = Embedding(weight: values["model.embed_tokens.weight"]!)
        finalNorm = Self.norm(values["model.norm.weight"]!, configuration)
        languageModelHead = configuration.tiedEmbeddings ? nil : Linear(weight: values["lm_head.weight"]!)
        var rotaries = LlamaRotaryTables(configuration: configuration)
        layers = (0..<configuration.layerCount).map { index in
            Self.makeLayer(index, configuration: configuration, values: values, rotaries: &rotaries)
        }
        backbone = LlamaBackbone(embedding: embedding, layers: layers, norm: finalNorm)
    }

    /// A model with random weights, initialized as Hugging Face's LLaMA: every matrix and the
    /// embedding drawn from N(0, `standardDeviation`²), norms at one.
    ///
    /// - Throws: ``LlamaConfigurationError`` for an invalid configuration.
    public convenience init(
        configuration: LlamaConfiguration, standardDeviation: Float = 0.02, using generator: inout RandomGenerator
    ) throws {
        try configuration.validate()
        var weights: [String: Tensor] = [:]
        for (name, shape) in configuration.parameterShapes() {
            weights[name] = shape.count == 1
                ? Tensor.ones(shape)
                : Tensor.randomNormal(shape, standardDeviation: standardDeviation, using: &generator)
        }
        try self.init(configuration: configuration, weights: weights, naming: .huggingFace)
    }

    /// The `model` container and, when untied, `lm_head`.
    public var children: [(String, any Module)] {
        var result: [(String, any Module)] = [("model", backbone)]
        if let languageModelHead { result.append(("lm_head", languageModelHead)) }
        return result
    }

    /// The current weights by Hugging Face name (shared, not copied).
    public func weights() -> [String: Tensor] { stateDictionary() }

    private static func norm(_ weight: Tensor, _ configuration: LlamaConfiguration) -> RMSNorm {
        let norm = RMSNorm(featureCount: configuration.hiddenSize, epsilon: configuration.rmsNormEpsilon)
        norm.weight.value = weight
        return norm
    }

    private static func makeLayer(
        _ index: Int, configuration: LlamaConfiguration, values: [String: Tensor], rotaries: inout LlamaRotaryTables
    ) -> LlamaDecoderLayer {
        let prefix = "model.layers.\(index)."
        func weight(_ name: String) -> Tensor { values[prefix + name + ".weight"]! }
        let dimensions = configuration.dimensions(ofLayer: index)
        let layerRotaries = dimensions.sharesRotaryPairs
            ? [rotaries.rotary(keeping: dimensions.rotaryPairs[0])]
            : dimensions.rotaryPairs.map { rotaries.rotary(keeping: $0) }
        let attention = LlamaAttention(
            query: weight("self_attn.q_proj"), key: weight("self_attn.k_proj"), value: weight("self_attn.v_proj"),
            output: weight("self_attn.o_proj"), headCount: dimensions.headCount,
            keyValueHeadCount: dimensions.keyValueHeadCount, rotaries: layerRotaries, scale: configuration.attentionScale)
        let mlp = LlamaMLP(gate: weight("mlp.gate_proj"), up: weight("mlp.up_proj"), down: weight("mlp.down_proj"))
        return LlamaDecoderLayer(
            index: index, attention: attention, mlp: mlp, inputNorm: norm(weight("input_layernorm"), configuration),
            postAttentionNorm: norm(weight("post_attention_layernorm"), configuration),
            attentionInputIndices: dimensions.attentionInputIndices,
            attentionOutputIndices: dimensions.attentionOutputIndices,
            mlpInputIndices: dimensions.mlpInputIndices, mlpOutputIndices: dimensions.mlpOutputIndices)
    }
}

/// The rotary embeddings of a model, built once per distinct set of kept pairs (the tables of
/// a long context are large; dense layers all share one).
struct LlamaRotaryTables {
    private let full: RotaryEmbedding
    private var pruned: [[Int]: RotaryEmbedding] = [:]

    init(configuration: LlamaConfiguration) {
        full = RotaryEmbedding(
            frequencies: configuration.rotaryFrequencies, maxPositions: configuration.maxPositions,
            pairing: configuration.ropePairing.rotaryPairing)
    }

    /// The rotary of a head keeping `pairs`.
    mutating func rotary(keeping pairs: [Int]) -> RotaryEmbedding {
        if pairs == Array(0..<full.pairCount) { return full }
        if let cached = pruned[pairs] { return cached }
        let rotary = full.keepingPairs(pairs)
        pruned[pairs] = rotary
        return rotary
    }
}

/// Hugging Face's inner `LlamaModel`: children `embed_tokens`, `layers`, `norm`.
final class LlamaBackbone: Module {
    let embedding: Embedding
    let layerList: LlamaLayerList
    let norm: RMSNorm
    var isTraining = true

    init(embedding: Embedding, layers: [LlamaDecoderLayer], norm: RMSNorm) {
        self.embedding = embedding
        self.layerList = LlamaLayerList(layers)
        self.norm = norm
    }

    var children: [(String, any Module)] { [("embed_tokens", embedding), ("layers", layerList), ("norm", norm)] }
}

/// The decoder layers, named `0`, `1`, ….
final class LlamaLayerList: Module {
    let layers: [LlamaDecoderLayer]
    var isTraining = true

    init(_ layers: [LlamaDecoderLayer]) { self.layers = layers }

    var children: [(String, any Module)] { layers.map { ("\($0.index)", $0 as any Module) } }
}
