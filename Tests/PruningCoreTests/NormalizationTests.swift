import Foundation
import PruningCore
import PruningTestSupport
import Testing

/// A loop reference for every normalization: element `i` belongs to group `groupOf(i)` (its
/// statistics, in double precision) and takes the affine entry `affineIndexOf(i)`. Without
/// `centering` the mean is not subtracted and the second moment is taken about zero (RMS norm).
private func referenceNormalization(
    _ x: Tensor, groupCount: Int, groupOf: (Int) -> Int, affineIndexOf: (Int) -> Int,
    weight: Tensor?, bias: Tensor?, epsilon: Double, centering: Bool = true
) -> Tensor {
    let values = x.scalars.map(Double.init)
    var sums = [Double](repeating: 0, count: groupCount)
    var counts = [Double](repeating: 0, count: groupCount)
    for i in values.indices {
        sums[groupOf(i)] += values[i]
        counts[groupOf(i)] += 1
    }
    let means = (0..<groupCount).map { centering ? sums[$0] / counts[$0] : 0 }
    var squares = [Double](repeating: 0, count: groupCount)
    for i in values.indices {
        let d = values[i] - means[groupOf(i)]
        squares[groupOf(i)] += d * d
    }
    let w = weight?.scalars
    let b = bias?.scalars
    let result = values.indices.map { i -> Float in
        let group = groupOf(i)
        var y = (values[i] - means[group]) / (squares[group] / counts[group] + epsilon).squareRoot()
        if let w { y *= Double(w[affineIndexOf(i)]) }
        if let b { y += Double(b[affineIndexOf(i)]) }
        return Float(y)
    }
    return Tensor(shape: x.shape, scalars: result)
}

/// The reference for batch normalization of `[batch, channels, spatial...]` with batch statistics.
private func referenceBatchNorm(_ x: Tensor, weight: Tensor?, bias: Tensor?, epsilon: Double = 1e-5) -> Tensor {
    let channels = x.shape[1]
    let spatial = x.shape.dropFirst(2).reduce(1, *)
    return referenceNormalization(
        x, groupCount: channels, groupOf: { ($0 / spatial) % channels },
        affineIndexOf: { ($0 / spatial) % channels }, weight: weight, bias: bias, epsilon: epsilon)
}

/// Per-channel mean, biased variance and unbiased variance of `[batch, channels, spatial...]`.
private func channelStatistics(_ x: Tensor) -> (mean: [Double], biased: [Double], unbiased: [Double]) {
    let channels = x.shape[1]
    let spatial = x.shape.dropFirst(2).reduce(1, *)
    let values = x.scalars
    var groups = [[Double]](repeating: [], count: channels)
    for i in values.indices { groups[(i / spatial) % channels].append(Double(values[i])) }
    let means = groups.map { $0.reduce(0, +) / Double($0.count) }
    let squares = zip(groups, means).map { group, mean in group.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } }
    let counts = groups.map { Double($0.count) }
    return (means, zip(squares, counts).map { $0 / $1 }, zip(squares, counts).map { $0 / ($1 - 1) })
}

@Suite struct FusedNormalizationTests {
    @Test("layer norm matches a loop reference and has correct gradients")
    func layerNorm() {
        let x = testTensor([3, 5], lower: -2, upper: 2, seed: 1)
        let w = testTensor([5], lower: 0.5, upper: 1.5, seed: 2)
        let b = testTensor([5], seed: 3)
        let expected = referenceNormalization(
            x, groupCount: 3, groupOf: { $0 / 5 }, affineIndexOf: { $0 % 5 }, weight: w, bias: b, epsilon: 1e-5)
        expectClose(x.layerNorm(weight: w, bias: b), expected, relativeTolerance: 1e-5, absoluteTolerance: 1e-5)
        checkGradients(of: { $0[0].layerNorm(weight: $0[1], bias: $0[2]) }, at: [x, w, b])
        checkGradients(of: { $0[0].layerNorm() }, at: [x])
    }

