extension Tensor {
    /// A tensor of `shape` filled with `value`.
    public static func full(_ shape: [Int], _ value: Float) -> Tensor {
        Tensor(shape: shape, storage: TensorStorage(count: elementCount(of: shape), repeating: value))
    }

    /// A tensor of zeros.
    public static func zeros(_ shape: [Int]) -> Tensor { full(shape, 0) }

    /// A tensor of ones.
    public static func ones(_ shape: [Int]) -> Tensor { full(shape, 1) }

    /// Zeros shaped like `other`.
    public static func zeros(like other: Tensor) -> Tensor { zeros(other.shape) }

    /// Ones shaped like `other`.
    public static func ones(like other: Tensor) -> Tensor { ones(other.shape) }

    /// `[start, start + step, …]` up to but excluding `end`.
    public static func arange(_ start: Float = 0, _ end: Float, step: Float = 1) -> Tensor {
        precondition(step != 0, "arange: step must not be zero")
        let count = Swift.max(0, Int(((end - start) / step).rounded(.up)))
        return Tensor(shape: [count]) { out in
            for i in 0..<count { out[i] = start + Float(i) * step }
        }
    }

    /// `count` evenly spaced values from `start` to `end` inclusive.
    public static func linspace(_ start: Float, _ end: Float, count: Int) -> Tensor {
        precondition(count >= 0, "linspace: negative count \(count)")
        return Tensor(shape: [count]) { out in
            for i in 0..<count {
                out[i] = count == 1 ? start : start + (end - start) * Float(i) / Float(count - 1)
            }
        }
    }

    /// The `n × n` identity matrix.
    public static func eye(_ n: Int) -> Tensor {
        var result = zeros([n, n])
        result.withUnsafeMutableBufferPointer { out in
            for i in 0..<n { out[i * n + i] = 1 }
        }
        return result
    }

    /// A tensor of independent normal samples.
    public static func randomNormal(
        _ shape: [Int], mean: Float = 0, standardDeviation: Float = 1,
        using generator: inout RandomGenerator
    ) -> Tensor {
        Tensor(shape: shape) { out in
            for i in 0..<out.count { out[i] = mean + standardDeviation * generator.nextNormal() }
        }
    }

    /// A tensor of independent uniform samples in `[lower, upper)`.
    public static func randomUniform(
        _ shape: [Int], lower: Float = 0, upper: Float = 1, using generator: inout RandomGenerator
    ) -> Tensor {
        Tensor(shape: shape) { out in
            for i in 0..<out.count { out[i] = lower + (upper - lower) * generator.nextUniform() }
        }
    }

    /// A tensor of independent Bernoulli samples: 1 with probability `probability`, else 0.
    public static func randomBernoulli(
        _ shape: [Int], probability: Double, using generator: inout RandomGenerator
    ) -> Tensor {
        Tensor(shape: shape) { out in
            for i in 0..<out.count { out[i] = generator.nextBernoulli(probability) ? 1 : 0 }
        }
    }

    /// A tensor of independent standard Gumbel samples.
    public static func randomGumbel(_ shape: [Int], using generator: inout RandomGenerator) -> Tensor {
        Tensor(shape: shape) { out in
            for i in 0..<out.count { out[i] = generator.nextGumbel() }
        }
    }
}
