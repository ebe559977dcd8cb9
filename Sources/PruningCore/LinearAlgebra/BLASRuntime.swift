import COpenBLAS
import Foundation

extension BLAS {
    /// The name of the kernel family OpenBLAS selected for this CPU (for example `Haswell`,
    /// `SkylakeX`, or `Prescott` when it fell back to its generic SSE3 kernels).
    public static var coreName: String {
        guard let name = openblas_get_corename() else { return "unknown" }
        return String(cString: name)
    }

    /// The OpenBLAS kernel family this CPU can run, from its instruction-set flags
    /// (`SkylakeX` with AVX-512, `Haswell` with AVX2 and FMA), or nil when none applies or the
    /// flags cannot be read.
    public static var supportedCoreType: String? {
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
            let flagsLine = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") })
        else { return nil }
        let flags = Set(flagsLine.split(separator: " ").map(String.init))
        if flags.isSuperset(of: ["avx512f", "avx512dq", "avx512bw", "avx512vl"]) { return "SkylakeX" }
        if flags.isSuperset(of: ["avx2", "fma"]) { return "Haswell" }
        return nil
    }

    /// Restarts the current executable with `OPENBLAS_CORETYPE` set when OpenBLAS fell back to
    /// its generic kernels on a CPU that supports faster ones.
    ///
    /// OpenBLAS picks its kernels once, when the library loads, from the CPU model; releases
    /// that predate a CPU model fall back to `Prescott` kernels that run matrix products 3–4×
    /// slower. The kernel choice can only be changed through the environment before the library
    /// loads, so an executable calls this first thing in `main`. Nothing happens when the kernel
    /// is already specific, when `OPENBLAS_CORETYPE` is already set (by the user, or by an
    /// earlier restart), or when `PRUNING_KEEP_BLAS_CORE` is set.
    public static func relaunchWithFasterKernelsIfNeeded() {
        let environment = ProcessInfo.processInfo.environment
        guard coreName == "Prescott", environment["OPENBLAS_CORETYPE"] == nil,
            environment["PRUNING_KEEP_BLAS_CORE"] == nil, let core = supportedCoreType
        else { return }
        setenv("OPENBLAS_CORETYPE", core, 1)
        let arguments = CommandLine.arguments
        var cArguments: [UnsafeMutablePointer<CChar>?] = arguments.map { strdup($0) }
        cArguments.append(nil)
        execv("/proc/self/exe", &cArguments)
        // execv returns only on failure: carry on with the generic kernels.
        for pointer in cArguments { free(pointer) }
    }
}
