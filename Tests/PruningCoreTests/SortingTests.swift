import PruningCore
import PruningTestSupport
import Testing

/// The positions of `values` in sorted order, ties kept in their original order (the reference
/// makes the tie rule explicit rather than relying on the stability of `sorted(by:)`).
private func referenceOrder(_ values: [Float], descending: Bool) -> [Int] {
    values.indices.sorted { p, q in
        if values[p] == values[q] { return p < q }
        return descending ? values[p] > values[q] : values[p] < values[q]
    }
}

/// Applies `body` to every lane of `x` along `axis`: the lane's values and its flat positions.
private func forEachLane(of x: Tensor, alongAxis axis: Int, _ body: (_ values: [Float], _ positions: [Int]) -> Void) {
    let outer = x.shape[..<axis].reduce(1, *)
    let size = x.shape[axis]
    let inner = x.shape[(axis + 1)...].reduce(1, *)
    let scalars = x.scalars
    for r in 0..<outer {
        for i in 0..<inner {
            let positions = (0..<size).map { (r * size + $0) * inner + i }
            body(positions.map { scalars[$0] }, positions)
        }
    }
}

/// A tensor of whole numbers in `0..<range`, so that lanes contain ties.
private func tiedTensor(_ shape: [Int], range: Int, seed: UInt64) -> Tensor {
    var random = RandomGenerator(seed: seed)
    return Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in Float(random.nextInt(below: range)) })
}

@Suite struct SortingTests {
    @Test("argsort and sorted match a stable reference on every axis", arguments: [0, 1, 2])
    func sortAlongAxis(axis: Int) {
        let x = tiedTensor([3, 4, 5], range: 4, seed: 1)
        for descending in [false, true] {
            let order = x.argsort(alongAxis: axis, descending: descending)
            let (values, indices) = x.sorted(alongAxis: axis, descending: descending)
            #expect(indices == order)
            #expect(values.shape == x.shape)
            forEachLane(of: x, alongAxis: axis) { lane, positions in
                let expected = referenceOrder(lane, descending: descending)
                #expect(positions.map { order[$0] } == expected)
                #expect(positions.map { values.scalars[$0] } == expected.map { lane[$0] })
            }
        }
    }

    @Test("ties keep their original order in both directions")
    func stability() {
        let x = Tensor([2, 1, 2, 1, 3, 2])
        #expect(x.argsort(alongAxis: 0) == [1, 3, 0, 2, 5, 4])
        #expect(x.argsort(alongAxis: 0, descending: true) == [4, 0, 2, 5, 1, 3])
        #expect(Tensor([1, .nan, 0]).argsort(alongAxis: 0) == [2, 0, 1])
        #expect(Tensor([1, .nan, 0]).argsort(alongAxis: 0, descending: true) == [1, 0, 2])
    }

    @Test("topK equals the head of the stable sort", arguments: [1, 2, 5, 24, 40])
    func topK(k: Int) {
        // Lanes of 40 with few distinct values: small k takes the heap path, large k the sort.
        let x = tiedTensor([2, 40, 3], range: 7, seed: 2)
        for largest in [true, false] {
            let (values, indices) = x.topK(k, alongAxis: 1, largest: largest)
            #expect(values.shape == [2, k, 3])
            let (sortedValues, sortedIndices) = x.sorted(alongAxis: 1, descending: largest)
            #expect(values.scalars == sortedValues.sliced(alongAxis: 1, 0..<k).scalars)
            let headIndices = Tensor(shape: [2, 40, 3], scalars: sortedIndices.map(Float.init)).sliced(alongAxis: 1, 0..<k)
            #expect(indices.map(Float.init) == headIndices.scalars)
        }
    }

    @Test("topK on the last axis and edge cases")
    func topKLastAxis() {
        let x = Tensor(shape: [2, 5], scalars: [0.5, 3, -1, 3, 2, 9, 8, 7, 6, 5])
        let (values, indices) = x.topK(2)
        #expect(values.scalars == [3, 3, 9, 8])
        #expect(indices == [1, 3, 0, 1])
        let smallest = x.topK(3, largest: false)
        #expect(smallest.values.scalars == [-1, 0.5, 2, 5, 6, 7])
        #expect(smallest.indices == [2, 0, 4, 4, 3, 2])
        #expect(x.topK(0).values.shape == [2, 0])
    }

    @Test("sort and topK route gradients to the chosen positions")
    func sortGradients() {
        let x = distinctTensor([3, 4, 5], seed: 3)
        checkGradients(of: { $0[0].sorted(alongAxis: 1).values }, at: [x])
        checkGradients(of: { $0[0].sorted(alongAxis: 2, descending: true).values }, at: [x])
        checkGradients(of: { $0[0].topK(2, alongAxis: 2).values }, at: [x])
        checkGradients(of: { $0[0].topK(3, alongAxis: 0, largest: false).values }, at: [x])

        let leaf = Tensor([0.3, -0.2, 0.9, 0.1]).requiringGradient()
        let chosen = leaf.topK(2).values * Tensor([10, 100])
        #expect(chosen.sum().gradients(withRespectTo: [leaf])[0].scalars == [100, 0, 10, 0])
    }
}

@Suite struct ScanTests {
    @Test("cumulative sum matches a loop on every axis, forward and reverse", arguments: [0, 1, 2])
    func cumulativeSum(axis: Int) {
        let x = testTensor([3, 4, 5], seed: 4)
        for reverse in [false, true] {
            let y = x.cumulativeSum(alongAxis: axis, reverse: reverse).scalars
            forEachLane(of: x, alongAxis: axis) { lane, positions in
                var running: Float = 0
                for k in (reverse ? Array(lane.indices.reversed()) : Array(lane.indices)) {
                    running += lane[k]
                    #expect(Swift.abs(y[positions[k]] - running) <= 1e-5)
                }
            }
            checkGradients(of: { $0[0].cumulativeSum(alongAxis: axis, reverse: reverse) }, at: [x])
        }
    }

    @Test("cumulative product matches a loop and has exact gradients, also at zeros")
    func cumulativeProduct() {
        let x = testTensor([3, 6], lower: 0.5, upper: 1.5, seed: 5)
        let y = x.cumulativeProduct(alongAxis: 1).scalars
        forEachLane(of: x, alongAxis: 1) { lane, positions in
            var running: Float = 1
            for k in lane.indices {
                running *= lane[k]
                #expect(Swift.abs(y[positions[k]] - running) <= 1e-5)
            }
        }
        checkGradients(of: { $0[0].cumulativeProduct(alongAxis: 1) }, at: [x])
        checkGradients(of: { $0[0].cumulativeProduct(alongAxis: 0) }, at: [x])
        // Rows with one zero (first, middle, last) and two zeros; every output is linear in each
        // input, so central differences are exact there too.
        let zeros = Tensor(shape: [4, 5], scalars: [
            0, 1.2, -0.8, 1.1, 0.9,
            1.3, 0.7, 0, -1.1, 1.4,
            0.6, -1.2, 0.8, 1.5, 0,
            1.1, 0, 0.9, 0, 1.2,
        ])
        checkGradients(of: { $0[0].cumulativeProduct(alongAxis: 1) }, at: [zeros])
    }
}
