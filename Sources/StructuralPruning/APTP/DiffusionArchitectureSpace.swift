import Foundation
import ModelZoo
import PruningCore

/// The architectures APTP chooses among for a `DiffusionUNet`, as one gate vector per prompt
/// (APTP's `StructureVectorQuantizer` layout, `pdm/models/vq/quantizer.py`):
///
/// - **width** gates, one entry per GroupNorm group of every residual block's inner channels
///   (`DiffusionUNet/blockNames` order),
/// - **head** gates, one entry per attention head,
/// - **depth** gates, one entry per residual block.
///
/// Logits become gates through the Gumbel-sigmoid (T = 0.4, offset 3): width and head gates
/// entry by entry, each block's (and the attention's) forced to keep at least one entry
/// (`non_zero_width`); the depth logits through APTP's nested form
/// (`importance_gumbel_softmax_sample`): with `x = softmax(d)` over the blocks in
/// ``depthOrder``, the `i`-th block of the order is kept with probability
/// `p_i = Σ_{j ≤ n−1−i} x_j` and its gate is the Gumbel-sigmoid of `logit(p_i)`. The
/// probabilities decrease along the order: the first block is always kept, and the noise-free
/// architecture drops a block only with every block after it in the order (relaxed samples
/// draw each entry's noise independently, so they are nested only in probability).
///
/// Gate vectors are laid out as the ``gates`` set: width entries block after block, then the
/// heads, then one depth entry per block **in block order** (logits' depth entries are in
/// ``depthOrder`` positions).
public struct DiffusionArchitectureSpace: Sendable {
    /// The gate set: `down.0` … `up.0` (groups), `attention.heads`, `depth`.
    public let gates: GateSet
    /// GroupNorm groups of every block's inner channels.
    public let groupCounts: [Int]
    /// Channels per group.
    public let groupSize: Int
    /// Attention heads.
    public let headCount: Int
    /// The residual blocks from most to least kept (indices into `DiffusionUNet/blocks`).
    public let depthOrder: [Int]
    /// The relaxation of every gate.
    public let relaxation: GumbelSigmoid

    /// The outer blocks kept longest, the middle first to go — APTP's order on SD's U-Net
    /// starts from the outermost blocks the same way: `up.0`, `down.0`, `up.1`, `down.1`,
    /// `mid.1`, `mid.0`.
    public static let defaultDepthOrder = [5, 0, 4, 1, 3, 2]

    /// The space of `network`'s unpruned architecture.
    ///
    /// - Throws: ``StructuralPruningError/invalidSetting(field:value:expected:)`` when
    ///   `depthOrder` is not a permutation of the blocks, or `network` is already pruned.
    public init(network: DiffusionUNet, depthOrder: [Int] = Self.defaultDepthOrder,
                relaxation: GumbelSigmoid = .papers) throws(StructuralPruningError) {
        let blockCount = network.blocks.count
        guard depthOrder.sorted() == Array(0..<blockCount) else {
            throw .invalidSetting(field: "depthOrder", value: Double(depthOrder.count), expected: "a permutation of the \(blockCount) residual blocks")
        }
        guard network.shape == DiffusionUNet.Shape(unpruned: network.configuration) else {
            throw .invalidSetting(field: "network", value: 0, expected: "an unpruned U-Net")
        }
        let size = network.configuration.groupSize
        groupCounts = network.blocks.map { $0.innerChannels / size }
        groupSize = size
        headCount = network.attention.headCount
        self.depthOrder = depthOrder
        self.relaxation = relaxation
        gates = try GateSet(
            zip(DiffusionUNet.blockNames, groupCounts).map { GateSet.Gate(name: $0, width: $1, granularity: .group(size: size)) }
                + [GateSet.Gate(name: "attention.heads", width: headCount, granularity: .head(dimension: network.attention.headDimension)),
                   GateSet.Gate(name: "depth", width: blockCount, granularity: .depth)])
    }

    /// The length of one gate vector.
    public var size: Int { gates.totalWidth }

    /// The number of residual blocks.
    public var blockCount: Int { groupCounts.count }

    /// A relaxed sample `[B, size]` of gates for logits `[B, size]` (differentiable), as APTP
    /// draws while training.
    public func relaxedGates(_ logits: Tensor, using generator: inout RandomGenerator) -> Tensor {
        transform(logits) { relaxation.relaxed($0, using: &generator) }
    }

    /// The noise-free hard gates `[B, size]` of logits (0/1, no gradient): what an architecture
    /// is at inference and export.
    public func hardGates(_ logits: Tensor) -> Tensor {
        withoutGradients {
            let soft = transform(logits) { relaxation.noiseFree($0) }
            return Tensor(shape: soft.shape, scalars: soft.scalars.map { $0 >= 0.5 ? 1 : 0 })
        }
    }

