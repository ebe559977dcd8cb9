/// A Python/NumPy scalar with its kind, for replaying mixed-precision arithmetic under NumPy 2's
/// promotion rules (NEP 50, "weak" Python scalars).
///
/// - `weak`: a Python `float` or `int` (double precision). Combined with a float32 value it is
///   first rounded to float32; with float64 or another weak value the result is double.
/// - `float64`: `np.float64`; anything combined with it is computed in double as float64.
/// - `float32`: `np.float32`; combined with float32 or weak values the operation runs in
///   float32 (each operand rounded to float32, one correctly rounded float32 operation).
///
/// Comparisons follow the same promotion, so `np.float32(x) > 0.07` compares against
/// `float32(0.07)`.
struct NumPyScalar {
    enum Kind { case weak, float64, float32 }

    /// The value (exactly representable in float32 when `kind == .float32`).
    var value: Double
    var kind: Kind

    init(_ value: Double, _ kind: Kind) {
        self.value = kind == .float32 ? Double(Float(value)) : value
        self.kind = kind
    }

    /// A Python `float` or `int` literal.
    static func weak(_ value: Double) -> NumPyScalar { NumPyScalar(value, .weak) }

    private static func resultKind(_ a: Kind, _ b: Kind) -> Kind {
        if a == .float64 || b == .float64 { return .float64 }
        if a == .float32 || b == .float32 { return .float32 }
        return .weak
    }

    private static func apply(
        _ a: NumPyScalar, _ b: NumPyScalar, single: (Float, Float) -> Float, double: (Double, Double) -> Double
    ) -> NumPyScalar {
        let kind = resultKind(a.kind, b.kind)
        if kind == .float32 {
            return NumPyScalar(Double(single(Float(a.value), Float(b.value))), .float32)
        }
        return NumPyScalar(double(a.value, b.value), kind)
    }

    private static func compare(
        _ a: NumPyScalar, _ b: NumPyScalar, single: (Float, Float) -> Bool, double: (Double, Double) -> Bool
    ) -> Bool {
        resultKind(a.kind, b.kind) == .float32
            ? single(Float(a.value), Float(b.value)) : double(a.value, b.value)
    }

    static func + (a: NumPyScalar, b: NumPyScalar) -> NumPyScalar { apply(a, b, single: +, double: +) }
    static func - (a: NumPyScalar, b: NumPyScalar) -> NumPyScalar { apply(a, b, single: -, double: -) }
    static func * (a: NumPyScalar, b: NumPyScalar) -> NumPyScalar { apply(a, b, single: *, double: *) }
    static func < (a: NumPyScalar, b: NumPyScalar) -> Bool { compare(a, b, single: <, double: <) }
    static func > (a: NumPyScalar, b: NumPyScalar) -> Bool { compare(a, b, single: >, double: >) }
    static func >= (a: NumPyScalar, b: NumPyScalar) -> Bool { compare(a, b, single: >=, double: >=) }
    static func == (a: NumPyScalar, b: NumPyScalar) -> Bool { compare(a, b, single: ==, double: ==) }

    /// Python's `max(a, b)`: `b` only when `b > a`.
    static func pythonMax(_ a: NumPyScalar, _ b: NumPyScalar) -> NumPyScalar { b > a ? b : a }
    /// Python's `min(a, b)`: `b` only when `b < a`.
    static func pythonMin(_ a: NumPyScalar, _ b: NumPyScalar) -> NumPyScalar { b < a ? b : a }
}
