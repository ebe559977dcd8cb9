import Foundation
import PolicyGradient
import PruningCore
import PruningTestSupport
import Testing

@Suite struct BGPOOptimizerTests {
    let schedule = DecayingStepSize(numerator: 1, offset: 1, power: 0.5)

    @Test("the step-size schedule is k/(m + r·t)^p")
    func stepSize() {
        let eta = DecayingStepSize(numerator: 0.5, offset: 1, rate: 4e-4, power: 0.5)
        #expect(abs(Double(eta(10)) - 0.5 / (1 + 4e-4 * 10).squareRoot()) < 1e-7)
        #expect(abs(Double(schedule(3)) - 0.5) < 1e-7)
    }

    @Test("BGPO with the Euclidean map and β = 1 is plain gradient ascent")
    func reducesToGradientAscent() {
        var optimizer = BGPOOptimizer(mirrorMap: EuclideanMirrorMap(),
                                      configuration: .init(mirrorStepSize: 0.3, stepSize: schedule, momentumCoefficient: 1e9))
        var theta = randomVector(7, seed: 51)
        var reference = theta
        for t in 1...5 {
            let g = randomVector(7, seed: 60 + UInt64(t), scale: 2)
            optimizer.step(parameters: &theta, gradient: g)
            #expect(optimizer.lastMomentumWeight == 1)
            let rate = schedule(t) * 0.3
            for i in reference.indices { reference[i] += rate * g[i] }
            expectClose(theta, reference, relativeTolerance: 0, absoluteTolerance: 1e-6)
        }
    }

    @Test("BGPO's momentum is u_{t+1} = −β g + (1 − β) u_t with β = c·η_t, clamped to [0, 1]")
    func momentum() {
        var optimizer = BGPOOptimizer(mirrorMap: EuclideanMirrorMap(),
                                      configuration: .init(mirrorStepSize: 0.1, stepSize: schedule, momentumCoefficient: 0.5))
        var theta = randomVector(4, seed: 52)
        let g1 = randomVector(4, seed: 53), g2 = randomVector(4, seed: 54)
        optimizer.step(parameters: &theta, gradient: g1)
        #expect(optimizer.momentum == g1.map { -$0 })
        let before = theta
        optimizer.step(parameters: &theta, gradient: g2)
        let beta = 0.5 * schedule(1)
        #expect(abs(optimizer.lastMomentumWeight - beta) < 1e-7)
        let u = (0..<4).map { -beta * g2[$0] + (1 - beta) * -g1[$0] }
        expectClose(optimizer.momentum!, u, relativeTolerance: 1e-6)
        // θ_{t+1} = θ_t + η_t (θ̃ − θ_t) with θ̃ = θ_t − λu.
        expectClose(theta, (0..<4).map { before[$0] + schedule(2) * (-0.1 * u[$0]) }, relativeTolerance: 1e-6)

        var clamped = BGPOOptimizer(mirrorMap: EuclideanMirrorMap(),
                                    configuration: .init(stepSize: schedule, momentumCoefficient: 10))
        var other = randomVector(4, seed: 55)
        clamped.step(parameters: &other, gradient: g1)
        clamped.step(parameters: &other, gradient: g2)
        #expect(clamped.lastMomentumWeight == 1)
        #expect(clamped.momentum == g2.map { -$0 })
    }

