import Foundation
import PruningCore

/// Fashion-MNIST (Xiao, Rasul & Vollgraf, 2017, "Fashion-MNIST: a Novel Image Dataset for
/// Benchmarking Machine Learning Algorithms", arXiv:1708.07747): 28×28 grayscale images of ten
/// clothing classes, 60,000 for training and 10,000 for testing, in MNIST's idx format.
///
/// ```swift
/// let train = try FashionMNIST.load(split: .train)         // images [60000, 1, 28, 28] in [0, 1]
/// let normalized = train.normalized(by: FashionMNIST.normalization)
/// ```
public enum FashionMNIST {
    /// The two published splits.
    public enum Split: String, Sendable, CaseIterable {
        /// 60,000 training images (`train-*`).
        case train
        /// 10,000 test images (`t10k-*`).
        case test

        /// The file name prefix: `train` or `t10k`.
        public var filePrefix: String { self == .train ? "train" : "t10k" }
    }

    /// The class names, by label.
    public static let classNames = [
        "T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot",
    ]

    /// The training set's pixel mean and standard deviation (pixels scaled to `[0, 1]`).
    public static let normalization = ImageNormalization(mean: [0.2860], standardDeviation: [0.3530])

    /// The split from `fashion-mnist/` in the data folder (see ``DataFiles``), pixels scaled to
    /// `[0, 1]`.
    ///
    /// - Throws: ``DataFilesError`` naming `PRUNING_DATA_DIR` when the folder is missing;
    ///   otherwise as ``load(split:from:)``.
    public static func load(split: Split) throws -> ImageClassificationDataSet {
        try MNISTFormat.load(split: split.filePrefix, from: DataFiles.file("fashion-mnist"), classCount: 10)
    }

    /// The split from any folder in MNIST's layout (`train-images-idx3-ubyte`,
    /// `train-labels-idx1-ubyte`, `t10k-…`, each optionally gzip-compressed with a `.gz`
    /// suffix), pixels scaled to `[0, 1]`. MNIST itself loads the same way.
    ///
    /// - Throws: ``DataSetError`` for a missing file, unexpected shapes or labels;
    ///   `PruningCore/FormatError` for a malformed idx file.
    public static func load(split: Split, from folder: URL) throws -> ImageClassificationDataSet {
        try MNISTFormat.load(split: split.filePrefix, from: folder, classCount: 10)
    }
}

/// The MNIST folder layout: `<prefix>-images-idx3-ubyte[.gz]` `[count, height, width]` bytes and
/// `<prefix>-labels-idx1-ubyte[.gz]` `[count]` bytes.
enum MNISTFormat {
    /// The images (scaled to `[0, 1]`, shaped `[count, 1, height, width]`) and labels of the
    /// split with file prefix `prefix` in `folder`.
    static func load(split prefix: String, from folder: URL, classCount: Int) throws -> ImageClassificationDataSet {
        let imageFile = try locate("\(prefix)-images-idx3-ubyte", in: folder)
        let labelFile = try locate("\(prefix)-labels-idx1-ubyte", in: folder)
        let images = try IDXArray(contentsOf: imageFile)
        guard images.shape.count == 3, images.elementType == .uint8 else {
            throw DataSetError.unexpectedShape(
                file: imageFile.path, shape: images.shape, expected: "unsigned bytes [count, height, width]")
        }
        let labels = try IDXArray(contentsOf: labelFile)
        guard labels.shape.count == 1, let labelBytes = labels.bytes else {
            throw DataSetError.unexpectedShape(file: labelFile.path, shape: labels.shape, expected: "unsigned bytes [count]")
        }
        guard labels.shape[0] == images.shape[0] else {
            throw DataSetError.countMismatch(
                images: imageFile.path, imageCount: images.shape[0], labels: labelFile.path, labelCount: labels.shape[0])
        }
        if let index = labelBytes.firstIndex(where: { Int($0) >= classCount }) {
            throw DataSetError.labelOutOfRange(
                file: labelFile.path, index: index, label: Int(labelBytes[index]), classCount: classCount)
        }
        let tensor = images.tensor(scaledBy: 1 / 255).reshaped(to: [images.shape[0], 1, images.shape[1], images.shape[2]])
        return ImageClassificationDataSet(images: tensor, labels: labelBytes.map { Int($0) }, classCount: classCount)
    }

    /// `name` or `name.gz` in `folder`.
    static func locate(_ name: String, in folder: URL) throws(DataSetError) -> URL {
        for candidate in [name + ".gz", name] {
            let url = folder.appendingPathComponent(candidate)
            if FileManager.default.fileExists(atPath: url.path) { return url }
        }
        throw .missingFile(folder: folder.path, name: name)
    }
}
