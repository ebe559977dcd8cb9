import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Names the input being read when the process crashes or hangs.
///
/// Before each input the campaign stores its label in a fixed buffer; a signal handler for
/// the crash signals writes the buffer to standard error (with async-signal-safe calls only)
/// and re-raises, and a watchdog thread ends the process when one input runs past the hang
/// limit.
enum CrashReporter {
    nonisolated(unsafe) private static let label = UnsafeMutablePointer<CChar>.allocate(capacity: 1024)
    nonisolated(unsafe) private static var started = Date()
    private static let lock = NSLock()

    /// Installs the handlers and starts the watchdog.
    static func install(hangLimit: Double) {
        label.initialize(repeating: 0, count: 1024)
        for signalNumber in [SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGABRT, SIGFPE] {
            signal(signalNumber) { number in
                let prefix = "\nfuzz-readers: crashed (signal \(number)) while reading: "
                prefix.withCString { _ = write(2, $0, strlen($0)) }
                _ = write(2, CrashReporter.label, strlen(CrashReporter.label))
                _ = write(2, "\n", 1)
                signal(number, SIG_DFL)
                raise(number)
            }
        }
        let watchdog = Thread {
            while true {
                Thread.sleep(forTimeInterval: 0.5)
                lock.lock()
                let elapsed = Date().timeIntervalSince(started)
                let current = String(cString: label)
                lock.unlock()
                if !current.isEmpty, elapsed > hangLimit {
                    FileHandle.standardError.write(Data("fuzz-readers: hang (over \(hangLimit) s) while reading: \(current)\n".utf8))
                    exit(3)
                }
            }
        }
        watchdog.start()
    }

    /// Records the input about to be read.
    static func willRead(_ text: String) {
        lock.lock()
        started = Date()
        let bytes = Array(text.utf8.prefix(1023))
        for (index, byte) in bytes.enumerated() { label[index] = CChar(bitPattern: byte) }
        label[bytes.count] = 0
        lock.unlock()
    }
}
