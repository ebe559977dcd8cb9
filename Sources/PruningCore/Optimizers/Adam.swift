import Foundation

/// Adam (Kingma & Ba, 2015, arXiv:1412.6980) and, with `decoupledWeightDecay`, AdamW
/// (Loshchilov & Hutter, 2019, arXiv:1711.05101).
///
/// Bias-corrected moments: `m ← β₁m + (1−β₁)g`, `v ← β₂v + (1−β₂)g²`,
/// `θ ← θ − lr · m̂ / (√v̂ + ε)`. Plain Adam adds `weightDecay · θ` to the gradient (L2);
/// AdamW multiplies θ by `1 − lr · weightDecay` before the step.
public final class Adam: Optimizer {
    /// The step size.
    public var learningRate: Float
    /// β₁, the first-moment decay.
    public let beta1: Float
    /// β₂, the second-moment decay.
    public let beta2: Float
    /// ε, added to the denominator.
    public let epsilon: Float
    /// The weight-decay coefficient.
    public let weightDecay: Float
    /// Whether weight decay is decoupled from the gradient (AdamW).
    public let decoupledWeightDecay: Bool

    private var moments: [ObjectIdentifier: (m: Tensor, v: Tensor)] = [:]
    private var steps: [ObjectIdentifier: Int] = [:]

    /// An Adam optimizer with PyTorch's defaults.
    public init(
        learningRate: Float = 1e-3, beta1: Float = 0.9, beta2: Float = 0.999, epsilon: Float = 1e-8,
        weightDecay: Float = 0, decoupledWeightDecay: Bool = false
    ) {
        precondition(learningRate >= 0 && epsilon > 0 && (0..<1).contains(beta1) && (0..<1).contains(beta2),
                     "Adam: invalid hyperparameters")
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.decoupledWeightDecay = decoupledWeightDecay
    }

    /// AdamW: Adam with decoupled weight decay (PyTorch's AdamW defaults).
    public static func adamW(learningRate: Float = 1e-3, weightDecay: Float = 0.01) -> Adam {
        Adam(learningRate: learningRate, weightDecay: weightDecay, decoupledWeightDecay: true)
    }

    /// One Adam step on each trainable parameter with a gradient.
    public func update(_ parameters: [Parameter], along gradients: Gradients) {
        for parameter in parameters where parameter.isTrainable {
            guard let gradient = gradients[parameter] else { continue }
            precondition(gradient.shape == parameter.shape, "Adam: gradient \(gradient.shape) for parameter \(parameter.shape)")
            let key = ObjectIdentifier(parameter)
            var state = moments[key] ?? (Tensor.zeros(parameter.shape), Tensor.zeros(parameter.shape))
            let step = (steps[key] ?? 0) + 1
            steps[key] = step
            let correction1 = 1 - Foundation.pow(beta1, Float(step))
            let correction2 = 1 - Foundation.pow(beta2, Float(step))
            let stepSize = learningRate / correction1
            let decay = decoupledWeightDecay ? 1 - learningRate * weightDecay : 1
            let l2 = decoupledWeightDecay ? 0 : weightDecay
            let (b1, b2, eps) = (beta1, beta2, epsilon)
            var value = parameter.value
            parameter.value = Tensor(0)  // drop the extra reference so the update is in place
            value.withUnsafeMutableBufferPointer { w in
                state.m.withUnsafeMutableBufferPointer { m in
                    state.v.withUnsafeMutableBufferPointer { v in
                        gradient.withUnsafeBufferPointer { g in
                            for i in 0..<w.count {
                                let gi = g[i] + l2 * w[i]
                                m[i] = b1 * m[i] + (1 - b1) * gi
                                v[i] = b2 * v[i] + (1 - b2) * gi * gi
                                let denominator = (v[i] / correction2).squareRoot() + eps
                                w[i] = w[i] * decay - stepSize * m[i] / denominator
                            }
                        }
                    }
                }
            }
            parameter.value = value
            moments[key] = state
        }
    }
}
