import Foundation
import ModelZoo
import PruningCore
import StructuralPruning

/// What the table reports about the images one method draws for the held-out prompts.
struct SampleScores: Codable, Sendable {
    /// Fréchet distance of ResNet-20 features of the samples to those of the real held-out images.
    var frechetDistance: Double
    /// The unbiased KID on the same features.
    var kernelInceptionDistance: Double
    /// The RBF-kernel MMD (CMMD's estimator, ×1,000) on the same features, median-heuristic σ.
    var rbfMMD: Double
    /// The classifier's mean probability of the prompted class (the CLIP-score stand-in).
    var classProbability: Double
    /// The fraction of samples the classifier assigns to the prompted class.
    var classAccuracy: Double
    /// The fraction of prompted attribute words ("dark", "wide", …) the samples show, measured
    /// with the teacher's terciles.
    var attributeAccuracy: Double
}

/// Draws and scores samples: DDIM from fixed per-prompt noise, the shipped Fashion-MNIST
/// ResNet-20 as the feature extractor and prompt judge.
struct SampleEvaluation {
    let classifier: ResNet
    let schedule: NoiseSchedule
    let samplingSteps: Int
    let thresholds: FashionPrompts.Thresholds
    let prompts: PromptedImages
    /// The starting noise of every held-out prompt (shared by every method).
    let noise: Tensor
    let realFeatures: Tensor
    /// The RBF bandwidth, fixed from the teacher's samples so that every row uses the same kernel.
    var bandwidth: Double?

    init(classifier: ResNet, schedule: NoiseSchedule, samplingSteps: Int, thresholds: FashionPrompts.Thresholds, prompts: PromptedImages, seed: UInt64) {
        self.classifier = classifier
        self.schedule = schedule
        self.samplingSteps = samplingSteps
        self.thresholds = thresholds
        self.prompts = prompts
        var random = RandomGenerator(seed: seed)
        noise = Tensor.randomNormal([prompts.count, 1, 28, 28], using: &random)
        realFeatures = Self.classify(classifier, prompts.images).features
    }

    static func classify(_ classifier: ResNet, _ images: Tensor) -> (features: Tensor, logits: Tensor) {
        FashionMNISTImageScorer(classifier: classifier).classify(images)
    }

    /// Samples `[n, 1, 28, 28]` in [−1, 1] for the held-out prompts, prompt `i` drawn by
    /// `models[assignment[i]]`.
    func generate(models: [DiffusionUNet], assignment: [Int]) -> Tensor {
        DDIMSampler(schedule: schedule, steps: samplingSteps)
            .sample(models: models, assignment: assignment, noise: noise, conditions: prompts.conditions)
    }

    /// The scores of `samples` (one per held-out prompt).
    mutating func score(_ samples: Tensor) throws -> SampleScores {
        let (features, logits) = Self.classify(classifier, samples)
        let probabilities = logits.softmax(alongAxis: 1).scalars
        let labels = prompts.attributes.map(\.label)
        let classProbability = labels.enumerated().reduce(0.0) { $0 + Double(probabilities[$1.offset * 10 + $1.element]) } / Double(labels.count)
        let measured = FashionPrompts.attributes(
            of: ImageClassificationDataSet(images: ((samples + 1) * 0.5).clamped(min: 0, max: 1), labels: labels, classCount: 10),
            thresholds: thresholds)
        var asked = 0, shown = 0
        for (prompt, drawn) in zip(prompts.attributes, measured) {
            if prompt.brightness != .plain { asked += 1; if drawn.brightness == prompt.brightness { shown += 1 } }
            if prompt.width != .plain { asked += 1; if drawn.width == prompt.width { shown += 1 } }
        }
        let mmd = RBFMaximumMeanDiscrepancy.between(features, realFeatures, bandwidth: bandwidth)
        if bandwidth == nil { bandwidth = mmd.bandwidth }
        return SampleScores(
            frechetDistance: try FrechetDistance.between(features, realFeatures),
            kernelInceptionDistance: KernelInceptionDistance.between(features, realFeatures, subsetSize: 500, subsetCount: 20, seed: 0),
            rbfMMD: mmd.value,
            classProbability: classProbability,
            classAccuracy: PruningCore.accuracy(logits: logits, labels: labels),
            attributeAccuracy: asked > 0 ? Double(shown) / Double(asked) : 0)
    }
}
