import CZlib

/// A streaming gzip decompressor over an in-memory compressed buffer, built on zlib's `inflate`.
///
/// Reads proceed in caller-sized pieces, so a reader can decode a header first and size its
/// buffers from it instead of decompressing an unknown amount. Concatenated gzip members are
/// decoded as one stream (as `gzip -d` does); bytes after the last member that do not start a
/// new member are ignored. ``finish()`` reaches the end of the stream, which makes zlib verify
/// the CRC-32 and length stored in each member's trailer.
final class GzipDecompressor {
    private let stream: UnsafeMutablePointer<z_stream>
    private let input: UnsafeRawBufferPointer
    private let file: String
    /// Input bytes not yet handed to zlib.
    private var inputOffset = 0
    private var isAtEnd = false

    /// The two bytes that start every gzip member.
    static let magic: [UInt8] = [0x1F, 0x8B]

    /// Prepares to decompress `input`, a gzip stream read from `file`.
    ///
    /// - Throws: ``FormatError/decompressionFailed(file:reason:)`` when zlib cannot start.
    init(input: UnsafeRawBufferPointer, file: String) throws(FormatError) {
        self.input = input
        self.file = file
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        // 16 + MAX_WBITS: expect a gzip wrapper and a window of up to 32 KiB.
        let status = inflateInit2_(stream, 16 + MAX_WBITS, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            stream.deallocate()
            throw .decompressionFailed(file: file, reason: "inflateInit2 returned \(status)")
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deallocate()
    }

    /// Decompresses into `buffer` until it is full.
    ///
    /// - Throws: ``FormatError/truncated(file:detail:)`` when the stream ends (or the input
    ///   runs out) first; ``FormatError/decompressionFailed(file:reason:)`` for corrupt data.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(FormatError) {
        let produced = try inflate(into: buffer)
        guard produced == buffer.count else {
            throw .truncated(file: file, detail: "decompressed data ends after \(produced) of \(buffer.count) requested bytes")
        }
    }

    /// Decompresses `count` bytes.
    func read(count: Int) throws(FormatError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var failure: FormatError?
        bytes.withUnsafeMutableBytes { buffer in
            do throws(FormatError) { try read(into: buffer) } catch { failure = error }
        }
        if let failure { throw failure }
        return bytes
    }

    /// Decompresses the rest of the stream, verifying each member's checksum, and returns how
    /// many bytes it held (at most `limit + 1`: counting stops once `limit` is exceeded).
    func finish(limit: Int) throws(FormatError) -> Int {
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 1)
        defer { scratch.deallocate() }
        var total = 0
        while !isAtEnd && total <= limit {
            total += try inflate(into: scratch)
        }
        return total
    }

    /// Inflates into `buffer` until it is full or the stream ends; returns the bytes produced.
    private func inflate(into buffer: UnsafeMutableRawBufferPointer) throws(FormatError) -> Int {
        var produced = 0
        while produced < buffer.count && !isAtEnd {
            if stream.pointee.avail_in == 0 {
                guard inputOffset < input.count else {
                    throw .truncated(file: file, detail: "compressed data ends before the end of the gzip stream")
                }
                let chunk = min(input.count - inputOffset, Int(UInt32.max))
                stream.pointee.next_in = UnsafeMutablePointer(
                    mutating: input.baseAddress!.advanced(by: inputOffset).assumingMemoryBound(to: Bytef.self))
                stream.pointee.avail_in = uInt(chunk)
                inputOffset += chunk
            }
            let requested = min(buffer.count - produced, Int(UInt32.max))
            stream.pointee.next_out = buffer.baseAddress!.advanced(by: produced).assumingMemoryBound(to: Bytef.self)
            stream.pointee.avail_out = uInt(requested)
            let status = CZlib.inflate(stream, Z_NO_FLUSH)
            produced += requested - Int(stream.pointee.avail_out)
            switch status {
            case Z_OK, Z_BUF_ERROR:
                continue
            case Z_STREAM_END:
                try startNextMemberOrEnd()
            default:
                let message = stream.pointee.msg.map { String(cString: $0) } ?? "zlib error \(status)"
                throw .decompressionFailed(file: file, reason: message)
            }
        }
        return produced
    }

    /// After a member ends: continues with the next member if one follows, else marks the end.
    private func startNextMemberOrEnd() throws(FormatError) {
        let pending = Int(stream.pointee.avail_in)
        let nextOffset = inputOffset - pending
        guard input.count - nextOffset >= 2,
              input[nextOffset] == Self.magic[0], input[nextOffset + 1] == Self.magic[1]
        else {
            isAtEnd = true
            return
        }
        guard inflateReset(stream) == Z_OK else {
            throw .decompressionFailed(file: file, reason: "cannot restart for the next gzip member")
        }
    }
}