    @Test("layer norm over the last two axes")
    func layerNormTwoAxes() {
        let x = testTensor([2, 3, 4], seed: 4)
        let w = testTensor([3, 4], lower: 0.5, upper: 1.5, seed: 5)
        let b = testTensor([3, 4], seed: 6)
        let expected = referenceNormalization(
            x, groupCount: 2, groupOf: { $0 / 12 }, affineIndexOf: { $0 % 12 }, weight: w, bias: b, epsilon: 1e-5)
        expectClose(x.layerNorm(overLast: 2, weight: w, bias: b), expected, relativeTolerance: 1e-5, absoluteTolerance: 1e-5)
        checkGradients(of: { $0[0].layerNorm(overLast: 2, weight: $0[1], bias: $0[2]) }, at: [x, w, b])
    }

    @Test("RMS norm matches a loop reference and has correct gradients")
    func rmsNorm() {
        let x = testTensor([2, 3, 6], lower: -2, upper: 2, seed: 7)
        let w = testTensor([6], lower: 0.5, upper: 1.5, seed: 8)
        let expected = referenceNormalization(
            x, groupCount: 6, groupOf: { $0 / 6 }, affineIndexOf: { $0 % 6 }, weight: w, bias: nil,
            epsilon: 1e-6, centering: false)
        expectClose(x.rmsNorm(weight: w), expected, relativeTolerance: 1e-5, absoluteTolerance: 1e-5)
        checkGradients(of: { $0[0].rmsNorm(weight: $0[1]) }, at: [x, w])
        checkGradients(of: { $0[0].rmsNorm(epsilon: 1e-3) }, at: [x])
    }

    @Test("group norm matches a loop reference and has correct gradients", arguments: [
        [2, 6, 2, 3], [3, 4, 5], [2, 4],
    ])
    func groupNorm(shape: [Int]) {
        let groups = 2
        let channels = shape[1]
        let spatial = shape.dropFirst(2).reduce(1, *)
        let x = testTensor(shape, lower: -2, upper: 2, seed: 9)
        let w = testTensor([channels], lower: 0.5, upper: 1.5, seed: 10)
        let b = testTensor([channels], seed: 11)
        let perGroup = channels / groups * spatial
        let expected = referenceNormalization(
            x, groupCount: shape[0] * groups, groupOf: { $0 / perGroup },
            affineIndexOf: { ($0 / spatial) % channels }, weight: w, bias: b, epsilon: 1e-5)
        expectClose(x.groupNorm(groups: groups, weight: w, bias: b), expected, relativeTolerance: 1e-5, absoluteTolerance: 1e-5)
        checkGradients(of: { $0[0].groupNorm(groups: groups, weight: $0[1], bias: $0[2]) }, at: [x, w, b])
    }

    @Test("batch norm with batch statistics matches a loop reference", arguments: [[6, 3], [2, 3, 2, 2], [3, 2, 4]])
    func batchNormTraining(shape: [Int]) throws {
        let channels = shape[1]
        let x = testTensor(shape, lower: -2, upper: 2, seed: 12)
        let w = testTensor([channels], lower: 0.5, upper: 1.5, seed: 13)
        let b = testTensor([channels], seed: 14)
        let (output, mean, variance) = x.batchNorm(weight: w, bias: b)
        expectClose(output, referenceBatchNorm(x, weight: w, bias: b), relativeTolerance: 1e-5, absoluteTolerance: 1e-5)
        let statistics = channelStatistics(x)
        expectClose(mean, Tensor(statistics.mean.map(Float.init)), relativeTolerance: 1e-5, absoluteTolerance: 1e-6)
        expectClose(variance, Tensor(statistics.biased.map(Float.init)), relativeTolerance: 1e-5, absoluteTolerance: 1e-6)
        #expect(!mean.requiresGradient && !variance.requiresGradient)
    }

    @Test("batch norm in training mode: gradients through the batch statistics", arguments: [[5, 3], [2, 3, 2, 2]])
    func batchNormTrainingGradients(shape: [Int]) {
        let x = testTensor(shape, lower: -2, upper: 2, seed: 15)
        let w = testTensor([3], lower: 0.5, upper: 1.5, seed: 16)
        let b = testTensor([3], seed: 17)
        checkGradients(of: { $0[0].batchNorm(weight: $0[1], bias: $0[2]).output }, at: [x, w, b])
        checkGradients(of: { $0[0].batchNorm().output }, at: [x])
    }

