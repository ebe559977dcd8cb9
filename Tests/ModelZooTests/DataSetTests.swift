import Foundation
import ModelZoo
import PruningCore
import PruningTestSupport
import Testing

@Suite struct DataSetTests {
    /// `count` single-channel 2×3 images whose pixels all hold the image's index, labelled
    /// `index % 3`.
    static func indexedDataSet(count: Int) -> ImageClassificationDataSet {
        let images = Tensor(shape: [count, 1, 2, 3]) { out in
            for i in 0..<out.count { out[i] = Float(i / 6) }
        }
        return ImageClassificationDataSet(images: images, labels: (0..<count).map { $0 % 3 }, classCount: 3)
    }

    /// The image index stored in each image of a batch.
    static func indices(of images: Tensor) -> [Int] {
        let values = images.scalars
        let size = images.count / images.shape[0]
        return (0..<images.shape[0]).map { Int(values[$0 * size]) }
    }

    @Test("batches have the requested sizes, with and without the last partial batch")
    func batchShapes() {
        let data = Self.indexedDataSet(count: 10)
        let batches = Array(data.batches(size: 4))
        #expect(batches.map(\.images.shape) == [[4, 1, 2, 3], [4, 1, 2, 3], [2, 1, 2, 3]])
        #expect(batches.flatMap { Self.indices(of: $0.images) } == Array(0..<10))
        #expect(batches.flatMap(\.labels) == (0..<10).map { $0 % 3 })
        #expect(data.batches(size: 4).count == 3)
        let dropped = data.batches(size: 4, dropLast: true)
        #expect(dropped.count == 2 && Array(dropped).count == 2)
        #expect(Array(data.batches(size: 5, dropLast: true)).count == 2)
    }