    private func transform(_ logits: Tensor, _ sample: (Tensor) -> Tensor) -> Tensor {
        precondition(logits.rank == 2 && logits.shape[1] == size, "DiffusionArchitectureSpace: logits \(logits.shape) for \(size) gates")
        let parts = gates.split(logits)
        var result: [Tensor] = []
        for part in parts.dropLast() { result.append(Self.keepingOne(sample(part))) }
        // The nested depth keep-probabilities, as logits.
        let n = blockCount
        let x = parts[parts.count - 1].softmax(alongAxis: 1)
        var kept = [Float](repeating: 0, count: n * n)
        for j in 0..<n { for i in 0..<n where j <= n - 1 - i { kept[j * n + i] = 1 } }
        let keptMatrix = Tensor(shape: [n, n], scalars: kept)
        let p = x.matmul(keptMatrix).clamped(min: 1e-6)
        let q = x.matmul(1 - keptMatrix).clamped(min: 1e-6)
        let ordered = sample(p.log() - q.log())
        // Position i of the order gates block depthOrder[i].
        var position = [Int](repeating: 0, count: n)
        for (i, block) in depthOrder.enumerated() { position[block] = i }
        result.append(ordered.indexSelect(position, alongAxis: 1))
        return Tensor.concatenate(result, alongAxis: 1)
    }

    /// Rows whose entries are all below ½ get their largest entry raised to 1 (a constant is
    /// added, so the gradient is unchanged): every block keeps at least one group.
    static func keepingOne(_ gates: Tensor) -> Tensor {
        let (rows, width) = (gates.shape[0], gates.shape[1])
        let values = gates.scalars
        var correction = [Float](repeating: 0, count: rows * width)
        var needed = false
        for row in 0..<rows {
            let slice = values[(row * width)..<((row + 1) * width)]
            guard let top = slice.indices.max(by: { values[$0] < values[$1] }), values[top] < 0.5 else { continue }
            correction[top] = 1 - values[top]
            needed = true
        }
        return needed ? gates + Tensor(shape: gates.shape, scalars: correction) : gates
    }

    /// The U-Net's per-sample masks for gates `[B, size]`: width gates spread over their
    /// groups' channels, head gates, and depth gates.
    public func masks(_ gateValues: Tensor) -> DiffusionUNet.Masks {
        let batch = gateValues.shape[0]
        let parts = gates.split(gateValues)
        let ones = Tensor.ones([1, 1, groupSize])
        let width = (0..<blockCount).map { b in (parts[b].reshaped(to: [batch, groupCounts[b], 1]) * ones).reshaped(to: [batch, groupCounts[b] * groupSize]) as Tensor? }
        let depth = parts[blockCount + 1]
        return DiffusionUNet.Masks(
            width: width, heads: parts[blockCount],
            depth: (0..<blockCount).map { depth.sliced(alongAxis: 1, from: $0, count: 1).reshaped(to: [batch]) as Tensor? })
    }

    /// APTP's `width_depth_normalize`: each block's width gates times its depth gate, every gate
    /// scaled by `√(1 / entries)` of its gate so blocks count alike in cosine similarities;
    /// depth gates unscaled.
    public func normalized(_ gateValues: Tensor) -> Tensor {
        let parts = gates.split(gateValues)
        let depth = parts[blockCount + 1]
        var result: [Tensor] = (0..<blockCount).map { b in
            parts[b] * depth.sliced(alongAxis: 1, from: b, count: 1) * Float((1 / Double(groupCounts[b])).squareRoot())
        }
        result.append(parts[blockCount] * Float((1 / Double(headCount)).squareRoot()))
        result.append(depth)
        return Tensor.concatenate(result, alongAxis: 1)
    }

    /// The shape hard gates (one row `[size]` or `[1, size]`) leave, with the kept group and head
    /// indices; a block whose depth gate is 0 keeps nothing (its branch goes).
    public func architecture(ofHardGates gateValues: Tensor) -> (shape: DiffusionUNet.Shape, keptGroups: [[Int]], keptHeads: [Int]) {
        let row = gateValues.reshaped(to: [1, size])
        let parts = gates.split(row).map(\.scalars)
        let depth = parts[blockCount + 1]
        let keptGroups = (0..<blockCount).map { b in depth[b] >= 0.5 ? parts[b].indices.filter { parts[b][$0] >= 0.5 } : [] }
        var keptHeads = parts[blockCount].indices.filter { parts[blockCount][$0] >= 0.5 }
        if keptHeads.isEmpty { keptHeads = [parts[blockCount].indices.max { parts[blockCount][$0] < parts[blockCount][$1] }!] }
        return (DiffusionUNet.Shape(innerChannels: keptGroups.map { $0.count * groupSize }, heads: keptHeads.count), keptGroups, keptHeads)
    }
}
