/// The shape and initialization of a ``DynamicSoftPromptGenerator``.
///
/// Defaults follow the official DSP code (`generator_utils.py::build_generator`) where a LLaMA
/// target allows it: blocks built from the target's own configuration, the embedding table
/// copied from the target, the attention and MLP output projections zero-initialized so that
/// every block starts as the identity, the other weights drawn from N(0, 0.02²).
public struct DynamicSoftPromptConfiguration: Codable, Equatable, Sendable {
    /// Prompt positions: the generator reads the last `length` prefix tokens and returns that
    /// many vectors (50 in the paper, with 50-token prefixes).
    public var length: Int
    /// Decoder blocks built (2 in the official code).
    public var blockCount: Int
    /// Blocks whose output is the prompt. The official code reads `hidden_states[-2]` of its two
    /// blocks, the output of the first block, so the second block is built but never used; the
    /// default here reads the last block (nil), and 1 reproduces the official readout.
    public var readoutBlockCount: Int?
    /// Whether the copied embedding table is frozen (the official code trains it at
    /// `embed_lr`). Freezing keeps the optimizer state small: the table of a 49 k-token
    /// vocabulary is most of the generator's parameters.
    public var freezesEmbedding: Bool
    /// Whether the generator reads the fixed ids `0..<length` instead of the prefix (the
    /// official `is_constant_input` ablation: a soft prompt produced by a network but the same
    /// for every prefix).
    public var constantInput: Bool
    /// The standard deviation of the random (non-zeroed) block weights.
    public var standardDeviation: Float
    /// The seed of the random block weights.
    public var seed: UInt64

    /// A configuration; see the properties for the defaults' sources.
    public init(
        length: Int = 16, blockCount: Int = 2, readoutBlockCount: Int? = nil, freezesEmbedding: Bool = false,
        constantInput: Bool = false, standardDeviation: Float = 0.02, seed: UInt64 = 0
    ) {
        self.length = length
        self.blockCount = blockCount
        self.readoutBlockCount = readoutBlockCount
        self.freezesEmbedding = freezesEmbedding
        self.constantInput = constantInput
        self.standardDeviation = standardDeviation
        self.seed = seed
    }

    /// The number of blocks the prompt passes through.
    public var readoutBlocks: Int { readoutBlockCount ?? blockCount }

    /// Checks the ranges.
    ///
    /// - Throws: ``MemorizationError/invalidConfiguration(field:reason:)``.
    public func validate() throws(MemorizationError) {
        guard length > 0 else { throw .invalidConfiguration(field: "length", reason: "\(length) must be positive") }
        guard blockCount > 0 else { throw .invalidConfiguration(field: "blockCount", reason: "\(blockCount) must be positive") }
        guard (1...blockCount).contains(readoutBlocks) else {
            throw .invalidConfiguration(field: "readoutBlockCount", reason: "\(readoutBlocks) must be in 1...\(blockCount)")
        }
        guard standardDeviation.isFinite, standardDeviation >= 0 else {
            throw .invalidConfiguration(field: "standardDeviation", reason: "\(standardDeviation) must be finite and ≥ 0")
        }
    }
}
