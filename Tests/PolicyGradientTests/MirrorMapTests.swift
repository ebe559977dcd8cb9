import Foundation
import PolicyGradient
import PruningCore
import PruningTestSupport
import Testing

func randomVector(_ count: Int, seed: UInt64, scale: Float = 1) -> [Float] {
    testTensor([count], seed: seed).scalars.map { $0 * scale }
}

/// ½‖x‖_p².
func halfSquaredNorm(_ x: [Double], p: Double) -> Double {
    0.5 * pow(x.reduce(0) { $0 + pow(abs($1), p) }, 2 / p)
}

/// ⟨u, x⟩ + (1/λ) D_ψ(x, θ) for ψ = ½‖·‖_p².
func bregmanObjective(_ x: [Double], parameters theta: [Double], direction u: [Double], stepSize lambda: Double, p: Double) -> Double {
    let gradient = LpMirrorMap.link(theta, p: p)
    var inner = 0.0, linear = 0.0
    for i in x.indices {
        inner += u[i] * x[i]
        linear += gradient[i] * (x[i] - theta[i])
    }
    let divergence = halfSquaredNorm(x, p: p) - halfSquaredNorm(theta, p: p) - linear
    return inner + divergence / lambda
}

@Suite struct MirrorMapTests {
    @Test("the Euclidean map is a gradient step")
    func euclidean() {
        var map = EuclideanMirrorMap()
        let result = map.step(parameters: [1, -2, 0.5], direction: [0.2, -1, 4], stepSize: 0.5)
        #expect(result == [0.9, -1.5, -1.5])
    }

