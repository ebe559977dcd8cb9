import Foundation
import ModelZoo
import PruningCore

/// DISP-LLM on a frozen LLaMA model: a controller learns five masks per block (see
/// ``LlamaBlockStructure``) from the language-model loss and a parameter budget, and the final
/// hard masks become a physically smaller model with per-block index lists.
///
/// Each step, as in the official `train_hypernetwork.py`:
/// 1. the controller gives logits `o`; a Gumbel-sigmoid draw gives **soft** masks
///    `s = σ((o + g + 3) / 0.4)`;
/// 2. the frozen model runs on a text window with the soft masks applied inside every block
///    (``LlamaBlockGates/hook(masks:)``) and gives the cross-entropy of the next tokens;
/// 3. a **second**, independent draw is rounded to hard masks with a straight-through gradient,
///    and ``LlamaParameterCost`` turns them into the kept fraction `r` of block parameters;
/// 4. `loss = CE + λ · |log(r / p)|` is backpropagated through the frozen model into the
///    controller only (the model's weights are constants: no weight gradient is computed or
///    stored), and AdamW updates the controller.
///
/// The paper names the ReinMax estimator for the hard masks; the released code — and this
/// implementation — use plain straight-through rounding.
///
/// ```swift
/// var settings = DISPLLMConfiguration(keptFraction: 0.5)
/// settings.steps = 300
/// let pruner = try DISPLLMPruner(model: smolLM2, configuration: settings)
/// let report = try pruner.train(tokens: validationIDs)
/// let pruned = try pruner.prunedModel()          // a LlamaModel with index lists
/// try pruned.save(toDirectory: folder)
/// ```
public final class DISPLLMPruner {
    /// The frozen dense model.
    public let model: LlamaModel
    /// The settings.
    public let configuration: DISPLLMConfiguration
    /// The gates (five per block).
    public let gates: LlamaBlockGates
    /// The parameter count of the masked model.
    public let cost: LlamaParameterCost
    /// The controller being trained.
    public let controller: any MaskController
    /// The budget penalty `λ · |log(r / p)|`.
    public let budget: BudgetLoss
    /// Every step taken so far.
    public internal(set) var history: [DISPLLMStep] = []
    /// Training seconds so far.
    public internal(set) var trainingSeconds: Double = 0

    let optimizer: Adam
    var generator: RandomGenerator
    var sampler: RandomGenerator

    /// A pruner for the dense `model` with `configuration`.
    ///
    /// - Throws: ``StructuralPruningError`` for invalid settings or a model that is already
    ///   pruned.
    public init(model: LlamaModel, configuration: DISPLLMConfiguration) throws(StructuralPruningError) {
        try configuration.validate()
        gates = try LlamaBlockGates(configuration: model.configuration)
        self.model = model
        self.configuration = configuration
        cost = LlamaParameterCost(gates)
        budget = try BudgetLoss(target: configuration.keptFraction, form: .logRatioTwoSided, weight: configuration.regularizationWeight)
        generator = RandomGenerator(seed: configuration.seed)
        sampler = RandomGenerator(seed: configuration.seed &+ 0x5EED)
        var initialization = generator.split()
        switch configuration.controller {
        case .hypernetwork(let settings):
            controller = try HyperStructure(gates: gates.gates, settings: settings, using: &initialization)
        case .freeLogits:
            controller = FreeLogits(gates: gates.gates, using: &initialization)
        }
        optimizer = Adam.adamW(learningRate: configuration.learningRate, weightDecay: configuration.weightDecay)
    }

    /// One training step on `batch` (rows of equal length ≥ 2): the first `n − 1` tokens of each
    /// row are the input, the last `n − 1` the targets.
    ///
    /// - Throws: ``StructuralPruningError/textTooShort(field:tokens:needed:)`` for rows shorter
    ///   than 2 tokens or of unequal length.
    @discardableResult
    public func step(batch: [[Int]]) throws(StructuralPruningError) -> DISPLLMStep {
        let length = batch.first?.count ?? 0
        guard length >= 2, batch.allSatisfy({ $0.count == length }) else {
            throw .textTooShort(field: "batch", tokens: batch.map(\.count).min() ?? 0, needed: 2)
        }
        let clock = ContinuousClock()
        let began = clock.now
        let inputs = batch.map { Array($0.dropLast()) }
        let targets = batch.flatMap { $0.dropFirst() }
        var noise = generator
        var forward = 0.0, head = 0.0
        var languageModelLoss = 0.0, regularization = 0.0, ratio = 0.0
        let relaxation = configuration.relaxation
        let parameters = controller.trainableParameters()
        let (_, gradients) = valueAndGradient(of: parameters) {
            let logits = controller.logits()
            let soft = logits.map { relaxation.relaxed($0, using: &noise) }
            let hidden = model.hiddenStates(for: inputs, hook: gates.hook(masks: soft))
            let blocksDone = clock.now
            forward = (blocksDone - began) / .seconds(1)
            let scores = model.logits(fromHiddenStates: hidden)
            let ce = crossEntropy(logits: scores.reshaped(to: [targets.count, scores.shape[2]]), labels: targets)
            head = (clock.now - blocksDone) / .seconds(1)
            let hard = logits.map { relaxation.hard($0, using: &noise) }
            let r = cost.ratio(hard)
            let penalty = budget(r)
            languageModelLoss = Double(ce.scalars[0])
            regularization = Double(penalty.scalars[0])
            ratio = Double(r.scalars[0])
            return ce + penalty
        }
        generator = noise
        let backwardDone = clock.now
        optimizer.update(parameters, along: gradients)
        let updated = clock.now
        let total = (backwardDone - began) / .seconds(1)
        let record = DISPLLMStep(
            step: history.count + 1, languageModelLoss: languageModelLoss, regularization: regularization,
            parameterRatio: ratio, forwardSeconds: forward, headSeconds: head,
            backwardSeconds: max(0, total - forward - head), updateSeconds: (updated - backwardDone) / .seconds(1))
        history.append(record)
        trainingSeconds += record.seconds
        return record
    }

