import Foundation

/// Number formats shared by the examples' result tables.
public enum ResultFormat {
    /// `0.123` → `12.3 %`.
    public static func percent(_ value: Double) -> String { String(format: "%.1f %%", 100 * value) }
    /// A fixed number of decimals.
    public static func fixed(_ value: Double, _ decimals: Int) -> String { String(format: "%.\(decimals)f", value) }
    /// A count in millions, `134.5 M`.
    public static func millions(_ value: Int) -> String { String(format: "%.1f M", Double(value) / 1e6) }
    /// A perplexity: two decimals, scientific from 10⁴, `∞` when not finite.
    public static func perplexity(_ value: Double) -> String {
        guard value.isFinite else { return "∞" }
        return value >= 1e4 ? String(format: "%.2e", value) : String(format: "%.2f", value)
    }
}
