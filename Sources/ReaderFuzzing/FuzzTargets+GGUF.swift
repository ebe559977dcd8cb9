import Foundation
import ModelZoo
import PruningCore

extension FuzzTargets {
    /// GGUF: the header and tensor directory, every convertible tensor dequantized, the
    /// byte-level BPE tokenizer from the metadata, and the LLaMA decoder.
    static func gguf() throws -> FuzzTarget {
        FuzzTarget(name: "gguf", seeds: [ggufLlamaSeed(), ggufAssortedSeed()]) { folder in
            let file = try GGUFFile(contentsOf: folder.appendingPathComponent("model.gguf"))
            for tensor in file.tensors where tensor.type.canConvertToFloat { _ = try file.tensor(named: tensor.name) }
            if file.metadata["tokenizer.ggml.model"] != nil {
                let tokenizer = try ByteLevelBPETokenizer(gguf: file)
                _ = tokenizer.encode("Hello, world! 123")
            }
            if file.metadata["general.architecture"] != nil { _ = try LlamaModel(gguf: file) }
        }
    }

    /// GPT-2's byte-level spelling of one byte.
    static func byteSpelling(_ byte: Int) -> String {
        let printable = Array(33...126) + Array(161...172) + Array(174...255)
        if printable.contains(byte) { return String(UnicodeScalar(UInt8(byte))) }
        let rank = (0..<256).filter { !printable.contains($0) }.firstIndex(of: byte)!
        return String(UnicodeScalar(UInt32(256 + rank))!)
    }

    /// `count` blocks of a quantized type with a sane binary16 scale in front and random codes.
    static func quantizedBlocks(_ type: GGUFTensorType, elementCount: Int, using random: inout RandomGenerator) -> [UInt8] {
        let blocks = elementCount / type.blockSize
        var bytes: [UInt8] = []
        for _ in 0..<blocks {
            var block = (0..<type.blockByteCount).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            switch type {
            case .q8_0, .q4_0: block[0] = 0x66; block[1] = 0x2E
            case .q4_1: block[0] = 0x66; block[1] = 0x2E; block[2] = 0x00; block[3] = 0xAE
            default: break
            }
            bytes += block
        }
        return bytes
    }

    /// A two-layer LLaMA in GGUF with its tokenizer; projections in Q8_0, Q4_0 and Q4_1, the
    /// embedding in F16, norms in F32.
    static func ggufLlamaSeed() -> FuzzSeed {
        let vocabulary = 256 + 4
        var configuration = tinyConfiguration(vocabularySize: vocabulary, tied: true)
        configuration.ropePairing = .interleaved
        var builder = GGUFBuilder()
        builder.add("general.architecture", .string("llama"))
        builder.add("general.name", .string("fuzz seed"))
        builder.add("llama.block_count", .uint32(UInt32(configuration.layerCount)))
        builder.add("llama.context_length", .uint32(32))
        builder.add("llama.embedding_length", .uint32(UInt32(configuration.hiddenSize)))
        builder.add("llama.feed_forward_length", .uint32(UInt32(configuration.intermediateSize)))
        builder.add("llama.attention.head_count", .uint32(UInt32(configuration.headCount)))
        builder.add("llama.attention.head_count_kv", .uint32(UInt32(configuration.keyValueHeadCount)))
        builder.add("llama.rope.dimension_count", .uint32(UInt32(configuration.headDimension)))
        builder.add("llama.rope.freq_base", .float32(10_000))
        builder.add("llama.attention.layer_norm_rms_epsilon", .float32(1e-5))
        builder.add("llama.vocab_size", .uint32(UInt32(vocabulary)))
        builder.add("tokenizer.ggml.model", .string("gpt2"))
        builder.add("tokenizer.ggml.pre", .string("smollm"))
        builder.add("tokenizer.ggml.tokens", .array(.string((0..<256).map(byteSpelling) + ["he", "ll", "hell", "<|endoftext|>"])))
        builder.add("tokenizer.ggml.token_type", .array(.int32([Int32](repeating: 1, count: 259) + [3])))
        builder.add("tokenizer.ggml.merges", .array(.string(["h e", "l l", "he ll"])))
        builder.add("tokenizer.ggml.bos_token_id", .uint32(259))
        builder.add("tokenizer.ggml.eos_token_id", .uint32(259))
        builder.add("tokenizer.ggml.add_bos_token", .bool(false))
        var random = RandomGenerator(seed: 21)
        let types: [GGUFTensorType] = [.q8_0, .q4_0, .q4_1]
        for (index, (name, shape)) in configuration.parameterShapes().enumerated() {
            guard let ggufName = LlamaTensorNaming.ggufName(forHuggingFaceName: name) else { continue }
            let count = shape.reduce(1, *)
            let data: [UInt8]
            let type: GGUFTensorType
            if shape.count == 1 {
                type = .f32
                data = (0..<count).flatMap { _ in withUnsafeBytes(of: Float(1 + 0.1 * random.nextNormal()).bitPattern.littleEndian, Array.init) }
            } else if name.contains("embed") {
                type = .f16
                data = (0..<count).flatMap { _ in [UInt8(truncatingIfNeeded: random.next()), 0x2C + UInt8(random.nextInt(below: 3))] }
            } else {
                type = types[index % types.count]
                data = quantizedBlocks(type, elementCount: count, using: &random)
            }
            builder.addTensor(ggufName, dimensions: shape.reversed(), type: type, data: data)
        }
        return FuzzSeed(label: "llama", files: [ggufSeedFile(builder)])
    }

    /// Metadata of every value type (nested arrays included) and tensors of many stored types
    /// with random contents.
    static func ggufAssortedSeed() -> FuzzSeed {
        var builder = GGUFBuilder()
        builder.add("general.alignment", .uint32(64))
        builder.add("u8", .uint8(7))
        builder.add("i8", .int8(-7))
        builder.add("u16", .uint16(700))
        builder.add("i16", .int16(-700))
        builder.add("i32", .int32(-70_000))
        builder.add("f32", .float32(0.25))
        builder.add("flag", .bool(true))
        builder.add("u64", .uint64(1 << 40))
        builder.add("i64", .int64(-(1 << 40)))
        builder.add("f64", .float64(-0.125))
        builder.add("strings", .array(.string(["a", "", "ünïcödé"])))
        builder.add("nested", .array(.array([.int32([1, 2]), .float32([0.5]), .string(["x"])])))
        var random = RandomGenerator(seed: 22)
        let stored: [(GGUFTensorType, [Int])] = [
            (.f32, [3, 2]), (.f16, [4]), (.bf16, [2, 2]), (.q4_0, [2, 32]), (.q4_1, [32]), (.q5_0, [32]), (.q5_1, [32]),
            (.q8_0, [64]), (.q2_K, [256]), (.q3_K, [256]), (.q4_K, [256]), (.q5_K, [256]), (.q6_K, [256]), (.i32, [3]),
        ]
        for (index, (type, shape)) in stored.enumerated() {
            let count = shape.reduce(1, *)
            let data = (0..<(count / type.blockSize * type.blockByteCount)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            builder.addTensor("t\(index).\(type.name)", dimensions: shape.reversed(), type: type, data: data)
        }
        return FuzzSeed(label: "assorted", files: [ggufSeedFile(builder)])
    }

    static func ggufSeedFile(_ builder: GGUFBuilder) -> FuzzSeedFile {
        FuzzSeedFile(name: "model.gguf", bytes: builder.bytes, fields: builder.headerFields, boundaries: builder.boundaries)
    }
}
