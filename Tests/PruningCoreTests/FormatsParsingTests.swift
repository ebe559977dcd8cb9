import Foundation
@testable import PruningCore
import Testing

@Suite struct FormatsScalarConversionTests {
    /// Converts `bytes` (starting one byte into a buffer, so unaligned) as `type`.
    func convert(_ type: StoredScalarType, _ bytes: [UInt8]) -> [Float] {
        let padded = [0xAA] + bytes
        let count = bytes.count / type.byteCount
        return [Float](unsafeUninitializedCapacity: count) { output, initialized in
            padded.withUnsafeBytes { raw in
                type.convertLittleEndian(from: UnsafeRawBufferPointer(rebasing: raw[1...]), into: output)
            }
            initialized = count
        }
    }

    #if !(os(macOS) && arch(x86_64))
    @Test("binary16 conversion matches Float16 for all 65,536 bit patterns")
    func halfExhaustive() {
        for bits in 0...UInt16.max {
            let expected = Float(Float16(bitPattern: bits))
            let actual = halfToFloat(bits)
            if expected.isNaN {
                #expect(actual.isNaN, "0x\(String(bits, radix: 16))")
            } else if actual.bitPattern != expected.bitPattern {
                Issue.record("0x\(String(bits, radix: 16)): \(actual) vs \(expected)")
                return
            }
        }
    }
    #endif

    @Test("8-bit float tables at known codes")
    func float8() {
        let e4m3 = StoredScalarType.float8E4M3Table
        #expect(e4m3[0x00] == 0 && e4m3[0x80].sign == .minus)
        #expect(e4m3[0x38] == 1 && e4m3[0xB8] == -1)
        #expect(e4m3[0x7E] == 448 && e4m3[0x01] == 0x1p-9 && e4m3[0x08] == 0x1p-6 && e4m3[0x07] == 7 * 0x1p-9)
        #expect(e4m3[0x7F].isNaN && e4m3[0xFF].isNaN && e4m3.filter(\.isNaN).count == 2)
        let infinities = e4m3.filter(\.isInfinite)
        #expect(infinities.isEmpty)
        let e5m2 = StoredScalarType.float8E5M2Table
        #expect(e5m2[0x3C] == 1 && e5m2[0x7B] == 57344 && e5m2[0x01] == 0x1p-16)
        #expect(e5m2[0x7C] == .infinity && e5m2[0xFC] == -.infinity && e5m2[0x7D].isNaN)
    }

    @Test("unaligned little-endian conversions of every integer type and bfloat16")
    func integersAndBFloat() {
        #expect(convert(.uint16, [0x01, 0x00, 0xFF, 0xFF]) == [1, 65535])
        #expect(convert(.int16, [0xFE, 0xFF, 0x00, 0x80]) == [-2, -32768])
        #expect(convert(.uint32, [0x00, 0x00, 0x00, 0x80]) == [2_147_483_648])
        #expect(convert(.int32, [0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0x02, 0x00, 0x00]) == [-1, 513])
        #expect(convert(.uint64, [UInt8](repeating: 0xFF, count: 8)) == [0x1p64])
        #expect(convert(.int64, [0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x80]) == [-9_223_372_036_854_775_808])
        #expect(convert(.int8, [0x80, 0x7F]) == [-128, 127])
        #expect(convert(.uint8, [0x80, 0x7F]) == [128, 127])
        #expect(convert(.bool, [0, 1, 2, 255]) == [0, 1, 1, 1])
        #expect(convert(.bfloat16, [0x80, 0x3F, 0xC0, 0xC0]) == [1, -6])
        #expect(convert(.float64, [0, 0, 0, 0, 0, 0, 0xF0, 0x3F]) == [1])
        #expect(convert(.float32, [0, 0, 0xC0, 0x7F, 0, 0, 0x80, 0xBF]).map(\.bitPattern) == [0x7FC0_0000, 0xBF80_0000])
    }

