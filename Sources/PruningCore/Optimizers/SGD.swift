/// Stochastic gradient descent with optional momentum, Nesterov momentum and L2 weight decay,
/// following PyTorch's `torch.optim.SGD` update:
///
/// `g ← g + λθ`; `b ← μb + (1 − dampening)g` (b = g on the first step);
/// `g ← g + μb` (Nesterov) or `g ← b`; `θ ← θ − lr · g`.
public final class SGD: Optimizer {
    /// The step size.
    public var learningRate: Float
    /// μ, the momentum factor (0 disables momentum).
    public let momentum: Float
    /// The dampening applied to new gradients in the momentum buffer.
    public let dampening: Float
    /// λ, the L2 weight-decay coefficient.
    public let weightDecay: Float
    /// Whether to use Nesterov momentum.
    public let nesterov: Bool

    private var buffers: [ObjectIdentifier: Tensor] = [:]

    /// An SGD optimizer.
    ///
    /// - Precondition: Nesterov momentum needs a positive momentum and zero dampening.
    public init(learningRate: Float, momentum: Float = 0, dampening: Float = 0, weightDecay: Float = 0, nesterov: Bool = false) {
        precondition(learningRate >= 0 && momentum >= 0 && weightDecay >= 0, "SGD: negative hyperparameter")
        precondition(!nesterov || (momentum > 0 && dampening == 0), "SGD: Nesterov needs momentum > 0 and dampening 0")
        self.learningRate = learningRate
        self.momentum = momentum
        self.dampening = dampening
        self.weightDecay = weightDecay
        self.nesterov = nesterov
    }

    /// One SGD step on each trainable parameter with a gradient.
    public func update(_ parameters: [Parameter], along gradients: Gradients) {
        for parameter in parameters where parameter.isTrainable {
            guard let gradient = gradients[parameter] else { continue }
            precondition(gradient.shape == parameter.shape, "SGD: gradient \(gradient.shape) for parameter \(parameter.shape)")
            let key = ObjectIdentifier(parameter)
            let (lr, mu, damp, wd, useNesterov) = (learningRate, momentum, dampening, weightDecay, nesterov)
            var value = parameter.value
            parameter.value = Tensor(0)
            let isFirst = buffers[key] == nil
            var buffer = buffers[key] ?? Tensor.zeros(value.shape)
            buffers[key] = nil
            value.withUnsafeMutableBufferPointer { w in
                gradient.withUnsafeBufferPointer { g in
                    buffer.withUnsafeMutableBufferPointer { b in
                        for i in 0..<w.count {
                            var d = g[i] + wd * w[i]
                            if mu != 0 {
                                b[i] = isFirst ? d : mu * b[i] + (1 - damp) * d
                                d = useNesterov ? d + mu * b[i] : b[i]
                            }
                            w[i] -= lr * d
                        }
                    }
                }
            }
            parameter.value = value
            if mu != 0 { buffers[key] = buffer }
        }
    }
}
