extension GGUFFile {
    /// The metadata value for `key`.
    ///
    /// - Throws: ``GGUFError/missingKey(file:key:)`` when the key is absent.
    public func value(forKey key: String) throws -> GGUFValue {
        guard let value = metadata[key] else { throw GGUFError.missingKey(file: path, key: key) }
        return value
    }

    /// The integer value for `key`, whatever its integer width.
    ///
    /// - Throws: ``GGUFError/missingKey(file:key:)`` or ``GGUFError/wrongValueType(file:key:expected:found:)``.
    public func int(forKey key: String) throws -> Int {
        try converted(key, "an integer") { $0.int }
    }

    /// The floating-point (or integer) value for `key`, as `Float`.
    ///
    /// - Throws: ``GGUFError/missingKey(file:key:)`` or ``GGUFError/wrongValueType(file:key:expected:found:)``.
    public func float(forKey key: String) throws -> Float {
        try converted(key, "a number") { $0.float }
    }

    /// The boolean value for `key`.
    ///
    /// - Throws: ``GGUFError/missingKey(file:key:)`` or ``GGUFError/wrongValueType(file:key:expected:found:)``.
    public func bool(forKey key: String) throws -> Bool {
        try converted(key, "BOOL") { $0.bool }
    }

    /// The string value for `key`.
    ///
    /// - Throws: ``GGUFError/missingKey(file:key:)`` or ``GGUFError/wrongValueType(file:key:expected:found:)``.
    public func string(forKey key: String) throws -> String {
        try converted(key, "STRING") { $0.string }
    }

    /// The array-of-strings value for `key`.
    ///
    /// - Throws: ``GGUFError/missingKey(file:key:)`` or ``GGUFError/wrongValueType(file:key:expected:found:)``.
    public func strings(forKey key: String) throws -> [String] {
        try converted(key, "ARRAY[STRING]") { $0.strings }
    }

    /// The array-of-integers value for `key`, whatever the integer width.
    ///
    /// - Throws: ``GGUFError/missingKey(file:key:)`` or ``GGUFError/wrongValueType(file:key:expected:found:)``.
    public func ints(forKey key: String) throws -> [Int] {
        try converted(key, "an array of integers") { $0.ints }
    }

    /// The array-of-numbers value for `key`, as `Float`.
    ///
    /// - Throws: ``GGUFError/missingKey(file:key:)`` or ``GGUFError/wrongValueType(file:key:expected:found:)``.
    public func floats(forKey key: String) throws -> [Float] {
        try converted(key, "an array of numbers") { $0.floats }
    }

    private func converted<T>(_ key: String, _ expected: String, _ conversion: (GGUFValue) -> T?) throws -> T {
        let value = try value(forKey: key)
        guard let result = conversion(value) else {
            throw GGUFError.wrongValueType(file: path, key: key, expected: expected, found: value.typeName)
        }
        return result
    }
}
