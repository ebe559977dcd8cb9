import CPruningKernels
import Foundation
@testable import PruningCore
import Testing

/// Every dispatched kernel of `CPruningKernels`, at every level this machine supports, against a
/// plain Swift (mostly double-precision) reference, on lengths with vector tails and on
/// unaligned starts.
@Suite("Kernel levels")
struct KernelLevelTests {
    /// Lengths around the 4-, 8- and 16-lane widths, and longer ones.
    static let lengths = [0, 1, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 100, 1003]
    /// Element offsets of the first operand from a 64-byte boundary.
    static let offsets = [0, 1, 3]

    /// The kernel tables of every supported level.
    static var tables: [(KernelLevel, PKKernels)] {
        KernelLevel.supported.compactMap { level in SIMDKernels.table(for: level).map { (level, $0) } }
    }

    /// Deterministic values in `range` (a simple LCG, so the test needs no generator state).
    static func values(_ count: Int, seed: UInt64, in range: ClosedRange<Float> = -4...4) -> [Float] {
        var state = seed &* 6364136223846793005 &+ 1442695040888963407
        return (0..<count).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            let unit = Float(state >> 40) / Float(1 << 24)
            return range.lowerBound + unit * (range.upperBound - range.lowerBound)
        }
    }

    /// Runs `body` with `values` copied to a buffer starting `offset` elements past an aligned
    /// address, so that vector loads are unaligned.
    static func withShifted<R>(_ values: [Float], offset: Int, _ body: (UnsafeMutablePointer<Float>) -> R) -> R {
        let buffer = UnsafeMutablePointer<Float>.allocate(capacity: values.count + offset + 16)
        defer { buffer.deallocate() }
        buffer.initialize(repeating: .nan, count: values.count + offset + 16)
        (buffer + offset).update(from: values, count: values.count)
        return body(buffer + offset)
    }

    @Test("the active level is a supported one and PRUNING_SIMD only lowers it")
    func levelSelection() {
        #expect(KernelLevel.active.rawValue <= KernelLevel.detected.rawValue)
        #expect(KernelLevel.supported.first == .portable)
        #if arch(x86_64)
        #else
        #expect(KernelLevel.detected == .portable)
        #endif
        let detected = Int32(KernelLevel.detected.rawValue)
        #expect(pk_level_from_name("portable", detected) == 0)
        #expect(pk_level_from_name("scalar", detected) == 0)
        #expect(pk_level_from_name("avx2", detected) == min(1, detected))
        #expect(pk_level_from_name("avx512", detected) == min(2, detected))
        #expect(pk_level_from_name("avx512", 1) == 1)
        #expect(pk_level_from_name("nonsense", detected) == detected)
        #expect(pk_level_from_name("", detected) == detected)
        #expect(pk_level_from_name(nil, detected) == detected)
        #expect(pk_kernels(Int32(KernelLevel.detected.rawValue) + 1) == nil)
        #expect(pk_kernels(-1) == nil)
        for (level, table) in Self.tables { #expect(Int(table.level) == level.rawValue) }
    }

    @Test("binary operations equal the scalar operation exactly, with both broadcast forms")
    func binaryOperations() {
        let operations: [(PKBinaryOp, (Float, Float) -> Float)] = [
            (PKBinaryAdd, { $0 + $1 }), (PKBinarySubtract, { $0 - $1 }), (PKBinaryMultiply, { $0 * $1 }),
            (PKBinaryDivide, { $0 / $1 }), (PKBinaryMaximum, { $0 >= $1 ? $0 : $1 }),
            (PKBinaryMinimum, { $0 <= $1 ? $0 : $1 }),
            (PKBinaryAddReLU, { let s = $0 + $1; return s > 0 ? s : 0 }),
        ]
        for (level, table) in Self.tables {
            for count in Self.lengths {
                let a = Self.values(count, seed: 1)
                let b = Self.values(count, seed: 2).map { $0 == 0 ? 0.5 : $0 }
                for offset in Self.offsets {
                    for (operation, reference) in operations {
                        for (sa, sb) in [(1, 1), (1, 0), (0, 1)] where count > 0 {
                            let result = Self.withShifted(a, offset: offset) { pa in
                                Self.withShifted(b, offset: (offset + 1) % 4) { pb in
                                    Self.withShifted([Float](repeating: 0, count: count), offset: offset) { out in
                                        table.binary!(Int32(operation.rawValue), pa, sa, pb, sb, out, count)
                                        return Array(UnsafeBufferPointer(start: out, count: count))
                                    }
                                }
                            }
                            let expected = (0..<count).map { reference(a[$0 * sa], b[$0 * sb]) }
                            #expect(result == expected, "\(level) op \(operation.rawValue) strides (\(sa), \(sb)) count \(count)")
                        }
                    }
                }
            }
        }
    }

    @Test("unary operations agree with libm within their stated accuracy")
    func unaryOperations() {
        func erf(_ x: Double) -> Double { Foundation.erf(x) }
        let operations: [(PKUnaryOp, (Double) -> Double, Double)] = [
            (PKUnaryNegate, { -$0 }, 0),
            (PKUnaryReLU, { Swift.max($0, 0) }, 0),
            (PKUnarySqrt, { $0.squareRoot() }, 0),
            (PKUnaryExp, { Foundation.exp($0) }, 3e-7),
            (PKUnarySigmoid, { 1 / (1 + Foundation.exp(-$0)) }, 3e-7),
            (PKUnaryTanh, { Foundation.tanh($0) }, 3e-7),
            (PKUnarySiLU, { $0 / (1 + Foundation.exp(-$0)) }, 3e-7),
            (PKUnaryGELU, { 0.5 * $0 * (1 + erf($0 / 2.0.squareRoot())) }, 1e-6),
            (PKUnaryGELUTanh, { 0.5 * $0 * (1 + Foundation.tanh(0.7978845608028654 * ($0 + 0.044715 * $0 * $0 * $0))) }, 1e-6),
            (PKUnaryGELUDerivative, { v in 0.5 * (1 + erf(v / 2.0.squareRoot())) + v * Foundation.exp(-0.5 * v * v) * 0.3989422804014327 }, 1e-6),
        ]
        for (level, table) in Self.tables {
            for count in Self.lengths {
                for offset in Self.offsets {
                    for (operation, reference, tolerance) in operations {
                        let range: ClosedRange<Float> = operation == PKUnarySqrt ? 0...50 : -12...12
                        let x = Self.values(count, seed: 3, in: range)
                        let result = Self.withShifted(x, offset: offset) { px in
                            Self.withShifted([Float](repeating: 0, count: count), offset: (offset + 2) % 4) { out in
                                table.unary!(Int32(operation.rawValue), px, out, count)
                                return Array(UnsafeBufferPointer(start: out, count: count))
                            }
                        }
                        for i in 0..<count {
                            let expected = reference(Double(x[i]))
                            if tolerance == 0 {
                                // Exact operations: correctly rounded to float.
                                #expect(result[i] == Float(expected), "\(level) op \(operation.rawValue) x = \(x[i])")
                                continue
                            }
                            // Relative for exp (which spans many magnitudes), absolute plus one
                            // float ulp of the value for the rest.
                            let allowed = operation == PKUnaryExp
                                ? tolerance * Swift.abs(expected)
                                : tolerance * Swift.max(1, Swift.abs(expected))
                            #expect(
                                Swift.abs(Double(result[i]) - expected) <= allowed,
                                "\(level) op \(operation.rawValue) x = \(x[i]): \(result[i]) vs \(expected)")
                        }
                    }
                }
            }
        }
    }

    @Test("exp, sigmoid and tanh saturate and keep NaN")
    func unaryEdgeCases() {
        let x: [Float] = [-200, -88, 89, 200, .infinity, -.infinity, .nan, 0]
        for (level, table) in Self.tables {
            var out = [Float](repeating: 0, count: x.count)
            table.unary!(Int32(PKUnaryExp.rawValue), x, &out, x.count)
            #expect(out[0] == 0 && out[2] == .infinity && out[3] == .infinity && out[4] == .infinity, "\(level)")
            #expect(out[5] == 0 && out[6].isNaN && out[7] == 1, "\(level)")
            table.unary!(Int32(PKUnarySigmoid.rawValue), x, &out, x.count)
            #expect(out[0] == 0 && out[3] == 1 && out[7] == 0.5, "\(level)")
            table.unary!(Int32(PKUnaryTanh.rawValue), x, &out, x.count)
            #expect(out[0] == -1 && out[3] == 1 && out[7] == 0, "\(level)")
        }
    }

    @Test("ReLU gradient, accumulation, affine and combine")
    func fusedElementwise() {
        for (level, table) in Self.tables {
            for count in Self.lengths {
                let g = Self.values(count, seed: 4)
                let x = Self.values(count, seed: 5).enumerated().map { $0.offset % 7 == 0 ? 0 : $0.element }
                for offset in Self.offsets {
                    Self.withShifted(g, offset: offset) { pg in
                        Self.withShifted(x, offset: (offset + 1) % 4) { px in
                            Self.withShifted([Float](repeating: 0, count: count), offset: (offset + 3) % 4) { out in
                                table.reluBackward!(pg, px, out, count)
                                let relu = Array(UnsafeBufferPointer(start: out, count: count))
                                #expect(relu == (0..<count).map { x[$0] > 0 ? g[$0] : 0 }, "\(level) reluBackward \(count)")

                                out.update(from: x, count: count)
                                table.accumulate!(out, pg, count)
                                let sums = Array(UnsafeBufferPointer(start: out, count: count))
                                #expect(sums == (0..<count).map { x[$0] + g[$0] }, "\(level) accumulate \(count)")

                                for relu in [Int32(0), 1] {
                                    table.affine!(px, out, count, 1.5, -0.25, relu)
                                    for i in 0..<count {
                                        var expected = Double(x[i]) * 1.5 - 0.25
                                        if relu == 1 { expected = Swift.max(expected, 0) }
                                        #expect(Swift.abs(Double(out[i]) - expected) <= 1e-6 * Swift.max(1, Swift.abs(expected)), "\(level) affine \(count)")
                                    }
                                }

                                for masked in [false, true] {
                                    table.combine!(pg, masked ? px : nil, px, out, count, 0.75, -1.25, 0.5, 0.125)
                                    for i in 0..<count {
                                        let gi = masked && x[i] <= 0 ? 0 : Double(g[i])
                                        let expected = 0.75 * gi - 1.25 * (Double(x[i]) - 0.5) + 0.125
                                        #expect(Swift.abs(Double(out[i]) - expected) <= 2e-6 * Swift.max(1, Swift.abs(expected)), "\(level) combine \(count) masked \(masked)")
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    @Test("moments and gradient sums agree with double-precision sums, also far from zero")
    func reductions() {
        for (level, table) in Self.tables {
            for count in Self.lengths where count > 0 {
                for shift: Float in [0, 1000] {
                    let x = Self.values(count, seed: 6).map { $0 + shift }
                    let g = Self.values(count, seed: 7)
                    let xd = x.map(Double.init), gd = g.map(Double.init)
                    let mean = xd.reduce(0, +) / Double(count)
                    let squares = xd.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
                    for offset in Self.offsets {
                        var (sum, centered) = (0.0, 0.0)
                        Self.withShifted(x, offset: offset) { table.moments!($0, count, &sum, &centered) }
                        #expect(Swift.abs(sum - mean * Double(count)) <= 1e-6 * Swift.max(1, Swift.abs(sum)), "\(level) sum \(count)")
                        // Float inputs far from zero: the deviations are exact to about 1e-7 of the shift.
                        let allowed = 1e-5 * Swift.max(1, squares) + Double(count) * 1e-9 * Double(shift * shift)
                        #expect(Swift.abs(centered - squares) <= allowed, "\(level) squares \(count) shift \(shift): \(centered) vs \(squares)")

                        var (sumG, sumGX) = (0.0, 0.0)
                        let center = Float(mean)
                        Self.withShifted(g, offset: offset) { pg in
                            Self.withShifted(x, offset: (offset + 2) % 4) { px in
                                table.gradientSums!(pg, nil, px, count, center, &sumG, &sumGX)
                            }
                        }
                        let expectedG = gd.reduce(0, +)
                        let expectedGX = zip(gd, xd).reduce(0) { $0 + $1.0 * ($1.1 - Double(center)) }
                        // Masked by the sign of x − center (as by a ReLU's output).
                        let maskValues = x.map { $0 - center }
                        var (maskedG, maskedGX) = (0.0, 0.0)
                        Self.withShifted(maskValues, offset: offset) { pm in
                            table.gradientSums!(g, pm, x, count, center, &maskedG, &maskedGX)
                        }
                        let kept = (0..<count).filter { maskValues[$0] > 0 }
                        let keptG = kept.reduce(0.0) { $0 + gd[$1] }
                        let keptGX = kept.reduce(0.0) { $0 + gd[$1] * (xd[$1] - Double(center)) }
                        #expect(Swift.abs(maskedG - keptG) <= 1e-5 * Swift.max(1, gd.reduce(0) { $0 + Swift.abs($1) }), "\(level) masked Σg \(count)")
                        #expect(Swift.abs(maskedGX - keptGX) <= 1e-5 * Swift.max(1, zip(gd, xd).reduce(0) { $0 + Swift.abs($1.0 * ($1.1 - Double(center))) }), "\(level) masked Σg(x−c) \(count)")
                        let magnitude = zip(gd, xd).reduce(0) { $0 + Swift.abs($1.0 * ($1.1 - Double(center))) }
                        #expect(Swift.abs(sumG - expectedG) <= 1e-5 * Swift.max(1, gd.reduce(0) { $0 + Swift.abs($1) }), "\(level) Σg \(count)")
                        #expect(Swift.abs(sumGX - expectedGX) <= 1e-5 * Swift.max(1, magnitude), "\(level) Σg(x−c) \(count)")
                    }
                }
            }
        }
    }

    @Test("softmax rows, their gradient and row normalization against double-precision references")
    func rowKernels() {
        for (level, table) in Self.tables {
            for columns in Self.lengths where columns > 0 {
                let rows = 3
                let x = Self.values(rows * columns, seed: 8, in: -20...20)
                let g = Self.values(rows * columns, seed: 9)
                let weight = Self.values(columns, seed: 10)
                let bias = Self.values(columns, seed: 11)
                var y = [Float](repeating: 0, count: rows * columns)
                var dx = y
                var normalized = y
                var statistics = [Float](repeating: 0, count: 2 * rows)
                Self.withShifted(x, offset: 1) { px in
                    table.softmaxRows!(px, &y, rows, columns)
                }
                table.softmaxBackwardRows!(y, g, &dx, rows, columns)
                for r in 0..<rows {
                    let row = (0..<columns).map { Double(x[r * columns + $0]) }
                    let m = row.max()!
                    let e = row.map { Foundation.exp($0 - m) }
                    let total = e.reduce(0, +)
                    let p = e.map { $0 / total }
                    let dot = (0..<columns).reduce(0.0) { $0 + Double(g[r * columns + $1]) * Double(y[r * columns + $1]) }
                    for j in 0..<columns {
                        #expect(Swift.abs(Double(y[r * columns + j]) - p[j]) <= 1e-6, "\(level) softmax \(columns)")
                        let expected = Double(y[r * columns + j]) * (Double(g[r * columns + j]) - dot)
                        #expect(Swift.abs(Double(dx[r * columns + j]) - expected) <= 1e-5, "\(level) softmax gradient \(columns)")
                    }
                }
                for centering in [Int32(1), 0] {
                    Self.withShifted(x, offset: 3) { px in
                        table.normalizeRows!(px, weight, bias, &normalized, &statistics, rows, columns, 1e-5, centering)
                    }
                    for r in 0..<rows {
                        let row = (0..<columns).map { Double(x[r * columns + $0]) }
                        let mean = centering == 1 ? row.reduce(0, +) / Double(columns) : 0
                        let second = row.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(columns)
                        let rstd = 1 / (second + 1e-5).squareRoot()
                        #expect(Swift.abs(Double(statistics[2 * r]) - mean) <= 1e-5 * Swift.max(1, Swift.abs(mean)), "\(level) mean")
                        #expect(Swift.abs(Double(statistics[2 * r + 1]) - rstd) <= 1e-5 * rstd, "\(level) rstd")
                        for j in 0..<columns {
                            let expected = (row[j] - mean) * rstd * Double(weight[j]) + Double(bias[j])
                            #expect(Swift.abs(Double(normalized[r * columns + j]) - expected) <= 2e-5 * Swift.max(1, Swift.abs(expected)), "\(level) normalize \(columns) centering \(centering)")
                        }
                    }
                }
            }
            // A row of −inf gives zeros.
            var out = [Float](repeating: 1, count: 5)
            table.softmaxRows!([Float](repeating: -.infinity, count: 5), &out, 1, 5)
            #expect(out == [0, 0, 0, 0, 0], "\(level)")
        }
    }

    @Test("activation gradients against the closed-form derivatives")
    func activationGradients() {
        func erf(_ x: Double) -> Double { Foundation.erf(x) }
        func sigmoid(_ x: Double) -> Double { 1 / (1 + Foundation.exp(-x)) }
        // (operation, f′ as a function of the kernel's operand, whether the operand is the output)
        let derivatives: [(PKUnaryOp, (Double) -> Double)] = [
            (PKUnaryGELU, { v in 0.5 * (1 + erf(v / 2.0.squareRoot())) + v * Foundation.exp(-0.5 * v * v) * 0.3989422804014327 }),
            (PKUnaryGELUTanh, { v in
                let t = Foundation.tanh(0.7978845608028654 * (v + 0.044715 * v * v * v))
                return 0.5 * (1 + t) + 0.5 * v * (1 - t * t) * 0.7978845608028654 * (1 + 3 * 0.044715 * v * v)
            }),
            (PKUnarySiLU, { v in sigmoid(v) * (1 + v * (1 - sigmoid(v))) }),
            (PKUnarySigmoid, { y in y * (1 - y) }),
            (PKUnaryTanh, { y in 1 - y * y }),
        ]
        for (level, table) in Self.tables {
            for count in Self.lengths {
                let g = Self.values(count, seed: 13)
                for (operation, derivative) in derivatives {
                    let outputBased = operation == PKUnarySigmoid || operation == PKUnaryTanh
                    let v = Self.values(count, seed: 14, in: outputBased ? (operation == PKUnaryTanh ? -1...1 : 0...1) : -8...8)
                    var out = [Float](repeating: 0, count: count)
                    Self.withShifted(v, offset: 1) { pv in table.unaryBackward!(Int32(operation.rawValue), g, pv, &out, count) }
                    for i in 0..<count {
                        let slope = derivative(Double(v[i]))
                        let expected = Double(g[i]) * slope
                        // f′ is accurate to about 1e-6 (the erf approximation), scaled by |g|.
                        let allowed = 1e-6 * Swift.max(1, Swift.abs(Double(g[i]))) * Swift.max(1, Swift.abs(slope))
                        #expect(Swift.abs(Double(out[i]) - expected) <= allowed,
                                "\(level) op \(operation.rawValue) v = \(v[i]): \(out[i]) vs \(expected)")
                    }
                }
            }
        }
    }

    @Test("row-normalization gradients against a double-precision reference")
    func normalizationGradients() {
        for (level, table) in Self.tables {
            for columns in Self.lengths where columns > 0 {
                let rows = 4
                let x = Self.values(rows * columns, seed: 15)
                let g = Self.values(rows * columns, seed: 16)
                let weight = Self.values(columns, seed: 17)
                for centering in [Int32(1), 0] {
                    var statistics = [Float](repeating: 0, count: 2 * rows)
                    var y = [Float](repeating: 0, count: rows * columns)
                    table.normalizeRows!(x, weight, nil, &y, &statistics, rows, columns, 1e-5, centering)
                    var dx = y
                    var dweight = [Float](repeating: 0, count: columns)
                    var dbias = dweight
                    table.normalizeRowsBackward!(x, g, statistics, weight, &dx, &dweight, &dbias, rows, columns, centering)
                    var expectedWeight = [Double](repeating: 0, count: columns)
                    var expectedBias = expectedWeight
                    for r in 0..<rows {
                        let (mean, rstd) = (Double(statistics[2 * r]), Double(statistics[2 * r + 1]))
                        let xhat = (0..<columns).map { (Double(x[r * columns + $0]) - mean) * rstd }
                        let d = (0..<columns).map { Double(g[r * columns + $0]) * Double(weight[$0]) }
                        let meanD = centering == 1 ? d.reduce(0, +) / Double(columns) : 0
                        let meanDX = zip(d, xhat).reduce(0) { $0 + $1.0 * $1.1 } / Double(columns)
                        for j in 0..<columns {
                            let expected = rstd * (d[j] - meanD - xhat[j] * meanDX)
                            #expect(Swift.abs(Double(dx[r * columns + j]) - expected) <= 1e-5 * Swift.max(1, Swift.abs(expected)),
                                    "\(level) dx \(columns) centering \(centering)")
                            expectedWeight[j] += Double(g[r * columns + j]) * xhat[j]
                            expectedBias[j] += Double(g[r * columns + j])
                        }
                    }
                    for j in 0..<columns {
                        #expect(Swift.abs(Double(dweight[j]) - expectedWeight[j]) <= 1e-5 * Swift.max(1, Swift.abs(expectedWeight[j])), "\(level) dweight")
                        #expect(Swift.abs(Double(dbias[j]) - expectedBias[j]) <= 1e-5 * Swift.max(1, Swift.abs(expectedBias[j])), "\(level) dbias")
                    }
                }
            }
        }
    }

    @Test("strided run copies and affine maps, for every run length")
    func runKernels() {
        for (level, table) in Self.tables {
            for length in Self.lengths + [255, 256, 300] where length > 0 {
                let runs = 3
                let (sourceStride, destinationStride) = (length + 5, length + 2)
                let source = Self.values(runs * sourceStride, seed: 20)
                for relu in [Int32(-1), 0, 1] {
                    var destination = [Float](repeating: .nan, count: runs * destinationStride)
                    if relu < 0 {
                        table.copyRuns!(source, sourceStride, &destination, destinationStride, runs, length)
                    } else {
                        table.affineRuns!(source, sourceStride, &destination, destinationStride, runs, length, 1.5, -0.5, relu)
                    }
                    for r in 0..<runs {
                        for i in 0..<destinationStride {
                            let value = destination[r * destinationStride + i]
                            guard i < length else {
                                #expect(value.isNaN, "\(level) wrote past a run (length \(length))")
                                continue
                            }
                            let x = source[r * sourceStride + i]
                            var expected = relu < 0 ? x : x * 1.5 - 0.5
                            if relu == 1 { expected = Swift.max(expected, 0) }
                            #expect(Swift.abs(value - expected) <= 1e-6 * Swift.max(1, Swift.abs(expected)),
                                    "\(level) run kernel \(relu) length \(length)")
                        }
                    }
                }
            }
        }
    }

    @Test("gradient accumulation is in place only for a buffer nobody else holds")
    func gradientAccumulation() {
        var owned = Tensor(shape: [3, 5], scalars: Self.values(15, seed: 18))
        let addend = Tensor(shape: [3, 5], scalars: Self.values(15, seed: 19))
        let before = owned.scalars
        owned.accumulateGradient(addend)
        #expect(owned.scalars == zip(before, addend.scalars).map { $0 + $1 })
        // A gradient shared with another holder (an op that hands one tensor to two inputs).
        var shared = Tensor(shape: [3, 5], scalars: before)
        let other = shared
        shared.accumulateGradient(addend)
        #expect(other.scalars == before)
        #expect(shared.scalars == zip(before, addend.scalars).map { $0 + $1 })
        // Adding a tensor to itself.
        var doubled = Tensor(shape: [3, 5], scalars: before)
        doubled.accumulateGradient(doubled)
        #expect(doubled.scalars == before.map { $0 + $0 })
    }

    @Test("tensor operations give the same results at every level as at the active one")
    func tensorOperationsUseActiveLevel() {
        // The tensor API runs the active level; check one composite against the portable table
        // so that a wiring mistake (a wrong operation code) shows.
        let x = Tensor(shape: [2, 37], scalars: Self.values(74, seed: 12))
        let portable = SIMDKernels.table(for: .portable)!
        var expected = [Float](repeating: 0, count: 74)
        portable.unary!(Int32(PKUnaryGELU.rawValue), x.scalars, &expected, 74)
        let gelu = x.gelu().scalars
        for i in 0..<74 { #expect(Swift.abs(gelu[i] - expected[i]) <= 1e-6) }
        let softmax = x.softmax(alongAxis: -1).scalars
        portable.softmaxRows!(x.scalars, &expected, 2, 37)
        for i in 0..<74 { #expect(Swift.abs(softmax[i] - expected[i]) <= 1e-6) }
    }
}
