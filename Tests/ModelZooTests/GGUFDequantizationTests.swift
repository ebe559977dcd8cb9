import Foundation
import ModelZoo
import ReaderFuzzing
import Testing

/// Checks every dequantization kernel against the `gguf` Python package on random blocks
/// (fixture `gguf_quant_blocks.json`, written by `Fixtures/make_gguf_fixture.py`).
@Suite struct GGUFDequantizationTests {
    struct Block: Decodable {
        let type: UInt32
        let elements: Int
        let bytes: String
        let values: [Double]
    }

    static let blocks: [String: Block] = {
        let url = GGUFTestFiles.fixture("gguf_quant_blocks.json")
        guard let data = try? Data(contentsOf: url) else { return [:] }
        return (try? JSONDecoder().decode([String: Block].self, from: data)) ?? [:]
    }()

    static func hexBytes(_ hex: String) -> [UInt8] {
        let digits = Array(hex.utf8)
        return stride(from: 0, to: digits.count, by: 2).map { UInt8(String(decoding: digits[$0..<($0 + 2)], as: UTF8.self), radix: 16)! }
    }

    @Test("fixture covers the formats")
    func fixtureCoverage() {
        #expect(Set(Self.blocks.keys) == ["Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q8_0", "Q4_K", "Q6_K", "F16", "BF16"])
    }

    @Test("random blocks dequantize exactly as the reference", arguments: ["Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q8_0", "Q4_K", "Q6_K", "F16", "BF16"])
    func matchesReference(format: String) throws {
        let block = try #require(Self.blocks[format])
        let type = try #require(GGUFTensorType(rawValue: block.type))
        #expect(type.name == format)
        let bytes = Self.hexBytes(block.bytes)
        #expect(bytes.count == block.elements / type.blockSize * type.blockByteCount)
        var writer = GGUFBuilder()
        writer.addTensor("t", dimensions: [type.blockSize, block.elements / type.blockSize], type: type, data: bytes)
        try GGUFTestFiles.withFile(writer.bytes) { url in
            let values = try GGUFFile(contentsOf: url).tensor(named: "t").scalars
            #expect(values.count == block.elements)
            let mismatches = zip(values, block.values).enumerated().filter { $0.element.0 != Float($0.element.1) }
            #expect(mismatches.isEmpty, "\(format): first mismatch \(mismatches.first.map { "\($0.offset): \($0.element)" } ?? "")")
        }
    }
}
