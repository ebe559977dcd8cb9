import Foundation
import PruningCore

/// The reference GPT: 6 pre-LayerNorm blocks, width 384, 6 heads, context 256, vocabulary
/// 8192, GELU MLP ×4, explicit masked softmax attention (as `torch_reference.py`).
final class BenchmarkGPT: Module {
    final class Block: Module {
        var isTraining = true
        let norm1: LayerNorm, norm2: LayerNorm
        let qkv: Linear, projection: Linear, up: Linear, down: Linear
        let heads: Int

        init(width: Int, heads: Int, using random: inout RandomGenerator) {
            self.heads = heads
            norm1 = LayerNorm(featureCount: width)
            norm2 = LayerNorm(featureCount: width)
            qkv = Linear(inputCount: width, outputCount: 3 * width, using: &random)
            projection = Linear(inputCount: width, outputCount: width, using: &random)
            up = Linear(inputCount: width, outputCount: 4 * width, using: &random)
            down = Linear(inputCount: 4 * width, outputCount: width, using: &random)
        }

        var children: [(String, any Module)] {
            [("ln1", norm1), ("ln2", norm2), ("qkv", qkv), ("proj", projection), ("fc1", up), ("fc2", down)]
        }

        func callAsFunction(_ x: Tensor, mask: Tensor) -> Tensor {
            let (b, t, c) = (x.shape[0], x.shape[1], x.shape[2])
            let parts = qkv(norm1(x)).split(sizes: [c, c, c], alongAxis: 2)
            let (q, k, v) = (parts[0], parts[1], parts[2])
            func heads(_ z: Tensor) -> Tensor { z.reshaped(to: [b, t, self.heads, c / self.heads]).permuted([0, 2, 1, 3]) }
            let scores = heads(q).matmul(heads(k), transposingOther: true) / Float(c / self.heads).squareRoot()
            let attention = scores.maskedFill(mask, with: -.infinity).softmax(alongAxis: -1)
            let y = attention.matmul(heads(v)).permuted([0, 2, 1, 3]).reshaped(to: [b, t, c])
            let h = x + projection(y)
            return h + down(up(norm2(h)).gelu())
        }
    }

    var isTraining = true
    let token: Embedding, position: Embedding
    let blocks: [Block]
    let norm: LayerNorm
    let head: Linear

    init(vocabulary: Int = 8192, width: Int = 384, heads: Int = 6, layers: Int = 6, context: Int = 256, using random: inout RandomGenerator) {
        token = Embedding(count: vocabulary, dimension: width, using: &random)
        position = Embedding(count: context, dimension: width, using: &random)
        blocks = (0..<layers).map { _ in Block(width: width, heads: heads, using: &random) }
        norm = LayerNorm(featureCount: width)
        head = Linear(inputCount: width, outputCount: vocabulary, bias: false, using: &random)
    }

    var children: [(String, any Module)] {
        [("token", token), ("position", position)] + blocks.enumerated().map { ("blocks.\($0.offset)", $0.element as any Module) }
            + [("norm", norm), ("head", head)]
    }

    /// Logits `[batch, length, vocabulary]` for token ids `[batch, length]` (row-major).
    func callAsFunction(_ ids: [Int], batch: Int, length: Int) -> Tensor {
        var x = token(ids, shape: [batch, length]) + position(Array(0..<length), shape: [length])
        // 1 above the diagonal: a query may not see later keys.
        let mask = Tensor(shape: [length, length]) { m in
            for i in 0..<length { for j in 0..<length { m[i * length + j] = j > i ? 1 : 0 } }
        }
        for block in blocks { x = block(x, mask: mask) }
        return head(norm(x))
    }
}

extension Workloads {
    /// The GPT training step: batch 8 × 256 tokens, cross-entropy over 8192 classes.
    static func gpt() -> Workload {
        var random = RandomGenerator(seed: 0)
        let model = BenchmarkGPT(using: &random)
        let ids = (0..<(8 * 256)).map { _ in random.nextInt(below: 8192) }
        let targets = (0..<(8 * 256)).map { _ in random.nextInt(below: 8192) }
        return Workload(model: model) {
            crossEntropy(logits: model(ids, batch: 8, length: 256).reshaped(to: [-1, 8192]), labels: targets)
        }
    }
}
