import Foundation

/// Reading and writing NumPy `.npy` files (format versions 1.0, 2.0 and 3.0).
///
/// Reading accepts C-order arrays of `f2`, `f4`, `f8`, `i1`, `i2`, `i4`, `i8`, `u1`, `u2`,
/// `u4`, `u8` and `b1` in either byte order and converts them to `Float`. Writing produces a
/// version 1.0 `<f4` file byte-identical to `numpy.save` of a `float32` array.
///
/// ```swift
/// try NumPy.write(weights, to: url)
/// let restored = try NumPy.read(from: url)   // same shape and values
/// ```
public enum NumPy {
    /// Reads the array in the `.npy` file at `url`, converting it to `Float`.
    ///
    /// - Returns: a tensor of the stored shape (`[]` for a 0-d array).
    /// - Throws: ``FormatError`` for a missing file, a bad magic, an unsupported version, a
    ///   malformed header, an unsupported `descr` or Fortran order, or a data section whose
    ///   length differs from `shape × element size`.
    public static func read(from url: URL) throws -> Tensor {
        let file = try MappedFile(url: url)
        let header = try NumPyHeader(parsing: file.bytes, file: file.path)
        let needed = header.count * header.dtype.byteCount
        let available = file.count - header.dataStart
        guard available >= needed else {
            throw FormatError.truncated(
                file: file.path, detail: "shape \(header.shape) needs \(needed) data bytes, file has \(available)")
        }
        guard available == needed else {
            throw FormatError.byteCountMismatch(file: file.path, tensor: "", expected: needed, actual: available)
        }
        let data = UnsafeRawBufferPointer(rebasing: file.bytes[header.dataStart..<file.count])
        return Tensor(shape: header.shape) { destination in
            if header.isBigEndian {
                let swapped = byteSwapped(data, elementSize: header.dtype.byteCount)
                swapped.withUnsafeBytes { header.dtype.convertLittleEndian(from: $0, into: destination) }
            } else {
                header.dtype.convertLittleEndian(from: data, into: destination)
            }
        }
    }

    /// Writes `tensor` as a version 1.0 `<f4` C-order `.npy` file at `url`, replacing it
    /// atomically (a temporary file in the same directory is renamed over `url`).
    ///
    /// - Throws: ``FormatError/writeFailed(file:reason:)``.
    public static func write(_ tensor: Tensor, to url: URL) throws {
        var writer = try AtomicFileWriter(url: url)
        try writer.write(NumPyHeader.encodeFloat32(shape: tensor.shape))
        try SafeTensors.writeLittleEndian(tensor, to: &writer)
        try writer.commit()
    }

    /// `data` with the bytes of every `elementSize`-byte element reversed.
    private static func byteSwapped(_ data: UnsafeRawBufferPointer, elementSize: Int) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: data.count)
        for element in stride(from: 0, to: data.count, by: elementSize) {
            for byte in 0..<elementSize {
                result[element + byte] = data[element + elementSize - 1 - byte]
            }
        }
        return result
    }
}