    @Test("VR-BGPO's momentum follows its formula; with w = 1 and θ_t = θ_{t+1} it is BGPO's recursion")
    func varianceReduced() {
        let vrSchedule = DecayingStepSize(numerator: 1, offset: 1, power: 1.0 / 3)
        var optimizer = VRBGPOOptimizer(mirrorMap: EuclideanMirrorMap(),
                                        configuration: .init(mirrorStepSize: 0.1, stepSize: vrSchedule, momentumCoefficient: 0.8))
        var theta = randomVector(5, seed: 56)
        let g1 = randomVector(5, seed: 57), g2 = randomVector(5, seed: 58), correction = randomVector(5, seed: 59)
        #expect(!optimizer.needsCorrection)
        optimizer.step(parameters: &theta, gradient: g1, correction: nil)
        #expect(optimizer.momentum == g1.map { -$0 })
        expectClose(theta, (0..<5).map { randomVector(5, seed: 56)[$0] + vrSchedule(1) * 0.1 * g1[$0] }, relativeTolerance: 1e-6)
        #expect(optimizer.needsCorrection)
        var copy = optimizer
        let beta = 0.8 * vrSchedule(1) * vrSchedule(1)
        var theta2 = theta
        optimizer.step(parameters: &theta, gradient: g2, correction: correction)
        #expect(abs(optimizer.lastMomentumWeight - beta) < 1e-7)
        expectClose(optimizer.momentum!, (0..<5).map { -g2[$0] + (1 - beta) * (-g1[$0] + correction[$0]) }, relativeTolerance: 1e-5)
        // w = 1 at identical parameters makes the correction g itself: u = −βg + (1 − β)u_t.
        copy.step(parameters: &theta2, gradient: g2, correction: g2)
        expectClose(copy.momentum!, (0..<5).map { -beta * g2[$0] + (1 - beta) * -g1[$0] }, relativeTolerance: 1e-5, absoluteTolerance: 1e-6)
    }

    @Test("official-code mode: c·η² with a floor, element-wise clamp, clamped momentum for BGPO")
    func officialBGPO() {
        let code = OfficialCodeOptions(momentumFloor: 0.3, gradientClamp: 0.5, clampsNegativeAdvantages: true)
        var optimizer = BGPOOptimizer(mirrorMap: EuclideanMirrorMap(),
                                      configuration: .init(mirrorStepSize: 0.1, stepSize: schedule, momentumCoefficient: 0.5,
                                                           officialCodeCompatibility: code))
        var theta: [Float] = [0, 0, 0]
        let g1: [Float] = [1, -2, 0.1]
        optimizer.step(parameters: &theta, gradient: g1)
        let u1: [Float] = [-0.5, 0.5, -0.1]  // −g clamped to ±min(‖g‖, 0.5) = ±0.5
        #expect(optimizer.momentum == u1)
        expectClose(theta, u1.map { -schedule(1) * 0.1 * $0 })
        let g2: [Float] = [0.2, 0.1, -0.05]
        let before = theta
        optimizer.step(parameters: &theta, gradient: g2)
        // c·η₁² = 0.25 < 0.3, so the floor applies.
        #expect(optimizer.lastMomentumWeight == 0.3)
        let bound = Float((0.04 + 0.01 + 0.0025).squareRoot())
        let u2 = (0..<3).map { min(max(-0.3 * g2[$0] + 0.7 * u1[$0], -bound), bound) }
        expectClose(optimizer.momentum!, u2, relativeTolerance: 1e-6)
        expectClose(theta, (0..<3).map { before[$0] - schedule(2) * 0.1 * u2[$0] }, relativeTolerance: 1e-6)
    }

    @Test("official-code mode for VR-BGPO: 0-based step count, unclamped momentum")
    func officialVR() {
        let schedule = DecayingStepSize(numerator: 1, offset: 1, power: 1.0 / 3)
        var optimizer = VRBGPOOptimizer(mirrorMap: EuclideanMirrorMap(),
                                        configuration: .init(mirrorStepSize: 0.1, stepSize: schedule, momentumCoefficient: 4,
                                                             officialCodeCompatibility: .vrbgpo))
        var theta: [Float] = [0, 0]
        let g1: [Float] = [3, -4]  // ‖g‖ = 5 > g_max = 1
        optimizer.step(parameters: &theta, gradient: g1, correction: nil)
        #expect(optimizer.lastStepSize == schedule(0))
        #expect(optimizer.momentum == [-3, 4])
        expectClose(theta, [0.1, -0.1])  // η₀ = 1, λ = 0.1, u clamped to ±1
        optimizer.step(parameters: &theta, gradient: [0.1, 0.1], correction: [0.2, 0])
        #expect(optimizer.lastStepSize == schedule(1))
        #expect(optimizer.lastMomentumWeight == 1)  // min(1, 4·η₀²) = 1
        expectClose(optimizer.momentum!, [-0.1, -0.1])
    }
}
