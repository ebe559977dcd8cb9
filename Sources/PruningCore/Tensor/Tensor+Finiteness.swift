extension Tensor {
    /// The row-major index of the first NaN or infinite element, or `nil` when every element
    /// is finite. Loaders use it to reject weights that would turn every result into NaN.
    public var firstNonFiniteIndex: Int? {
        withUnsafeBufferPointer { buffer in
            // Finite floats have an exponent below all ones.
            buffer.firstIndex { $0.bitPattern & 0x7F80_0000 == 0x7F80_0000 }
        }
    }
}
