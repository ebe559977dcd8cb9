import ModelZoo
import PruningCore

/// Checks and statistics of calibration text shared by the LLaMA baselines.
enum LlamaCalibration {
    /// Throws unless there is at least one window of at least two tokens, all of one length.
    static func validate(_ windows: [[Int]], field: String = "calibration") throws(StructuralPruningError) {
        let length = windows.first?.count ?? 0
        guard length >= 2, windows.allSatisfy({ $0.count == length }) else {
            throw .textTooShort(field: field, tokens: windows.map(\.count).min() ?? 0, needed: 2)
        }
    }

    /// Σ over windows and positions of the squared normalized sub-block inputs, per layer:
    /// `[layer] → (attention input energy [d], MLP input energy [d])`, in double.
    static func inputEnergy(of model: LlamaModel, windows: [[Int]]) -> [(attention: [Double], mlp: [Double])] {
        let d = model.configuration.hiddenSize
        var energy = Array(repeating: (attention: [Double](repeating: 0, count: d), mlp: [Double](repeating: 0, count: d)),
                           count: model.layers.count)
        withoutGradients {
            for window in windows {
                let hook = LlamaActivationHook(kinds: [.attentionInput, .mlpInput]) { layer, kind, x in
                    x.withUnsafeBufferPointer { values in
                        let rows = values.count / d
                        for r in 0..<rows {
                            for i in 0..<d {
                                let v = Double(values[r * d + i])
                                if kind == .attentionInput { energy[layer].attention[i] += v * v } else { energy[layer].mlp[i] += v * v }
                            }
                        }
                    }
                    return nil
                }
                _ = model.hiddenStates(for: [window], hook: hook)
            }
        }
        return energy
    }
}