    @Test("shuffling is a permutation, reproducible per seed, and keeps labels with images")
    func shuffling() {
        let data = Self.indexedDataSet(count: 50)
        func order(seed: UInt64) -> [Int] {
            var random = RandomGenerator(seed: seed)
            let batches = Array(data.batches(size: 8, shuffle: true, using: &random))
            for batch in batches { #expect(batch.labels == Self.indices(of: batch.images).map { $0 % 3 }) }
            return batches.flatMap { Self.indices(of: $0.images) }
        }
        let first = order(seed: 1)
        #expect(first.sorted() == Array(0..<50))
        #expect(first != Array(0..<50))
        #expect(order(seed: 1) == first)
        #expect(order(seed: 2) != first)
        // Successive epochs from one generator differ.
        var random = RandomGenerator(seed: 1)
        let epoch1 = data.batches(size: 8, shuffle: true, using: &random).order
        let epoch2 = data.batches(size: 8, shuffle: true, using: &random).order
        #expect(epoch1 != epoch2)
    }

    @Test("split into disjoint training and validation parts")
    func split() {
        let data = Self.indexedDataSet(count: 40)
        var random = RandomGenerator(seed: 3)
        let (training, validation) = data.split(validationFraction: 0.25, using: &random)
        #expect(training.count == 30 && validation.count == 10)
        let trainingIndices = Self.indices(of: training.images), validationIndices = Self.indices(of: validation.images)
        #expect(Set(trainingIndices).isDisjoint(with: validationIndices))
        #expect((trainingIndices + validationIndices).sorted() == Array(0..<40))
        #expect(validation.labels == validationIndices.map { $0 % 3 })
        var again = RandomGenerator(seed: 3)
        #expect(Self.indices(of: data.split(validationFraction: 0.25, using: &again).validation.images) == validationIndices)
        #expect(data.prefix(7).count == 7 && data.prefix(100).count == 40)
    }

    @Test("channel statistics and normalization")
    func normalization() {
        let images = Tensor(shape: [2, 2, 1, 2], scalars: [1, 3, 10, 10, 5, 7, 20, 40])
        let data = ImageClassificationDataSet(images: images, labels: [0, 1])
        let statistics = data.channelStatistics()
        // Channel 0: 1, 3, 5, 7 → mean 4, variance 5; channel 1: 10, 10, 20, 40 → mean 20, variance 150.
        expectClose(statistics.mean, [4, 20])
        expectClose(statistics.standardDeviation, [Float(5).squareRoot(), Float(150).squareRoot()])
        let normalized = data.normalized(by: statistics).channelStatistics()
        expectClose(normalized.mean, [0, 0], absoluteTolerance: 1e-6)
        expectClose(normalized.standardDeviation, [1, 1])
        let manual = ImageNormalization(mean: [1, 2], standardDeviation: [2, 4])(images)
        expectClose(manual, Tensor(shape: [2, 2, 1, 2], scalars: [0, 1, 2, 2, 2, 3, 4.5, 9.5]))
        let constant = ImageClassificationDataSet(images: Tensor.full([3, 1, 2, 2], 0.5), labels: [0, 0, 0])
        #expect(constant.channelStatistics() == ImageNormalization(mean: [0.5], standardDeviation: [1]))
    }

    @Test("horizontal flip mirrors each row; flipping twice is the identity")
    func flip() {
        let images = testTensor([2, 3, 4, 5], seed: 1)
        let flipped = images.flippedHorizontally()
        #expect(flipped.shape == images.shape)
        #expect(flipped[1, 2, 3, 0] == images[1, 2, 3, 4])
        #expect(flipped[0, 1, 2, 1] == images[0, 1, 2, 3])
        #expect(flipped.flippedHorizontally().scalars == images.scalars)
    }

    @Test("shifted crops read the zero-padded image")
    func shiftedCrop() {
        // One 3×3 image 1…9.
        let image = Tensor(shape: [1, 1, 3, 3], scalars: [1, 2, 3, 4, 5, 6, 7, 8, 9])
        let down = image.shiftedAndFlipped(offsets: [(1, -1)], flips: [false], fillValue: 0)
        // Output (y, x) = input (y + 1, x − 1).
        #expect(down.scalars == [0, 4, 5, 0, 7, 8, 0, 0, 0])
        let flipped = image.shiftedAndFlipped(offsets: [(-2, 2)], flips: [true], fillValue: -1)
        #expect(flipped.scalars == [-1, -1, -1, -1, -1, -1, -1, -1, 3])
        #expect(image.shiftedAndFlipped(offsets: [(0, 0)], flips: [false], fillValue: 0).scalars == image.scalars)
    }

    @Test("random crop and flip: shapes, reproducibility, every image a padded crop")
    func augmentation() {
        let images = testTensor([6, 2, 5, 5], lower: 1, upper: 2, seed: 2)
        let augmentation = ImageAugmentation(cropPadding: 2, flipProbability: 0.5)
        var random = RandomGenerator(seed: 4)
        let augmented = augmentation(images, using: &random)
        #expect(augmented.shape == images.shape)
        var again = RandomGenerator(seed: 4)
        #expect(augmentation(images, using: &again).scalars == augmented.scalars)
        var other = RandomGenerator(seed: 5)
        #expect(augmentation(images, using: &other).scalars != augmented.scalars)
        // Each image equals some crop offset in −2...2 with or without a flip.
        for index in 0..<6 {
            let original = images.sliced(alongAxis: 0, from: index, count: 1)
            let result = augmented.sliced(alongAxis: 0, from: index, count: 1).scalars
            var matches = 0
            for dy in -2...2 {
                for dx in -2...2 {
                    for flip in [false, true]
                    where original.shiftedAndFlipped(offsets: [(dy, dx)], flips: [flip], fillValue: 0).scalars == result {
                        matches += 1
                    }
                }
            }
            #expect(matches == 1, "image \(index) matches \(matches) crops")
        }
        var unused = RandomGenerator(seed: 6)
        #expect(ImageAugmentation()(images, using: &unused).scalars == images.scalars)
    }

    @Test("a folder of uncompressed MNIST-format files loads; missing files and bad labels are named")
    func mnistFolder() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("mnist-format-\(UInt64.random(in: 0...UInt64.max))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        // Three 2×2 images with pixels 0, 51, …; labels 7, 0, 9.
        let imageBytes: [UInt8] = [0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 2] + (0..<12).map { UInt8($0 * 51 % 256) }
        try Data(imageBytes).write(to: folder.appendingPathComponent("t10k-images-idx3-ubyte"))
        try Data([0, 0, 8, 1, 0, 0, 0, 3, 7, 0, 9]).write(to: folder.appendingPathComponent("t10k-labels-idx1-ubyte"))
        let data = try FashionMNIST.load(split: .test, from: folder)
        #expect(data.images.shape == [3, 1, 2, 2])
        #expect(data.labels == [7, 0, 9])
        #expect(data.classCount == 10)
        #expect(abs(data.images[0, 0, 0, 1] - 0.2) < 1e-6)

        #expect(throws: DataSetError.missingFile(folder: folder.path, name: "train-images-idx3-ubyte")) {
            try FashionMNIST.load(split: .train, from: folder)
        }
        #expect(DataSetError.missingFile(folder: "/x", name: "y").description.contains("PRUNING_DATA_DIR"))
        try Data([0, 0, 8, 1, 0, 0, 0, 2, 7, 0]).write(to: folder.appendingPathComponent("t10k-labels-idx1-ubyte"))
        #expect(throws: DataSetError.self) { try FashionMNIST.load(split: .test, from: folder) }
        try Data([0, 0, 8, 1, 0, 0, 0, 3, 7, 10, 9]).write(to: folder.appendingPathComponent("t10k-labels-idx1-ubyte"))
        #expect(throws: DataSetError.labelOutOfRange(
            file: folder.appendingPathComponent("t10k-labels-idx1-ubyte").path, index: 1, label: 10, classCount: 10)) {
            try FashionMNIST.load(split: .test, from: folder)
        }
    }

    @Test("Fashion-MNIST test split", .enabled(if: (try? DataFiles.file("fashion-mnist")) != nil))
    func fashionMNIST() throws {
        let test = try FashionMNIST.load(split: .test)
        #expect(test.images.shape == [10_000, 1, 28, 28])
        #expect(test.classCount == 10)
        var perClass = [Int](repeating: 0, count: 10)
        for label in test.labels { perClass[label] += 1 }
        #expect(perClass == [Int](repeating: 1000, count: 10))
        let statistics = test.channelStatistics()
        // The test split's pixel mean and deviation are close to the training split's.
        #expect(abs(statistics.mean[0] - FashionMNIST.normalization.mean[0]) < 0.01)
        #expect(abs(statistics.standardDeviation[0] - FashionMNIST.normalization.standardDeviation[0]) < 0.01)
        #expect(test.images.max().scalar == 1 && test.images.min().scalar == 0)
    }

    @Test("WikiText-2 and tiny Shakespeare", .enabled(if: (try? DataFiles.file("wikitext-2-raw/wiki.test.raw")) != nil))
    func text() throws {
        let test = try WikiText2.load(split: .test)
        #expect(test.text.utf8.count == 1_290_590)
        #expect(test.lines.count == 4_358)
        #expect(test.lines[1] == " = Robert Boulter = ")
        let rows = test.rows
        #expect(rows[0] == "" && rows[1] == " = Robert Boulter = \n" && rows.filter(\.isEmpty).count == 4_358 - 2_891)
        // "\n\n".join(rows) of the Hugging Face rows, as computed with Python from the same file.
        #expect(test.joinedRows.utf8.count == 1_296_370)
        #expect(test.joinedRows.hasPrefix("\n\n = Robert Boulter = \n\n\n\n\n Robert Boulter is an English"))
        let validation = try WikiText2.load(split: .valid)
        #expect(validation.lines.count == 3_760)
        #expect(validation.joinedRows.utf8.count == 1_151_766)
        let shakespeare = try TinyShakespeare.load()
        #expect(shakespeare.utf8.count == 1_115_394)
        #expect(shakespeare.hasPrefix("First Citizen:"))
    }
}
