import CPruningKernels

/// `x` raised to `y` by libm's `pow`, exactly as Gymnasium computes `x**2` on NumPy float64
/// scalars and `math.pow(x, 2)`.
///
/// Swift's `pow(x, 2)` is rewritten by the optimizer into `x * x`, which is correctly rounded;
/// glibc's `pow` is not always, and differs from it in the last bit for about 1 argument in
/// 1,200. A chaotic system such as Acrobot amplifies one such bit into visible drift, so the
/// environments call libm through a function the optimizer cannot see into.
@inline(__always)
func libmPower(_ x: Double, _ y: Double) -> Double { pk_libm_pow(x, y) }
