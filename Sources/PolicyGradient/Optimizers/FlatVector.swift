/// Small helpers on flat parameter vectors (double-precision accumulation).
public enum FlatVector {
    /// The Euclidean norm.
    public static func norm(_ x: [Float]) -> Float {
        var total = 0.0
        for v in x { total += Double(v) * Double(v) }
        return Float(total.squareRoot())
    }

    /// The inner product ⟨x, y⟩.
    public static func dot(_ x: [Float], _ y: [Float]) -> Float {
        precondition(x.count == y.count, "FlatVector.dot: lengths \(x.count) and \(y.count) differ")
        var total = 0.0
        for i in x.indices { total += Double(x[i]) * Double(y[i]) }
        return Float(total)
    }

    /// Each entry clamped to `[-bound, bound]`.
    public static func clamped(_ x: [Float], to bound: Float) -> [Float] {
        x.map { Swift.min(Swift.max($0, -bound), bound) }
    }

    /// `x + η (y − x)`, entry by entry (the BGPO interpolation θ_t + η_t (θ̃_{t+1} − θ_t)).
    static func interpolate(_ x: inout [Float], toward y: [Float], by eta: Float) {
        precondition(x.count == y.count, "FlatVector.interpolate: lengths \(x.count) and \(y.count) differ")
        x.withUnsafeMutableBufferPointer { a in
            y.withUnsafeBufferPointer { b in
                for i in 0..<a.count { a[i] += eta * (b[i] - a[i]) }
            }
        }
    }
}
