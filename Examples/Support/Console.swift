import Foundation

/// Writes `line` and a newline to standard output at once, unbuffered, so that progress shows
/// immediately also when the output is redirected to a file.
public func writeLine(_ line: String = "") {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
