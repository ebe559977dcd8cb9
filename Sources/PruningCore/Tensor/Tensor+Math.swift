import CPruningKernels
import Foundation

extension Tensor {
    /// Applies a unary kernel elementwise and records `derivative(gradient, input, output)` as
    /// the backward rule.
    func mapElements<K: UnaryKernel>(
        _ kernel: K.Type, derivative: @escaping (Tensor, Tensor, Tensor) -> Tensor
    ) -> Tensor {
        let result = TensorStorage(uninitializedCount: count)
        Kernels.unary(kernel, storage.pointer, result.pointer, count)
        let out = Tensor(shape: shape, storage: result)
        let input = self
        return Tensor.recorded(out, inputs: [self]) { g in
            [derivative(g, input.detached(), out)]
        }
    }

    /// Elementwise square root.
    public func sqrt() -> Tensor { mapElements(SqrtKernel.self) { g, _, y in g * 0.5 / y } }
    /// Elementwise reciprocal square root.
    public func rsqrt() -> Tensor {
        mapElements(RsqrtKernel.self) { g, _, y in g * (-0.5) * y * y * y }
    }
    /// Elementwise natural exponential.
    public func exp() -> Tensor { mapElements(ExpKernel.self) { g, _, y in g * y } }
    /// Elementwise natural logarithm.
    public func log() -> Tensor { mapElements(LogKernel.self) { g, x, _ in g / x } }
    /// Elementwise absolute value (gradient 0 at 0).
    public func abs() -> Tensor { mapElements(AbsKernel.self) { g, x, _ in g * x.sign() } }
    /// Elementwise sign: −1, 0 or 1 (gradient 0).
    public func sign() -> Tensor { mapElements(SignKernel.self) { g, _, _ in g * 0 } }
    /// Elementwise hyperbolic tangent.
    public func tanh() -> Tensor {
        mapElements(TanhKernel.self) { g, _, y in Tensor.activationGradient(PKUnaryTanh, g, y) }
    }
    /// Elementwise logistic sigmoid `1 / (1 + e^−x)`.
    public func sigmoid() -> Tensor {
        mapElements(SigmoidKernel.self) { g, _, y in Tensor.activationGradient(PKUnarySigmoid, g, y) }
    }
    /// Elementwise rectified linear unit `max(x, 0)`.
    public func relu() -> Tensor {
        mapElements(ReLUKernel.self) { g, x, _ in Tensor.reluGradient(g, input: x) }
    }

    /// `relu(a + b)` in one pass, for a residual connection followed by a ReLU; the gradient
    /// `g` where the result is positive goes to both operands. Operands of different shapes
    /// broadcast as in `+` (and take the unfused path).
    public static func reluOfSum(_ a: Tensor, _ b: Tensor) -> Tensor {
        guard a.shape == b.shape else { return (a + b).relu() }
        let out = broadcastingApply(AddReLUKernel.self, a, b)
        let (needA, needB) = (a.node != nil, b.node != nil)
        return recorded(out, inputs: [a, b]) { g in
            let masked = Tensor.reluGradient(g, input: out)
            return [needA ? masked : nil, needB ? masked : nil]
        }
    }

    /// `g · f′` in one pass for the activation `operation`, where `v` is the activation's input
    /// (GELU, SiLU) or output (sigmoid, tanh); `g` is shaped like `v`.
    static func activationGradient(_ operation: PKUnaryOp, _ g: Tensor, _ v: Tensor) -> Tensor {
        precondition(g.shape == v.shape, "activationGradient: gradient \(g.shape) and operand \(v.shape) differ")
        let result = TensorStorage(uninitializedCount: v.count)
        let kernel = SIMDKernels.active.unaryBackward!
        let (gp, vp, op) = (UnsafePointer(g.storage.pointer), UnsafePointer(v.storage.pointer), result.pointer)
        let code = Int32(operation.rawValue)
        Kernels.parallelFor(v.count) { range in
            kernel(code, gp + range.lowerBound, vp + range.lowerBound, op + range.lowerBound, range.count)
        }
        return Tensor(shape: v.shape, storage: result)
    }

    /// `g` where `x > 0`, else 0, in one pass (the gradient of ReLU); `g` is shaped like `x`.
    static func reluGradient(_ g: Tensor, input x: Tensor) -> Tensor {
        precondition(g.shape == x.shape, "reluGradient: gradient \(g.shape) and input \(x.shape) differ")
        let result = TensorStorage(uninitializedCount: x.count)
        let kernel = SIMDKernels.active.reluBackward!
        let (gp, xp, op) = (UnsafePointer(g.storage.pointer), UnsafePointer(x.storage.pointer), result.pointer)
        Kernels.parallelFor(x.count) { range in
            kernel(gp + range.lowerBound, xp + range.lowerBound, op + range.lowerBound, range.count)
        }
        return Tensor(shape: x.shape, storage: result)
    }
    /// Elementwise SiLU (swish) `x · sigmoid(x)`.
    public func silu() -> Tensor {
        mapElements(SiLUKernel.self) { g, x, _ in Tensor.activationGradient(PKUnarySiLU, g, x) }
    }
    /// Elementwise softplus `log(1 + e^x)`, computed without overflow.
    public func softplus() -> Tensor {
        mapElements(SoftplusKernel.self) { g, x, _ in g * x.sigmoid() }
    }
    /// Elementwise GELU. `approximate: false` is the exact `x · Φ(x)`; `true` is the tanh form
    /// used by GPT-2.
    public func gelu(approximate: Bool = false) -> Tensor {
        if approximate {
            return mapElements(GELUTanhKernel.self) { g, x, _ in Tensor.activationGradient(PKUnaryGELUTanh, g, x) }
        }
        return mapElements(GELUKernel.self) { g, x, _ in Tensor.activationGradient(PKUnaryGELU, g, x) }
    }
    /// Elementwise leaky ReLU: `x` for positive `x`, `negativeSlope · x` otherwise.
    public func leakyReLU(negativeSlope: Float = 0.01) -> Tensor {
        let positive = self .> 0
        let scale = positive + (1 - positive) * negativeSlope
        return self * scale
    }
    /// Elementwise square.
    public func squared() -> Tensor { self * self }

