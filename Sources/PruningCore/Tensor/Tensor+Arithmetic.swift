extension Tensor {
    /// Applies a broadcasting binary kernel without recording anything.
    static func broadcastingApply<K: BinaryKernel>(_ kernel: K.Type, _ a: Tensor, _ b: Tensor) -> Tensor {
        let outShape = a.shape == b.shape ? a.shape : Broadcasting.shape(a.shape, b.shape)
        let result = TensorStorage(uninitializedCount: Tensor.elementCount(of: outShape))
        Kernels.binary(kernel, a, b, outShape: outShape, result.pointer)
        return Tensor(shape: outShape, storage: result)
    }

    /// Elementwise sum with broadcasting.
    public static func + (a: Tensor, b: Tensor) -> Tensor {
        let out = broadcastingApply(AddKernel.self, a, b)
        let (needA, needB) = (a.node != nil, b.node != nil)
        return recorded(out, inputs: [a, b]) { g in
            [needA ? g.summed(toShape: a.shape) : nil, needB ? g.summed(toShape: b.shape) : nil]
        }
    }

    /// Elementwise difference with broadcasting.
    public static func - (a: Tensor, b: Tensor) -> Tensor {
        let out = broadcastingApply(SubtractKernel.self, a, b)
        let (needA, needB) = (a.node != nil, b.node != nil)
        return recorded(out, inputs: [a, b]) { g in
            [needA ? g.summed(toShape: a.shape) : nil, needB ? (-g).summed(toShape: b.shape) : nil]
        }
    }

    /// Elementwise product with broadcasting.
    public static func * (a: Tensor, b: Tensor) -> Tensor {
        let out = broadcastingApply(MultiplyKernel.self, a, b)
        let (needA, needB) = (a.node != nil, b.node != nil)
        return recorded(out, inputs: [a, b]) { g in
            [
                needA ? (g * b.detached()).summed(toShape: a.shape) : nil,
                needB ? (g * a.detached()).summed(toShape: b.shape) : nil,
            ]
        }
    }

    /// Elementwise quotient with broadcasting.
    public static func / (a: Tensor, b: Tensor) -> Tensor {
        let out = broadcastingApply(DivideKernel.self, a, b)
        let (needA, needB) = (a.node != nil, b.node != nil)
        return recorded(out, inputs: [a, b]) { g in
            let bd = b.detached()
            return [
                needA ? (g / bd).summed(toShape: a.shape) : nil,
                needB ? (-(g * out.detached()) / bd).summed(toShape: b.shape) : nil,
            ]
        }
    }

    /// `a` raised elementwise to the power `b`, with broadcasting.
    ///
    /// The gradient with respect to `b` uses `log(a)` and is only meaningful where `a > 0`.
    public static func pow(_ a: Tensor, _ b: Tensor) -> Tensor {
        let out = broadcastingApply(PowerKernel.self, a, b)
        let (needA, needB) = (a.node != nil, b.node != nil)
        return recorded(out, inputs: [a, b]) { g in
            let (ad, bd) = (a.detached(), b.detached())
            return [
                needA ? (g * bd * pow(ad, bd - 1)).summed(toShape: a.shape) : nil,
                needB ? (g * out.detached() * ad.log()).summed(toShape: b.shape) : nil,
            ]
        }
    }

    /// This tensor raised elementwise to the power `exponent`.
    public func pow(_ exponent: Float) -> Tensor {
        if exponent == 2 { return self * self }
        return Tensor.pow(self, Tensor(exponent))
    }

    /// The elementwise larger of `a` and `b` (the gradient goes to `a` on ties).
    public static func maximum(_ a: Tensor, _ b: Tensor) -> Tensor {
        let out = broadcastingApply(MaximumKernel.self, a, b)
        let (needA, needB) = (a.node != nil, b.node != nil)
        return recorded(out, inputs: [a, b]) { g in
            let mask = broadcastingApply(GreaterOrEqualKernel.self, a, b)
            return [
                needA ? (g * mask).summed(toShape: a.shape) : nil,
                needB ? (g * (1 - mask)).summed(toShape: b.shape) : nil,
            ]
        }
    }

    /// The elementwise smaller of `a` and `b` (the gradient goes to `a` on ties).
    public static func minimum(_ a: Tensor, _ b: Tensor) -> Tensor {
        let out = broadcastingApply(MinimumKernel.self, a, b)
        let (needA, needB) = (a.node != nil, b.node != nil)
        return recorded(out, inputs: [a, b]) { g in
            let mask = broadcastingApply(LessOrEqualKernel.self, a, b)
            return [
                needA ? (g * mask).summed(toShape: a.shape) : nil,
                needB ? (g * (1 - mask)).summed(toShape: b.shape) : nil,
            ]
        }
    }

    /// Elementwise negation.
    public static prefix func - (x: Tensor) -> Tensor {
        x.mapElements(NegateKernel.self) { g, _, _ in -g }
    }

    // MARK: Scalar operands

    /// Adds `b` to every element.
    public static func + (a: Tensor, b: Float) -> Tensor { a + Tensor(b) }
    /// Adds `a` to every element.
    public static func + (a: Float, b: Tensor) -> Tensor { Tensor(a) + b }
    /// Subtracts `b` from every element.
    public static func - (a: Tensor, b: Float) -> Tensor { a - Tensor(b) }
    /// Subtracts every element from `a`.
    public static func - (a: Float, b: Tensor) -> Tensor { Tensor(a) - b }
    /// Multiplies every element by `b`.
    public static func * (a: Tensor, b: Float) -> Tensor { a * Tensor(b) }
    /// Multiplies every element by `a`.
    public static func * (a: Float, b: Tensor) -> Tensor { Tensor(a) * b }
    /// Divides every element by `b`.
    public static func / (a: Tensor, b: Float) -> Tensor { a / Tensor(b) }
    /// Divides `a` by every element.
    public static func / (a: Float, b: Tensor) -> Tensor { Tensor(a) / b }

    /// Adds `b` in place (recorded like `a = a + b`).
    public static func += (a: inout Tensor, b: Tensor) { a = a + b }
    /// Subtracts `b` in place (recorded like `a = a - b`).
    public static func -= (a: inout Tensor, b: Tensor) { a = a - b }
    /// Multiplies by `b` in place (recorded like `a = a * b`).
    public static func *= (a: inout Tensor, b: Tensor) { a = a * b }
    /// Divides by `b` in place (recorded like `a = a / b`).
    public static func /= (a: inout Tensor, b: Tensor) { a = a / b }

    // MARK: Comparisons (not differentiable; 1 where true, 0 where false)

    /// 1 where `a == b`, else 0.
    public static func .== (a: Tensor, b: Tensor) -> Tensor { broadcastingApply(EqualKernel.self, a, b) }
    /// 1 where `a != b`, else 0.
    public static func .!= (a: Tensor, b: Tensor) -> Tensor { broadcastingApply(NotEqualKernel.self, a, b) }
    /// 1 where `a < b`, else 0.
    public static func .< (a: Tensor, b: Tensor) -> Tensor { broadcastingApply(LessKernel.self, a, b) }
    /// 1 where `a <= b`, else 0.
    public static func .<= (a: Tensor, b: Tensor) -> Tensor { broadcastingApply(LessOrEqualKernel.self, a, b) }
    /// 1 where `a > b`, else 0.
    public static func .> (a: Tensor, b: Tensor) -> Tensor { broadcastingApply(GreaterKernel.self, a, b) }
    /// 1 where `a >= b`, else 0.
    public static func .>= (a: Tensor, b: Tensor) -> Tensor { broadcastingApply(GreaterOrEqualKernel.self, a, b) }
    /// 1 where `a == b`, else 0.
    public static func .== (a: Tensor, b: Float) -> Tensor { a .== Tensor(b) }
    /// 1 where `a < b`, else 0.
    public static func .< (a: Tensor, b: Float) -> Tensor { a .< Tensor(b) }
    /// 1 where `a <= b`, else 0.
    public static func .<= (a: Tensor, b: Float) -> Tensor { a .<= Tensor(b) }
    /// 1 where `a > b`, else 0.
    public static func .> (a: Tensor, b: Float) -> Tensor { a .> Tensor(b) }
    /// 1 where `a >= b`, else 0.
    public static func .>= (a: Tensor, b: Float) -> Tensor { a .>= Tensor(b) }

    /// Elements of `a` where `condition` is non-zero, else elements of `b` (all three broadcast).
    ///
    /// Infinite values in the unselected operand do not leak into the result.
    public static func `where`(_ condition: Tensor, _ a: Tensor, _ b: Tensor) -> Tensor {
        let outShape = Broadcasting.shape(condition.shape, Broadcasting.shape(a.shape, b.shape))
        let zeros = Tensor.zeros(outShape)
        let select = broadcastingApply(NotEqualKernel.self, condition, zeros)
        let full = broadcastingApply(AddKernel.self, a.detached(), zeros)
        let other = broadcastingApply(AddKernel.self, b.detached(), zeros)
        var out = full
        out.withUnsafeMutableBufferPointer { o in
            select.withUnsafeBufferPointer { m in
                other.withUnsafeBufferPointer { y in
                    for i in 0..<o.count where m[i] == 0 { o[i] = y[i] }
                }
            }
        }
        let (needA, needB) = (a.node != nil, b.node != nil)
        return recorded(out, inputs: [a, b]) { g in
            [
                needA ? (g * select).summed(toShape: a.shape) : nil,
                needB ? (g * (1 - select)).summed(toShape: b.shape) : nil,
            ]
        }
    }

    /// This tensor with `value` written wherever `mask` is non-zero (`mask` broadcasts to this
    /// tensor's shape). `value` may be infinite (attention masks use `-.infinity`).
    public func maskedFill(_ mask: Tensor, with value: Float) -> Tensor {
        precondition(Broadcasting.shape(shape, mask.shape) == shape,
                     "maskedFill: mask \(mask.shape) does not broadcast to \(shape)")
        // keep = 1 where the mask is zero, laid out like this tensor.
        let keepStorage = TensorStorage(uninitializedCount: count)
        Kernels.binary(EqualKernel.self, mask, Tensor(0), outShape: shape, keepStorage.pointer)
        let keep = Tensor(shape: shape, storage: keepStorage)
        var out = detached()
        out.withUnsafeMutableBufferPointer { o in
            keep.withUnsafeBufferPointer { k in
                for i in 0..<o.count where k[i] == 0 { o[i] = value }
            }
        }
        return Tensor.recorded(out, inputs: [self]) { g in [g * keep] }
    }
}

infix operator .== : ComparisonPrecedence
infix operator .!= : ComparisonPrecedence
infix operator .< : ComparisonPrecedence
infix operator .<= : ComparisonPrecedence
infix operator .> : ComparisonPrecedence
infix operator .>= : ComparisonPrecedence
