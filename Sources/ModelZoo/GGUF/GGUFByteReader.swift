/// A bounds-checked little-endian cursor over the bytes of a GGUF file.
///
/// Every read checks the remaining length first and throws ``GGUFError/truncated(file:detail:)``
/// naming the field being read; lengths and counts are checked against the remaining bytes
/// before anything is allocated.
struct GGUFByteReader {
    /// The whole file.
    let bytes: UnsafeRawBufferPointer
    /// The path, for error messages.
    let file: String
    /// The offset of the next byte to read.
    private(set) var position = 0

    /// The number of bytes after ``position``.
    var remaining: Int { bytes.count - position }

    init(bytes: UnsafeRawBufferPointer, file: String) {
        self.bytes = bytes
        self.file = file
    }

    /// Reads a little-endian integer; `field` names it in the error when the file ends first.
    mutating func read<T: FixedWidthInteger>(_: T.Type, _ field: @autoclosure () -> String) throws -> T {
        let size = MemoryLayout<T>.size
        guard remaining >= size else {
            throw GGUFError.truncated(file: file, detail: "the file ends inside \(field())")
        }
        let value = T(littleEndian: bytes.loadUnaligned(fromByteOffset: position, as: T.self))
        position += size
        return value
    }

    /// Reads a 64-bit count and checks that `count × minimumElementSize` bytes remain.
    mutating func readCount(_ field: @autoclosure () -> String, minimumElementSize: Int) throws -> Int {
        let count = try read(UInt64.self, field())
        guard count <= UInt64(remaining / minimumElementSize) else {
            throw GGUFError.countTooLarge(file: file, field: field(), count: count, remainingBytes: remaining)
        }
        return Int(count)
    }

    /// Reads a GGUF string: a 64-bit byte length and that many bytes of UTF-8.
    mutating func readString(_ field: @autoclosure () -> String) throws -> String {
        let length = try readCount("the length of \(field())", minimumElementSize: 1)
        let raw = UnsafeRawBufferPointer(rebasing: bytes[position..<(position + length)])
        guard let string = Self.decodeUTF8(raw) else {
            throw GGUFError.invalidString(file: file, field: field())
        }
        position += length
        return string
    }

    /// Reads `count` fixed-width little-endian values (the count was checked by the caller).
    mutating func readArray<T: FixedWidthInteger>(of _: T.Type, count: Int) -> [T] {
        let size = MemoryLayout<T>.size
        precondition(count <= remaining / size, "GGUFByteReader: \(count) values of \(size) bytes exceed \(remaining) bytes")
        guard count > 0 else { return [] }
        let base = bytes.baseAddress! + position
        position += count * size
        return [T](unsafeUninitializedCapacity: count) { buffer, initialized in
            for i in 0..<count {
                buffer[i] = T(littleEndian: base.loadUnaligned(fromByteOffset: i * size, as: T.self))
            }
            initialized = count
        }
    }

    /// The string spelled by `raw`, or `nil` when it is not valid UTF-8.
    static func decodeUTF8(_ raw: UnsafeRawBufferPointer) -> String? {
        var isASCII = true
        for byte in raw where byte >= 0x80 {
            isASCII = false
            break
        }
        let string = String(decoding: raw, as: UTF8.self)
        if isASCII { return string }
        // Decoding replaces invalid sequences with U+FFFD, which changes the bytes.
        return string.utf8.elementsEqual(raw) ? string : nil
    }
}
