/// Conversion of stored GGUF tensor data to `Float`.
///
/// The block layouts follow ggml's `ggml-common.h` and the reference dequantization of
/// `ggml-quants.c`: within a block of 32 weights, 4-bit formats store weight `j` in the low
/// nibble of byte `j` and weight `j + 16` in its high nibble (not interleaved); 5-bit formats add
/// bit `j` of a 32-bit word `qh` as the fifth bit of weight `j`. All arithmetic is in `Float`, in
/// the same order as the reference (`d·q + m`, no fused multiply-add), so results are exact
/// reproductions.
enum GGUFDequantization {
    /// Converts `count` elements of `type` stored at `source` (no alignment required), writing
    /// them to `output`.
    ///
    /// - Precondition: `type.canConvertToFloat`, `count` is a multiple of `type.blockSize`, and
    ///   `source` holds `count / blockSize × blockByteCount` bytes.
    static func convert(_ type: GGUFTensorType, from source: UnsafeRawPointer, count: Int, into output: UnsafeMutablePointer<Float>) {
        precondition(count % type.blockSize == 0, "GGUF \(type.name): \(count) elements are not whole blocks of \(type.blockSize)")
        let blocks = count / type.blockSize
        switch type {
        case .f32:
            #if _endian(little)
            UnsafeMutableRawPointer(output).copyMemory(from: source, byteCount: count * 4)
            #else
            for i in 0..<count { output[i] = Float(bitPattern: load(UInt32.self, source, 4 * i)) }
            #endif
        case .f16:
            for i in 0..<count { output[i] = half(source, 2 * i) }
        case .bf16:
            for i in 0..<count { output[i] = Float(bitPattern: UInt32(load(UInt16.self, source, 2 * i)) << 16) }
        case .f64:
            for i in 0..<count { output[i] = Float(Double(bitPattern: load(UInt64.self, source, 8 * i))) }
        case .i8:
            for i in 0..<count { output[i] = Float(source.load(fromByteOffset: i, as: Int8.self)) }
        case .i16:
            for i in 0..<count { output[i] = Float(load(Int16.self, source, 2 * i)) }
        case .i32:
            for i in 0..<count { output[i] = Float(load(Int32.self, source, 4 * i)) }
        case .i64:
            for i in 0..<count { output[i] = Float(load(Int64.self, source, 8 * i)) }
        case .q8_0: q8_0(source, blocks, output)
        case .q4_0: q4_0(source, blocks, output)
        case .q4_1: q4_1(source, blocks, output)
        case .q5_0: q5_0(source, blocks, output)
        case .q5_1: q5_1(source, blocks, output)
        case .q4_K: q4_K(source, blocks, output)
        case .q6_K: q6_K(source, blocks, output)
        default:
            preconditionFailure("GGUF type \(type.name) cannot be converted to Float")
        }
    }

    /// `block_q8_0`: f16 `d`, 32 × int8 `q`; w = d·q.
    private static func q8_0(_ source: UnsafeRawPointer, _ blocks: Int, _ output: UnsafeMutablePointer<Float>) {
        for block in 0..<blocks {
            let p = source + block * 34
            let d = half(p, 0)
            let q = (p + 2).assumingMemoryBound(to: Int8.self)
            let y = output + block * 32
            for j in 0..<32 { y[j] = d * Float(q[j]) }
        }
    }

    /// `block_q4_0`: f16 `d`, 16 bytes of nibbles; w = d·(q − 8).
    private static func q4_0(_ source: UnsafeRawPointer, _ blocks: Int, _ output: UnsafeMutablePointer<Float>) {
        for block in 0..<blocks {
            let p = source + block * 18
            let d = half(p, 0)
            let q = (p + 2).assumingMemoryBound(to: UInt8.self)
            let y = output + block * 32
            for j in 0..<16 {
                y[j] = Float(Int32(q[j] & 0x0F) - 8) * d
                y[j + 16] = Float(Int32(q[j] >> 4) - 8) * d
            }
        }
    }

    /// `block_q4_1`: f16 `d`, f16 `m`, 16 bytes of nibbles; w = d·q + m.
    private static func q4_1(_ source: UnsafeRawPointer, _ blocks: Int, _ output: UnsafeMutablePointer<Float>) {
        for block in 0..<blocks {
            let p = source + block * 20
            let d = half(p, 0)
            let m = half(p, 2)
            let q = (p + 4).assumingMemoryBound(to: UInt8.self)
            let y = output + block * 32
            for j in 0..<16 {
                y[j] = Float(q[j] & 0x0F) * d + m
                y[j + 16] = Float(q[j] >> 4) * d + m
            }
        }
    }

    /// `block_q5_0`: f16 `d`, u32 `qh` (fifth bits), 16 bytes of nibbles; w = d·(q − 16).
    private static func q5_0(_ source: UnsafeRawPointer, _ blocks: Int, _ output: UnsafeMutablePointer<Float>) {
        for block in 0..<blocks {
            let p = source + block * 22
            let d = half(p, 0)
            let qh = load(UInt32.self, p, 2)
            let q = (p + 6).assumingMemoryBound(to: UInt8.self)
            let y = output + block * 32
            for j in 0..<16 {
                let high0 = Int32(truncatingIfNeeded: ((qh >> UInt32(j)) << 4) & 0x10)
                let high1 = Int32(truncatingIfNeeded: (qh >> UInt32(j + 12)) & 0x10)
                y[j] = Float((Int32(q[j] & 0x0F) | high0) - 16) * d
                y[j + 16] = Float((Int32(q[j] >> 4) | high1) - 16) * d
            }
        }
    }

