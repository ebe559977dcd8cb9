import PruningCore

/// The two ways LLaMA weights are named, the mapping between them, and the permutation of the
/// query/key rows that goes with a change of rotary pairing.
///
/// | GGUF (llama.cpp) | Hugging Face |
/// |---|---|
/// | `token_embd.weight` | `model.embed_tokens.weight` |
/// | `blk.N.attn_norm.weight` | `model.layers.N.input_layernorm.weight` |
/// | `blk.N.attn_q/k/v.weight` | `model.layers.N.self_attn.q/k/v_proj.weight` |
/// | `blk.N.attn_output.weight` | `model.layers.N.self_attn.o_proj.weight` |
/// | `blk.N.ffn_norm.weight` | `model.layers.N.post_attention_layernorm.weight` |
/// | `blk.N.ffn_gate/up/down.weight` | `model.layers.N.mlp.gate/up/down_proj.weight` |
/// | `output_norm.weight` | `model.norm.weight` |
/// | `output.weight` | `lm_head.weight` |
///
/// Both store matrices row-major as `[out, in]`. The names alone do not make the layouts
/// agree: llama.cpp's converter permutes the rows of every query and key head so that rotary
/// pair `j`, which Hugging Face stores at rows `(j, j + d/2)` of the head, sits at rows
/// `(2j, 2j + 1)` — `w.reshape(heads, 2, d/2, in).swapaxes(1, 2)`. GGUF weights therefore need
/// ``LlamaConfiguration/RopePairing/interleaved``; ``huggingFaceWeights(fromGGUF:configuration:)``
/// and ``ggufWeights(fromHuggingFace:configuration:)`` rename and permute together, and the
/// model computes the same function in either layout.
public enum LlamaTensorNaming: Sendable, Equatable {
    /// llama.cpp names (`blk.N.attn_q.weight`).
    case gguf
    /// Hugging Face names (`model.layers.N.self_attn.q_proj.weight`), the names of the model's
    /// parameters and of the files it saves.
    case huggingFace

    private static let blockNames: [(gguf: String, huggingFace: String)] = [
        ("attn_norm", "input_layernorm"), ("attn_q", "self_attn.q_proj"), ("attn_k", "self_attn.k_proj"),
        ("attn_v", "self_attn.v_proj"), ("attn_output", "self_attn.o_proj"), ("ffn_norm", "post_attention_layernorm"),
        ("ffn_gate", "mlp.gate_proj"), ("ffn_up", "mlp.up_proj"), ("ffn_down", "mlp.down_proj"),
    ]
    private static let globalNames: [(gguf: String, huggingFace: String)] = [
        ("token_embd.weight", "model.embed_tokens.weight"), ("output_norm.weight", "model.norm.weight"),
        ("output.weight", "lm_head.weight"),
    ]

    /// The Hugging Face name of the GGUF tensor `name`, or nil when it is not a LLaMA weight.
    public static func huggingFaceName(forGGUFName name: String) -> String? {
        if let global = globalNames.first(where: { $0.gguf == name }) { return global.huggingFace }
        guard let (layer, part) = splitBlockName(name, prefix: "blk.", suffix: ".weight"),
              let mapped = blockNames.first(where: { $0.gguf == part }) else { return nil }
        return "model.layers.\(layer).\(mapped.huggingFace).weight"
    }

    /// The GGUF name of the Hugging Face tensor `name`, or nil when it is not a LLaMA weight.
    public static func ggufName(forHuggingFaceName name: String) -> String? {
        if let global = globalNames.first(where: { $0.huggingFace == name }) { return global.gguf }
        guard let (layer, part) = splitBlockName(name, prefix: "model.layers.", suffix: ".weight"),
              let mapped = blockNames.first(where: { $0.huggingFace == part }) else { return nil }
        return "blk.\(layer).\(mapped.gguf).weight"
    }

    /// The name in this naming of the Hugging Face tensor `name`.
    public func name(forHuggingFaceName name: String) -> String? {
        switch self {
        case .huggingFace: name
        case .gguf: Self.ggufName(forHuggingFaceName: name)
        }
    }

    /// `(N, middle)` for `prefix + N + "." + middle + suffix` with a decimal `N`.
    private static func splitBlockName(_ name: String, prefix: String, suffix: String) -> (Int, String)? {
        guard name.hasPrefix(prefix), name.hasSuffix(suffix), name.count > prefix.count + suffix.count else { return nil }
        let body = name.dropFirst(prefix.count).dropLast(suffix.count)
        // The canonical decimal spelling only (no sign, no leading zeros).
        guard let dot = body.firstIndex(of: "."), let layer = Int(body[..<dot]), String(layer) == body[..<dot]
        else { return nil }
        return (layer, String(body[body.index(after: dot)...]))
    }

    /// The dense head dimensions that a query/key head keeping rotary pairs `pairs` (indices
    /// into the dense frequencies, in this order) holds, in its layout: for
    /// ``LlamaConfiguration/RopePairing/halves`` `pairs` then `pairs + d/2`, for
    /// ``LlamaConfiguration/RopePairing/interleaved`` `2j, 2j + 1` for each `j` in `pairs`.
    /// Slicing a dense head's rows with these gives the pruned head.
    public static func headDimensions(
        keepingPairs pairs: [Int], headDimension: Int, pairing: LlamaConfiguration.RopePairing
    ) -> [Int] {
        let half = headDimension / 2
        for j in pairs {
            precondition(j >= 0 && j < half, "headDimensions: pair \(j) is outside 0..<\(half)")
        }
        switch pairing {
        case .halves: return pairs + pairs.map { $0 + half }
        case .interleaved: return pairs.flatMap { [2 * $0, 2 * $0 + 1] }
        }
    }