    @Test("link_q inverts link_p, and link_p is the gradient of ½‖x‖_p²", arguments: [1.5, 3.0, 4.0])
    func links(p: Double) {
        let x = randomVector(9, seed: 41, scale: 3).map(Double.init)
        let q = p / (p - 1)
        let roundTrip = LpMirrorMap.link(LpMirrorMap.link(x, p: p), p: q)
        for (a, b) in zip(roundTrip, x) { #expect(abs(a - b) <= 1e-12 * max(1, abs(b))) }
        let back = LpMirrorMap.link(LpMirrorMap.link(x, p: q), p: p)
        for (a, b) in zip(back, x) { #expect(abs(a - b) <= 1e-12 * max(1, abs(b))) }
        let gradient = LpMirrorMap.link(x, p: p)
        for i in x.indices {
            var plus = x, minus = x
            plus[i] += 1e-6
            minus[i] -= 1e-6
            let numeric = (halfSquaredNorm(plus, p: p) - halfSquaredNorm(minus, p: p)) / 2e-6
            #expect(abs(numeric - gradient[i]) < 1e-6 * max(1, abs(gradient[i])))
        }
        #expect(LpMirrorMap.link([0.0, 0, 0], p: p) == [0, 0, 0])
        // link_p is homogeneous of degree 1: it preserves scale.
        let scaled = LpMirrorMap.link(x.map { $0 * 1e-20 }, p: p)
        for (a, b) in zip(scaled, gradient) { #expect(abs(a - b * 1e-20) <= 1e-32) }
    }

    @Test("the Lp map with p = 2 is the Euclidean map")
    func lpTwo() {
        let theta = randomVector(12, seed: 42), u = randomVector(12, seed: 43)
        var lp = LpMirrorMap(p: 2)
        var euclidean = EuclideanMirrorMap()
        expectClose(lp.step(parameters: theta, direction: u, stepSize: 0.3),
                    euclidean.step(parameters: theta, direction: u, stepSize: 0.3), relativeTolerance: 1e-6, absoluteTolerance: 1e-6)
    }

    @Test("the Lp step matches its closed form on known vectors")
    func lpKnown() {
        // θ = (1, −2), p = 3: ‖θ‖₃ = 9^{1/3}, link₃(θ) = (1, −4)/9^{1/3}. With u = (0.5, 0.5) and λ = 0.1,
        // y = link₃(θ) − 0.05, and θ̃ = link_{3/2}(y) = sign(y)|y|^{1/2} ‖y‖_{3/2}^{1/2}.
        let c = pow(9.0, 1.0 / 3)
        let y = [1 / c - 0.05, -4 / c - 0.05]
        let norm = pow(pow(abs(y[0]), 1.5) + pow(abs(y[1]), 1.5), 1 / 1.5)
        let expected = y.map { ($0 < 0 ? -1 : 1) * abs($0).squareRoot() * norm.squareRoot() }
        var map = LpMirrorMap(p: 3)
        let result = map.step(parameters: [1, -2], direction: [0.5, 0.5], stepSize: 0.1)
        expectClose(result, expected.map(Float.init), relativeTolerance: 1e-6)
    }

    @Test("the Lp step minimizes ⟨u, θ'⟩ + D_ψ(θ', θ)/λ", arguments: [1.5, 3.0])
    func lpMinimizes(p: Double) {
        let theta = randomVector(6, seed: 44), u = randomVector(6, seed: 45)
        var map = LpMirrorMap(p: p)
        let result = map.step(parameters: theta, direction: u, stepSize: 0.2).map(Double.init)
        let thetaD = theta.map(Double.init), uD = u.map(Double.init)
        // First-order condition: link_p(θ̃) = link_p(θ) − λu.
        let left = LpMirrorMap.link(result, p: p), right = zip(LpMirrorMap.link(thetaD, p: p), uD).map { $0 - 0.2 * $1 }
        for (a, b) in zip(left, right) { #expect(abs(a - b) < 1e-5) }
        // No nearby point does better.
        let best = bregmanObjective(result, parameters: thetaD, direction: uD, stepSize: 0.2, p: p)
        var random = RandomGenerator(seed: 46)
        for _ in 0..<50 {
            let nearby = result.map { $0 + 0.01 * (random.nextUniformDouble() * 2 - 1) }
            #expect(bregmanObjective(nearby, parameters: thetaD, direction: uD, stepSize: 0.2, p: p) >= best - 1e-9)
        }
    }

    @Test("the diagonal map is an Adam-like step with a bias-corrected second moment")
    func diagonal() {
        let theta: [Float] = [1, -1, 0.5], u1: [Float] = [0.2, -3, 0.01], u2: [Float] = [1, 0.5, -0.02]
        var map = DiagonalMirrorMap()
        let first = map.step(parameters: theta, direction: u1, stepSize: 0.1)
        // v̂₁ = u₁², so the first step is λ·u/(|u| + ε) ≈ λ·sign(u).
        expectClose(first, (0..<3).map { theta[$0] - 0.1 * u1[$0] / (abs(u1[$0]) + 1e-8) }, relativeTolerance: 1e-6)
        let second = map.step(parameters: first, direction: u2, stepSize: 0.1)
        let expected = (0..<3).map { i -> Float in
            let v = 0.999 * 0.001 * Double(u1[i] * u1[i]) + 0.001 * Double(u2[i] * u2[i])
            let corrected = v / (1 - 0.999 * 0.999)
            return first[i] - Float(0.1 * Double(u2[i]) / (corrected.squareRoot() + 1e-8))
        }
        expectClose(second, expected, relativeTolerance: 1e-5)
        #expect(map.stepCount == 2)
        // Optimality of the step for D(x, y) = ½(x − y)ᵀH(x − y): u + H(θ̃ − θ)/λ = 0.
        let h = map.preconditioner
        for i in 0..<3 { #expect(abs(u2[i] + h[i] * (second[i] - first[i]) / 0.1) < 1e-4 * max(1, abs(u2[i]))) }
    }

    @Test("the official code's initialization shrinks early diagonal steps by √(1/(1 − β))")
    func diagonalOfficial() {
        let theta: [Float] = [1, -1], u: [Float] = [0.4, -2]
        var code = DiagonalMirrorMap(initialization: .firstSquare)
        let step = code.step(parameters: theta, direction: u, stepSize: 0.1)
        // v₁ = u², v̂₁ = u²/(1 − 0.999) = 1000 u².
        expectClose(step, (0..<2).map { theta[$0] - 0.1 * u[$0] / (abs(u[$0]) * Float(1000).squareRoot() + 1e-8) },
                    relativeTolerance: 1e-5)
        expectClose(code.secondMoment, [0.16, 4])
    }
}
