import CPruningKernels

/// The instruction-set level of PruningCore's vectorized elementwise, normalization and softmax
/// kernels.
///
/// The kernels are compiled for every level (the portable one for the package's baseline
/// target, SSE2 on x86-64 and NEON on arm64) and the level is chosen once per process from
/// cpuid and the operating system's saved register state. Setting `PRUNING_SIMD` to
/// `portable`, `avx2` or `avx512` before start-up lowers it (a level the machine cannot run is
/// never chosen), so one machine can run the package at every level it supports.
public enum KernelLevel: Int, Sendable, CaseIterable, CustomStringConvertible {
    /// The baseline target: 4 lanes of SSE2 or NEON.
    case portable = 0
    /// AVX2 with FMA: 8 lanes.
    case avx2 = 1
    /// AVX-512 F/DQ/BW/VL: 16 lanes.
    case avx512 = 2

    /// The highest level this processor and operating system support.
    public static var detected: KernelLevel { KernelLevel(rawValue: Int(pk_detected_level())) ?? .portable }

    /// The level in use in this process.
    public static var active: KernelLevel { KernelLevel(rawValue: Int(pk_active_level())) ?? .portable }

    /// Every level this machine can run, lowest first.
    public static var supported: [KernelLevel] { allCases.filter { $0.rawValue <= detected.rawValue } }

    /// The name `PRUNING_SIMD` accepts for this level.
    public var description: String {
        switch self {
        case .portable: return "portable"
        case .avx2: return "avx2"
        case .avx512: return "avx512"
        }
    }
}

/// The kernel tables of the C target: the one in use, and each level's for tests.
enum SIMDKernels {
    /// The kernels of ``KernelLevel/active``.
    static let active: PKKernels = pk_active_kernels().pointee

    /// The kernels of `level`, or nil when this machine cannot run them.
    static func table(for level: KernelLevel) -> PKKernels? {
        pk_kernels(Int32(level.rawValue)).map { $0.pointee }
    }
}
