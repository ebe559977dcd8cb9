import Foundation
import PruningCore

/// One change applied to a seed file to make a fuzz input.
package enum FuzzMutation: Sendable, Equatable, CustomStringConvertible {
    /// Flip the given bits (`bit` indexes bytes × 8).
    case flipBits([Int])
    /// Keep only the first `count` bytes.
    case truncate(Int)
    /// Set a field to the little-endian pattern of `value` (0, −1, 2^63, …).
    case setField(FuzzField, UInt64)
    /// Overwrite `count` bytes at `offset` with `byte`.
    case fill(offset: Int, count: Int, byte: UInt8)
    /// Append `count` bytes of `byte`.
    case append(count: Int, byte: UInt8)
    /// Replace the `index`-th number token of the JSON with `text`.
    case jsonNumber(index: Int, text: String)
    /// Replace the `index`-th string token of the JSON with the string token `text` (quoted).
    case jsonString(index: Int, text: String)
    /// Delete the `index`-th JSON value token and its preceding key, if any ("remove a field").
    case jsonDelete(index: Int)
    /// Insert invalid UTF-8 (`bytes`) at `offset`.
    case insertBytes(offset: Int, bytes: [UInt8])
    /// Empty the file.
    case empty

    package var description: String {
        switch self {
        case .flipBits(let bits): "flip bits \(bits)"
        case .truncate(let count): "truncate to \(count) bytes"
        case .setField(let field, let value): "set \(field.width)-byte field at \(field.offset) to \(Int64(bitPattern: value))"
        case .fill(let offset, let count, let byte): "fill \(count) bytes at \(offset) with \(byte)"
        case .append(let count, let byte): "append \(count) bytes of \(byte)"
        case .jsonNumber(let index, let text): "JSON number #\(index) := \(text)"
        case .jsonString(let index, let text): "JSON string #\(index) := \(text)"
        case .jsonDelete(let index): "delete JSON member #\(index)"
        case .insertBytes(let offset, let bytes): "insert \(bytes) at \(offset)"
        case .empty: "empty file"
        }
    }

    /// The extreme values tried in integer fields.
    package static let extremeValues: [UInt64] = [0, UInt64.max, 1 << 63, 1 << 62, UInt64(Int32.max) + 1, 0xFFFF_FFFF]

    /// Numbers tried in JSON: zero, negatives, beyond `Int64`, fractions, exponents, non-numbers.
    package static let extremeNumbers = [
        "0", "-1", "9223372036854775807", "9223372036854775808", "-9223372036854775808", "18446744073709551616",
        "1e300", "1.5", "-0", "4294967296", "\"7\"", "null", "[]", "{}", "true",
    ]

    /// `file`'s bytes with the mutation applied.
    package func apply(to file: FuzzSeedFile) -> [UInt8] {
        var bytes = file.bytes
        switch self {
        case .flipBits(let bits):
            for bit in bits where bit / 8 < bytes.count { bytes[bit / 8] ^= UInt8(1 << (bit % 8)) }
        case .truncate(let count):
            bytes = Array(bytes.prefix(max(0, count)))
        case .setField(let field, let value):
            for byte in 0..<field.width where field.offset + byte < bytes.count {
                bytes[field.offset + byte] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(byte)))
            }
        case .fill(let offset, let count, let byte):
            for index in min(offset, bytes.count)..<min(bytes.count, offset + count) { bytes[index] = byte }
        case .append(let count, let byte):
            bytes += [UInt8](repeating: byte, count: count)
        case .jsonNumber(let index, let text):
            bytes = Self.replacingJSONToken(in: file, kind: .number, index: index, with: Array(text.utf8))
        case .jsonString(let index, let text):
            bytes = Self.replacingJSONToken(in: file, kind: .string, index: index, with: Array(text.utf8))
        case .jsonDelete(let index):
            bytes = Self.deletingJSONMember(in: file, index: index)
        case .insertBytes(let offset, let inserted):
            bytes.insert(contentsOf: inserted, at: min(offset, bytes.count))
        case .empty:
            bytes = []
        }
        return bytes
    }

    /// Applies the mutation to `file`, keeping its JSON region in step with the bytes so that
    /// mutations can be stacked.
    package func apply(to file: inout FuzzSeedFile) {
        let before = file.bytes.count
        file.bytes = apply(to: file)
        guard var region = file.json else { return }
        switch self {
        case .jsonNumber, .jsonString, .jsonDelete:
            region.range = region.range.lowerBound..<(region.range.upperBound + file.bytes.count - before)
        case .insertBytes(let offset, let bytes) where offset <= region.range.upperBound:
            region.range = region.range.lowerBound..<(region.range.upperBound + bytes.count)
        default:
            break
        }
        let upper = min(region.range.upperBound, file.bytes.count)
        region.range = min(region.range.lowerBound, upper)..<upper
        if let field = region.lengthField, field + 8 > file.bytes.count { region.lengthField = nil }
        file.json = region
    }

    /// A random mutation of `file` (one of the kinds above, weighted toward the structural ones).
    package static func random(for file: FuzzSeedFile, using random: inout RandomGenerator) -> FuzzMutation {
        let count = max(1, file.bytes.count)
        func index(_ n: Int) -> Int { n <= 1 ? 0 : Int(random.next() % UInt64(n)) }
        let tokens = file.json.map { JSONTokens(file.bytes, region: $0.range) }
        let choice = index(10)
        switch choice {
        case 0, 1:
            // A few bit flips, anywhere (or in the first bytes, where headers are).
            let span = index(2) == 0 ? count : min(count, 256)
            return .flipBits((0..<(1 + index(4))).map { _ in index(span * 8) })
        case 2:
            if !file.boundaries.isEmpty, index(2) == 0 {
                return .truncate(file.boundaries[index(file.boundaries.count)] + index(3) - 1)
            }
            return .truncate(index(count))
        case 3:
            if !file.fields.isEmpty {
                let field = file.fields[index(file.fields.count)]
                let value = index(3) == 0 ? random.next() : extremeValues[index(extremeValues.count)]
                return .setField(field, value)
            }
            return .fill(offset: index(count), count: 1 + index(16), byte: [0, 0xFF, 0x80][index(3)])
        case 4, 5:
            if let tokens, !tokens.numbers.isEmpty {
                let text = index(4) == 0 ? tokens.numberText(index(tokens.numbers.count)) : extremeNumbers[index(extremeNumbers.count)]
                return .jsonNumber(index: index(tokens.numbers.count), text: text)
            }
            return .fill(offset: index(count), count: 1 + index(8), byte: UInt8(truncatingIfNeeded: random.next()))
        case 6, 7:
            if let tokens, !tokens.strings.isEmpty {
                // Copy another string of the same JSON (duplicate names, swapped types) or try a
                // stray one.
                let strays = ["\"\"", "\"__metadata__\"", "\"F64\"", "\"I8\"", "\"BOOL\"", "\"U64\"", "\"Q4\"", "\"\\u0000\""]
                let text = index(3) > 0 ? tokens.stringText(index(tokens.strings.count)) : strays[index(strays.count)]
                return .jsonString(index: index(tokens.strings.count), text: text)
            }
            return .flipBits([index(count * 8)])
        case 8:
            if let tokens, !tokens.values.isEmpty { return .jsonDelete(index: index(tokens.values.count)) }
            return .append(count: 1 + index(64), byte: UInt8(truncatingIfNeeded: random.next()))
        default:
            if file.isText, index(2) == 0 {
                let invalid: [[UInt8]] = [[0xFF], [0xC3], [0xE2, 0x82], [0xED, 0xA0, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80], [0x00]]
                return .insertBytes(offset: index(count + 1), bytes: invalid[index(invalid.count)])
            }
            return index(8) == 0 ? .empty : .append(count: 1 + index(4096), byte: UInt8(truncatingIfNeeded: random.next()))
        }
    }

    // MARK: JSON tokens

    private static func replacingJSONToken(in file: FuzzSeedFile, kind: JSONTokens.Kind, index: Int, with replacement: [UInt8]) -> [UInt8] {
        guard let region = file.json else { return file.bytes }
        let tokens = JSONTokens(file.bytes, region: region.range)
        let list = kind == .number ? tokens.numbers : tokens.strings
        guard !list.isEmpty else { return file.bytes }
        return splice(file, region: region, replacing: list[index % list.count], with: replacement)
    }

    private static func deletingJSONMember(in file: FuzzSeedFile, index: Int) -> [UInt8] {
        guard let region = file.json else { return file.bytes }
        let tokens = JSONTokens(file.bytes, region: region.range)
        guard !tokens.values.isEmpty else { return file.bytes }
        return splice(file, region: region, replacing: tokens.values[index % tokens.values.count], with: [])
    }

    /// Replaces `range` inside the JSON and rewrites the length field.
    private static func splice(_ file: FuzzSeedFile, region: FuzzJSONRegion, replacing range: Range<Int>, with replacement: [UInt8]) -> [UInt8] {
        var bytes = file.bytes
        bytes.replaceSubrange(range, with: replacement)
        if let lengthField = region.lengthField {
            let length = UInt64(region.range.count - range.count + replacement.count)
            for byte in 0..<8 { bytes[lengthField + byte] = UInt8(truncatingIfNeeded: length >> (8 * UInt64(byte))) }
        }
        return bytes
    }
}

