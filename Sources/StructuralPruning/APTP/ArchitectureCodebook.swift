import Foundation
import PruningCore

/// APTP's `K` architecture codes: a learned logit vector per code over a
/// ``DiffusionArchitectureSpace``'s gates, initialized with orthonormal rows as
/// `nn.init.orthogonal_` does (Gram–Schmidt on Gaussian rows), so every code starts near the
/// whole network (logits ≈ 0, offset 3) yet differs from the others.
///
/// Parameter: `codes` `[K, size]`.
public final class ArchitectureCodebook: Module {
    /// The code logits `[K, size]`.
    public let codes: Parameter
    /// Whether the module is in training mode (no effect).
    public var isTraining = true

    /// `count` codes of `size` logits.
    ///
    /// - Throws: ``StructuralPruningError/invalidSetting(field:value:expected:)`` unless
    ///   `1 ≤ count ≤ size`.
    public init(count: Int, size: Int, using generator: inout RandomGenerator) throws(StructuralPruningError) {
        guard count >= 1, count <= size else {
            throw .invalidSetting(field: "codeCount", value: Double(count), expected: "between 1 and the gate vector's \(size) entries")
        }
        var rows: [[Double]] = []
        while rows.count < count {
            var row = (0..<size).map { _ in generator.nextNormalDouble() }
            for other in rows {
                let dot = zip(row, other).reduce(0) { $0 + $1.0 * $1.1 }
                row = zip(row, other).map { $0 - dot * $1 }
            }
            let norm = row.reduce(0) { $0 + $1 * $1 }.squareRoot()
            if norm > 1e-6 { rows.append(row.map { $0 / norm }) }
        }
        codes = Parameter(Tensor(shape: [count, size], scalars: rows.joined().map(Float.init)))
    }

    /// `codes`.
    public var ownParameters: [(String, Parameter)] { [("codes", codes)] }

    /// The number of codes.
    public var count: Int { codes.shape[0] }
}
