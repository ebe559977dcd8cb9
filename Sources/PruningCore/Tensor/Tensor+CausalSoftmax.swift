extension Tensor {
    /// The softmax along the last axis of scores `[..., queryLength, keyLength]` under the
    /// end-aligned causal mask: row `i` (of every `queryLength` rows) normalizes over keys
    /// `0 ... i + keyShift` and holds 0 beyond them; a row that sees no key is all zeros.
    ///
    /// Equal to `maskedFill(causalDisallowed(…), with: -∞).softmax(alongAxis: -1)` without the
    /// mask tensor, the filled copy, or the exponentials of the masked half. The gradient is the
    /// softmax's, `y ⊙ (g − Σ g ⊙ y)`, which is zero where `y` is.
    ///
    /// - Parameter keyShift: `keyLength − queryLength` for keys that end where the queries end
    ///   (cached keys first).
    func causalSoftmax(keyShift: Int) -> Tensor {
        precondition(rank >= 2, "causalSoftmax: scores \(shape) need [..., queryLength, keyLength]")
        let (queryLength, keyLength) = (shape[rank - 2], shape[rank - 1])
        let rows = keyLength == 0 ? 0 : count / keyLength
        /// The number of keys row `row` sees.
        func visible(_ row: Int) -> Int { Swift.min(Swift.max(row % queryLength + keyShift + 1, 0), keyLength) }
        let source = storage.pointer
        let grain = Swift.max(1, 16384 / Swift.max(keyLength, 1))
        let out = Tensor(shape: shape) { o in
            let target = o.baseAddress!
            Kernels.parallelFor(rows, minimumPerThread: grain) { range in
                for row in range {
                    let (x, y) = (source + row * keyLength, target + row * keyLength)
                    let seen = visible(row)
                    (y + seen).initialize(repeating: 0, count: keyLength - seen)
                    let top = VectorMath.maximum(x, count: seen)
                    guard seen > 0, top != -.infinity else {
                        y.initialize(repeating: 0, count: seen)
                        continue
                    }
                    let total = VectorMath.expShifted(x, y, count: seen, shift: top)
                    VectorMath.scale(y, count: seen, by: 1 / total)
                }
            }
        }
        return Tensor.recorded(out, inputs: [self]) { g in
            let (y, gp) = (out.storage.pointer, g.storage.pointer)
            let gradient = Tensor(shape: out.shape) { dx in
                let dp = dx.baseAddress!
                Kernels.parallelFor(rows, minimumPerThread: grain) { range in
                    for row in range {
                        let base = row * keyLength
                        let seen = visible(row)
                        var dot: Float = 0
                        for k in 0..<seen { dot += gp[base + k] * y[base + k] }
                        for k in 0..<seen { dp[base + k] = y[base + k] * (gp[base + k] - dot) }
                        (dp + base + seen).initialize(repeating: 0, count: keyLength - seen)
                    }
                }
            }
            return [gradient]
        }
    }
}

extension VectorMath {
    /// The largest of `count` contiguous elements, −∞ when `count` is 0.
    ///
    /// - Parameter vectorized: whether to take the 16-lane path (``isEnabled`` by default;
    ///   tests force it).
    static func maximum(_ source: UnsafePointer<Float>, count: Int, vectorized: Bool = isEnabled) -> Float {
        var i = 0
        var result = -Float.infinity
        if vectorized && count >= 16 {
            let raw = UnsafeRawPointer(source)
            var lanes = Vector(repeating: -.infinity)
            while i + 16 <= count {
                // `replace(with:where:)` compiles to a vector blend; `pointwiseMax` goes lane by lane.
                let v = raw.loadUnaligned(fromByteOffset: i * 4, as: Vector.self)
                lanes.replace(with: v, where: v .> lanes)
                i += 16
            }
            result = lanes.max()
        }
        while i < count {
            result = Swift.max(result, source[i])
            i += 1
        }
        return result
    }

    /// Multiplies `count` contiguous elements by `factor` in place.
    ///
    /// - Parameter vectorized: whether to take the 16-lane path (``isEnabled`` by default).
    static func scale(_ values: UnsafeMutablePointer<Float>, count: Int, by factor: Float, vectorized: Bool = isEnabled) {
        var i = 0
        let raw = UnsafeMutableRawPointer(values)
        while vectorized && i + 16 <= count {
            let scaled = raw.loadUnaligned(fromByteOffset: i * 4, as: Vector.self) * factor
            raw.storeBytes(of: scaled, toByteOffset: i * 4, as: Vector.self)
            i += 16
        }
        while i < count {
            values[i] *= factor
            i += 1
        }
    }
}
