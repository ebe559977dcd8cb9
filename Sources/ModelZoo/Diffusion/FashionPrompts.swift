import PruningCore

/// Text prompts for Fashion-MNIST images built from the class and two attributes the data
/// controls, so that a prompt's content (and how much it asks of a generator) is known:
/// "a sneaker", "a dark sneaker", "a wide bright bag".
///
/// - **Brightness**: the mean of the garment's pixels (those above 0.1), against the class's
///   lower and upper terciles: `dark` below the first, `bright` above the second, unnamed between.
/// - **Width**: the width of the garment's bounding box (columns with a pixel above 0.1), against
///   the class's terciles: `narrow`, `wide`, or unnamed.
///
/// Terciles are computed on a reference set (`Thresholds/init(from:)`, the training split) and
/// then applied to any split, so that test prompts use the training set's scale.
public enum FashionPrompts {
    /// The noun of each Fashion-MNIST class, in label order.
    public static let nouns = ["t-shirt", "pair of trousers", "pullover", "dress", "coat", "sandal", "shirt", "sneaker", "bag", "ankle boot"]

    /// A brightness word.
    public enum Brightness: String, Sendable, Codable, CaseIterable {
        /// Below the class's first tercile.
        case dark
        /// Between the terciles (not named in the prompt).
        case plain
        /// Above the class's second tercile.
        case bright
    }

    /// A width word.
    public enum Width: String, Sendable, Codable, CaseIterable {
        /// Below the class's first tercile.
        case narrow
        /// Between the terciles (not named in the prompt).
        case plain
        /// Above the class's second tercile.
        case wide
    }

    /// The attributes of one image.
    public struct Attributes: Sendable, Codable, Equatable, Hashable {
        /// The class label.
        public var label: Int
        /// The brightness word.
        public var brightness: Brightness
        /// The width word.
        public var width: Width

        /// Attributes.
        public init(label: Int, brightness: Brightness, width: Width) {
            self.label = label
            self.brightness = brightness
            self.width = width
        }

        /// The prompt: the article, then the width and brightness words that apply, then the
        /// noun ("a sneaker", "an ankle boot", "a wide bright bag").
        public var prompt: String {
            var words: [String] = []
            if width != .plain { words.append(width.rawValue) }
            if brightness != .plain { words.append(brightness.rawValue) }
            words.append(FashionPrompts.nouns[label])
            let article = "aeiou".contains(words[0].first!) ? "an" : "a"
            return ([article] + words).joined(separator: " ")
        }

        /// How many attribute words the prompt names (0, 1 or 2).
        public var attributeCount: Int { (brightness == .plain ? 0 : 1) + (width == .plain ? 0 : 1) }
    }

    /// The per-class terciles of the two measurements.
    public struct Thresholds: Sendable, Codable, Equatable {
        /// Per class: the lower and upper tercile of the garment's mean brightness.
        public var brightness: [[Float]]
        /// Per class: the lower and upper tercile of the bounding-box width.
        public var width: [[Float]]

        /// The terciles of `dataSet` (pixels in [0, 1], ten classes).
        public init(from dataSet: ImageClassificationDataSet) {
            let measured = FashionPrompts.measurements(of: dataSet)
            func terciles(_ values: [Float]) -> [Float] {
                guard !values.isEmpty else { return [0, 0] }
                let sorted = values.sorted()
                return [sorted[sorted.count / 3], sorted[(2 * sorted.count) / 3]]
            }
            brightness = (0..<10).map { c in terciles(zip(dataSet.labels, measured).filter { $0.0 == c }.map { $0.1.brightness }) }
            width = (0..<10).map { c in terciles(zip(dataSet.labels, measured).filter { $0.0 == c }.map { $0.1.width }) }
        }

        private enum CodingKeys: String, CodingKey { case brightness, width }

        /// Decodes thresholds, checking that both lists hold two values for each of the ten classes.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            brightness = try container.decode([[Float]].self, forKey: .brightness)
            width = try container.decode([[Float]].self, forKey: .width)
            for (key, lists) in [(CodingKeys.brightness, brightness), (.width, width)] where lists.count != 10 || lists.contains(where: { $0.count != 2 }) {
                throw DecodingError.dataCorruptedError(forKey: key, in: container, debugDescription: "needs two terciles for each of the 10 classes")
            }
        }
    }

    /// The garment's mean brightness and bounding-box width of every image.
    static func measurements(of dataSet: ImageClassificationDataSet) -> [(brightness: Float, width: Float)] {
        let (h, w) = (dataSet.height, dataSet.width)
        let pixels = dataSet.images.scalars
        return (0..<dataSet.count).map { image in
            var sum: Float = 0, count = 0, left = w, right = -1
            for y in 0..<h {
                for x in 0..<w {
                    let value = pixels[image * h * w + y * w + x]
                    if value > 0.1 {
                        sum += value
                        count += 1
                        left = Swift.min(left, x)
                        right = Swift.max(right, x)
                    }
                }
            }
            return (count > 0 ? sum / Float(count) : 0, right >= left ? Float(right - left + 1) : 0)
        }
    }

    /// The attributes of every image of `dataSet` under `thresholds`.
    public static func attributes(of dataSet: ImageClassificationDataSet, thresholds: Thresholds) -> [Attributes] {
        zip(dataSet.labels, measurements(of: dataSet)).map { label, measured in
            let b = thresholds.brightness[label], w = thresholds.width[label]
            return Attributes(
                label: label,
                brightness: measured.brightness < b[0] ? .dark : measured.brightness > b[1] ? .bright : .plain,
                width: measured.width < w[0] ? .narrow : measured.width > w[1] ? .wide : .plain)
        }
    }
}
