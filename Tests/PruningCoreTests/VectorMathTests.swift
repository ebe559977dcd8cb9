import Foundation
@testable import PruningCore
import Testing

/// The SIMD functions themselves (unoptimized builds use scalar paths in the tensor ops, so these
/// are checked directly).
@Suite struct VectorMathTests {
    private func lanes(_ start: Float, _ step: Float) -> [SIMD16<Float>] {
        (0..<400).map { block in
            SIMD16<Float>((0..<16).map { start + step * Float(block * 16 + $0) })
        }
    }

    @Test("exp: relative error below 1e-6 from −87 to 88, saturation beyond")
    func exp() {
        for vector in lanes(-95, 0.0297) {
            let result = VectorMath.exp(vector)
            for lane in 0..<16 {
                let x = Double(vector[lane])
                let reference = Foundation.exp(x)
                if x > 88.72283 {
                    #expect(result[lane] == .infinity)
                } else if x < -87.33654 {
                    #expect(result[lane] == 0)
                } else {
                    #expect(Swift.abs(Double(result[lane]) - reference) <= 1e-6 * reference, "exp(\(x))")
                }
            }
        }
    }

    @Test("expShifted writes exp(x − shift) and returns the sum")
    func expShifted() {
        let source: [Float] = (0..<37).map { Float($0) * 0.1 - 2 }
        var destination = [Float](repeating: 0, count: 37)
        let total = source.withUnsafeBufferPointer { s in
            destination.withUnsafeMutableBufferPointer { d in
                VectorMath.expShifted(s.baseAddress!, d.baseAddress!, count: 37, shift: 1.5)
            }
        }
        for i in 0..<37 {
            #expect(Swift.abs(destination[i] - Foundation.exp(source[i] - 1.5)) <= 1e-6 * destination[i] + 1e-7)
        }
        #expect(Swift.abs(total - destination.reduce(0, +)) <= 1e-5 * total)
    }
}