    @Test("batch norm with a fused ReLU equals batch norm then ReLU, forward and backward",
          arguments: [[6, 3, 5, 7], [4, 2, 9], [16, 3]])
    func batchNormFusedReLU(shape: [Int]) {
        let channels = shape[1]
        let x = testTensor(shape, lower: -2, upper: 2, seed: 40).requiringGradient()
        let w = testTensor([channels], lower: 0.5, upper: 1.5, seed: 41).requiringGradient()
        let b = testTensor([channels], seed: 42).requiringGradient()
        let seed = testTensor(shape, seed: 43)
        let fused = x.batchNorm(weight: w, bias: b, relu: true).output
        let reference = x.batchNorm(weight: w, bias: b).output.relu()
        #expect(fused.scalars == reference.scalars)
        let fusedGradients = fused.gradients(withRespectTo: [x, w, b], seed: seed)
        let referenceGradients = reference.gradients(withRespectTo: [x, w, b], seed: seed)
        for (actual, expected) in zip(fusedGradients, referenceGradients) {
            expectClose(actual, expected, relativeTolerance: 1e-5, absoluteTolerance: 1e-6, "\(shape)")
        }
    }

    @Test("reluOfSum equals relu(a + b), forward and backward")
    func reluOfSum() {
        let a = testTensor([3, 4, 5, 6], seed: 44).requiringGradient()
        let b = testTensor([3, 4, 5, 6], seed: 45).requiringGradient()
        let seed = testTensor([3, 4, 5, 6], seed: 46)
        let fused = Tensor.reluOfSum(a, b)
        let reference = (a + b).relu()
        #expect(fused.scalars == reference.scalars)
        let (fa, fb) = (fused.gradients(withRespectTo: [a, b], seed: seed)[0], fused.gradients(withRespectTo: [a, b], seed: seed)[1])
        let expected = reference.gradients(withRespectTo: [a, b], seed: seed)
        #expect(fa.scalars == expected[0].scalars && fb.scalars == expected[1].scalars)
        // Broadcast operands take the composition.
        let row = testTensor([6], seed: 47)
        #expect(Tensor.reluOfSum(a, row).scalars == (a + row).relu().scalars)
    }

    @Test("batch norm with given statistics matches a loop reference and has correct gradients")
    func batchNormEvaluation() {
        let x = testTensor([2, 3, 2, 2], lower: -2, upper: 2, seed: 18)
        let mean = testTensor([3], seed: 19)
        let variance = testTensor([3], lower: 0.5, upper: 2, seed: 20)
        let w = testTensor([3], lower: 0.5, upper: 1.5, seed: 21)
        let b = testTensor([3], seed: 22)
        var expected = [Float](repeating: 0, count: x.count)
        for i in 0..<x.count {
            let c = (i / 4) % 3
            let normalized = (Double(x.scalars[i]) - Double(mean[c])) / (Double(variance[c]) + 1e-5).squareRoot()
            expected[i] = Float(normalized * Double(w[c]) + Double(b[c]))
        }
        let y = x.batchNorm(mean: mean, variance: variance, weight: w, bias: b)
        expectClose(y, Tensor(shape: x.shape, scalars: expected), relativeTolerance: 1e-5, absoluteTolerance: 1e-5)
        checkGradients(
            of: { $0[0].batchNorm(mean: $0[1], variance: $0[2], weight: $0[3], bias: $0[4]) },
            at: [x, mean, variance, w, b])
        checkGradients(of: { $0[0].batchNorm(mean: mean, variance: $0[1]) }, at: [x, variance])
    }
}

@Suite struct NormalizationLayerTests {
    @Test("parameter names follow PyTorch")
    func names() {
        #expect(LayerNorm(featureCount: 4).namedParameters().map(\.name) == ["weight", "bias"])
        #expect(LayerNorm(featureCount: 4, affine: false).namedParameters().isEmpty)
        #expect(RMSNorm(featureCount: 4).namedParameters().map(\.name) == ["weight"])
        #expect(GroupNorm(groupCount: 2, channelCount: 4).namedParameters().map(\.name) == ["weight", "bias"])
        let batchNorm = BatchNorm(featureCount: 4)
        #expect(batchNorm.namedParameters().map(\.name) == ["weight", "bias", "running_mean", "running_var"])
        #expect(batchNorm.trainableParameters().count == 2)
        #expect(batchNorm.parameterCount == 8)
        #expect(batchNorm.runningMean.value.scalars == [0, 0, 0, 0])
        #expect(batchNorm.runningVariance.value.scalars == [1, 1, 1, 1])
    }

