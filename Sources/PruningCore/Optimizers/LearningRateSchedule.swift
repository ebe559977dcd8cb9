import Foundation

/// A learning rate as a function of the step number (0-based).
///
/// Apply before each step: `optimizer.learningRate = schedule.learningRate(at: step)`.
public protocol LearningRateSchedule: Sendable {
    /// The learning rate for step `step`.
    func learningRate(at step: Int) -> Float
}

/// A constant learning rate.
public struct ConstantSchedule: LearningRateSchedule {
    /// The rate.
    public let rate: Float
    /// A schedule that always returns `rate`.
    public init(_ rate: Float) { self.rate = rate }
    /// `rate`.
    public func learningRate(at step: Int) -> Float { rate }
}

/// Multiplies the rate by `factor` every `interval` steps (PyTorch's `StepLR`), or at each of
/// the given `milestones` (`MultiStepLR`).
public struct StepSchedule: LearningRateSchedule {
    /// The initial rate.
    public let initialRate: Float
    /// The multiplicative decay.
    public let factor: Float
    /// The steps at which the rate decays.
    public let milestones: [Int]?
    /// The decay interval when `milestones` is nil.
    public let interval: Int

    /// Decays every `interval` steps.
    public init(initialRate: Float, interval: Int, factor: Float = 0.1) {
        precondition(interval > 0, "StepSchedule: interval must be positive")
        self.initialRate = initialRate
        self.interval = interval
        self.factor = factor
        self.milestones = nil
    }

    /// Decays at each milestone step.
    public init(initialRate: Float, milestones: [Int], factor: Float = 0.1) {
        self.initialRate = initialRate
        self.milestones = milestones.sorted()
        self.interval = 1
        self.factor = factor
    }

    /// The decayed rate.
    public func learningRate(at step: Int) -> Float {
        let decays = milestones.map { $0.filter { $0 <= step }.count } ?? (step / interval)
        return initialRate * Foundation.pow(factor, Float(decays))
    }
}

/// Cosine annealing from `initialRate` to `minimumRate` over `totalSteps`, after an optional
/// linear warm-up from 0 over `warmupSteps` (the schedule of most transformer recipes).
public struct CosineSchedule: LearningRateSchedule {
    /// The peak rate.
    public let initialRate: Float
    /// The final rate.
    public let minimumRate: Float
    /// Steps of linear warm-up.
    public let warmupSteps: Int
    /// Total steps including warm-up.
    public let totalSteps: Int

    /// A cosine schedule.
    public init(initialRate: Float, totalSteps: Int, minimumRate: Float = 0, warmupSteps: Int = 0) {
        precondition(totalSteps > 0 && warmupSteps >= 0 && warmupSteps <= totalSteps, "CosineSchedule: need 0 ≤ warmupSteps ≤ totalSteps, totalSteps > 0")
        self.initialRate = initialRate
        self.minimumRate = minimumRate
        self.warmupSteps = warmupSteps
        self.totalSteps = totalSteps
    }

    /// The rate at `step` (held at `minimumRate` after `totalSteps`).
    public func learningRate(at step: Int) -> Float {
        if step < warmupSteps { return initialRate * Float(step + 1) / Float(warmupSteps) }
        let span = max(totalSteps - warmupSteps, 1)
        let progress = min(Float(step - warmupSteps) / Float(span), 1)
        return minimumRate + (initialRate - minimumRate) * 0.5 * (1 + Foundation.cos(Float.pi * progress))
    }
}

/// Linear warm-up from 0 to `rate` over `warmupSteps`, then constant.
public struct WarmupSchedule: LearningRateSchedule {
    /// The rate after warm-up.
    public let rate: Float
    /// The warm-up length.
    public let warmupSteps: Int
    /// A warm-up schedule.
    public init(rate: Float, warmupSteps: Int) {
        precondition(warmupSteps >= 0, "WarmupSchedule: negative warm-up")
        self.rate = rate
        self.warmupSteps = warmupSteps
    }
    /// The rate at `step`.
    public func learningRate(at step: Int) -> Float {
        step < warmupSteps ? rate * Float(step + 1) / Float(warmupSteps) : rate
    }
}
