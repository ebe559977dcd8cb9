/// Bounds on the vision architectures read from files, so that a damaged or hostile
/// architecture file cannot make a loader allocate an enormous network before the weights are
/// compared with it. Configurations built in code are not bounded.
public enum VisionConfigurationLimits {
    /// The largest channel count of any layer.
    public static let maximumWidth = 4096
    /// The largest number of blocks per stage, or transformer depth.
    public static let maximumDepth = 256
    /// The largest number of input channels.
    public static let maximumInputChannels = 64
    /// The largest number of classes.
    public static let maximumClassCount = 100_000
    /// The largest image side for the vision transformer.
    public static let maximumImageSize = 1024
    /// The largest parameter count of a network described by a file (400 MB as `Float`).
    public static let maximumParameterCount = 100_000_000

    /// Throws a data-corrupted error for `key` unless `value` lies in `range`.
    static func check<Key: CodingKey, Value: Comparable>(
        _ value: Value, in range: ClosedRange<Value>, key: Key, container: KeyedDecodingContainer<Key>
    ) throws {
        guard range.contains(value) else {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: container, debugDescription: "\(value) is outside \(range.lowerBound)...\(range.upperBound)")
        }
    }

    /// Decodes `key` and checks that it lies in `range`.
    static func decode<Key: CodingKey, Value: Decodable & Comparable>(
        _ key: Key, in range: ClosedRange<Value>, from container: KeyedDecodingContainer<Key>
    ) throws -> Value {
        let value = try container.decode(Value.self, forKey: key)
        try check(value, in: range, key: key, container: container)
        return value
    }
}