    /// The row order that re-lays a query or key projection of `headCount` heads of
    /// `headDimension` rows from pairing `source` to `target`: row `r` of the result is row
    /// `order[r]` of the input. Interleaved → halves is llama.cpp's permutation undone:
    /// `[0, 2, 4, …, 1, 3, 5, …]` within each head; halves → interleaved is its inverse.
    public static func rotaryRowOrder(
        headCount: Int, headDimension: Int, from source: LlamaConfiguration.RopePairing,
        to target: LlamaConfiguration.RopePairing
    ) -> [Int] {
        precondition(headDimension % 2 == 0, "rotaryRowOrder: head dimension \(headDimension) is odd")
        let half = headDimension / 2
        let within: [Int]
        switch (source, target) {
        case (.interleaved, .halves): within = RotaryEmbedding.halvesOrder(fromInterleavedHeadDimension: headDimension)
        case (.halves, .interleaved): within = (0..<headDimension).map { ($0 % 2) * half + $0 / 2 }
        default: within = Array(0..<headDimension)
        }
        return (0..<headCount).flatMap { h in within.map { h * headDimension + $0 } }
    }

    /// Hugging Face-named weights re-laid for `pairing`: the q/k projection rows of every layer
    /// permuted (see ``rotaryRowOrder(headCount:headDimension:from:to:)``), other tensors
    /// unchanged; returns the configuration with the new pairing.
    public static func convertingRopePairing(
        _ weights: [String: Tensor], configuration: LlamaConfiguration, to pairing: LlamaConfiguration.RopePairing
    ) -> (weights: [String: Tensor], configuration: LlamaConfiguration) {
        var converted = configuration
        converted.ropePairing = pairing
        guard pairing != configuration.ropePairing else { return (weights, converted) }
        var result = weights
        for index in 0..<configuration.layerCount {
            let layer = configuration.dimensions(ofLayer: index)
            for (projection, heads) in [("q_proj", layer.headCount), ("k_proj", layer.keyValueHeadCount)] {
                let name = "model.layers.\(index).self_attn.\(projection).weight"
                guard let weight = weights[name] else { continue }
                let order = rotaryRowOrder(
                    headCount: heads, headDimension: layer.queryKeyHeadDimension, from: configuration.ropePairing, to: pairing)
                precondition(
                    weight.rank == 2 && weight.shape[0] == order.count,
                    "convertingRopePairing: \(name) has shape \(weight.shape), expected \(order.count) rows")
                result[name] = weight.indexSelect(order, alongAxis: 0)
            }
        }
        return (result, converted)
    }

    /// GGUF weights as Hugging Face weights: renamed, and, when `configuration` says the GGUF
    /// rows are ``LlamaConfiguration/RopePairing/interleaved`` (as llama.cpp writes them), q/k
    /// rows permuted to the ``LlamaConfiguration/RopePairing/halves`` layout.
    ///
    /// - Returns: the renamed weights and the configuration with `.halves` pairing.
    /// - Throws: ``LlamaWeightsError/unexpectedTensor(name:)`` for a name that is not a LLaMA
    ///   GGUF tensor name.
    public static func huggingFaceWeights(
        fromGGUF weights: [String: Tensor], configuration: LlamaConfiguration
    ) throws -> (weights: [String: Tensor], configuration: LlamaConfiguration) {
        var renamed: [String: Tensor] = [:]
        for (name, tensor) in weights {
            guard let mapped = huggingFaceName(forGGUFName: name) else { throw LlamaWeightsError.unexpectedTensor(name: name) }
            renamed[mapped] = tensor
        }
        return convertingRopePairing(renamed, configuration: configuration, to: .halves)
    }

    /// Hugging Face weights as GGUF weights: q/k rows permuted to the
    /// ``LlamaConfiguration/RopePairing/interleaved`` layout (as llama.cpp's converter does),
    /// then renamed.
    ///
    /// - Returns: the renamed weights and the configuration with `.interleaved` pairing.
    /// - Throws: ``LlamaWeightsError/unexpectedTensor(name:)`` for a name that is not a LLaMA
    ///   Hugging Face tensor name.
    public static func ggufWeights(
        fromHuggingFace weights: [String: Tensor], configuration: LlamaConfiguration
    ) throws -> (weights: [String: Tensor], configuration: LlamaConfiguration) {
        if let unknown = weights.keys.sorted().first(where: { ggufName(forHuggingFaceName: $0) == nil }) {
            throw LlamaWeightsError.unexpectedTensor(name: unknown)
        }
        let (permuted, converted) = convertingRopePairing(weights, configuration: configuration, to: .interleaved)
        var renamed: [String: Tensor] = [:]
        for (name, tensor) in permuted { renamed[ggufName(forHuggingFaceName: name)!] = tensor }
        return (renamed, converted)
    }
}
