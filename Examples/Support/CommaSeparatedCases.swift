import ArgumentParser
import Foundation

/// Reads a command-line option listing enum cases by raw value, comma-separated.
public enum CommaSeparatedCases {
    /// The cases of `type` named in `text` (`"a, b"`), in order.
    ///
    /// - Throws: `ValidationError` naming `flag`, the unknown name and the known ones.
    public static func parse<Case: CaseIterable & RawRepresentable>(
        _ text: String, as type: Case.Type, flag: String, noun: String
    ) throws -> [Case] where Case.RawValue == String {
        try text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.map { name in
            guard let value = Case(rawValue: name) else {
                throw ValidationError("\(flag): unknown \(noun) '\(name)' (known: \(Case.allCases.map(\.rawValue).joined(separator: ", ")))")
            }
            return value
        }
    }
}
