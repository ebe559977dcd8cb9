import PruningCore

/// Trajectories packed for scoring: all steps concatenated in trajectory order.
///
/// Step `i` of the batch is step `i − stepRanges[k].lowerBound` of trajectory `k`.
public struct RolloutBatch {
    /// The trajectories.
    public let trajectories: [Trajectory]
    /// All observations, `[stepCount, observationSize]`.
    public let observations: Tensor
    /// All actions, `stepCount` of them.
    public let actions: ActionBatch
    /// The steps of each trajectory within the batch.
    public let stepRanges: [Range<Int>]

    /// Packs `trajectories`.
    ///
    /// - Precondition: at least one non-empty trajectory; all share an observation size and an
    ///   action kind.
    public init(_ trajectories: [Trajectory]) {
        let nonEmpty = trajectories.filter { $0.length > 0 }
        precondition(!nonEmpty.isEmpty, "RolloutBatch: needs at least one non-empty trajectory")
        let size = nonEmpty[0].observationSize
        precondition(nonEmpty.allSatisfy { $0.observationSize == size }, "RolloutBatch: observation sizes differ")
        self.trajectories = nonEmpty
        var ranges: [Range<Int>] = []
        var flat: [Float] = []
        var actions: [EnvironmentAction] = []
        var start = 0
        for trajectory in nonEmpty {
            ranges.append(start..<(start + trajectory.length))
            start += trajectory.length
            flat.append(contentsOf: trajectory.observations)
            actions.append(contentsOf: trajectory.actions)
        }
        stepRanges = ranges
        observations = Tensor(shape: [start, size], scalars: flat)
        self.actions = ActionBatch(actions)
    }

    /// The total number of steps.
    public var stepCount: Int { observations.shape[0] }

    /// The number of trajectories.
    public var trajectoryCount: Int { trajectories.count }

    /// The observations after each trajectory's last step, `[trajectoryCount, observationSize]`.
    public var finalObservations: Tensor {
        Tensor(shape: [trajectoryCount, observations.shape[1]], scalars: trajectories.flatMap(\.finalObservation))
    }

    /// All rewards in batch order.
    public var rewards: [Double] { trajectories.flatMap(\.rewards) }

    /// The totals of the trajectories that ended on their own terms (see
    /// ``Trajectory/isComplete``).
    public var completedEpisodeReturns: [Double] {
        trajectories.filter(\.isComplete).map(\.totalReward)
    }
}