    /// `block_q5_1`: f16 `d`, f16 `m`, u32 `qh`, 16 bytes of nibbles; w = d·q + m.
    private static func q5_1(_ source: UnsafeRawPointer, _ blocks: Int, _ output: UnsafeMutablePointer<Float>) {
        for block in 0..<blocks {
            let p = source + block * 24
            let d = half(p, 0)
            let m = half(p, 2)
            let qh = load(UInt32.self, p, 4)
            let q = (p + 8).assumingMemoryBound(to: UInt8.self)
            let y = output + block * 32
            for j in 0..<16 {
                let high0 = UInt32(((qh >> UInt32(j)) << 4) & 0x10)
                let high1 = UInt32((qh >> UInt32(j + 12)) & 0x10)
                y[j] = Float(UInt32(q[j] & 0x0F) | high0) * d + m
                y[j + 16] = Float(UInt32(q[j] >> 4) | high1) * d + m
            }
        }
    }

    /// `block_q4_K`: f16 `d`, f16 `dmin`, 12 bytes of packed 6-bit scales and minimums, 128 bytes
    /// of nibbles; 8 sub-blocks of 32 weights, w = d·scale·q − dmin·min.
    private static func q4_K(_ source: UnsafeRawPointer, _ blocks: Int, _ output: UnsafeMutablePointer<Float>) {
        for block in 0..<blocks {
            let p = source + block * 144
            let d = half(p, 0)
            let dmin = half(p, 2)
            let scales = (p + 4).assumingMemoryBound(to: UInt8.self)
            var q = (p + 16).assumingMemoryBound(to: UInt8.self)
            var y = output + block * 256
            for pair in 0..<4 {
                let (scale0, min0) = scaleAndMin(2 * pair, scales)
                let (scale1, min1) = scaleAndMin(2 * pair + 1, scales)
                let d0 = d * Float(scale0), m0 = dmin * Float(min0)
                let d1 = d * Float(scale1), m1 = dmin * Float(min1)
                for l in 0..<32 {
                    y[l] = d0 * Float(q[l] & 0x0F) - m0
                    y[l + 32] = d1 * Float(q[l] >> 4) - m1
                }
                q += 32
                y += 64
            }
        }
    }

    /// The 6-bit scale and minimum of sub-block `j` of a Q4_K block (ggml's `get_scale_min_k4`).
    @inline(__always)
    private static func scaleAndMin(_ j: Int, _ q: UnsafePointer<UInt8>) -> (UInt8, UInt8) {
        if j < 4 { return (q[j] & 63, q[j + 4] & 63) }
        return ((q[j + 4] & 0x0F) | ((q[j - 4] >> 6) << 4), (q[j + 4] >> 4) | ((q[j] >> 6) << 4))
    }

    /// `block_q6_K`: 128 bytes of low nibbles `ql`, 64 bytes of high 2-bit pairs `qh`, 16 int8
    /// scales, f16 `d`; 16 sub-blocks of 16 weights, w = d·scale·(q − 32).
    private static func q6_K(_ source: UnsafeRawPointer, _ blocks: Int, _ output: UnsafeMutablePointer<Float>) {
        for block in 0..<blocks {
            let p = source + block * 210
            let d = half(p, 208)
            var ql = p.assumingMemoryBound(to: UInt8.self)
            var qh = (p + 128).assumingMemoryBound(to: UInt8.self)
            var sc = (p + 192).assumingMemoryBound(to: Int8.self)
            var y = output + block * 256
            for _ in 0..<2 {
                for l in 0..<32 {
                    let s = l / 16
                    let q1 = Int32((ql[l] & 0x0F) | ((qh[l] & 3) << 4)) - 32
                    let q2 = Int32((ql[l + 32] & 0x0F) | (((qh[l] >> 2) & 3) << 4)) - 32
                    let q3 = Int32((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32
                    let q4 = Int32((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32
                    y[l] = d * Float(sc[s]) * Float(q1)
                    y[l + 32] = d * Float(sc[s + 2]) * Float(q2)
                    y[l + 64] = d * Float(sc[s + 4]) * Float(q3)
                    y[l + 96] = d * Float(sc[s + 6]) * Float(q4)
                }
                y += 128
                ql += 64
                qh += 32
                sc += 8
            }
        }
    }

    /// A little-endian integer at `offset` bytes from `base` (no alignment required).
    @inline(__always)
    private static func load<T: FixedWidthInteger>(_: T.Type, _ base: UnsafeRawPointer, _ offset: Int) -> T {
        T(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: T.self))
    }

    /// The IEEE binary16 value at `offset` bytes from `base`, as `Float`.
    @inline(__always)
    static func half(_ base: UnsafeRawPointer, _ offset: Int) -> Float {
        halfToFloat(load(UInt16.self, base, offset))
    }

    /// Converts IEEE 754 binary16 bits to `Float` exactly, including subnormals, infinities and NaN.
    @inline(__always)
    static func halfToFloat(_ bits: UInt16) -> Float {
        let sign = UInt32(bits & 0x8000) << 16
        let exponent = UInt32(bits >> 10) & 0x1F
        let mantissa = UInt32(bits & 0x3FF)
        if exponent == 0 {
            let magnitude = Float(mantissa) * 0x1p-24
            return sign == 0 ? magnitude : -magnitude
        }
        if exponent == 0x1F { return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13)) }
        return Float(bitPattern: sign | ((exponent + 112) << 23) | (mantissa << 13))
    }
}
