/// What a ``PromptTraining`` run did: the loss of every step and the validation measurements.
public struct PromptTrainingReport: Codable, Sendable {
    /// One validation measurement.
    public struct Evaluation: Codable, Equatable, Sendable {
        /// Steps taken before the measurement (0: the initial prompt).
        public var step: Int
        /// The validation suffix loss (nats per token).
        public var loss: Double
        /// The validation exact extraction rate, when measured.
        public var exactRate: Double?
        /// The validation fractional extraction rate, when measured.
        public var fractionalRate: Double?
    }

    /// The method trained.
    public var method: String
    /// The training suffix loss of each step's batch, before its update.
    public var stepLosses: [Double]
    /// The validation measurements, the initial prompt first.
    public var evaluations: [Evaluation]
    /// The step whose prompt was kept: the lowest validation loss.
    public var selectedStep: Int
    /// Wall-clock seconds of the run, measurements included.
    public var seconds: Double
}
