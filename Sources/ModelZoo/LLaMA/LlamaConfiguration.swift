import PruningCore

/// The shape of a LLaMA-architecture decoder (Touvron et al., 2023, "LLaMA: Open and Efficient
/// Foundation Language Models", arXiv 2302.13971): pre-norm blocks of grouped-query attention
/// with rotary position embeddings and a SwiGLU MLP, RMSNorm, and an optionally tied LM head.
///
/// The global fields describe a dense model, as a Hugging Face `config.json` or a GGUF file's
/// `llama.*` metadata do. ``layers`` adds per-layer overrides so that a pruned model, whose
/// layers have different widths, is described by the same value (see
/// ``LlamaLayerConfiguration``); ``dimensions(ofLayer:)`` resolves them.
///
/// ```swift
/// var configuration = LlamaConfiguration.smolLM2_135M
/// configuration.layers[3].intermediateSize = 1024      // a pruned MLP in block 3
/// let model = try LlamaModel(configuration: configuration, using: &random)
/// ```
public struct LlamaConfiguration: Sendable, Equatable {
    /// Which query and key dimensions the rotary embedding rotates together; this is a property
    /// of the weight layout (see `RotaryEmbedding/Pairing`).
    public enum RopePairing: String, Codable, Sendable, CaseIterable {
        /// Pairs `(x[j], x[j + d/2])`: Hugging Face checkpoints (`rotate_half`).
        case halves
        /// Pairs `(x[2j], x[2j + 1])`: GGUF files, whose converter permuted the query and key
        /// rows of the Hugging Face weights (llama.cpp "normal" rope mode).
        case interleaved

        /// The matching `RotaryEmbedding/Pairing`.
        public var rotaryPairing: RotaryEmbedding.Pairing {
            switch self {
            case .halves: .halves
            case .interleaved: .interleaved
            }
        }
    }

    /// The number of tokens (`vocab_size`).
    public var vocabularySize: Int
    /// The width of the residual stream (`hidden_size`, d in the papers).
    public var hiddenSize: Int
    /// The number of decoder blocks (`num_hidden_layers`).
    public var layerCount: Int
    /// The number of query heads of a dense layer (`num_attention_heads`).
    public var headCount: Int
    /// The number of key–value heads of a dense layer (`num_key_value_heads`); query head `h`
    /// reads key–value head `h / (headCount / keyValueHeadCount)`.
    public var keyValueHeadCount: Int
    /// The size of each dense head (`head_dim`); the rotary embedding covers all of it, and the
    /// attention scale is `1 / √headDimension` in every layer, pruned or not.
    public var headDimension: Int
    /// The MLP width of a dense layer (`intermediate_size`).
    public var intermediateSize: Int
    /// The RMSNorm ε (`rms_norm_eps`).
    public var rmsNormEpsilon: Float
    /// The rotary base θ (`rope_theta`): pair `j` turns by `θ^(−2j / headDimension)` per position.
    public var ropeTheta: Double
    /// Which dimensions the rotary embedding pairs; must match the layout of the q/k weights.
    public var ropePairing: RopePairing
    /// Whether the LM head reuses the token embedding (`tie_word_embeddings`).
    public var tiedEmbeddings: Bool
    /// The number of positions with precomputed rotary tables (`max_position_embeddings`).
    public var maxPositions: Int
    /// The beginning-of-sequence token (`bos_token_id`), used by perplexity with a prepended BOS.
    public var bosTokenID: Int?
    /// The end-of-sequence token (`eos_token_id`), where generation stops by default.
    public var eosTokenID: Int?
    /// Per-layer overrides: ``layerCount`` entries, or none for an all-dense model; an empty
    /// override (`LlamaLayerConfiguration()`) is a dense layer.
    public var layers: [LlamaLayerConfiguration]

    /// A configuration from its fields.
    ///
    /// - Parameters:
    ///   - vocabularySize: the number of tokens.
    ///   - hiddenSize: the width of the residual stream.
    ///   - layerCount: the number of decoder blocks.
    ///   - headCount: the query heads per block.
    ///   - intermediateSize: the MLP width.
    ///   - rmsNormEpsilon: the ε of RMSNorm.
    ///   - ropeTheta: the rotary base frequency.
    ///   - ropePairing: which dimensions rotate together.
    ///   - tiedEmbeddings: whether the LM head reuses the token embedding.
    ///   - maxPositions: the longest sequence the model supports.
    ///   - bosTokenID: the beginning-of-sequence id, if any.
    ///   - eosTokenID: the end-of-sequence id, if any.
    ///   - keyValueHeadCount: defaults to `headCount` (plain multi-head attention).
    ///   - headDimension: defaults to `hiddenSize / headCount`.
    ///   - layers: per-layer overrides; defaults to ``layerCount`` dense layers.
    public init(
        vocabularySize: Int, hiddenSize: Int, layerCount: Int, headCount: Int,
        keyValueHeadCount: Int? = nil, headDimension: Int? = nil, intermediateSize: Int,
        rmsNormEpsilon: Float = 1e-5, ropeTheta: Double = 10_000, ropePairing: RopePairing = .halves,
        tiedEmbeddings: Bool = false, maxPositions: Int = 2048, bosTokenID: Int? = nil,
        eosTokenID: Int? = nil, layers: [LlamaLayerConfiguration]? = nil
    ) {
        self.vocabularySize = vocabularySize
        self.hiddenSize = hiddenSize
        self.layerCount = layerCount
        self.headCount = headCount
        self.keyValueHeadCount = keyValueHeadCount ?? headCount
        self.headDimension = headDimension ?? hiddenSize / max(headCount, 1)
        self.intermediateSize = intermediateSize
        self.rmsNormEpsilon = rmsNormEpsilon
        self.ropeTheta = ropeTheta
        self.ropePairing = ropePairing
        self.tiedEmbeddings = tiedEmbeddings
        self.maxPositions = maxPositions
        self.bosTokenID = bosTokenID
        self.eosTokenID = eosTokenID
        self.layers = layers ?? Array(repeating: LlamaLayerConfiguration(), count: max(layerCount, 0))
    }

