/// The checks shared by the image-to-image configurations when they are decoded from a file.
enum TranslationConfigurationLimits {
    /// Decodes an integer `key` within `range`.
    static func count<Key: CodingKey>(_ key: Key, in range: ClosedRange<Int>, from container: KeyedDecodingContainer<Key>) throws -> Int {
        try VisionConfigurationLimits.decode(key, in: range, from: container)
    }

    /// The number of input channels an image-to-image network may read or write.
    static let channels = 1...VisionConfigurationLimits.maximumInputChannels
    /// The base width of a generator or discriminator.
    static let width = 1...VisionConfigurationLimits.maximumWidth / 8
    /// The number of down-sampling levels.
    static let levels = 1...6
    /// The number of residual blocks of a ResNet generator.
    static let blocks = 0...64
}