    @Test("byte sizes")
    func byteCounts() {
        #expect(StoredScalarType.allCases.map(\.byteCount) == [8, 4, 2, 2, 1, 1, 8, 4, 2, 1, 8, 4, 2, 1, 1])
    }
}

@Suite struct FormatsJSONTests {
    func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        let bytes = Array(text.utf8)
        var result: Result<JSONValue, JSONParseError> = .success(.null)
        bytes.withUnsafeBytes { raw in
            do throws(JSONParseError) { result = .success(try JSONValue.parse(raw)) } catch { result = .failure(error) }
        }
        return try result.get()
    }

    @Test("values, escapes and surrogate pairs")
    func values() throws {
        #expect(try parse(" {\"a\" : [1, -2, 3.5, 1e2, true, false, null, \"x\"]}\n ") == .object([
            "a": .array([.integer(1), .integer(-2), .number(3.5), .number(100), .bool(true), .bool(false), .null, .string("x")]),
        ]))
        #expect(try parse(#""q\" b\\ s\/ \b\f\n\r\t \u00e9 \ud83d\ude00""#) == .string("q\" b\\ s/ \u{8}\u{c}\n\r\t é 😀"))
        #expect(try parse("9223372036854775807") == .integer(.max))
        #expect(try parse("9223372036854775808") == .number(9_223_372_036_854_775_808))
        #expect(try parse("-0") == .integer(0))
        #expect(try parse("\"ünï\"") == .string("ünï"))
    }

    @Test("syntax errors", arguments: [
        "", "{", "[1,]", "{\"a\"}", "01", "1.", ".5", "-", "1e", "tru", "\"\\x\"", "\"a\nb\"", "\"\\ud800\"",
        "\"\\udc00\"", "\"\\u12\"", "{\"a\":1,\"a\":2}", "[1] [2]", "{1:2}", "nul",
    ])
    func errors(text: String) {
        #expect(throws: JSONParseError.self) { try parse(text) }
    }

    @Test("nesting is limited")
    func depth() throws {
        #expect(throws: JSONParseError.self) { try parse(String(repeating: "[", count: 200) + String(repeating: "]", count: 200)) }
        #expect(try parse(String(repeating: "[", count: 100) + String(repeating: "]", count: 100)) != .null)
    }

    @Test("quoting escapes what JSON requires and round-trips")
    func quoting() throws {
        let original = "a\"b\\c\nd\te\u{1}f é"
        #expect(JSONValue.quoted(original) == #""a\"b\\c\nd\te\u0001f é""#)
        #expect(try parse(JSONValue.quoted(original)) == .string(original))
    }
}

@Suite struct FormatsPythonLiteralTests {
    func parse(_ text: String) throws(PythonLiteralError) -> PythonLiteral {
        var result: Result<PythonLiteral, PythonLiteralError> = .success(.none)
        Array(text.utf8).withUnsafeBytes { raw in
            do throws(PythonLiteralError) { result = .success(try PythonLiteral.parse(raw)) } catch { result = .failure(error) }
        }
        return try result.get()
    }

    @Test("tuples, parentheses, lists and dictionaries")
    func literals() throws {
        #expect(try parse("()") == .tuple([]))
        #expect(try parse("(3,)") == .tuple([.integer(3)]))
        #expect(try parse("(3)") == .integer(3))
        #expect(try parse("(2, 3 ,)") == .tuple([.integer(2), .integer(3)]))
        #expect(try parse("[1, 'a', None]") == .list([.integer(1), .string("a"), .none]))
        #expect(try parse("{'k': (1L, -2), \"j\": True, }") == .dictionary(["k": .tuple([.integer(1), .integer(-2)]), "j": .bool(true)]))
        #expect(try parse("'it\\'s'") == .string("it's"))
    }

    @Test("syntax errors", arguments: ["", "(", "(1 2)", "{'a' 1}", "{1: 2}", "Truth", "1.5", "'abc", "{'a': 1,, }", "1e3"])
    func errors(text: String) {
        #expect(throws: PythonLiteralError.self) { try parse(text) }
    }
}
