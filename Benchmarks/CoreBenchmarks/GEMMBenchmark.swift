import Foundation
import PruningCore

/// `Tensor.matmul` against a direct `cblas_sgemm` call on the same buffers, interleaved.
struct GEMMBenchmark {
    let samples: Int

    func run() {
        print("## matmul: Tensor vs direct cblas_sgemm (GFLOP/s)\n")
        print("| size | direct best | Tensor best | ratio (best) | direct median | Tensor median | ratio (median) |")
        print("|---:|---:|---:|---:|---:|---:|---:|")
        for n in [256, 512, 1024, 2048] {
            var random = RandomGenerator(seed: UInt64(n))
            let a = Tensor.randomNormal([n, n], using: &random)
            let b = Tensor.randomNormal([n, n], using: &random)
            var c = Tensor.zeros([n, n])
            let repeats = n <= 512 ? 8 : 1
            var direct: [Double] = []
            var ours: [Double] = []
            // Interleave the two so that both see the same machine state.
            for round in 0..<(samples + 2) {
                let t0 = DispatchTime.now().uptimeNanoseconds
                for _ in 0..<repeats {
                    a.withUnsafeBufferPointer { pa in
                        b.withUnsafeBufferPointer { pb in
                            c.withUnsafeMutableBufferPointer { pc in
                                BLAS.multiply(pa.baseAddress!, pb.baseAddress!, into: pc.baseAddress!, m: n, n: n, k: n)
                            }
                        }
                    }
                }
                let t1 = DispatchTime.now().uptimeNanoseconds
                for _ in 0..<repeats { _ = a.matmul(b) }
                let t2 = DispatchTime.now().uptimeNanoseconds
                if round >= 2 {
                    direct.append(Double(t1 - t0) / 1e9 / Double(repeats))
                    ours.append(Double(t2 - t1) / 1e9 / Double(repeats))
                }
            }
            direct.sort()
            ours.sort()
            let flops = 2 * Double(n) * Double(n) * Double(n)
            let gDirect = (flops / direct[0] / 1e9, flops / direct[direct.count / 2] / 1e9)
            let gOurs = (flops / ours[0] / 1e9, flops / ours[ours.count / 2] / 1e9)
            print("| \(n) | \(format(gDirect.0, 1)) | \(format(gOurs.0, 1)) | \(format(gOurs.0 / gDirect.0, 3)) | \(format(gDirect.1, 1)) | \(format(gOurs.1, 1)) | \(format(gOurs.1 / gDirect.1, 3)) |")
        }
    }
}
