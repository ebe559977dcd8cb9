import Foundation
import PruningCore
import PruningTestSupport
import Testing

/// The vectorized activations against libm over their whole useful range.
@Suite struct ActivationAccuracyTests {
    let inputs = Tensor.linspace(-95, 95, count: 20_011)

    @Test("exp: relative error below 1e-6, saturation and NaN")
    func exp() {
        let y = inputs.exp().scalars
        for (x, value) in zip(inputs.scalars, y) {
            let reference = Foundation.exp(Double(x))
            if reference > Double(Float.greatestFiniteMagnitude) {
                #expect(value == .infinity)
            } else if reference < Double(Float.leastNormalMagnitude) {
                #expect(value >= 0 && Double(value) < 1e-37)
            } else {
                #expect(Swift.abs(Double(value) - reference) <= 1e-6 * reference, "exp(\(x))")
            }
        }
        #expect(Tensor([.nan]).exp().scalars[0].isNaN)
    }

    @Test("tanh, sigmoid, SiLU, GELU: absolute error below 2e-6")
    func activations() {
        let xs = inputs.scalars.map(Double.init)
        func check(_ ours: Tensor, _ reference: (Double) -> Double, _ name: String, tolerance: Double = 2e-6) {
            for (x, value) in zip(xs, ours.scalars) {
                let r = reference(x)
                #expect(Swift.abs(Double(value) - r) <= tolerance * Swift.max(1, Swift.abs(r)), "\(name)(\(x))")
            }
        }
        check(inputs.tanh(), { Foundation.tanh($0) }, "tanh")
        check(inputs.sigmoid(), { 1 / (1 + Foundation.exp(-$0)) }, "sigmoid")
        check(inputs.silu(), { $0 / (1 + Foundation.exp(-$0)) }, "silu")
        check(inputs.gelu(), { 0.5 * $0 * (1 + Foundation.erf($0 / 2.0.squareRoot())) }, "gelu")
        check(inputs.gelu(approximate: true),
              { 0.5 * $0 * (1 + Foundation.tanh(0.7978845608028654 * ($0 + 0.044715 * $0 * $0 * $0))) }, "gelu-tanh")
        let small = Tensor.linspace(-0.1, 0.1, count: 2001)
        for (x, value) in zip(small.scalars, small.tanh().scalars) {
            #expect(Swift.abs(Double(value) - Foundation.tanh(Double(x))) <= 1e-7 + 1e-6 * Swift.abs(Double(x)), "tanh(\(x))")
        }
    }
}
