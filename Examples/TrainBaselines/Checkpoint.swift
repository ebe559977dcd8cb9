import Foundation
import ModelZoo
import PruningCore

/// One epoch's figures.
struct EpochRecord: Codable {
    var epoch: Int
    var trainingLoss: Double
    var trainingAccuracy: Double
    var testAccuracy: Double
    var seconds: Double
    var imagesPerSecond: Double
}

/// What is written next to the weights: enough to rebuild the model and judge it.
struct CheckpointSummary<Architecture: Codable>: Codable {
    var model: String
    var architecture: Architecture
    var parameterCount: Int
    var normalization: ImageNormalization
    var epochsPlanned: Int
    var epochsCompleted: Int
    var batchSize: Int
    var learningRate: Float
    var weightDecay: Float
    var augmentation: String
    var trainingImages: Int
    var testImages: Int
    var seed: UInt64
    var testAccuracy: Double
    var history: [EpochRecord]

    /// Writes the summary as pretty-printed JSON.
    func write(to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try AtomicFile.write(encoder.encode(self), to: url)
    }
}

/// Writes `line` to standard output at once (unbuffered, so progress shows when redirected).
func report(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
