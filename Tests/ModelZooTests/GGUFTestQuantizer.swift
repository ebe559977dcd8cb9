import Foundation
import ReaderFuzzing

/// Block quantizers for test files, following the reference quantizers of ggml
/// (`quantize_row_q8_0_ref`, `…q4_0_ref`, `…q4_1_ref`). Each returns the block bytes and the
/// values a correct dequantizer must produce from them, computed with straightforward formulas
/// from the stored (binary16-rounded) scales.
enum GGUFTestQuantizer {
    /// IEEE binary16 bits of `value`, rounded to nearest even (overflow gives infinity).
    static func halfBits(_ value: Float) -> UInt16 {
        let bits = value.bitPattern
        let sign = UInt16((bits >> 16) & 0x8000)
        let exponent = Int((bits >> 23) & 0xFF)
        let mantissa = bits & 0x7F_FFFF
        if exponent == 0xFF { return sign | 0x7C00 | (mantissa == 0 ? 0 : 0x200) }
        let halfExponent = exponent - 127 + 15
        if halfExponent >= 31 { return sign | 0x7C00 }
        if halfExponent <= 0 {
            if halfExponent < -10 { return sign }
            let full = mantissa | 0x80_0000
            let shift = UInt32(14 - halfExponent)
            var half = full >> shift
            let remainder = full & ((1 << shift) - 1)
            let halfway: UInt32 = 1 << (shift - 1)
            if remainder > halfway || (remainder == halfway && half & 1 == 1) { half += 1 }
            return sign | UInt16(half)
        }
        var half = UInt32(halfExponent << 10) | (mantissa >> 13)
        let remainder = mantissa & 0x1FFF
        if remainder > 0x1000 || (remainder == 0x1000 && half & 1 == 1) { half += 1 }
        return sign | UInt16(half)
    }

    /// The value of binary16 bits, computed arithmetically (finite values only).
    static func halfValue(_ bits: UInt16) -> Float {
        let sign: Float = bits & 0x8000 == 0 ? 1 : -1
        let exponent = Int((bits >> 10) & 0x1F)
        let mantissa = Float(bits & 0x3FF)
        precondition(exponent != 0x1F, "halfValue: infinity or NaN")
        if exponent == 0 { return sign * mantissa * Float(pow(2.0, -24.0)) }
        return sign * (1 + mantissa / 1024) * Float(pow(2.0, Double(exponent - 15)))
    }

    /// `value` rounded to binary16.
    static func roundedToHalf(_ value: Float) -> Float { halfValue(halfBits(value)) }

    static func appendHalf(_ value: Float, to out: inout [UInt8]) {
        GGUFBuilder.append(halfBits(value), to: &out)
    }

    /// F16 storage: bytes and the rounded values.
    static func f16(_ values: [Float]) -> (bytes: [UInt8], expected: [Float]) {
        var out = [UInt8]()
        for value in values { appendHalf(value, to: &out) }
        return (out, values.map(roundedToHalf))
    }

    /// F32 storage.
    static func f32(_ values: [Float]) -> (bytes: [UInt8], expected: [Float]) {
        var out = [UInt8]()
        for value in values { GGUFBuilder.append(value.bitPattern, to: &out) }
        return (out, values)
    }

    /// Q8_0: d = max|x| / 127, q = round(x / d).
    static func q8_0(_ values: [Float]) -> (bytes: [UInt8], expected: [Float]) {
        precondition(values.count % 32 == 0)
        var out = [UInt8]()
        var expected = [Float]()
        for start in stride(from: 0, to: values.count, by: 32) {
            let block = values[start..<(start + 32)]
            let amax = block.map(abs).max()!
            let d = amax / 127
            let inverse: Float = d == 0 ? 0 : 1 / d
            appendHalf(d, to: &out)
            let stored = roundedToHalf(d)
            for x in block {
                let q = Int8((x * inverse).rounded(.toNearestOrAwayFromZero))
                out.append(UInt8(bitPattern: q))
                expected.append(stored * Float(q))
            }
        }
        return (out, expected)
    }

    /// Q4_0: d = (signed value of largest magnitude) / −8, q = clamp(x / d + 8.5) in 0…15,
    /// weight j in the low nibble of byte j, weight j + 16 in its high nibble.
    static func q4_0(_ values: [Float]) -> (bytes: [UInt8], expected: [Float]) {
        precondition(values.count % 32 == 0)
        var out = [UInt8]()
        var expected = [Float](repeating: 0, count: values.count)
        for start in stride(from: 0, to: values.count, by: 32) {
            let block = Array(values[start..<(start + 32)])
            let extreme = block.max { abs($0) < abs($1) }!
            let d = extreme / -8
            let inverse: Float = d == 0 ? 0 : 1 / d
            appendHalf(d, to: &out)
            let stored = roundedToHalf(d)
            let q = block.map { min(15, UInt8(max(0, $0 * inverse + 8.5))) }
            for j in 0..<16 {
                out.append(q[j] | (q[j + 16] << 4))
            }
            for j in 0..<32 { expected[start + j] = Float(Int(q[j]) - 8) * stored }
        }
        return (out, expected)
    }

    /// Q4_1: d = (max − min) / 15, m = min, q = clamp((x − min) / d + 0.5) in 0…15.
    static func q4_1(_ values: [Float]) -> (bytes: [UInt8], expected: [Float]) {
        precondition(values.count % 32 == 0)
        var out = [UInt8]()
        var expected = [Float](repeating: 0, count: values.count)
        for start in stride(from: 0, to: values.count, by: 32) {
            let block = Array(values[start..<(start + 32)])
            let low = block.min()!, high = block.max()!
            let d = (high - low) / 15
            let inverse: Float = d == 0 ? 0 : 1 / d
            appendHalf(d, to: &out)
            appendHalf(low, to: &out)
            let storedD = roundedToHalf(d), storedM = roundedToHalf(low)
            let q = block.map { min(15, UInt8(max(0, ($0 - low) * inverse + 0.5))) }
            for j in 0..<16 {
                out.append(q[j] | (q[j + 16] << 4))
            }
            for j in 0..<32 { expected[start + j] = Float(q[j]) * storedD + storedM }
        }
        return (out, expected)
    }

    /// Deterministic pseudo-random values in [−scale, scale) (a 64-bit LCG).
    static func values(count: Int, seed: UInt64, scale: Float = 1) -> [Float] {
        var state = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return (0..<count).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return (Float(state >> 40) / Float(1 << 24) * 2 - 1) * scale
        }
    }
}
