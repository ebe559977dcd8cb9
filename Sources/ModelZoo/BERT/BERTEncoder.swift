import Foundation
import PruningCore

/// A BERT encoder (Devlin et al., 2019, "BERT: Pre-training of Deep Bidirectional Transformers
/// for Language Understanding", https://arxiv.org/abs/1810.04805): embeddings followed by
/// post-norm transformer layers, returning the last hidden states — Hugging Face's `BertModel`
/// without its pooler.
///
/// Parameters are named as in Hugging Face checkpoints (`embeddings.word_embeddings.weight`,
/// `encoder.layer.0.attention.self.query.weight`, …), so `Module/load(from:strict:)` reads a
/// `model.safetensors` by name (with `strict: false`: checkpoints also hold the pooler and
/// `embeddings.position_ids`); ``loadWeights(from:)`` also accepts a `bert.` prefix, requires
/// every parameter, and reports the tensors it skips.
///
/// ```swift
/// let model = try BERTEncoder.pretrained(configuration: configURL, weights: weightsURL)
/// let input = tokenizer.encode(["A sentence.", "Another, longer sentence."])
/// let hidden = withoutGradients { model(input) }   // [2, length, 384]
/// ```
///
/// To run layer by layer (reading or changing the hidden states in between):
///
/// ```swift
/// var x = model.embeddings(input)
/// let mask = input.keyPaddingMask
/// for layer in model.layers { x = layer(x, mask: mask) }
/// ```
public final class BERTEncoder: Module {
    /// The configuration the encoder was built from.
    public let configuration: BERTConfiguration
    /// The input embeddings, `embeddings`.
    public var embeddings: BERTEmbeddings
    /// The transformer layers, `encoder.layer.0`, `encoder.layer.1`, ….
    public var layers: [BERTLayer]
    /// Whether the module is in training mode (dropout active).
    public var isTraining = true

    /// An encoder for `configuration`, in training mode.
    ///
    /// - Parameters:
    ///   - configuration: the architecture; must pass ``BERTConfiguration/validate(file:)``.
    ///   - initializer: how the weights are filled: ``BERTParameterInitializer/random(seed:)``
    ///     (the default, seed 0; also seeds the dropout masks) or
    ///     ``BERTParameterInitializer/zeros`` before loading weights.
    public init(configuration: BERTConfiguration, initializer: BERTParameterInitializer = .random(seed: 0)) {
        do {
            try configuration.validate()
        } catch {
            preconditionFailure("BERTEncoder: \(error)")
        }
        self.configuration = configuration
        var initializer = initializer
        embeddings = BERTEmbeddings(configuration: configuration, initializer: &initializer)
        layers = (0..<configuration.layerCount).map { _ in BERTLayer(configuration: configuration, initializer: &initializer) }
    }

    /// `embeddings` and `encoder` (whose child `layer` holds the layers `0`, `1`, …).
    public var children: [(String, any Module)] {
        let numbered = layers.enumerated().map { (String($0.offset), $0.element as any Module) }
        return [("embeddings", embeddings), ("encoder", BERTModuleGroup([("layer", BERTModuleGroup(numbered))]))]
    }

    /// The last hidden states `[batchSize, length, hidden]` of `input`; padding positions hold
    /// values that should be ignored (the attention mask keeps them from affecting the real
    /// tokens).
    public func callAsFunction(_ input: BERTInput) -> Tensor {
        let mask = input.keyPaddingMask
        return layers.reduce(embeddings(input)) { x, layer in layer(x, mask: mask) }
    }

    /// The embeddings followed by every layer's output: `layerCount + 1` tensors
    /// `[batchSize, length, hidden]` (Hugging Face's `output_hidden_states`).
    public func hiddenStates(_ input: BERTInput) -> [Tensor] {
        let mask = input.keyPaddingMask
        var states = [embeddings(input)]
        for layer in layers { states.append(layer(states[states.count - 1], mask: mask)) }
        return states
    }

    /// Every layer's intermediate tensors (queries, keys, values, attention context, feed-forward
    /// activations, output), in layer order; the last output equals ``callAsFunction(_:)``'s.
    public func layerActivations(_ input: BERTInput) -> [BERTLayerActivations] {
        let mask = input.keyPaddingMask
        var x = embeddings(input)
        return layers.map { layer in
            let activations = layer.activations(x, mask: mask)
            x = activations.output
            return activations
        }
    }

    /// An encoder built from a Hugging Face `config.json` with the weights of a
    /// `model.safetensors`, in evaluation mode.
    ///
    /// - Throws: ``BERTError`` naming the file, field or tensor that is missing or malformed.
    public static func pretrained(configuration: URL, weights: URL) throws(BERTError) -> BERTEncoder {
        let model = BERTEncoder(configuration: try BERTConfiguration.load(from: configuration), initializer: .zeros)
        try model.loadWeights(from: weights)
        model.eval()
        return model
    }

    /// Replaces every parameter with the tensor of the same name in the safetensors file at
    /// `url`, converted to `Float`.
    ///
    /// Names may carry a `bert.` prefix (checkpoints of `BertFor…` task models). Tensors that
    /// name no parameter — the pooler, `embeddings.position_ids`, task heads — are skipped and
    /// returned. Shapes are checked against the header before any data is converted.
    ///
    /// - Returns: the names of the skipped tensors, sorted.
    /// - Throws: ``BERTError/unreadableFile(file:reason:)`` for a missing or malformed file,
    ///   ``BERTError/missingWeight(file:tensor:)`` and
    ///   ``BERTError/weightShapeMismatch(file:tensor:expected:found:)``.
    @discardableResult
    public func loadWeights(from url: URL) throws(BERTError) -> [String] {
        let file: SafeTensorsFile
        do {
            file = try SafeTensorsFile(contentsOf: url)
        } catch {
            throw .unreadableFile(file: url.path, reason: String(describing: error))
        }
        let parameters = namedParameters()
        let prefix = !file.contains("embeddings.word_embeddings.weight")
            && file.contains("bert.embeddings.word_embeddings.weight") ? "bert." : ""
        for (name, parameter) in parameters {
            guard let shape = file.shape(of: prefix + name) else {
                throw .missingWeight(file: url.path, tensor: prefix + name)
            }
            guard shape == parameter.shape else {
                throw .weightShapeMismatch(file: url.path, tensor: prefix + name, expected: parameter.shape, found: shape)
            }
        }
        for (name, parameter) in parameters {
            do {
                parameter.value = try file.tensor(named: prefix + name)
            } catch {
                throw .unreadableFile(file: url.path, reason: String(describing: error))
            }
        }
        let used = Set(parameters.map { prefix + $0.name })
        return file.names.filter { !used.contains($0) }
    }
}