    /// Trains for the configured number of steps on random windows of `tokens` (``configuration``'s
    /// sequence length and batch size), then returns the report for the exported masks.
    ///
    /// - Parameters:
    ///   - tokens: the training text as token ids (DISP-LLM's LM-loss corpus).
    ///   - checkpointInterval: steps between calls of `checkpoint` (0: only after the last step).
    ///   - checkpoint: called every `checkpointInterval` steps and after the last one (to save
    ///     with ``saveCheckpoint(to:)``).
    ///   - progress: called after every step with the step's record.
    /// - Throws: ``StructuralPruningError/textTooShort(field:tokens:needed:)`` when `tokens` is
    ///   shorter than one window, and whatever `checkpoint` throws. Training resumes where
    ///   ``history`` ends (after ``loadCheckpoint(from:)``), so a finished run does nothing.
    public func train(
        tokens: [Int], checkpointInterval: Int = 0, checkpoint: (() throws -> Void)? = nil,
        progress: ((DISPLLMStep) -> Void)? = nil
    ) throws -> DISPLLMReport {
        let length = configuration.sequenceLength
        guard tokens.count >= length else { throw StructuralPruningError.textTooShort(field: "tokens", tokens: tokens.count, needed: length) }
        let first = history.count
        for index in first..<max(first, configuration.steps) {
            let batch = (0..<configuration.batchSize).map { _ -> [Int] in
                let start = sampler.nextInt(below: tokens.count - length + 1)
                return Array(tokens[start..<(start + length)])
            }
            let record = try step(batch: batch)
            progress?(record)
            if checkpointInterval > 0, (index + 1) % checkpointInterval == 0 || index + 1 == configuration.steps { try checkpoint?() }
        }
        return report()
    }

    /// The trained controller's logits (no gradient).
    public func currentLogits() -> [Tensor] { withoutGradients { controller.logits().map { $0.detached() } } }

    /// The final hard masks, chosen without noise: `1[o + b ≥ τ]`, every structure keeping at
    /// least its highest-scoring entry (as the official code forces). τ is 0 unless
    /// ``DISPLLMConfiguration/matchesBudgetAtExport`` is on, in which case it is the shift whose
    /// kept block parameters come closest to `p` (found by bisection: the count falls
    /// monotonically as τ rises) — the trained logits' own threshold usually misses the budget
    /// by a few tenths of a percent, because training only ever saw noisy masks.
    public func finalMasks() -> [Tensor] { exportMasks().masks }

    /// The physically pruned model for ``finalMasks()``.
    public func prunedModel() throws(StructuralPruningError) -> LlamaModel {
        try LlamaMaskExport.prunedModel(model, masks: finalMasks())
    }

    /// The report for the current state.
    public func report() -> DISPLLMReport {
        let (exported, shift) = exportMasks()
        let deterministic = masks(shiftedBy: 0, logits: currentLogits())
        let masks = exported
        let kept = cost.count(hardMasks: masks)
        let stride = LlamaBlockStructure.allCases.count
        let widths = (0..<gates.configuration.layerCount).map { layer in
            (0..<stride).map { GateSet.keptIndices(masks[layer * stride + $0]).count }
        }
        return DISPLLMReport(
            keptFraction: configuration.keptFraction, history: history, trainingSeconds: trainingSeconds,
            deterministicRatio: Double(cost.count(hardMasks: deterministic)) / cost.fullCost,
            exportedRatio: Double(kept) / cost.fullCost, thresholdShift: Double(shift), keptWidths: widths,
            denseBlockParameters: Int(cost.fullCost), keptBlockParameters: kept)
    }

    private func exportMasks() -> (masks: [Tensor], shift: Float) {
        let logits = currentLogits()
        guard configuration.matchesBudgetAtExport else { return (masks(shiftedBy: 0, logits: logits), 0) }
        let target = configuration.keptFraction * cost.fullCost
        let shifted = logits.flatMap { $0.scalars.map { $0 + configuration.relaxation.offset } }
        var low = (shifted.min() ?? 0) - 1, high = (shifted.max() ?? 0) + 1
        // count(low) is the maximum, count(high) the minimum; keep count(low) ≥ target > count(high).
        for _ in 0..<64 {
            let middle = (low + high) / 2
            if Double(cost.count(hardMasks: masks(shiftedBy: middle, logits: logits))) >= target { low = middle } else { high = middle }
        }
        let below = cost.count(hardMasks: masks(shiftedBy: high, logits: logits))
        let above = cost.count(hardMasks: masks(shiftedBy: low, logits: logits))
        let shift = abs(Double(above) - target) <= abs(Double(below) - target) ? low : high
        return (masks(shiftedBy: shift, logits: logits), shift)
    }

    private func masks(shiftedBy shift: Float, logits: [Tensor]) -> [Tensor] {
        let offset = configuration.relaxation.offset
        return logits.map { vector in
            let values = vector.scalars
            var kept = values.map { $0 + offset >= shift ? Float(1) : 0 }
            if !kept.contains(1), let best = values.indices.max(by: { values[$0] < values[$1] }) { kept[best] = 1 }
            return Tensor(shape: vector.shape, scalars: kept)
        }
    }
}
