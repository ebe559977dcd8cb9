/// Generalized advantage estimation (Schulman et al., 2016, arXiv:1506.02438) over steps laid
/// out one episode after another.
///
/// With δ_t = r_t + γ (1 − terminated_t) V(s_{t+1}) − V(s_t), the estimate is
/// A_t = δ_t + γλ (1 − end_t) A_{t+1}: a terminal step does not bootstrap, a step that was only
/// truncated (time limit, budget) bootstraps from `nextValues[t]` = V(s_{t+1}), and no sum runs
/// across an episode end.
///
/// - Parameters:
///   - rewards: r_t.
///   - values: V(s_t).
///   - nextValues: V(s_{t+1}); at an episode's last step, the value of its final observation.
///   - terminated: whether step t reached a terminal state.
///   - episodeEnds: whether step t is the last of its episode (terminated, truncated or cut).
///   - discount: the discount γ.
///   - lambda: the GAE weight λ.
/// - Returns: A_t, one per step.
public func generalizedAdvantageEstimates(
    rewards: [Double], values: [Double], nextValues: [Double], terminated: [Bool], episodeEnds: [Bool],
    discount: Double, lambda: Double
) -> [Double] {
    let count = rewards.count
    precondition(values.count == count && nextValues.count == count && terminated.count == count && episodeEnds.count == count,
                 "generalizedAdvantageEstimates: all inputs need \(count) entries")
    precondition(terminated.indices.allSatisfy { !terminated[$0] || episodeEnds[$0] },
                 "generalizedAdvantageEstimates: a terminated step must end its episode")
    var advantages = [Double](repeating: 0, count: count)
    var running = 0.0
    for t in stride(from: count - 1, through: 0, by: -1) {
        if episodeEnds[t] { running = 0 }
        let bootstrap = terminated[t] ? 0 : discount * nextValues[t]
        let delta = rewards[t] + bootstrap - values[t]
        running = delta + discount * lambda * running
        advantages[t] = running
    }
    return advantages
}
