import Foundation
import PruningCore

/// The trained text-conditioned diffusion U-Net committed with the package
/// (`Checkpoints/diffusion-fashion-mnist.*`, checked against `diffusion-manifest.json`):
/// Fashion-MNIST with prompts from ``FashionPrompts`` encoded by all-MiniLM-L6-v2.
/// `train-baselines --model diffusion` regenerates it.
public enum ShippedDiffusionModel {
    /// The training summary written beside the weights.
    public struct Summary: Sendable, Codable, Equatable {
        /// The architecture.
        public var architecture: DiffusionUNet.Configuration
        /// The noise schedule's kind.
        public var schedule: NoiseSchedule.Kind
        /// The noise schedule's steps.
        public var scheduleSteps: Int
        /// The prompt attributes' per-class terciles (from the training split).
        public var thresholds: FashionPrompts.Thresholds
        /// Updates completed.
        public var stepsCompleted: Int
        /// The mean loss of every 100 updates.
        public var lossHistory: [Double]

        /// A summary.
        public init(architecture: DiffusionUNet.Configuration, schedule: NoiseSchedule.Kind, scheduleSteps: Int,
                    thresholds: FashionPrompts.Thresholds, stepsCompleted: Int, lossHistory: [Double]) {
            self.architecture = architecture
            self.schedule = schedule
            self.scheduleSteps = scheduleSteps
            self.thresholds = thresholds
            self.stepsCompleted = stepsCompleted
            self.lossHistory = lossHistory
        }
    }

    /// The manifest's file name.
    public static let manifestName = "diffusion-manifest.json"
    /// The weights' file name.
    public static let weightsName = "diffusion-fashion-mnist.safetensors"
    /// The summary's file name.
    public static let summaryName = "diffusion-fashion-mnist.json"

    /// The shipped (or `directory`'s) model in evaluation mode, its schedule and summary.
    ///
    /// - Throws: ``ShippedCheckpointError`` for a missing file or a checksum mismatch;
    ///   `FormatError` for a malformed summary; `ModuleError` for weights that do not fit.
    public static func teacher(from directory: URL? = nil) throws -> (model: DiffusionUNet, schedule: NoiseSchedule, summary: Summary) {
        guard let folder = directory ?? ShippedCheckpoints.directory else { throw ShippedCheckpointError.missingFile("Checkpoints") }
        let summary = try JSONFile.decode(Summary.self, from: folder.appendingPathComponent(summaryName))
        guard (2...100_000).contains(summary.scheduleSteps) else {
            throw ShippedCheckpointError.invalidManifest(reason: "\(summaryName): scheduleSteps \(summary.scheduleSteps) is outside 2...100000")
        }
        var random = RandomGenerator(seed: 0)
        let model = DiffusionUNet(configuration: summary.architecture, using: &random)
        try model.load(from: try GenerativeManifest.verified(weightsName, in: folder, manifest: manifestName), strict: true)
        model.eval()
        return (model, NoiseSchedule(kind: summary.schedule, steps: summary.scheduleSteps), summary)
    }
}