    /// SmolLM2-135M (Allal et al., 2025, arXiv 2502.02737) as stored in its GGUF file: 30
    /// blocks, width 576, 9 query / 3 key–value heads of 64, MLP 1536, ε 1e-5, θ 100 000, tied
    /// embeddings, 49 152 tokens, 8192 positions, BOS 1 (`<|im_start|>`), EOS 2 (`<|im_end|>`).
    ///
    /// The pairing is ``RopePairing/interleaved`` because GGUF q/k rows are permuted; use
    /// ``RopePairing/halves`` with Hugging Face-layout weights (see
    /// ``LlamaTensorNaming/huggingFaceWeights(fromGGUF:configuration:)``).
    public static let smolLM2_135M = LlamaConfiguration(
        vocabularySize: 49_152, hiddenSize: 576, layerCount: 30, headCount: 9, keyValueHeadCount: 3,
        headDimension: 64, intermediateSize: 1536, rmsNormEpsilon: 1e-5, ropeTheta: 100_000,
        ropePairing: .interleaved, tiedEmbeddings: true, maxPositions: 8192, bosTokenID: 1, eosTokenID: 2)

    /// The number of rotary pairs of a dense head, `headDimension / 2`.
    public var rotaryPairCount: Int { headDimension / 2 }

    /// The scale applied to query–key products in every layer: `1 / √headDimension` of the
    /// dense head, also after q/k dimensions were pruned (the pruned products approximate the
    /// dense ones).
    public var attentionScale: Float { 1 / Float(headDimension).squareRoot() }

    /// The rotation frequency of every dense rotary pair, `θ^(−2j / headDimension)`.
    public var rotaryFrequencies: [Float] {
        RotaryEmbedding.standardFrequencies(headDimension: headDimension, base: ropeTheta)
    }

    /// Whether every layer is dense (no override set).
    public var isDense: Bool { layers.allSatisfy { $0 == LlamaLayerConfiguration() } }

    /// The widths and index sets of layer `index`, with the overrides applied.
    ///
    /// - Precondition: `index` is in `0..<layerCount` and the configuration is valid.
    public func dimensions(ofLayer index: Int) -> LlamaLayerDimensions {
        precondition(
            index >= 0 && index < layerCount,
            "LlamaConfiguration: layer \(index) is outside 0..<\(layerCount)")
        let layer = layers.isEmpty ? LlamaLayerConfiguration() : layers[index]
        let keyValueHeads = layer.keyValueHeadCount ?? keyValueHeadCount
        let pairs: [[Int]]
        if let kept = layer.rotaryPairs {
            pairs = kept.count == 1 ? Array(repeating: kept[0], count: keyValueHeads) : kept
        } else {
            pairs = Array(repeating: Array(0..<rotaryPairCount), count: keyValueHeads)
        }
        return LlamaLayerDimensions(
            headCount: layer.headCount ?? headCount, keyValueHeadCount: keyValueHeads,
            rotaryPairs: pairs, valueHeadDimension: layer.valueHeadDimension ?? headDimension,
            intermediateSize: layer.intermediateSize ?? intermediateSize,
            attentionInputIndices: layer.attentionInputIndices,
            attentionOutputIndices: layer.attentionOutputIndices,
            mlpInputIndices: layer.mlpInputIndices, mlpOutputIndices: layer.mlpOutputIndices)
    }
}

/// The resolved shape of one decoder layer: ``LlamaConfiguration/dimensions(ofLayer:)``.
public struct LlamaLayerDimensions: Sendable, Equatable {
    /// The number of query heads.
    public var headCount: Int
    /// The number of key–value heads.
    public var keyValueHeadCount: Int
    /// The kept rotary pairs (indices into the dense frequencies) of each key–value head, in
    /// the order their dimensions are laid out; the query heads of a group use their key–value
    /// head's pairs. ``keyValueHeadCount`` lists of equal length.
    public var rotaryPairs: [[Int]]
    /// The value (and o_proj input) size of each head.
    public var valueHeadDimension: Int
    /// The MLP width.
    public var intermediateSize: Int
    /// The residual dimensions the attention reads (nil: all).
    public var attentionInputIndices: [Int]?
    /// The residual dimensions the attention writes (nil: all).
    public var attentionOutputIndices: [Int]?
    /// The residual dimensions the MLP reads (nil: all).
    public var mlpInputIndices: [Int]?
    /// The residual dimensions the MLP writes (nil: all).
    public var mlpOutputIndices: [Int]?

    /// The query and key size of each head: twice the number of kept rotary pairs.
    public var queryKeyHeadDimension: Int { 2 * (rotaryPairs.first?.count ?? 0) }

    /// Whether every key–value head keeps the same rotary pairs (one rotary table serves all).
    public var sharesRotaryPairs: Bool { rotaryPairs.allSatisfy { $0 == rotaryPairs[0] } }
}
