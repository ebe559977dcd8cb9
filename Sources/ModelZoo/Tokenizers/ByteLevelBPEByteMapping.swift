/// GPT-2's reversible mapping between bytes and printable Unicode scalars.
///
/// Byte-level BPE vocabularies spell every token as a string of these scalars, one per byte:
/// the printable bytes `!`…`~`, `¡`…`¬` and `®`…`ÿ` stand for themselves; the other 68 bytes
/// (controls, space, `0x7F`…`0xA0`, soft hyphen) map in increasing order to U+0100…U+0143, so
/// that a space is spelled `Ġ` (U+0120) and a newline `Ċ` (U+010A).
///
/// Reference: Radford et al., "Language Models are Unsupervised Multitask Learners" (2019), and
/// the `bytes_to_unicode` function of the GPT-2 encoder.
enum ByteLevelBPEByteMapping {
    /// The scalar value that spells each byte.
    static let scalarValueForByte: [UInt32] = {
        var values = [UInt32](repeating: 0, count: 256)
        var next: UInt32 = 256
        for byte in 0..<256 {
            if isPrintable(byte) {
                values[byte] = UInt32(byte)
            } else {
                values[byte] = next
                next += 1
            }
        }
        return values
    }()

    /// The byte each spelling scalar stands for, indexed by scalar value (`-1` for scalars that
    /// spell no byte); covers scalar values 0…323.
    static let byteForScalarValue: [Int16] = {
        var table = [Int16](repeating: -1, count: 324)
        for (byte, value) in scalarValueForByte.enumerated() { table[Int(value)] = Int16(byte) }
        return table
    }()

    /// Whether `byte` is spelled by the scalar of the same value.
    private static func isPrintable(_ byte: Int) -> Bool {
        (33...126).contains(byte) || (161...172).contains(byte) || (174...255).contains(byte)
    }

    /// The spelling of `bytes`.
    static func spelling<S: Sequence<UInt8>>(of bytes: S) -> String {
        var result = String.UnicodeScalarView()
        for byte in bytes { result.append(Unicode.Scalar(scalarValueForByte[Int(byte)])!) }
        return String(result)
    }

    /// The bytes a token spelled in the byte alphabet stands for, or `nil` when the token uses a
    /// scalar outside the alphabet.
    static func bytes(ofSpelling token: String) -> [UInt8]? {
        var bytes = [UInt8]()
        bytes.reserveCapacity(token.unicodeScalars.count)
        for scalar in token.unicodeScalars {
            let value = Int(scalar.value)
            guard value < byteForScalarValue.count, byteForScalarValue[value] >= 0 else { return nil }
            bytes.append(UInt8(byteForScalarValue[value]))
        }
        return bytes
    }
}
