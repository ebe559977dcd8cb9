import Foundation
import PruningCore
import PruningTestSupport
import StructuralPruning
import Testing

@Suite("Budget losses")
struct BudgetLossTests {
    /// The loss and its derivative at ratio `r`.
    func valueAndSlope(_ loss: BudgetLoss, _ r: Float) -> (Float, Float) {
        let leaf = Tensor([r]).requiringGradient()
        let value = loss(leaf)
        return (value.scalars[0], value.sum().gradients(withRespectTo: [leaf])[0].scalars[0])
    }

    @Test("Hand cases: values and gradients of every form")
    func handCases() throws {
        let p = 0.5
        let twoSided = try BudgetLoss(target: p, form: .logRatioTwoSided, weight: 6)
        var (v, g) = valueAndSlope(twoSided, 0.8)
        #expect(abs(v - 6 * log(1.6)) < 1e-5 && abs(g - 6 / 0.8) < 1e-4)
        (v, g) = valueAndSlope(twoSided, 0.25)
        #expect(abs(v - 6 * log(2)) < 1e-5 && abs(g + 6 / 0.25) < 1e-4)

        let oneSided = try BudgetLoss(target: p, form: .logRatioOneSided, weight: 2)
        (v, g) = valueAndSlope(oneSided, 0.4)
        #expect(v == 0 && g == 0)
        (v, g) = valueAndSlope(oneSided, 0.6)
        #expect(abs(v - 2 * log(1.2)) < 1e-5 && abs(g - 2 / 0.6) < 1e-4)

        let band = try BudgetLoss(target: p, form: .logRatioDeadBand(0.005), weight: 8)
        (v, g) = valueAndSlope(band, 0.503)
        #expect(abs(v - 8 * log(0.505 / 0.5)) < 1e-5 && g == 0)
        (v, g) = valueAndSlope(band, 0.498)
        #expect(abs(v - 8 * log(0.5 / 0.495)) < 1e-5 && g == 0)
        (v, g) = valueAndSlope(band, 0.7)
        #expect(abs(v - 8 * log(1.4)) < 1e-5 && abs(g - 8 / 0.7) < 1e-4)
        (v, g) = valueAndSlope(band, 0.3)
        #expect(abs(v - 8 * log(0.5 / 0.3)) < 1e-5 && abs(g + 8 / 0.3) < 1e-4)

        (v, g) = valueAndSlope(try BudgetLoss(target: p, form: .absoluteError, weight: 3), 0.3)
        #expect(abs(v - 0.6) < 1e-6 && abs(g + 3) < 1e-6)
        (v, g) = valueAndSlope(try BudgetLoss(target: p, form: .squaredError, weight: 3), 0.7)
        #expect(abs(v - 0.12) < 1e-6 && abs(g - 1.2) < 1e-5)
    }

    @Test("Budgets outside (0, 1) and bad dead bands are typed errors naming the field")
    func invalidBudgets() {
        for target in [0.0, 1.0, -0.2, 1.5] {
            #expect(throws: StructuralPruningError.budgetOutOfRange(field: "target", value: target)) {
                try BudgetLoss(target: target)
            }
        }
        #expect(throws: StructuralPruningError.self) { try BudgetLoss(target: 0.3, form: .logRatioDeadBand(0.4)) }
        #expect(throws: StructuralPruningError.self) { try BudgetLoss(target: 0.3, weight: -1) }
    }
}
