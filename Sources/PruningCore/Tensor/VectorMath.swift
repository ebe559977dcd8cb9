import Foundation

/// Vectorized single-precision helpers on 16 lanes for the Swift loops that fuse their own
/// softmax (cross-entropy, the causal softmax): exp, maximum, scaling. The elementwise
/// activations run in `CPruningKernels` (see ``KernelLevel``).
///
/// `exp` uses the classic range reduction `x = n·ln2 + r`, `|r| ≤ ln2/2`, with a degree-6
/// polynomial for `e^r` (relative error about 2 ulp over the float range) and builds `2^n`
/// from its exponent bits; inputs beyond ±88.7 saturate to `inf`/0.
enum VectorMath {
    typealias Vector = SIMD16<Float>

    /// Whether the SIMD paths are used. Unoptimized (debug) builds do not inline the `SIMD16`
    /// operations and run them far slower than scalar code, so they take the scalar paths; the
    /// SIMD functions are still tested directly.
    #if DEBUG
    static let isEnabled = false
    #else
    static let isEnabled = true
    #endif

    @inline(__always)
    static func exp(_ x: Vector) -> Vector {
        let lower = Vector(repeating: -87.33654)
        let upper = Vector(repeating: 88.72283)
        var clamped = x
        clamped.replace(with: lower, where: x .< lower)
        clamped.replace(with: upper, where: x .> upper)
        // Round x·log2(e) to the nearest integer with the 1.5·2^23 trick: the sum's low
        // mantissa bits then hold n, so no float-to-int conversion is needed.
        let magic = Vector(repeating: 12_582_912)
        let shifted = clamped * 1.442695040888963 + magic
        let n = shifted - magic
        let whole = unsafeBitCast(shifted, to: SIMD16<Int32>.self) &- 0x4B40_0000
        // r = x − n·ln2, with ln2 split in two for accuracy.
        var r = clamped - n * 0.693359375
        r = r + n * 2.12194440e-4
        var p = Vector(repeating: 1.9875691500e-4)
        p = p * r + 1.3981999507e-3
        p = p * r + 8.3334519073e-3
        p = p * r + 4.1665795894e-2
        p = p * r + 1.6666665459e-1
        p = p * r + 5.0000001201e-1
        p = p * r * r + r + 1
        // 2^n through the exponent field, as 2^h · 2^(n−h) with h = n/2 so that neither factor
        // leaves the normal range at n = 128 or n = −126.
        let half = whole &>> 1
        let first = unsafeBitCast((half &+ 127) &<< 23, to: Vector.self)
        let second = unsafeBitCast((whole &- half &+ 127) &<< 23, to: Vector.self)
        var result = p * first * second
        result.replace(with: .infinity, where: x .> upper)
        result.replace(with: 0, where: x .< lower)
        result.replace(with: x, where: x .!= x)  // NaN stays NaN
        return result
    }


    /// Writes `exp(source[i] − shift)` to `destination` for `count` contiguous elements and
    /// returns their sum.
    static func expShifted(
        _ source: UnsafePointer<Float>, _ destination: UnsafeMutablePointer<Float>, count: Int, shift: Float
    ) -> Float {
        var i = 0
        var partial = Vector.zero
        let raw = UnsafeRawPointer(source)
        let rawOut = UnsafeMutableRawPointer(destination)
        while isEnabled && i + 16 <= count {
            let e = exp(raw.loadUnaligned(fromByteOffset: i * 4, as: Vector.self) - shift)
            rawOut.storeBytes(of: e, toByteOffset: i * 4, as: Vector.self)
            partial += e
            i += 16
        }
        var total = partial.sum()
        while i < count {
            let e = Foundation.exp(source[i] - shift)
            destination[i] = e
            total += e
            i += 1
        }
        return total
    }
}
