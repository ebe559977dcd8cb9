import PruningCore
import TokenFusion

/// Straightforward loop references for the token-fusion tests.
enum Reference {
    /// ToMe's bipartite soft matching of one row, written as plain loops in double precision:
    /// `(sources, destinations, kept)` as token positions.
    static func matching(
        _ metric: [[Float]], r: Int, classToken: Bool
    ) -> (sources: [Int], destinations: [Int], kept: [Int]) {
        let n = metric.count
        let protected = classToken ? 1 : 0
        let merged = max(0, min(r, (n - protected) / 2))
        let setA = Array(stride(from: 0, to: n, by: 2))
        let setB = Array(stride(from: 1, to: n, by: 2))
        if merged == 0 { return ([], [], setA) }
        func cosine(_ i: Int, _ j: Int) -> Double {
            var dot = 0.0, ni = 0.0, nj = 0.0
            for c in metric[i].indices {
                dot += Double(metric[i][c]) * Double(metric[j][c])
                ni += Double(metric[i][c]) * Double(metric[i][c])
                nj += Double(metric[j][c]) * Double(metric[j][c])
            }
            return dot / (ni.squareRoot() * nj.squareRoot())
        }
        var best: [(score: Double, a: Int, b: Int)] = []
        for (k, a) in setA.enumerated() {
            if classToken && k == 0 {
                best.append((-.infinity, a, setB[0]))
                continue
            }
            var choice = (score: -Double.infinity, a: a, b: setB[0])
            for b in setB where cosine(a, b) > choice.score { choice = (cosine(a, b), a, b) }
            best.append(choice)
        }
        // Descending score; among equal scores, lower position first.
        var order = best
        for i in 1..<order.count {
            var j = i
            while j > 0 && order[j].score > order[j - 1].score {
                order.swapAt(j, j - 1)
                j -= 1
            }
        }
        var kept = order[merged...].map(\.a)
        if classToken { kept.sort() }
        return (order[..<merged].map(\.a), order[..<merged].map(\.b), kept)
    }

    /// The rows `[tokens][channels]` of batch row `b` of a `[batch, tokens, channels]` tensor.
    static func rows(_ t: Tensor, batch b: Int, count: Int? = nil) -> [[Float]] {
        let (n, c) = (t.shape[1], t.shape[2])
        let s = t.scalars
        return (0..<(count ?? n)).map { i in Array(s[((b * n + i) * c)..<((b * n + i + 1) * c)]) }
    }

    /// The Euclidean norm of `v`.
    static func norm(_ v: [Float]) -> Float { v.reduce(0) { $0 + $1 * $1 }.squareRoot() }
}
