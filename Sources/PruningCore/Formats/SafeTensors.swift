import Foundation

/// Reading and writing the safetensors format (https://github.com/huggingface/safetensors).
///
/// A file is an 8-byte little-endian `u64` header length `N`, then `N` bytes of UTF-8 JSON
///
/// ```json
/// {"__metadata__": {"format": "pt"},
///  "fc.bias": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]},
///  "fc.weight": {"dtype": "F32", "shape": [4, 3], "data_offsets": [16, 64]}}
/// ```
///
/// then the data buffer; `data_offsets` are `[begin, end)` byte offsets into the buffer, and
/// elements are little-endian in row-major order. Use ``SafeTensorsFile`` to read lazily.
public enum SafeTensors {
    /// The largest header length accepted when reading (100 MB, as the reference
    /// implementation).
    public static let maximumHeaderLength = 100_000_000

    /// Reads every tensor of the file at `url`, converted to `Float`.
    ///
    /// - Throws: ``FormatError`` as ``SafeTensorsFile/init(contentsOf:)``.
    public static func read(from url: URL) throws -> [String: Tensor] {
        try SafeTensorsFile(contentsOf: url).tensors()
    }

    /// Writes `tensors` as `F32` to a safetensors file at `url`, replacing it atomically.
    ///
    /// The output is deterministic: tensors are laid out in sorted name order, metadata keys are
    /// sorted, and the JSON header is padded with spaces to a multiple of 8 bytes so that the
    /// data buffer starts 8-byte aligned, as the reference implementation does. The bytes go to
    /// a temporary file in the same directory, which is renamed over `url` once complete.
    ///
    /// - Parameters:
    ///   - tensors: the tensors by name; a name must not be `__metadata__`.
    ///   - metadata: free-form strings stored under `__metadata__` (omitted when empty).
    ///   - url: the destination file.
    /// - Throws: ``FormatError/writeFailed(file:reason:)``.
    public static func write(_ tensors: [String: Tensor], metadata: [String: String] = [:], to url: URL) throws {
        try stage(tensors, metadata: metadata, to: url).publish()
    }

    /// Writes the file of ``write(_:metadata:to:)`` to a temporary file beside `url`, flushed
    /// and not yet renamed.
    static func stage(_ tensors: [String: Tensor], metadata: [String: String], to url: URL) throws -> StagedFile {
        precondition(tensors["__metadata__"] == nil, "SafeTensors.write: '__metadata__' is reserved and cannot name a tensor")
        let names = tensors.keys.sorted()
        let header = encodeHeader(names: names, shapes: names.map { tensors[$0]!.shape }, metadata: metadata)
        var writer = try AtomicFileWriter(url: url)
        let length = UInt64(header.count)
        try writer.write((0..<8).map { UInt8(truncatingIfNeeded: length >> (8 * $0)) })
        try writer.write(header)
        for name in names {
            try writeLittleEndian(tensors[name]!, to: &writer)
        }
        return try writer.stage()
    }

    /// The JSON header for `F32` tensors laid out back to back in the order of `names`, padded
    /// with spaces to a multiple of 8 bytes.
    static func encodeHeader(names: [String], shapes: [[Int]], metadata: [String: String]) -> [UInt8] {
        var parts: [String] = []
        if !metadata.isEmpty {
            let items = metadata.keys.sorted().map { JSONValue.quoted($0) + ":" + JSONValue.quoted(metadata[$0]!) }
            parts.append("\"__metadata__\":{" + items.joined(separator: ",") + "}")
        }
        var offset = 0
        for (name, shape) in zip(names, shapes) {
            let end = offset + Tensor.elementCount(of: shape) * MemoryLayout<Float>.size
            let dims = shape.map(String.init).joined(separator: ",")
            parts.append(
                JSONValue.quoted(name) + ":{\"dtype\":\"F32\",\"shape\":[\(dims)],\"data_offsets\":[\(offset),\(end)]}")
            offset = end
        }
        var bytes = Array(("{" + parts.joined(separator: ",") + "}").utf8)
        bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: (8 - bytes.count % 8) % 8))
        return bytes
    }

    /// Appends the elements of `tensor` as little-endian `Float`s.
    static func writeLittleEndian(_ tensor: Tensor, to writer: inout AtomicFileWriter) throws {
        try tensor.withUnsafeBufferPointer { buffer in
            #if _endian(little)
            try writer.write(UnsafeRawBufferPointer(buffer))
            #else
            var chunk = [UInt32](repeating: 0, count: 4096)
            var start = 0
            while start < buffer.count {
                let n = min(chunk.count, buffer.count - start)
                for i in 0..<n { chunk[i] = buffer[start + i].bitPattern.littleEndian }
                try chunk.withUnsafeBytes { try writer.write(UnsafeRawBufferPointer(rebasing: $0[0..<(4 * n)])) }
                start += n
            }
            #endif
        }
    }
}

extension Module {
    /// Saves every parameter and buffer to a safetensors file at `url` under its dotted name
    /// (for example `layers.0.weight`), as `F32`, replacing the file atomically.
    ///
    /// - Parameters:
    ///   - url: the file to write.
    ///   - metadata: free-form strings stored in the header's `__metadata__`.
    /// - Throws: ``FormatError/writeFailed(file:reason:)``.
    public func save(to url: URL, metadata: [String: String] = [:]) throws {
        try SafeTensors.write(stateDictionary(), metadata: metadata, to: url)
    }

    /// Loads parameter values by dotted name from the safetensors file at `url`.
    ///
    /// Tensors of any supported element type are converted to `Float`. Names and shapes are
    /// checked against the header first, and only tensors naming a parameter are read, so a
    /// mismatch is reported without converting any data.
    ///
    /// - Parameters:
    ///   - url: the safetensors file to read.
    ///   - strict: when true, the file must hold exactly this module's parameters.
    /// - Throws: ``FormatError`` for a missing or malformed file; ``ModuleError/inFile(file:error:)``
    ///   for a missing, unexpected or mis-shaped parameter, or a value holding NaN or infinity.
    public func load(from url: URL, strict: Bool = true) throws {
        let file = try SafeTensorsFile(contentsOf: url)
        let parameters = namedParameters()
        func named(_ error: ModuleError) -> ModuleError { .inFile(file: url.path, error: error) }
        // Check names and shapes against the header before converting any data.
        for (name, parameter) in parameters {
            guard let shape = file.shape(of: name) else {
                if strict { throw named(.missingParameter(name)) }
                continue
            }
            guard shape == parameter.shape else {
                throw named(.shapeMismatch(name: name, expected: parameter.shape, found: shape))
            }
        }
        let known = Set(parameters.map(\.name))
        if strict, let extra = file.names.first(where: { !known.contains($0) }) {
            throw named(.unexpectedParameter(extra))
        }
        var values: [String: Tensor] = [:]
        for (name, _) in parameters where file.contains(name) {
            let value = try file.tensor(named: name)
            if let index = value.firstNonFiniteIndex { throw named(.nonFiniteValue(name: name, index: index)) }
            values[name] = value
        }
        try load(values, strict: false)
    }
}
