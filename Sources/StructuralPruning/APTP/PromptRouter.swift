import Foundation
import ModelZoo
import PruningCore

/// APTP's router: the architecture predictor (one linear map of the prompt embedding per gate,
/// APTP's `HyperStructure`) and the ``ArchitectureCodebook``. At inference a prompt goes to the
/// code whose normalized hard architecture is most cosine-similar to the normalized hard
/// architecture the predictor proposes for it (``DiffusionArchitectureSpace/normalized(_:)``);
/// routing is deterministic.
///
/// Parameters: `predictor.heads.<i>.weight|bias`, `codebook.codes`.
public final class PromptRouter: Module {
    /// The gate layout.
    public let space: DiffusionArchitectureSpace
    /// The prompt-conditioned architecture predictor.
    public let predictor: ConditionalController
    /// The codes.
    public let codebook: ArchitectureCodebook
    /// Whether the module is in training mode (no effect).
    public var isTraining = true

    /// A router over `space` with `codeCount` codes reading prompt embeddings of `conditionSize`.
    ///
    /// - Throws: ``StructuralPruningError/invalidSetting(field:value:expected:)`` for a
    ///   non-positive condition size or a code count outside `1...space.size`.
    public init(space: DiffusionArchitectureSpace, codeCount: Int, conditionSize: Int, using generator: inout RandomGenerator) throws(StructuralPruningError) {
        self.space = space
        predictor = try ConditionalController(gates: space.gates, conditionSize: conditionSize, using: &generator)
        codebook = try ArchitectureCodebook(count: codeCount, size: space.size, using: &generator)
    }

    /// `predictor`, `codebook`.
    public var children: [(String, any Module)] { [("predictor", predictor), ("codebook", codebook)] }

    /// The predictor's architecture logits `[B, size]` for prompt embeddings `[B, conditionSize]`.
    ///
    /// - Throws: ``StructuralPruningError/conditionShapeMismatch(expected:actual:)``.
    public func logits(_ prompts: Tensor) throws(StructuralPruningError) -> Tensor {
        Tensor.concatenate(try predictor.logits(condition: prompts), alongAxis: 1)
    }

    /// The hard gates `[K, size]` of every code (what each expert keeps).
    public func codeGates() -> Tensor { space.hardGates(codebook.codes.value) }

    /// The code of every prompt embedding (deterministic nearest-code routing).
    ///
    /// - Throws: ``StructuralPruningError/conditionShapeMismatch(expected:actual:)``.
    public func route(_ prompts: Tensor) throws(StructuralPruningError) -> [Int] {
        guard prompts.rank == 2, prompts.shape[1] == predictor.conditionSize else {
            throw .conditionShapeMismatch(expected: predictor.conditionSize, actual: prompts.shape)
        }
        let proposed = space.normalized(space.hardGates(withoutGradients { try! logits(prompts) }))
        let codes = space.normalized(codeGates())
        return SinkhornRouting.nearest(withoutGradients { SinkhornRouting.cosineSimilarities(proposed, codes) })
    }
}
