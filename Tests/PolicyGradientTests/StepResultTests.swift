import PolicyGradient
import Testing

@Suite struct StepResultTests {
    @Test("an episode is over when terminated or truncated")
    func done() {
        #expect(!StepResult(observation: [], reward: 0, terminated: false, truncated: false).isDone)
        #expect(StepResult(observation: [], reward: 0, terminated: true, truncated: false).isDone)
        #expect(StepResult(observation: [], reward: 0, terminated: false, truncated: true).isDone)
        #expect(ActionSpace.box(low: [-1, -1], high: [1, 1]).size == 2)
    }
}