    /// The elements limited to `[lower, upper]` (the gradient is 0 where clamped).
    public func clamped(min lower: Float = -.infinity, max upper: Float = .infinity) -> Tensor {
        precondition(lower <= upper, "clamped: lower bound \(lower) exceeds upper bound \(upper)")
        let result = TensorStorage(uninitializedCount: count)
        let source = storage.pointer
        Kernels.parallelFor(count) { range in
            for i in range { result.pointer[i] = Swift.min(Swift.max(source[i], lower), upper) }
        }
        let out = Tensor(shape: shape, storage: result)
        let input = self
        return Tensor.recorded(out, inputs: [self]) { g in
            let x = input.detached()
            return [g * (x .>= Tensor(lower)) * (x .<= Tensor(upper))]
        }
    }
}

// MARK: - Kernels

enum NegateKernel: UnaryKernel {
    static var simdOperation: PKUnaryOp? { PKUnaryNegate }
    @inline(__always) static func apply(_ x: Float) -> Float { -x }
}
enum SqrtKernel: UnaryKernel {
    static var simdOperation: PKUnaryOp? { PKUnarySqrt }
    @inline(__always) static func apply(_ x: Float) -> Float { x.squareRoot() }
}
enum RsqrtKernel: UnaryKernel {
    @inline(__always) static func apply(_ x: Float) -> Float { 1 / x.squareRoot() }
}
enum ExpKernel: UnaryKernel {
    static var simdOperation: PKUnaryOp? { PKUnaryExp }
    @inline(__always) static func apply(_ x: Float) -> Float { Foundation.exp(x) }
}
enum LogKernel: UnaryKernel {
    @inline(__always) static func apply(_ x: Float) -> Float { Foundation.log(x) }
}
enum AbsKernel: UnaryKernel {
    @inline(__always) static func apply(_ x: Float) -> Float { Swift.abs(x) }
}
enum SignKernel: UnaryKernel {
    @inline(__always) static func apply(_ x: Float) -> Float { x > 0 ? 1 : (x < 0 ? -1 : 0) }
}
enum TanhKernel: UnaryKernel {
    static var simdOperation: PKUnaryOp? { PKUnaryTanh }
    @inline(__always) static func apply(_ x: Float) -> Float { Foundation.tanh(x) }
}
enum SigmoidKernel: UnaryKernel {
    static var simdOperation: PKUnaryOp? { PKUnarySigmoid }
    @inline(__always) static func apply(_ x: Float) -> Float {
        x >= 0 ? 1 / (1 + Foundation.exp(-x)) : Foundation.exp(x) / (1 + Foundation.exp(x))
    }
}
enum ReLUKernel: UnaryKernel {
    static var simdOperation: PKUnaryOp? { PKUnaryReLU }
    @inline(__always) static func apply(_ x: Float) -> Float { x > 0 ? x : 0 }
}
enum SiLUKernel: UnaryKernel {
    static var simdOperation: PKUnaryOp? { PKUnarySiLU }
    @inline(__always) static func apply(_ x: Float) -> Float { x * SigmoidKernel.apply(x) }
}
enum SoftplusKernel: UnaryKernel {
    @inline(__always) static func apply(_ x: Float) -> Float {
        Swift.max(x, 0) + Foundation.log1p(Foundation.exp(-Swift.abs(x)))
    }
}
enum GELUKernel: UnaryKernel {
    static var simdOperation: PKUnaryOp? { PKUnaryGELU }
    @inline(__always) static func apply(_ x: Float) -> Float {
        0.5 * x * (1 + Foundation.erf(x * 0.70710678118654752))
    }
}

enum GELUTanhKernel: UnaryKernel {
    static var simdOperation: PKUnaryOp? { PKUnaryGELUTanh }
    @inline(__always) static func apply(_ x: Float) -> Float {
        0.5 * x * (1 + Foundation.tanh(0.7978845608028654 * (x + 0.044715 * x * x * x)))
    }
}

/// `max(a + b, 0)`.
enum AddReLUKernel: BinaryKernel {
    static var simdOperation: PKBinaryOp? { PKBinaryAddReLU }
    @inline(__always) static func apply(_ a: Float, _ b: Float) -> Float {
        let sum = a + b
        return sum > 0 ? sum : 0
    }
}
