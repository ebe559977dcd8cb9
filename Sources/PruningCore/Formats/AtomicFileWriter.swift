import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a file atomically: bytes go to a temporary file in the destination's directory, which
/// is flushed to disk and then renamed over the destination. Readers see either the old file or
/// the complete new one, never a partial write; a failure at any point removes the temporary
/// file and leaves the destination as it was.
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
        if let plan = WriteFaultInjection.plan, let failure = plan.consume(bytes.count) {
            throw fail(failure)
        }
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

    /// Flushes and closes the temporary file and hands it over, not yet renamed; the returned
    /// ``StagedFile`` removes it unless published.
    consuming func stage() throws -> StagedFile {
        guard fsync(descriptor) == 0 else { throw fail("fsync: \(String(cString: strerror(errno)))") }
        close(descriptor)
        descriptor = -1
        isFinished = true
        return StagedFile(temporaryPath: temporaryPath, destination: destination)
    }

    /// Flushes the temporary file and renames it over the destination.
    consuming func commit() throws {
        try stage().publish()
    }

    private func fail(_ reason: String) -> FormatError {
        FormatError.writeFailed(file: destination, reason: reason)
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
        if !isFinished { unlink(temporaryPath) }
    }
}

/// A complete temporary file waiting to be renamed over its destination; removed on deinit
/// unless published.
final class StagedFile {
    let temporaryPath: String
    let destination: String
    private var isPublished = false

    init(temporaryPath: String, destination: String) {
        self.temporaryPath = temporaryPath
        self.destination = destination
    }

    /// Renames the temporary file over the destination.
    ///
    /// - Throws: ``FormatError/writeFailed(file:reason:)`` when the rename fails (the
    ///   destination is then unchanged).
    func publish() throws {
        guard !isPublished else { return }
        guard rename(temporaryPath, destination) == 0 else {
            throw FormatError.writeFailed(file: destination, reason: "rename: \(String(cString: strerror(errno)))")
        }
        isPublished = true
    }

    deinit {
        if !isPublished { unlink(temporaryPath) }
    }
}

/// The C `write` call, reachable from types that declare their own `write` methods.
private func systemWrite(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, bytes, count)
}
