/// The keys and values an attention layer has already computed, for incremental decoding.
///
/// Each decoding step appends the new keys and values `[batch, kvHeads, newLength, headDim]`
/// and attends over everything cached so far. One cache belongs to one attention layer; a model
/// keeps one per layer. Keys are cached after the rotary embedding, so ``length`` is also the
/// position offset of the next token.
///
/// ```swift
/// let cache = KeyValueCache()
/// var y = attention(prompt, cache: cache)        // fills the cache
/// y = attention(nextToken, cache: cache)         // attends over prompt + next token
/// ```
public final class KeyValueCache {
    /// The cached keys `[batch, kvHeads, length, headDim]`, nil while empty.
    public private(set) var keys: Tensor?
    /// The cached values `[batch, kvHeads, length, valueDim]`, nil while empty.
    public private(set) var values: Tensor?

    /// An empty cache.
    public init() {}

    /// The number of cached positions.
    public var length: Int { keys?.shape[2] ?? 0 }

    /// Appends `newKeys` and `newValues` along the length axis and returns all cached keys and
    /// values.
    ///
    /// - Parameters:
    ///   - newKeys: `[batch, kvHeads, newLength, headDim]`.
    ///   - newValues: `[batch, kvHeads, newLength, valueDim]`.
    /// - Precondition: batch, head count and head dimensions match what is already cached.
    public func append(keys newKeys: Tensor, values newValues: Tensor) -> (keys: Tensor, values: Tensor) {
        precondition(
            newKeys.rank == 4 && newValues.rank == 4 && Array(newKeys.shape[0..<3]) == Array(newValues.shape[0..<3]),
            "KeyValueCache.append: keys \(newKeys.shape) and values \(newValues.shape) must be [batch, kvHeads, length, dim] of equal length")
        if let keys, let values {
            precondition(
                keys.shape[0] == newKeys.shape[0] && keys.shape[1] == newKeys.shape[1] && keys.shape[3] == newKeys.shape[3],
                "KeyValueCache.append: new keys \(newKeys.shape) do not match cached keys \(keys.shape)")
            precondition(
                values.shape[3] == newValues.shape[3],
                "KeyValueCache.append: new values \(newValues.shape) do not match cached values \(values.shape)")
            self.keys = Tensor.concatenate([keys, newKeys], alongAxis: 2)
            self.values = Tensor.concatenate([values, newValues], alongAxis: 2)
        } else {
            keys = newKeys
            values = newValues
        }
        return (keys!, values!)
    }

    /// Keeps only the first `length` positions (to roll back speculative or rejected tokens).
    ///
    /// - Precondition: `0 ≤ length ≤ self.length`.
    public func truncate(to length: Int) {
        precondition(length >= 0 && length <= self.length, "KeyValueCache.truncate: length \(length) is outside 0...\(self.length)")
        if length == 0 {
            reset()
        } else if length < self.length {
            keys = keys!.sliced(alongAxis: 2, from: 0, count: length)
            values = values!.sliced(alongAxis: 2, from: 0, count: length)
        }
    }

    /// Empties the cache.
    public func reset() {
        keys = nil
        values = nil
    }
}
