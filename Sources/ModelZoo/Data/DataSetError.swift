/// A data-set file that is missing or does not hold what its format promises.
public enum DataSetError: Error, Equatable, CustomStringConvertible {
    /// Neither the file nor its `.gz` version exists in the folder.
    case missingFile(folder: String, name: String)
    /// An image or label file has an unexpected shape.
    case unexpectedShape(file: String, shape: [Int], expected: String)
    /// The image and label files disagree on the number of examples.
    case countMismatch(images: String, imageCount: Int, labels: String, labelCount: Int)
    /// A label is outside the data set's classes.
    case labelOutOfRange(file: String, index: Int, label: Int, classCount: Int)
    /// A text file is not valid UTF-8 from the given byte offset on.
    case invalidUTF8(file: String, byteOffset: Int)
    /// The path does not exist.
    case fileNotFound(file: String)
    /// The path names a directory, not a file.
    case notAFile(file: String)
    /// The file exists but could not be read.
    case unreadable(file: String, reason: String)

    /// A sentence naming the file and the problem.
    public var description: String {
        switch self {
        case .missingFile(let folder, let name):
            "\(name) (or \(name).gz) not found in \(folder); set \(DataFiles.environmentVariable) to the folder holding the data sets"
        case .unexpectedShape(let file, let shape, let expected):
            "\(file) holds an array of shape \(shape), expected \(expected)"
        case .countMismatch(let images, let imageCount, let labels, let labelCount):
            "\(images) holds \(imageCount) images but \(labels) holds \(labelCount) labels"
        case .labelOutOfRange(let file, let index, let label, let classCount):
            "\(file): label \(label) at index \(index) is outside 0..<\(classCount)"
        case .invalidUTF8(let file, let offset):
            "\(file) is not valid UTF-8 text: the bytes at offset \(offset) are not a UTF-8 sequence"
        case .fileNotFound(let file):
            "\(file) does not exist"
        case .notAFile(let file):
            "\(file) is a directory, not a text file"
        case .unreadable(let file, let reason):
            "\(file) could not be read: \(reason)"
        }
    }
}
