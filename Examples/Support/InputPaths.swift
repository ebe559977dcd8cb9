import ArgumentParser
import Foundation
import ModelZoo

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Up-front checks of the paths a command is given, so that a mistyped or wrong path fails at
/// once with a message naming the flag, the path and the problem (instead of after a long run,
/// or with a bare system error). Each check throws an argument-parser `ValidationError`, which
/// prints the message with the usage and exits with a non-zero status.
public enum InputPaths {
    /// What a path must be.
    public enum Kind: Sendable {
        /// A regular file.
        case file
        /// A directory.
        case directory
        /// Either (a model given as a file or a saved directory).
        case fileOrDirectory
    }

    /// Checks that `path`, given to `flag`, exists, is of `kind`, can be read, and is not an
    /// empty file.
    public static func checkReadable(_ path: String, flag: String, kind: Kind = .file) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ValidationError("\(flag) '\(path)': no such file or directory")
        }
        switch (kind, isDirectory.boolValue) {
        case (.file, true): throw ValidationError("\(flag) '\(path)': is a directory, expected a file")
        case (.directory, false): throw ValidationError("\(flag) '\(path)': is not a directory")
        default: break
        }
        guard access(path, R_OK) == 0 else {
            throw ValidationError("\(flag) '\(path)': cannot be read (\(String(cString: strerror(errno))))")
        }
        if !isDirectory.boolValue {
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            guard size > 0 else { throw ValidationError("\(flag) '\(path)': the file is empty") }
        }
    }

    /// Checks that `path`, given to `flag`, is a readable, non-empty UTF-8 text file with more
    /// than white space in it (read as ``TextCorpus`` reads it).
    public static func checkText(_ path: String, flag: String) throws {
        try checkReadable(path, flag: flag, kind: .file)
        let text: String
        do {
            text = try TextCorpus(contentsOf: URL(fileURLWithPath: path)).text
        } catch {
            throw ValidationError("\(flag): \(error)")
        }
        guard text.contains(where: { !$0.isWhitespace }) else {
            throw ValidationError("\(flag) '\(path)': the text holds only white space")
        }
    }

    /// Checks that `path`, given to `flag`, can be a directory the command writes into: an
    /// existing writable directory, or a path whose nearest existing ancestor is one.
    public static func checkOutputDirectory(_ path: String, flag: String) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw ValidationError("\(flag) '\(path)': exists and is not a directory") }
            guard access(path, W_OK) == 0 else {
                throw ValidationError("\(flag) '\(path)': cannot be written (\(String(cString: strerror(errno))))")
            }
            return
        }
        try checkCreatable(path, flag: flag)
    }

    /// Checks that `path`, given to `flag`, can be a file the command writes: not a directory,
    /// writable if it exists, and in a directory that exists or can be created.
    public static func checkOutputFile(_ path: String, flag: String) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard !isDirectory.boolValue else { throw ValidationError("\(flag) '\(path)': is a directory, expected a file") }
            guard access(path, W_OK) == 0 else {
                throw ValidationError("\(flag) '\(path)': cannot be written (\(String(cString: strerror(errno))))")
            }
            return
        }
        try checkCreatable(path, flag: flag)
    }

    /// The nearest existing ancestor of `path` must be a writable directory.
    private static func checkCreatable(_ path: String, flag: String) throws {
        var ancestor = URL(fileURLWithPath: path).deletingLastPathComponent()
        while true {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: ancestor.path, isDirectory: &isDirectory) {
                guard isDirectory.boolValue else {
                    throw ValidationError("\(flag) '\(path)': '\(ancestor.path)' is a file, so the path cannot be created")
                }
                guard access(ancestor.path, W_OK) == 0 else {
                    throw ValidationError("\(flag) '\(path)': '\(ancestor.path)' cannot be written (\(String(cString: strerror(errno))))")
                }
                return
            }
            let parent = ancestor.deletingLastPathComponent()
            if parent.path == ancestor.path { return }
            ancestor = parent
        }
    }
}
