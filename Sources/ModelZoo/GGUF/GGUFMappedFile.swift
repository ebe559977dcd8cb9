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
/// Pages are loaded by the operating system only when touched, so opening a model file costs
/// nothing until its tensors are read. The file must not be truncated by another process while
/// mapped (touching a vanished page raises `SIGBUS`).
final class GGUFMappedFile: @unchecked Sendable {
    /// The path, for error messages.
    let path: String
    /// The mapped bytes; empty for an empty file.
    let bytes: UnsafeRawBufferPointer
    private let mapping: UnsafeMutableRawPointer?

    /// Maps the file at `url`.
    ///
    /// - Throws: ``GGUFError/fileNotFound(file:)`` or ``GGUFError/unreadable(file:reason:)``.
    init(url: URL) throws {
        let path = url.path
        self.path = path
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else {
            let code = errno
            if code == ENOENT { throw GGUFError.fileNotFound(file: path) }
            throw GGUFError.unreadable(file: path, reason: String(cString: strerror(code)))
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else {
            throw GGUFError.unreadable(file: path, reason: String(cString: strerror(errno)))
        }
        guard (status.st_mode & S_IFMT) == S_IFREG else {
            throw GGUFError.unreadable(file: path, reason: "not a regular file")
        }
        let size = Int(status.st_size)
        guard size > 0 else {
            mapping = nil
            bytes = UnsafeRawBufferPointer(start: nil, count: 0)
            return
        }
        let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, descriptor, 0)
        guard let address, address != UnsafeMutableRawPointer(bitPattern: -1) else {
            throw GGUFError.unreadable(file: path, reason: "mmap failed: \(String(cString: strerror(errno)))")
        }
        mapping = address
        bytes = UnsafeRawBufferPointer(start: address, count: size)
    }

    deinit {
        if let mapping { munmap(mapping, bytes.count) }
    }
}
