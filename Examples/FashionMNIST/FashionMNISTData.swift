import Foundation
import PruningCore

/// Fashion-MNIST images scaled to [0, 1], shaped `[count, 1, 28, 28]`, with their labels.
struct FashionMNIST {
    let trainImages: Tensor
    let trainLabels: [Int]
    let testImages: Tensor
    let testLabels: [Int]

    /// The data folder: `$PRUNING_DATA_DIR`, or `../shared/data` from the current directory.
    static var dataDirectory: URL {
        if let path = ProcessInfo.processInfo.environment["PRUNING_DATA_DIR"] { return URL(fileURLWithPath: path) }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
            .deletingLastPathComponent().appendingPathComponent("shared/data")
    }

    static func load() throws -> FashionMNIST {
        let folder = dataDirectory.appendingPathComponent("fashion-mnist")
        func images(_ name: String) throws -> Tensor {
            let array = try IDXArray(contentsOf: folder.appendingPathComponent(name))
            return array.tensor(scaledBy: 1 / 255).reshaped(to: [-1, 1, 28, 28])
        }
        func labels(_ name: String) throws -> [Int] {
            try IDXArray(contentsOf: folder.appendingPathComponent(name)).tensor().scalars.map { Int($0) }
        }
        guard FileManager.default.fileExists(atPath: folder.path) else {
            throw ValidationErrorMessage("Fashion-MNIST not found at \(folder.path); set PRUNING_DATA_DIR to the folder holding fashion-mnist/")
        }
        return FashionMNIST(
            trainImages: try images("train-images-idx3-ubyte.gz"), trainLabels: try labels("train-labels-idx1-ubyte.gz"),
            testImages: try images("t10k-images-idx3-ubyte.gz"), testLabels: try labels("t10k-labels-idx1-ubyte.gz"))
    }
}

/// An error carrying a message for the user.
struct ValidationErrorMessage: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
