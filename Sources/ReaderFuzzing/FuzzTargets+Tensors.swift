import Foundation
import PruningCore

extension FuzzTargets {
    /// safetensors: every tensor read and converted.
    static func safeTensors() throws -> FuzzTarget {
        var random = RandomGenerator(seed: 11)
        let written = try FuzzScratch.files { folder in
            try SafeTensors.write(
                ["embed.weight": Tensor.randomNormal([6, 4], using: &random), "norm": Tensor(shape: [4], scalars: [1, 2, 3, 4]),
                 "scale": Tensor(shape: [], scalars: [0.5])],
                metadata: ["format": "pt", "note": "seed"], to: folder.appendingPathComponent("model.safetensors"))
        }
        // Every stored type, as another writer would lay them out.
        let mixed = handWrittenSafeTensors([
            ("f16", "F16", [3], [0x00, 0x3C, 0x00, 0xC0, 0x00, 0x7C]),
            ("bf16", "BF16", [2], [0x80, 0x3F, 0x00, 0x40]),
            ("f64", "F64", [1], [0, 0, 0, 0, 0, 0, 0xF0, 0x3F]),
            ("i64", "I64", [2], [1, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]),
            ("u8", "U8", [2, 2], [1, 2, 3, 4]),
            ("flag", "BOOL", [2], [0, 1]),
            ("i32", "I32", [1, 1], [7, 0, 0, 0]),
        ])
        return FuzzTarget(name: "safetensors", seeds: [
            FuzzSeed(label: "written", files: [FuzzScratch.safeTensorsSeed(name: "model.safetensors", bytes: written["model.safetensors"]!)]),
            FuzzSeed(label: "mixed-types", files: [FuzzScratch.safeTensorsSeed(name: "model.safetensors", bytes: mixed)]),
        ]) { folder in
            let file = try SafeTensorsFile(contentsOf: folder.appendingPathComponent("model.safetensors"))
            _ = try file.tensors()
        }
    }

    /// A safetensors file with the given tensors' raw bytes, laid out back to back.
    static func handWrittenSafeTensors(_ tensors: [(name: String, dtype: String, shape: [Int], bytes: [UInt8])]) -> [UInt8] {
        var offset = 0
        var parts: [String] = []
        var data: [UInt8] = []
        for tensor in tensors {
            parts.append("\"\(tensor.name)\":{\"dtype\":\"\(tensor.dtype)\",\"shape\":[\(tensor.shape.map(String.init).joined(separator: ","))],\"data_offsets\":[\(offset),\(offset + tensor.bytes.count)]}")
            offset += tensor.bytes.count
            data += tensor.bytes
        }
        let header = Array(("{" + parts.joined(separator: ",") + "}").utf8)
        return (0..<8).map { UInt8(truncatingIfNeeded: header.count >> (8 * $0)) } + header + data
    }

