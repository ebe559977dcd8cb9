import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A whole file mapped read-only into memory; the mapping is released on deinit.
///
/// Pages are loaded by the operating system only when touched, so opening a large checkpoint
/// costs nothing until its tensors are read. The file must not be truncated by another process
/// while mapped (touching a vanished page raises `SIGBUS`). Readers of other model formats build
/// on it (the GGUF reader does).
public final class MappedFile: @unchecked Sendable {
    /// The path, for error messages.
    public let path: String
    /// The mapped bytes; empty for an empty file.
    public let bytes: UnsafeRawBufferPointer
    private let mapping: UnsafeMutableRawPointer?

    /// The file size in bytes.
    public var count: Int { bytes.count }

    /// Maps the file at `url`.
    ///
    /// - Throws: ``FormatError/fileNotFound(file:)`` or ``FormatError/unreadable(file:reason:)``.
    public init(url: URL) throws {
        let path = url.path
        self.path = path
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else {
            let code = errno
            if code == ENOENT { throw FormatError.fileNotFound(file: path) }
            throw FormatError.unreadable(file: path, reason: String(cString: strerror(code)))
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw FormatError.unreadable(file: path, reason: String(cString: strerror(errno)))
        }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            throw FormatError.unreadable(file: path, reason: "not a regular file")
        }
        let size = Int(status.st_size)
        guard size > 0 else {
            self.mapping = nil
            self.bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0)
        guard let address, address != UnsafeMutableRawPointer(bitPattern: -1) else {
            throw FormatError.unreadable(file: path, reason: "mmap failed: \(String(cString: strerror(errno)))")
        }
        self.mapping = address
        self.bytes = UnsafeRawBufferPointer(start: address, count: size)
    }

    deinit {
        if let mapping { munmap(mapping, bytes.count) }
    }
}

/// Writes a file atomically: bytes go to a temporary file in the destination's directory, which
/// is flushed to disk and then renamed over the destination. Readers see either the old file or
/// the complete new one, never a partial write.
struct AtomicFileWriter: ~Copyable {
    private let destination: String
    private let temporaryPath: String
    private var descriptor: Int32
    private var isFinished = false

    /// Creates the temporary file next to `url`.
    ///
    /// - Throws: ``FormatError/writeFailed(file:reason:)``.
    init(url: URL) throws {
        destination = url.path
        let directory = url.deletingLastPathComponent().path
        let name = ".\(url.lastPathComponent).tmp-\(UInt64.random(in: 0...UInt64.max))"
        temporaryPath = directory.isEmpty ? name : directory + "/" + name
        descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        guard descriptor >= 0 else {
            throw FormatError.writeFailed(
                file: destination, reason: "cannot create temporary file: \(String(cString: strerror(errno)))")
        }
    }

    /// Appends `bytes` to the temporary file.
    mutating func write(_ bytes: UnsafeRawBufferPointer) throws {
        var offset = 0
        while offset < bytes.count {
            let written = systemWrite(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw fail("\(String(cString: strerror(errno)))")
            }
            offset += written
        }
    }

    /// Appends `bytes` to the temporary file.
    mutating func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    /// Flushes the temporary file and renames it over the destination.
    mutating func commit() throws {
        guard fsync(descriptor) == 0 else { throw fail("fsync: \(String(cString: strerror(errno)))") }
        close(descriptor)
        descriptor = -1
        guard rename(temporaryPath, destination) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporaryPath)
            isFinished = true
            throw FormatError.writeFailed(file: destination, reason: "rename: \(reason)")
        }
        isFinished = true
    }

    private func fail(_ reason: String) -> FormatError {
        FormatError.writeFailed(file: destination, reason: reason)
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
        if !isFinished { unlink(temporaryPath) }
    }
}

/// The C `write` call, reachable from types that declare their own `write` methods.
private func systemWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, bytes, count)
}
