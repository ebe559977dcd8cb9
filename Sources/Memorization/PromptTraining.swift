import Foundation
import ModelZoo
import PruningCore

/// Trains a soft prompt (``ConstantSoftPrompt`` or ``DynamicSoftPromptGenerator``) to make a
/// frozen target reproduce the suffixes of the training split, and keeps the step with the
/// lowest validation suffix loss.
///
/// The loss is the official DSP loss: cross-entropy on the suffix tokens only (prompt and prefix
/// positions carry no label). The target is frozen for the run — no gradient of its weights is
/// formed, only the gradient through it to the prompt — and its state is restored afterwards.
public struct PromptTraining: Sendable {
    /// The schedule and learning rates.
    public var configuration: PromptTrainingConfiguration

    /// A trainer with `configuration`.
    public init(configuration: PromptTrainingConfiguration = .init()) { self.configuration = configuration }

    /// Trains `prompt` on `splits.train` with `target` frozen, selecting on `splits.validation`
    /// (or keeping the last step when it is empty); the prompt ends holding the selected step's
    /// parameters.
    ///
    /// - Parameters:
    ///   - prompt: the prompt to train, updated in place.
    ///   - target: the frozen language model the prompt steers.
    ///   - splits: the training and validation samples.
    ///   - progress: called after every step with the step number and its batch loss, and with
    ///     each validation measurement.
    /// - Throws: ``MemorizationError`` for a bad configuration or sample set.
    @discardableResult
    public func train(
        _ prompt: some TrainablePrompt, target: LlamaModel, splits: ExtractionSplits,
        progress: (_ step: Int, _ loss: Double, _ evaluation: PromptTrainingReport.Evaluation?) -> Void = { _, _, _ in }
    ) throws(MemorizationError) -> PromptTrainingReport {
        try configuration.validate()
        try ExtractionEvaluator.validate(target: target, prompt: prompt, samples: splits.train)
        if !splits.validation.isEmpty { try ExtractionEvaluator.validate(target: target, prompt: prompt, samples: splits.validation) }
        let began = ContinuousClock.now
        let frozen = target.namedParameters().map { ($0.parameter, $0.parameter.isFrozen) }
        target.freeze()
        defer { for (parameter, wasFrozen) in frozen { parameter.isFrozen = wasFrozen } }

        let embeddingIDs = Set(prompt.embeddingParameters.map { ObjectIdentifier($0) })
        let trainable = prompt.trainableParameters()
        let embeddingGroup = trainable.filter { embeddingIDs.contains(ObjectIdentifier($0)) }
        let blockGroup = trainable.filter { !embeddingIDs.contains(ObjectIdentifier($0)) }
        let blockOptimizer = Adam(learningRate: configuration.learningRate)
        let embeddingOptimizer = Adam(learningRate: configuration.embeddingLearningRate)

        var evaluations: [PromptTrainingReport.Evaluation] = []
        var best: (loss: Double, step: Int, state: [String: Tensor])?
        func measure(_ step: Int) {
            guard !splits.validation.isEmpty else { return }
            let evaluation: PromptTrainingReport.Evaluation
            if configuration.measuresValidationExtraction,
               let result = try? ExtractionEvaluator().evaluate(target, prompt: prompt, samples: splits.validation) {
                evaluation = .init(step: step, loss: result.metrics.suffixLoss, exactRate: result.metrics.exactRate,
                                   fractionalRate: result.metrics.fractionalRate)
            } else {
                evaluation = .init(step: step, loss: ExtractionEvaluator().meanSuffixLoss(target, prompt: prompt, samples: splits.validation))
            }
            evaluations.append(evaluation)
            if best == nil || evaluation.loss < best!.loss {
                best = (evaluation.loss, step, prompt.stateDictionary().mapValues { Tensor(shape: $0.shape, scalars: $0.scalars) })
            }
            progress(step, evaluation.loss, evaluation)
        }

        measure(0)
        var random = RandomGenerator(seed: configuration.seed)
        var order: [Int] = []
        var losses: [Double] = []
        for step in stride(from: 1, through: configuration.steps, by: 1) {
            var batch: [ExtractionSample] = []
            while batch.count < Swift.min(configuration.batchSize, splits.train.count) {
                if order.isEmpty { order = random.permutation(splits.train.count) }
                batch.append(splits.train[order.removeLast()])
            }
            var (loss, gradients) = valueAndGradient(of: trainable) {
                ExtractionEvaluator.suffixLoss(target, prompt: prompt, samples: batch)
            }
            if let clip = configuration.gradientClipNorm { _ = gradients.clipGlobalNorm(to: clip) }
            if !blockGroup.isEmpty { blockOptimizer.update(blockGroup, along: gradients) }
            if !embeddingGroup.isEmpty { embeddingOptimizer.update(embeddingGroup, along: gradients) }
            losses.append(Double(loss.scalar))
            progress(step, Double(loss.scalar), nil)
            if step % configuration.evaluationInterval == 0 || step == configuration.steps { measure(step) }
        }
        let selected: Int
        if let best {
            try? prompt.load(best.state)
            selected = best.step
        } else {
            selected = configuration.steps
        }
        return PromptTrainingReport(
            method: prompt.methodName, stepLosses: losses, evaluations: evaluations, selectedStep: selected,
            seconds: (ContinuousClock.now - began) / .seconds(1))
    }
}