    /// `.npy`: versions 1 and 2, several types and both byte orders.
    static func numPy() throws -> FuzzTarget {
        let written = try FuzzScratch.files { folder in
            try NumPy.write(Tensor(shape: [3, 4], scalars: (0..<12).map(Float.init)), to: folder.appendingPathComponent("array.npy"))
        }
        func handWritten(version: UInt8, descr: String, shape: String, data: [UInt8]) -> [UInt8] {
            var header = Array("{'descr': '\(descr)', 'fortran_order': False, 'shape': \(shape), }".utf8)
            let prefix = version == 1 ? 10 : 12
            let padded = (prefix + header.count + 1 + 63) / 64 * 64
            header += [UInt8](repeating: UInt8(ascii: " "), count: padded - prefix - header.count - 1) + [0x0A]
            var bytes: [UInt8] = [0x93] + Array("NUMPY".utf8) + [version, 0]
            if version == 1 {
                bytes += [UInt8(header.count & 0xFF), UInt8(header.count >> 8)]
            } else {
                bytes += (0..<4).map { UInt8(truncatingIfNeeded: header.count >> (8 * $0)) }
            }
            return bytes + header + data
        }
        func seed(_ label: String, _ bytes: [UInt8], version: UInt8) -> FuzzSeed {
            let headerStart = version == 1 ? 10 : 12
            let length = version == 1 ? Int(bytes[8]) | Int(bytes[9]) << 8 : (0..<4).reduce(0) { $0 | Int(bytes[8 + $1]) << (8 * $1) }
            let file = FuzzSeedFile(
                name: "array.npy", bytes: bytes, fields: [FuzzField(offset: 8, width: version == 1 ? 2 : 4)],
                boundaries: [6, 8, headerStart, headerStart + length],
                json: FuzzJSONRegion(range: headerStart..<(headerStart + length)))
            return FuzzSeed(label: label, files: [file])
        }
        return FuzzTarget(name: "npy", seeds: [
            seed("written", written["array.npy"]!, version: 1),
            seed("int64", handWritten(version: 1, descr: "<i8", shape: "(2,)", data: [5, 0, 0, 0, 0, 0, 0, 0, 0xFB, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]), version: 1),
            seed("big-endian-f8", handWritten(version: 2, descr: ">f8", shape: "(1, 2)", data: [0x3F, 0xF0, 0, 0, 0, 0, 0, 0, 0xC0, 0, 0, 0, 0, 0, 0, 0]), version: 2),
            seed("bool", handWritten(version: 1, descr: "|b1", shape: "(3,)", data: [1, 0, 1]), version: 1),
            seed("scalar", handWritten(version: 1, descr: "<f2", shape: "()", data: [0x00, 0x3C]), version: 1),
        ]) { folder in
            _ = try NumPy.read(from: folder.appendingPathComponent("array.npy"))
        }
    }

    /// idx files (the Fashion-MNIST format), raw and gzip-compressed.
    static func idx(compressed: Bool) throws -> FuzzTarget {
        func idx(type: UInt8, shape: [Int], data: [UInt8]) -> [UInt8] {
            var bytes: [UInt8] = [0, 0, type, UInt8(shape.count)]
            for dimension in shape { bytes += [24, 16, 8, 0].map { UInt8(truncatingIfNeeded: dimension >> $0) } }
            return bytes + data
        }
        let raw: [(String, [UInt8], Int)] = [
            ("images", idx(type: 0x08, shape: [3, 4, 4], data: (0..<48).map { UInt8($0 * 5) }), 3),
            ("labels", idx(type: 0x08, shape: [7], data: [0, 1, 2, 3, 4, 5, 9]), 1),
            ("floats", idx(type: 0x0D, shape: [2, 2], data: [0x3F, 0x80, 0, 0, 0x40, 0, 0, 0, 0xBF, 0x80, 0, 0, 0, 0, 0, 0]), 2),
            ("int16", idx(type: 0x0B, shape: [3], data: [0, 1, 0xFF, 0xFE, 0x7F, 0xFF]), 1),
        ]
        let name = compressed ? "data-idx-ubyte.gz" : "data-idx-ubyte"
        let seeds = try raw.map { label, bytes, rank -> FuzzSeed in
            if compressed {
                let packed = try GzipCompression.compress(bytes)
                return FuzzSeed(label: label, files: [FuzzSeedFile(
                    name: name, bytes: packed, fields: [FuzzField(offset: packed.count - 4, width: 4), FuzzField(offset: packed.count - 8, width: 4)],
                    boundaries: [2, 3, 4, 10, packed.count - 8, packed.count - 4])])
            }
            return FuzzSeed(label: label, files: [FuzzSeedFile(
                name: name, bytes: bytes,
                fields: [FuzzField(offset: 2, width: 1), FuzzField(offset: 3, width: 1)] + (0..<rank).map { FuzzField(offset: 4 + 4 * $0, width: 4) },
                boundaries: [2, 3, 4] + (0...rank).map { 4 + 4 * $0 })])
        }
        return FuzzTarget(name: compressed ? "idx.gz" : "idx", seeds: seeds) { folder in
            _ = try IDXArray(contentsOf: folder.appendingPathComponent(name)).tensor()
        }
    }
}
