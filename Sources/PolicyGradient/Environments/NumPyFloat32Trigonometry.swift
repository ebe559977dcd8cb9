import Foundation

/// Single-precision sine and cosine computed as NumPy 2's `np.sin`/`np.cos` on float32 inputs
/// with fused multiply-add hardware (the `simd_sincos_f32` kernel).
///
/// NumPy does not call libm for float32 `sin`/`cos`: it reduces `x` by Cody–Waite's method to
/// `[-π/4, π/4]` and evaluates minimax polynomials in float32 with FMA (max error 1.49 ulp).
/// About 0.07% of results differ by one ulp from the correctly rounded value, so reproducing
/// Gymnasium's observations of a float32 state (``Acrobot`` right after reset) needs the same
/// arithmetic. Beyond the kernel's range (`|x| > 71476.0625` for cosine, `117435.992` for
/// sine) NumPy falls back to libm `cosf`/`sinf`, as this does.
enum NumPyFloat32Trigonometry {
    private static let twoOverPi: Float = 0x1.45f306p-1
    private static let piOverTwoHigh: Float = -0x1.921fb0p+00
    private static let piOverTwoMedium: Float = -0x1.5110b4p-22
    private static let piOverTwoLow: Float = -0x1.846988p-48
    private static let roundingMagic: Float = 0x1.800000p+23

    /// `np.cos(np.float32(x))`.
    static func cos(_ x: Float) -> Float {
        if x.isNaN { return .nan }
        if abs(x) > 71476.0625 { return Foundation.cos(x) }
        return evaluate(x, quadrantOffset: 1)
    }

    /// `np.sin(np.float32(x))`.
    static func sin(_ x: Float) -> Float {
        if x.isNaN { return .nan }
        if abs(x) > 117435.992 { return Foundation.sin(x) }
        return evaluate(x, quadrantOffset: 0)
    }

    /// Reduces `x` to `r = x - k·π/2` and returns `±sin(r)` or `±cos(r)` by the quadrant
    /// `k + quadrantOffset` (cosine is sine shifted by one quadrant).
    private static func evaluate(_ x: Float, quadrantOffset: Int32) -> Float {
        // Round x·2/π to the nearest integer with the 1.5·2²³ trick (ties to even).
        let quadrant = (x * twoOverPi + roundingMagic) - roundingMagic
        var reduced = x.addingProduct(quadrant, piOverTwoHigh)
        reduced = reduced.addingProduct(quadrant, piOverTwoMedium)
        reduced = reduced.addingProduct(quadrant, piOverTwoLow)
        let reducedSquared = reduced * reduced

        var cosine: Float = 0x1.98e616p-16
        cosine = (-0x1.6c06dcp-10 as Float).addingProduct(cosine, reducedSquared)
        cosine = (0x1.55553cp-05 as Float).addingProduct(cosine, reducedSquared)
        cosine = (-0.5 as Float).addingProduct(cosine, reducedSquared)
        cosine = (1 as Float).addingProduct(cosine, reducedSquared)

        var sine: Float = 0x1.7d3bbcp-19
        sine = (-0x1.a06bbap-13 as Float).addingProduct(sine, reducedSquared)
        sine = (0x1.11119ap-07 as Float).addingProduct(sine, reducedSquared)
        sine = (-0x1.555556p-03 as Float).addingProduct(sine, reducedSquared)
        sine = (0 as Float).addingProduct(sine, reducedSquared)
        sine = reduced.addingProduct(sine, reduced)

        let k = Int32(quadrant) &+ quadrantOffset
        let value = k & 1 == 0 ? sine : cosine
        return k & 2 == 2 ? 0 - value : value
    }
}
