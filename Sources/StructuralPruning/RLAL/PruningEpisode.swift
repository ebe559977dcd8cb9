/// One episode of a ``LayerwisePruningEnvironment``: the agent's view and the outcome.
public struct PruningEpisode: Sendable, Codable, Equatable {
    /// The state before each action.
    public var states: [[Float]]
    /// The ratio the agent proposed for each group.
    public var proposedRatios: [Double]
    /// The ratio taken after the budget clip (`1 − kept/width`).
    public var ratios: [Double]
    /// The channels each group keeps.
    public var keptCounts: [Int]
    /// The kept fraction of prunable FLOPs.
    public var prunableFraction: Double
    /// The accuracy on the reward set.
    public var reward: Double

    /// An episode record.
    public init(
        states: [[Float]], proposedRatios: [Double], ratios: [Double], keptCounts: [Int], prunableFraction: Double, reward: Double
    ) {
        self.states = states
        self.proposedRatios = proposedRatios
        self.ratios = ratios
        self.keptCounts = keptCounts
        self.prunableFraction = prunableFraction
        self.reward = reward
    }
}