/// The number and string tokens of a JSON text, found by a lexical scan (no parsing, so that the
/// mutator works on any seed).
struct JSONTokens {
    enum Kind { case number, string }

    let bytes: [UInt8]
    /// Byte ranges of number literals.
    private(set) var numbers: [Range<Int>] = []
    /// Byte ranges of string literals, quotes included.
    private(set) var strings: [Range<Int>] = []
    /// Ranges of `"key": value` members (key through the value's first token) and of array
    /// elements, for deletion; each includes a neighbouring comma when there is one.
    private(set) var values: [Range<Int>] = []

    init(_ bytes: [UInt8], region: Range<Int>) {
        self.bytes = bytes
        var index = region.lowerBound
        var lastString: Range<Int>?
        while index < region.upperBound {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                var end = index + 1
                while end < region.upperBound, bytes[end] != UInt8(ascii: "\"") {
                    end += bytes[end] == UInt8(ascii: "\\") ? 2 : 1
                }
                let token = index..<min(region.upperBound, end + 1)
                strings.append(token)
                lastString = token
                index = token.upperBound
            } else if byte == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) {
                var end = index + 1
                while end < region.upperBound, Self.isNumberByte(bytes[end]) { end += 1 }
                numbers.append(index..<end)
                index = end
            } else if byte == UInt8(ascii: ":"), let key = lastString {
                // A member: from the key to the end of the value's first token, with a following comma.
                var end = index + 1
                while end < region.upperBound, bytes[end] == UInt8(ascii: " ") { end += 1 }
                var valueEnd = end
                if valueEnd < region.upperBound, bytes[valueEnd] == UInt8(ascii: "\"") {
                    valueEnd += 1
                    while valueEnd < region.upperBound, bytes[valueEnd] != UInt8(ascii: "\"") {
                        valueEnd += bytes[valueEnd] == UInt8(ascii: "\\") ? 2 : 1
                    }
                    valueEnd += 1
                } else {
                    while valueEnd < region.upperBound, ![UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), UInt8(ascii: "{"), UInt8(ascii: "[")].contains(bytes[valueEnd]) {
                        valueEnd += 1
                    }
                }
                valueEnd = min(valueEnd, region.upperBound)
                if valueEnd < region.upperBound, bytes[valueEnd] == UInt8(ascii: ",") { valueEnd += 1 }
                values.append(key.lowerBound..<valueEnd)
                index += 1
            } else {
                index += 1
            }
        }
    }

    func numberText(_ index: Int) -> String { String(decoding: bytes[numbers[index]], as: UTF8.self) }
    func stringText(_ index: Int) -> String { String(decoding: bytes[strings[index]], as: UTF8.self) }

    private static func isNumberByte(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
            || [UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"), UInt8(ascii: "+"), UInt8(ascii: "-")].contains(byte)
    }
}