    @Test("layers apply the fused ops with their parameters and pass gradients to them")
    func layers() {
        let x = testTensor([2, 4, 3], seed: 23)
        let layerNorm = LayerNorm(featureCount: 3)
        layerNorm.weight!.value = testTensor([3], lower: 0.5, upper: 1.5, seed: 24)
        layerNorm.bias!.value = testTensor([3], seed: 25)
        expectClose(layerNorm(x), x.layerNorm(weight: layerNorm.weight!.value, bias: layerNorm.bias!.value))
        let rmsNorm = RMSNorm(featureCount: 3, epsilon: 1e-5)
        expectClose(rmsNorm(x), x.rmsNorm(epsilon: 1e-5))
        let groupNorm = GroupNorm(groupCount: 2, channelCount: 4)
        expectClose(groupNorm(x), x.groupNorm(groups: 2))

        let (_, gradients) = valueAndGradient(of: layerNorm) { (layerNorm(x) * x).sum() }
        #expect(gradients.count == 2)
        let xhat = x.layerNorm()
        expectClose(gradients[layerNorm.weight!]!, (xhat * x).sum(alongAxes: [0, 1]), relativeTolerance: 1e-5, absoluteTolerance: 1e-5)
        expectClose(gradients[layerNorm.bias!]!, x.sum(alongAxes: [0, 1]), relativeTolerance: 1e-5, absoluteTolerance: 1e-5)
    }

    @Test("BatchNorm running statistics after two training steps", arguments: [[4, 3], [2, 3, 2, 2]])
    func runningStatistics(shape: [Int]) {
        let layer = BatchNorm(featureCount: 3)
        let first = testTensor(shape, lower: -1, upper: 3, seed: 26)
        let second = testTensor(shape, lower: -2, upper: 1, seed: 27)
        var runningMean = [Double](repeating: 0, count: 3)
        var runningVariance = [Double](repeating: 1, count: 3)
        for batch in [first, second] {
            let y = layer(batch)
            expectClose(y, referenceBatchNorm(batch, weight: nil, bias: nil), relativeTolerance: 1e-5, absoluteTolerance: 1e-5)
            let statistics = channelStatistics(batch)
            for c in 0..<3 {
                runningMean[c] = 0.9 * runningMean[c] + 0.1 * statistics.mean[c]
                runningVariance[c] = 0.9 * runningVariance[c] + 0.1 * statistics.unbiased[c]
            }
        }
        expectClose(layer.runningMean.value, Tensor(runningMean.map(Float.init)), relativeTolerance: 1e-5, absoluteTolerance: 1e-6)
        expectClose(layer.runningVariance.value, Tensor(runningVariance.map(Float.init)), relativeTolerance: 1e-5, absoluteTolerance: 1e-6)
        #expect(!layer.runningMean.value.requiresGradient)

        // Evaluation uses the running statistics and leaves them unchanged.
        layer.eval()
        let x = testTensor(shape, seed: 28)
        var expected = [Float](repeating: 0, count: x.count)
        let spatial = shape.dropFirst(2).reduce(1, *)
        for i in 0..<x.count {
            let c = (i / spatial) % 3
            expected[i] = Float((Double(x.scalars[i]) - runningMean[c]) / (runningVariance[c] + 1e-5).squareRoot())
        }
        expectClose(layer(x), Tensor(shape: shape, scalars: expected), relativeTolerance: 1e-5, absoluteTolerance: 1e-5)
        expectClose(layer.runningMean.value, Tensor(runningMean.map(Float.init)), relativeTolerance: 1e-5, absoluteTolerance: 1e-6)
    }

    @Test("BatchNorm training gradients reach weight and bias, not the buffers")
    func batchNormGradients() {
        let layer = BatchNorm(featureCount: 3)
        let x = testTensor([4, 3], seed: 29)
        let projection = testTensor([4, 3], seed: 30)
        let (_, gradients) = valueAndGradient(of: layer) { (layer(x) * projection).sum() }
        #expect(gradients.count == 2)
        #expect(gradients[layer.runningMean] == nil)
        let xhat = referenceBatchNorm(x, weight: nil, bias: nil)
        expectClose(gradients[layer.weight]!, (xhat * projection).sum(alongAxis: 0), relativeTolerance: 1e-4, absoluteTolerance: 1e-5)
        expectClose(gradients[layer.bias]!, projection.sum(alongAxis: 0), relativeTolerance: 1e-5, absoluteTolerance: 1e-6)
    }
}
