/// The storage type of a tensor in a GGUF file (ggml's `ggml_type`).
///
/// Quantized types store weights in blocks: ``blockSize`` consecutive weights of a row occupy
/// ``blockByteCount`` bytes. The raw values are ggml's type codes. All types are listed so that a
/// file's tensor directory can be validated whatever it holds; ``canConvertToFloat`` says which
/// ones ``GGUFFile/tensor(named:)`` can dequantize.
///
/// Block layouts: ggml `ggml-common.h`; see also the GGUF specification
/// (github.com/ggml-org/ggml, `docs/gguf.md`).
public enum GGUFTensorType: UInt32, CaseIterable, Sendable {
    /// IEEE binary32.
    case f32 = 0
    /// IEEE binary16.
    case f16 = 1
    /// 32 weights: f16 scale `d`, 16 bytes of 4-bit values; w = d·(q − 8).
    case q4_0 = 2
    /// 32 weights: f16 scale `d`, f16 minimum `m`, 16 bytes of 4-bit values; w = d·q + m.
    case q4_1 = 3
    /// 32 weights: f16 `d`, 32 high bits, 16 bytes of low nibbles; w = d·(q − 16).
    case q5_0 = 6
    /// 32 weights: f16 `d`, f16 `m`, 32 high bits, 16 bytes of low nibbles; w = d·q + m.
    case q5_1 = 7
    /// 32 weights: f16 scale `d`, 32 signed bytes; w = d·q.
    case q8_0 = 8
    /// 32 weights: f16 `d`, f16 sum, 32 signed bytes (an intermediate type of ggml's dot products).
    case q8_1 = 9
    /// 2-bit k-quant, 256 weights per super-block.
    case q2_K = 10
    /// 3-bit k-quant, 256 weights per super-block.
    case q3_K = 11
    /// 4-bit k-quant: 256 weights in 8 sub-blocks with 6-bit scales and minimums.
    case q4_K = 12
    /// 5-bit k-quant, 256 weights per super-block.
    case q5_K = 13
    /// 6-bit k-quant: 256 weights in 16 sub-blocks with 8-bit scales.
    case q6_K = 14
    /// 8-bit k-quant (an intermediate type of ggml's dot products).
    case q8_K = 15
    /// 2.06-bit importance quantization.
    case iq2_XXS = 16
    /// 2.31-bit importance quantization.
    case iq2_XS = 17
    /// 3.06-bit importance quantization.
    case iq3_XXS = 18
    /// 1.56-bit importance quantization.
    case iq1_S = 19
    /// 4-bit non-linear quantization, 32 weights per block.
    case iq4_NL = 20
    /// 3.44-bit importance quantization.
    case iq3_S = 21
    /// 2.5-bit importance quantization.
    case iq2_S = 22
    /// 4.25-bit non-linear quantization, 256 weights per super-block.
    case iq4_XS = 23
    /// Signed 8-bit integer.
    case i8 = 24
    /// Signed 16-bit integer.
    case i16 = 25
    /// Signed 32-bit integer.
    case i32 = 26
    /// Signed 64-bit integer.
    case i64 = 27
    /// IEEE binary64.
    case f64 = 28
    /// 1.75-bit importance quantization.
    case iq1_M = 29
    /// bfloat16: the upper half of a binary32.
    case bf16 = 30
    /// Ternary quantization, 1.69 bits per weight.
    case tq1_0 = 34
    /// Ternary quantization, 2.06 bits per weight.
    case tq2_0 = 35
    /// Microscaling FP4, 32 weights per block.
    case mxfp4 = 39
    /// NVIDIA FP4, 64 weights per block.
    case nvfp4 = 40
    /// 1-bit quantization, 128 weights per block.
    case q1_0 = 41

    /// The number of weights per block (1 for plain scalar types).
    public var blockSize: Int {
        switch self {
        case .f32, .f16, .bf16, .f64, .i8, .i16, .i32, .i64: 1
        case .q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .q8_1, .iq4_NL, .mxfp4: 32
        case .nvfp4: 64
        case .q1_0: 128
        case .q2_K, .q3_K, .q4_K, .q5_K, .q6_K, .q8_K, .iq2_XXS, .iq2_XS, .iq3_XXS, .iq1_S, .iq3_S,
             .iq2_S, .iq4_XS, .iq1_M, .tq1_0, .tq2_0: 256
        }
    }

    /// The number of bytes of one block.
    public var blockByteCount: Int {
        switch self {
        case .f32: 4
        case .f16, .bf16: 2
        case .f64: 8
        case .i8: 1
        case .i16: 2
        case .i32: 4
        case .i64: 8
        case .q4_0: 18
        case .q4_1: 20
        case .q5_0: 22
        case .q5_1: 24
        case .q8_0: 34
        case .q8_1: 36
        case .q2_K: 84
        case .q3_K: 110
        case .q4_K: 144
        case .q5_K: 176
        case .q6_K: 210
        case .q8_K: 292
        case .iq2_XXS: 66
        case .iq2_XS: 74
        case .iq3_XXS: 98
        case .iq1_S: 50
        case .iq4_NL: 18
        case .iq3_S: 110
        case .iq2_S: 82
        case .iq4_XS: 136
        case .iq1_M: 56
        case .tq1_0: 54
        case .tq2_0: 66
        case .mxfp4: 17
        case .nvfp4: 36
        case .q1_0: 18
        }
    }

    /// ggml's name of the type, such as `"Q4_1"`.
    public var name: String {
        switch self {
        case .iq2_XXS: "IQ2_XXS"
        case .iq2_XS: "IQ2_XS"
        case .iq3_XXS: "IQ3_XXS"
        case .iq1_S: "IQ1_S"
        case .iq4_NL: "IQ4_NL"
        case .iq3_S: "IQ3_S"
        case .iq2_S: "IQ2_S"
        case .iq4_XS: "IQ4_XS"
        case .iq1_M: "IQ1_M"
        default: "\(self)".uppercased()
        }
    }

    /// Whether ``GGUFFile/tensor(named:)`` can convert this type to `Float`.
    public var canConvertToFloat: Bool {
        switch self {
        case .f32, .f16, .bf16, .f64, .i8, .i16, .i32, .i64, .q4_0, .q4_1, .q5_0, .q5_1, .q8_0, .q4_K, .q6_K: true
        default: false
        }
    }
}
