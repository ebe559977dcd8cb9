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
